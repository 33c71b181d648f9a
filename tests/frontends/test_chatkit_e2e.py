"""A ChatKit client's request sequence against the gateway, a real nats-server and a real orchestrator.

Requests are built with openai-chatkit's request types; every SSE event is parsed with its
ThreadStreamEvent union (tests/frontends/clients.py), so a shape ChatKit does not know fails here.
"""

from __future__ import annotations

import json

import nats
import pytest
from chatkit.actions import Action
from chatkit.types import (
    AssistantMessageContentPartTextDelta,
    AssistantMessageItem,
    AttachmentDeleteParams,
    AttachmentsDeleteReq,
    ItemFeedbackParams,
    ItemsFeedbackReq,
    ItemsListParams,
    ItemsListReq,
    StreamOptionsEvent,
    ThreadAddUserMessageParams,
    ThreadCreatedEvent,
    ThreadCreateParams,
    ThreadCustomActionParams,
    ThreadGetByIdParams,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemReplacedEvent,
    ThreadItemUpdatedEvent,
    ThreadListParams,
    ThreadRetryAfterItemParams,
    ThreadsAddUserMessageReq,
    ThreadsCreateReq,
    ThreadsCustomActionReq,
    ThreadsGetByIdReq,
    ThreadsListReq,
    ThreadsRetryAfterItemReq,
    UserMessageItem,
    WidgetItem,
)
from faststream.nats import NatsBroker

from orchestrator.turns import Orchestrator
from shared.bus import emit
from shared.events import ComponentUpdated, MessageCompleted
from shared.events.components import Button, Card, QuickReplies
from shared.subjects import CONV_STREAM, OPS_STREAM, Channel, subject
from tests.frontends.clients import ChatKitClient, message
from tests.gateway.conftest import GatewayClient

pytestmark = pytest.mark.connected


def reply_text(events: list) -> str:
    [done] = [e for e in events if isinstance(e, ThreadItemDoneEvent) and isinstance(e.item, AssistantMessageItem)]
    return done.item.content[0].text


async def test_create_add_list_feedback_action_and_retry(
    chatkit: ChatKitClient, orchestrator: Orchestrator, broker: NatsBroker, nats_client: nats.NATS
) -> None:
    # threads.create: the visitor's message goes to the bus, the orchestrator's reply streams back.
    events = await chatkit.run(
        ThreadsCreateReq(params=ThreadCreateParams(input=message("What does express shipping cost?")))
    )
    created = events[0]
    assert isinstance(created, ThreadCreatedEvent)
    thread_id = created.thread.id
    kinds = [type(e) for e in events]
    assert kinds[1] is ThreadItemDoneEvent
    assert isinstance(events[1].item, UserMessageItem)
    assert StreamOptionsEvent in kinds
    assert ThreadItemAddedEvent in kinds
    deltas = [e.update.delta for e in events if isinstance(e, ThreadItemUpdatedEvent)]
    assert all(
        isinstance(e.update, AssistantMessageContentPartTextDelta)
        for e in events
        if isinstance(e, ThreadItemUpdatedEvent)
    )
    first = reply_text(events)
    assert "$14.95" in first
    assert "".join(deltas) == first  # the deltas add up to the reply
    assert isinstance(events[-1], ThreadItemDoneEvent)  # the stream ends with the reply

    # threads.add_user_message on the same thread.
    more = await chatkit.run(
        ThreadsAddUserMessageReq(
            params=ThreadAddUserMessageParams(thread_id=thread_id, input=message("When are stores open?"))
        )
    )
    assert isinstance(more[0], ThreadItemDoneEvent)
    assert isinstance(more[0].item, UserMessageItem)
    second = reply_text(more)

    # items.list and threads.get_by_id read the same items back from the stored history.
    listed = await chatkit.call(ItemsListReq(params=ItemsListParams(thread_id=thread_id, order="asc")))
    assert [i["type"] for i in listed["data"]] == ["user_message", "assistant_message"] * 2
    assert [i["content"][0]["text"] for i in listed["data"][1::2]] == [first, second]
    assert listed["data"][0]["id"] == events[1].item.id  # the ids the stream gave are the stored ones
    thread = await chatkit.call(ThreadsGetByIdReq(params=ThreadGetByIdParams(thread_id=thread_id)))
    assert thread["id"] == thread_id
    assert thread["title"] == "What does express shipping cost?"
    assert [i["id"] for i in thread["items"]["data"]] == [i["id"] for i in listed["data"]]
    threads = await chatkit.call(ThreadsListReq(params=ThreadListParams(limit=10)))
    assert thread_id in [t["id"] for t in threads["data"]]

    # items.feedback becomes our feedback event.
    reply_id = listed["data"][1]["id"]
    assert (
        await chatkit.call(
            ItemsFeedbackReq(params=ItemFeedbackParams(thread_id=thread_id, item_ids=[reply_id], kind="negative"))
        )
        == {}
    )
    js = nats_client.jetstream()
    stored = await js.get_last_msg(OPS_STREAM, subject(Channel.OPS, "acme", thread_id, "feedback"))
    assert json.loads(stored.data) | {"message_id": reply_id, "rating": "down"} == json.loads(stored.data)

    # A component (as a tenant backend sends one) is a ChatKit widget; its action comes back as widget.action.
    card = Card(
        id="order-card", title="Order #123", buttons=[Button(label="Track", action="track_order", value={"order": 123})]
    )
    await emit(
        broker,
        MessageCompleted(
            tenant_id="acme",
            conversation_id=thread_id,
            message_id="m-card",
            role="assistant",
            text="Here it is.",
            components=[card],
        ),
    )
    items = await chatkit.call(ItemsListReq(params=ItemsListParams(thread_id=thread_id, order="desc", limit=1)))
    widget = WidgetItem.model_validate(items["data"][0])
    button = widget.widget.model_dump()["children"][-1]["children"][0]
    assert button["label"] == "Track"
    action = Action[str, object](type=button["onClickAction"]["type"], payload=button["onClickAction"]["payload"])
    await chatkit.run(
        ThreadsCustomActionReq(params=ThreadCustomActionParams(thread_id=thread_id, item_id=widget.id, action=action))
    )
    used = json.loads(
        (await js.get_last_msg(CONV_STREAM, subject(Channel.CONV, "acme", thread_id, "widget.action"))).data
    )
    assert (used["name"], used["component_id"], used["value"]) == ("track_order", "order-card", {"order": 123})

    # threads.retry_after_item asks the same question again and streams a new answer.
    user_id = listed["data"][2]["id"]
    retried = await chatkit.run(
        ThreadsRetryAfterItemReq(params=ThreadRetryAfterItemParams(thread_id=thread_id, item_id=user_id))
    )
    assert reply_text(retried) == second


