from gateway import commands
from gateway.commands import Visitor
from shared.events import Feedback, HandoffRequested, UserMessage, VisitorTyping, WidgetAction
from shared.widget_protocol import FeedbackSend, HandoffAsk, MessageSend, TypingSend, WidgetActionSend

ALICE = Visitor(tenant_id="acme", conversation_id="c1", visitor_id="v_alice")
BOB = Visitor(tenant_id="acme", conversation_id="c2", visitor_id="v_bob")


def test_user_message_ids_are_derived_from_conversation_and_client_id() -> None:
    first = commands.user_message(ALICE, MessageSend(client_id="m1", text="hi"))
    resend = commands.user_message(ALICE, MessageSend(client_id="m1", text="hi"))
    assert isinstance(first, UserMessage)
    assert (first.id, first.message_id) == (resend.id, resend.message_id)
    assert first.id != first.message_id
    assert commands.user_message(ALICE, MessageSend(client_id="m2", text="hi")).message_id != first.message_id
    # The same client id in another conversation is another message.
    assert commands.user_message(BOB, MessageSend(client_id="m1", text="hi")).message_id != first.message_id
    assert (first.visitor_id, first.text, first.subject) == ("v_alice", "hi", "sb.conv.acme.c1.message.user")


def test_each_command_maps_to_its_event() -> None:
    action = commands.to_event(ALICE, WidgetActionSend(action_id="a1", name="buy", value=3))
    assert isinstance(action, WidgetAction)
    assert action.id == commands.to_event(ALICE, WidgetActionSend(action_id="a1", name="buy", value=3)).id
    assert isinstance(commands.to_event(ALICE, TypingSend(on=False)), VisitorTyping)
    handoff = commands.to_event(ALICE, HandoffAsk(reason="angry"))
    assert isinstance(handoff, HandoffRequested)
    assert (handoff.trigger, handoff.reason) == ("visitor", "angry")
    up = commands.to_event(ALICE, FeedbackSend(message_id="m", rating="up"))
    down = commands.to_event(ALICE, FeedbackSend(message_id="m", rating="down"))
    assert isinstance(up, Feedback)
    assert up.id != down.id  # a changed rating is a new event, an identical resend is not
    assert up.id == commands.to_event(ALICE, FeedbackSend(message_id="m", rating="up")).id


def test_acks_only_for_stored_visitor_frames() -> None:
    send = MessageSend(client_id="m1", text="hi")
    ack = commands.ack_for(send, commands.to_event(ALICE, send), 12)
    assert ack is not None
    assert (ack.client_id, ack.seq) == ("m1", 12)
    action = WidgetActionSend(action_id="a1", name="buy")
    assert commands.ack_for(action, commands.to_event(ALICE, action), 3).action_id == "a1"
    typing = TypingSend(on=True)
    assert commands.ack_for(typing, commands.to_event(ALICE, typing), None) is None
