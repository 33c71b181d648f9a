"""The guard on an in-memory broker: reply events in on sb.push, message.flagged out on sb.conv."""

from __future__ import annotations

import asyncio

from faststream.nats import TestNatsBroker

from guards.grounding import GroundingMethod
from guards.hallucination import create_broker
from shared.bus import CONV_JSTREAM
from shared.events import MessageFlagged
from shared.settings import Settings
from shared.subjects import Channel, kind_pattern, subject
from shared.tenants import GuardPolicy
from tests.guards.replies import GROUNDED, UNGROUNDED, UNGROUNDED_SENTENCE, completed, created, rules, stream


async def _publish_push(broker, event) -> None:  # type: ignore[no-untyped-def]
    # In memory there is no stream republishing sb.conv to sb.push; publish where the guard listens.
    await broker.publish(event, subject(Channel.PUSH, event.tenant_id, event.conversation_id, event.type))


async def _run(
    settings: Settings, conversation_id: str, text: str, action: str = "flag", question: str | None = None
) -> list[MessageFlagged]:
    broker, guard = create_broker(settings, method=GroundingMethod(), rules=rules(action))
    flags: asyncio.Queue[MessageFlagged] = asyncio.Queue()

    # emit() publishes durable events to their stream; in memory only stream subscribers see them.
    @broker.subscriber(kind_pattern(Channel.CONV, "message.flagged"), stream=CONV_JSTREAM)
    async def collect(flag: MessageFlagged) -> None:
        await flags.put(flag)

    async with TestNatsBroker(broker):
        await _publish_push(broker, created(conversation_id, "m1", question=question))
        for delta in stream(conversation_id, "m1", text):
            await _publish_push(broker, delta)
        await guard.idle()
        before_completion = [flags.get_nowait() for _ in range(flags.qsize())]
        await _publish_push(broker, completed(conversation_id, "m1", text))
        await guard.idle()
    return before_completion


async def test_ungrounded_sentence_is_flagged_before_completion(settings: Settings, conversation_id: str) -> None:
    flags = await _run(settings, conversation_id, UNGROUNDED)
    assert [f.sentence for f in flags] == [UNGROUNDED_SENTENCE]
    flag = flags[0]
    assert UNGROUNDED[flag.start : flag.end] == UNGROUNDED_SENTENCE
    assert flag.action == "flag"
    assert flag.replacement is None
    assert flag.id == f"flag-m1-{flag.start}"


async def test_grounded_reply_is_not_flagged(settings: Settings, conversation_id: str) -> None:
    assert await _run(settings, conversation_id, GROUNDED) == []


async def test_the_question_explains_the_visitors_numbers_but_not_the_business(
    settings: Settings, conversation_id: str
) -> None:
    answer = "Yes, your 4 unused items can be returned within 30 days of delivery."
    question = "I bought 4 shirts last week, can I still return them?"
    assert await _run(settings, conversation_id, answer, question=question) == []
    assert [f.sentence for f in await _run(settings, conversation_id, answer)] == [answer]
    # The visitor saying it does not make it so.
    claim = "Sale items can be returned within 30 days."
    flags = await _run(settings, conversation_id, claim, question="Sale items can be returned within 30 days, right?")
    assert [f.sentence for f in flags] == [claim]


async def test_withhold_policy_says_so_without_replacement(settings: Settings, conversation_id: str) -> None:
    flags = await _run(settings, conversation_id, UNGROUNDED, action="withhold")
    assert [(f.action, f.replacement) for f in flags] == [("withhold", None)]


async def test_replace_policy_carries_the_correction(settings: Settings, conversation_id: str) -> None:
    flags = await _run(settings, conversation_id, UNGROUNDED, action="replace")
    assert len(flags) == 1
    assert flags[0].action == "replace"
    assert flags[0].replacement == "Sale items cannot be returned."


async def test_invented_sentence_without_a_close_source_gets_the_tenant_text(
    settings: Settings, conversation_id: str
) -> None:
    text = "Express shipping costs $15. We also engrave every backpack for free with your initials."
    flags = await _run(settings, conversation_id, text, action="replace")
    assert len(flags) == 1
    assert flags[0].replacement == GuardPolicy().replacement


async def test_reply_whose_start_was_missed_is_checked_on_completion(settings: Settings, conversation_id: str) -> None:
    """A guard (re)started mid-reply has no sources yet; the completion brings them."""
    broker, guard = create_broker(settings, method=GroundingMethod(), rules=rules())
    flags: asyncio.Queue[MessageFlagged] = asyncio.Queue()

    @broker.subscriber(kind_pattern(Channel.CONV, "message.flagged"), stream=CONV_JSTREAM)
    async def collect(flag: MessageFlagged) -> None:
        await flags.put(flag)

    async with TestNatsBroker(broker):
        for delta in stream(conversation_id, "m1", UNGROUNDED):
            await _publish_push(broker, delta)
        await guard.idle()
        assert flags.empty()
        await _publish_push(broker, completed(conversation_id, "m1", UNGROUNDED))
        flag = await asyncio.wait_for(flags.get(), 5)
    assert flag.sentence == UNGROUNDED_SENTENCE
    assert guard.tracker.replies == {}


async def test_words_the_business_wrote_are_not_grounded(settings: Settings, conversation_id: str) -> None:
    """A welcome, an action handler's reply or a pushed message (generated=False) is never flagged."""
    broker, guard = create_broker(settings, method=GroundingMethod(), rules=rules())
    flags: asyncio.Queue[MessageFlagged] = asyncio.Queue()

    @broker.subscriber(kind_pattern(Channel.CONV, "message.flagged"), stream=CONV_JSTREAM)
    async def collect(flag: MessageFlagged) -> None:
        await flags.put(flag)

    async with TestNatsBroker(broker):
        business = created(conversation_id, "b1").model_copy(update={"generated": False})
        await _publish_push(broker, business)
        for message_id in ("b1", "b2"):  # with and without a created event first
            done = completed(conversation_id, message_id, UNGROUNDED).model_copy(update={"generated": False})
            await _publish_push(broker, done)
        await _publish_push(broker, completed(conversation_id, "m1", UNGROUNDED))  # the model's: checked
        flag = await asyncio.wait_for(flags.get(), 5)
        await guard.idle()
    assert flag.message_id == "m1"
    assert flags.empty()
    assert guard.tracker.replies == {}
