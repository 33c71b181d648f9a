"""Typing, a human taking over and leaving, guard flags (flag / withhold / replace) and a
cancelled reply, as the visitor sees them (headless Chromium, real gateway)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import expect

from shared.events import MessageCancelled, MessageCreated, MessageFlagged, Source, new_id
from shared.events.handoff import HandoffAccepted, HandoffEnded, HandoffQueued
from shared.events.messages import Author
from tests.widget.conftest import GatewayServer, conversation_of, host_page, open_host

pytestmark = [pytest.mark.browser, pytest.mark.connected]

INITECH = '<switchboard-chat widget-key="pk_demo_initech"></switchboard-chat>'


async def test_handoff_typing_and_agent_messages(page: Any, gateway: GatewayServer, bots: Any) -> None:
    await open_host(page, gateway, host_page(INITECH))
    widget = page.locator("switchboard-chat")
    bot = await bots("initech", await conversation_of(page))
    ask = widget.locator('[part~="handoff-button"]')
    await expect(ask).to_have_text("escalate --human")  # the tenant's string
    await ask.click()
    request = await bot.wait_for("handoff.requested")
    assert request["trigger"] == "visitor"
    await bot.emit(HandoffQueued, trigger="visitor", position=2)
    await expect(widget.locator('[part~="handoff-queued"]')).to_contain_text("number 2 in the queue")

    avatar = gateway.url + "/static/demo/globex-avatar.svg"
    await bot.emit(HandoffAccepted, agent=Author(name="Maria", avatar_url=avatar))
    joined = widget.locator('[part~="agent-joined"]')
    await expect(joined).to_contain_text("Maria joined the conversation")
    await expect(joined.locator("img")).to_have_attribute("src", avatar)
    await expect(widget.locator('[part~="subtitle"]')).to_have_text("You are chatting with Maria")
    await expect(ask).to_be_hidden()
    await expect(widget.locator('[part~="live"]')).to_contain_text("Maria joined the conversation")

    await bot.emit_typing(who="agent", name="Maria")
    await expect(widget.locator('[part~="typing-text"]')).to_have_text("Maria is typing…")
    await bot.emit_typing(who="agent", on=False)
    await expect(widget.locator('[part~="typing"]')).to_be_hidden()
    mid = await bot.start_reply(author="Maria", role="agent")
    await bot.delta(mid, "Hi, Maria here.")
    await bot.complete(mid, author="Maria", role="agent")
    agent_row = widget.locator('[part~="row-agent"]')
    await expect(agent_row.locator('[part~="prompt"]')).to_have_text("Maria")  # initech's bubble template
    await expect(agent_row.locator('[part~="content"]')).to_have_text("Hi, Maria here.")

    await bot.emit(HandoffEnded, outcome="back_to_ai", agent=Author(name="Maria"), reason="handed_back")
    await expect(widget.locator('[part~="agent-left"]')).to_contain_text("Maria left the conversation")
    await expect(ask).to_be_visible()
    await expect(widget.locator('[part~="subtitle"]')).to_have_text("robo v2 · connected")


async def test_flags_sit_on_their_sentence_and_cancel_keeps_text(page: Any, gateway: GatewayServer, bots: Any) -> None:
    await open_host(page, gateway, host_page(INITECH))
    widget = page.locator("switchboard-chat")
    bot = await bots("initech", await conversation_of(page))
    text = "Our API is REST. It supports **GraphQL** too. Rate limit is 100/s. Support is 24/7."
    spans = {
        s: (text.index(s), text.index(s) + len(s)) for s in ("It supports", "Rate limit is 100/s.", "Support is 24/7.")
    }
    reply = await bot.start_reply()
    await bot.delta(reply, text)
    row = widget.locator(f'[data-message-id="{reply}"]')
    # A flag arriving while the reply streams wraps exactly its sentence (across markdown).
    start = spans["It supports"][0]
    end = text.index("too.") + len("too.")
    await bot.emit(MessageFlagged, message_id=reply, start=start, end=end, sentence=text[start:end], score=0.8,
                   reason="GraphQL is not in the docs", method="grounding")  # fmt: skip
    await expect(row.locator('mark[part~="flag"]')).to_have_text(["It supports ", "GraphQL", " too."])
    note = row.locator('[part~="flag-note"]')
    # The visitor reads what could not be verified, why, and what to do about it.
    await expect(note).to_contain_text("could not confirm the highlighted part in our documentation")
    await expect(note).to_contain_text("double-check")
    await expect(note.locator('[part~="flag-reason"]')).to_have_text("Why: GraphQL is not in the docs")
    await note.locator('[part~="flag-ask"]').click()
    await expect(widget.locator('[part~="system"]').last).to_contain_text("You asked to talk to a person.")
    s, e = spans["Rate limit is 100/s."]
    await bot.emit(MessageFlagged, message_id=reply, start=s, end=e, sentence=text[s:e], score=0.9, reason="r",
                   method="grounding", action="replace", replacement="Rate limits depend on your plan.")  # fmt: skip
    s, e = spans["Support is 24/7."]
    await bot.emit(MessageFlagged, message_id=reply, start=s, end=e, sentence=text[s:e], score=0.9, reason="r",
                   method="grounding", action="withhold")  # fmt: skip
    await bot.complete(reply)
    content = row.locator('[part~="content"]')
    await expect(content).to_have_text(
        "Our API is REST. It supports GraphQL too. Rate limits depend on your plan. [removed: could not be verified]"
    )
    await expect(row.locator('[part~="replaced"]')).to_have_text("Rate limits depend on your plan.")

    # An agent takes over mid-reply: the reply stops, keeping what it said.
    cut = await bot.start_reply()
    await bot.delta(cut, "Let me check the")
    await bot.emit(MessageCancelled, message_id=cut, reason="handoff", text="Let me check the")
    cut_row = widget.locator(f'[data-message-id="{cut}"]')
    await expect(cut_row.locator('[part~="cancelled-note"]')).to_have_text("Stopped — a person is taking over")
    await expect(cut_row).to_have_class("row assistant")
    await expect(cut_row.locator('[part~="content"]')).to_have_text("Let me check the")


async def test_a_reply_cut_by_a_takeover_goes_if_empty_else_stays_marked(
    page: Any, gateway: GatewayServer, bots: Any
) -> None:
    await open_host(page, gateway, host_page(INITECH))
    widget = page.locator("switchboard-chat")
    bot = await bots("initech", await conversation_of(page))
    sources = [Source(id="kb-1", title="API docs", url="https://initech.example/api", snippet="...")]
    # A whole answer, for comparison: thumbs and sources.
    done = widget.locator(f'[data-message-id="{await bot.reply("It is REST.", sources=sources)}"]')
    await expect(done.locator('[part~="feedback"]')).to_have_count(2)
    await expect(done.locator('[part~="sources"]')).to_have_count(1)

    # Nothing said yet when the agent joined (the orchestrator's reason): the empty reply goes.
    empty = new_id()
    await bot.emit(MessageCreated, message_id=empty, role="assistant", author=Author(name="robo"), sources=sources)
    empty_row = widget.locator(f'[data-message-id="{empty}"]')
    await expect(empty_row).to_have_count(1)
    await bot.emit(MessageCancelled, message_id=empty, reason="agent_joined", text="")
    await expect(empty_row).to_have_count(0)

    # Half an answer: kept, marked, and neither rated nor sourced.
    cut = new_id()
    bot.streaming[cut] = ""
    await bot.emit(MessageCreated, message_id=cut, role="assistant", author=Author(name="robo"), sources=sources)
    await bot.delta(cut, "The API rate limit is")
    await bot.emit(MessageCancelled, message_id=cut, reason="agent_joined", text="The API rate limit is")
    cut_row = widget.locator(f'[data-message-id="{cut}"]')
    await expect(cut_row.locator('[part~="cancelled-note"]')).to_have_text("Stopped — a person is taking over")
    await expect(cut_row.locator('[part~="content"]')).to_have_text("The API rate limit is")
    await expect(cut_row).to_have_class("row assistant")  # no longer streaming
    await expect(cut_row.locator('[part~="feedback"]')).to_have_count(0)
    await expect(cut_row.locator('[part~="sources"]')).to_have_count(0)

    # Stopped for another reason (the model failed): "Reply stopped", still no thumbs.
    failed = await bot.start_reply()
    await bot.delta(failed, "Let me look")
    await bot.emit(MessageCancelled, message_id=failed, reason="error", text="Let me look")
    failed_row = widget.locator(f'[data-message-id="{failed}"]')
    await expect(failed_row.locator('[part~="cancelled-note"]')).to_have_text("Reply stopped")
    await expect(failed_row.locator('[part~="feedback"]')).to_have_count(0)

    # The same after a reload, from the cached history.
    await page.reload()
    await expect(cut_row.locator('[part~="cancelled-note"]')).to_have_text("Stopped — a person is taking over")
    await expect(cut_row.locator('[part~="feedback"]')).to_have_count(0)
    await expect(empty_row).to_have_count(0)
    await expect(widget.locator('[part~="row-assistant"]')).to_have_count(3)