async def test_someone_elses_thread_is_not_found(chatkit: ChatKitClient, gateway: GatewayClient) -> None:
    other = await gateway.session()
    response = await gateway.http.post(
        "/chatkit",
        content=ItemsListReq(params=ItemsListParams(thread_id=other["conversation_id"])).model_dump_json(),
        headers=chatkit.headers,
    )
    assert response.status_code == 404, response.text
    response = await gateway.http.post("/chatkit", content=b'{"type": "threads.nope"}', headers=chatkit.headers)
    assert response.status_code == 400
    assert "ChatKit request" in response.text
    response = await gateway.http.post("/chatkit", content=b"{}")
    assert response.status_code == 401
    # What our history cannot serve is refused before anything is published.
    unsupported = AttachmentsDeleteReq(params=AttachmentDeleteParams(attachment_id="a1")).model_dump_json()
    response = await gateway.http.post("/chatkit", content=unsupported, headers=chatkit.headers)
    assert response.status_code == 400
    assert "attachments.delete" in response.text
    with_file = message("see file").model_copy(update={"attachments": ["atc_1"]})
    response = await gateway.http.post(
        "/chatkit",
        content=ThreadsCreateReq(params=ThreadCreateParams(input=with_file)).model_dump_json(),
        headers=chatkit.headers,
    )
    assert response.status_code == 400
    assert "attachments" in response.text
    bad_id = ItemsFeedbackReq(
        params=ItemFeedbackParams(thread_id=chatkit.conversation_id, item_ids=["a b"], kind="positive")
    )
    response = await gateway.http.post("/chatkit", content=bad_id.model_dump_json(), headers=chatkit.headers)
    assert response.status_code == 400
    blank = ThreadsCreateReq(params=ThreadCreateParams(input=message("   "))).model_dump_json()
    response = await gateway.http.post("/chatkit", content=blank, headers=chatkit.headers)
    assert response.status_code == 400


async def test_a_quick_reply_is_said_by_the_visitor_and_a_component_update_replaces_the_widget(
    chatkit: ChatKitClient, orchestrator: Orchestrator, broker: NatsBroker
) -> None:
    events = await chatkit.run(ThreadsCreateReq(params=ThreadCreateParams(input=message("Hi"))))
    thread_id = events[0].thread.id
    ids = {"tenant_id": "acme", "conversation_id": thread_id}
    replies = QuickReplies(id="qr", replies=[Button(label="What does express shipping cost?")])
    await emit(
        broker, MessageCompleted(**ids, message_id="m-qr", role="assistant", text="Ask me:", components=[replies])
    )
    items = await chatkit.call(ItemsListReq(params=ItemsListParams(thread_id=thread_id, order="desc", limit=1)))
    widget = WidgetItem.model_validate(items["data"][0])
    [button] = [n for n in walk(widget.widget.model_dump()) if n.get("type") == "Button"]
    config = button["onClickAction"]
    action = Action[str, object](type=config["type"], payload=config["payload"])
    said = await chatkit.run(
        ThreadsCustomActionReq(params=ThreadCustomActionParams(thread_id=thread_id, item_id=widget.id, action=action))
    )
    [user] = [e.item for e in said if isinstance(e, ThreadItemDoneEvent) and isinstance(e.item, UserMessageItem)]
    assert user.content[0].text == "What does express shipping cost?"
    assert "$14.95" in reply_text(said)

    # A backend answers a component shown earlier: the client gets the widget replaced, with its status.
    async with chatkit.updates(thread_id) as updates:
        await emit(broker, ComponentUpdated(**ids, component_id="qr", disabled=True, status="Asked."))
        replaced = await updates.until(lambda e: isinstance(e, ThreadItemReplacedEvent))
    assert replaced.item.id == widget.id
    nodes = walk(replaced.item.widget.model_dump())
    assert [n["value"] for n in nodes if n.get("type") == "Caption"] == ["Asked."]
    assert all(n.get("disabled") for n in nodes if n.get("type") == "Button")


def walk(node: object) -> list[dict]:
    if isinstance(node, dict):
        return [node] + [n for v in node.values() for n in walk(v)]
    if isinstance(node, list):
        return [n for v in node for n in walk(v)]
    return []
