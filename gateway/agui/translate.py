"""Our bus events as AG-UI events (ag-ui-protocol types).

| ours | AG-UI |
|---|---|
| message.created / delta / completed / cancelled | TEXT_MESSAGE_START / CONTENT / END |
| components of a completed reply | TOOL_CALL_START / ARGS (the component as JSON) / END, name ``show_<type>`` |
| handoff.queued / accepted / ended | CUSTOM ``switchboard.handoff.*`` + STATE_SNAPSHOT |
| message.flagged, notice, component.updated, typing | CUSTOM ``switchboard.<type>`` |

The state is ``{conversation_id, handoff: ai|queued|assigned|resolved, agent}``. The translator
keeps only the run's own progress (open messages, text streamed so far).
"""

from __future__ import annotations

from typing import Any

from ag_ui.core import (
    BaseEvent,
    CustomEvent,
    StateSnapshotEvent,
    TextMessageContentEvent,
    TextMessageEndEvent,
    TextMessageStartEvent,
    ToolCallArgsEvent,
    ToolCallEndEvent,
    ToolCallStartEvent,
)

from shared.events import (
    ComponentUpdated,
    Event,
    HandoffAccepted,
    HandoffEnded,
    HandoffQueued,
    MessageCancelled,
    MessageCompleted,
    MessageCreated,
    MessageDelta,
    MessageFlagged,
    Notice,
    Typing,
)

CUSTOM_PREFIX = "switchboard."
PUBLIC_FIELDS = {"v", "tenant_id", "conversation_id", "ts", "seq", "id"}


def state_of(conversation_id: str, event: Event | None) -> dict[str, Any]:
    """The AG-UI state after the latest handoff event (None: the assistant answers)."""
    state: dict[str, Any] = {"conversation_id": conversation_id, "handoff": "ai", "agent": None}
    match event:
        case HandoffQueued():
            state["handoff"] = "queued"
        case HandoffAccepted():
            state.update(handoff="assigned", agent=event.agent.name)
        case HandoffEnded():
            state["handoff"] = "resolved" if event.outcome == "resolved" else "ai"
    return state


def custom(event: Event) -> CustomEvent:
    value = event.model_dump(mode="json", exclude=PUBLIC_FIELDS - {"id", "seq"})
    return CustomEvent(name=CUSTOM_PREFIX + event.type, value=value)


class RunTranslator:
    def __init__(self, conversation_id: str) -> None:
        self.conversation_id = conversation_id
        self.open: dict[str, str] = {}  # message_id -> text streamed so far
        self.done: set[str] = set()

    def translate(self, event: Event) -> list[BaseEvent]:
        match event:
            case MessageCreated():
                return self._start(event.message_id, event.author.name if event.author else None)
            case MessageDelta():
                return self._content(event.message_id, event.offset, event.text)
            case MessageCompleted():
                out = self._whole(event.message_id, event.author.name if event.author else None, event.text)
                for component in event.components:
                    args = component.model_dump_json()
                    out += [
                        ToolCallStartEvent(
                            tool_call_id=component.id,
                            tool_call_name=f"show_{component.type}",
                            parent_message_id=event.message_id,
                        ),
                        ToolCallArgsEvent(tool_call_id=component.id, delta=args),
                        ToolCallEndEvent(tool_call_id=component.id),
                    ]
                return out
            case MessageCancelled():
                return self._whole(event.message_id, None, event.text)
            case HandoffQueued() | HandoffAccepted() | HandoffEnded():
                return [custom(event), StateSnapshotEvent(snapshot=state_of(self.conversation_id, event))]
            case MessageFlagged() | Notice() | ComponentUpdated() | Typing():
                return [custom(event)]
        return []

    def close_open(self) -> list[BaseEvent]:
        """End every message still open (a run must not finish with one)."""
        out: list[BaseEvent] = [TextMessageEndEvent(message_id=m) for m in self.open]
        self.done.update(self.open)
        self.open.clear()
        return out

    def _start(self, message_id: str, name: str | None) -> list[BaseEvent]:
        """Every reply is the assistant's role in AG-UI; ``name`` is who wrote it (the person's name)."""
        if message_id in self.open or message_id in self.done:
            return []
        self.open[message_id] = ""
        return [TextMessageStartEvent(message_id=message_id, role="assistant", name=name)]

    def _content(self, message_id: str, offset: int, text: str) -> list[BaseEvent]:
        if message_id in self.done:
            return []
        out = self._start(message_id, None)
        sent = self.open[message_id]
        new = text[len(sent) - offset :] if offset <= len(sent) else text
        if new:
            self.open[message_id] = sent + new
            out.append(TextMessageContentEvent(message_id=message_id, delta=new))
        return out

    def _whole(self, message_id: str, name: str | None, text: str) -> list[BaseEvent]:
        if message_id in self.done:
            return []
        out = self._start(message_id, name)
        sent = self.open[message_id]
        if text.startswith(sent) and len(text) > len(sent):
            out += self._content(message_id, len(sent), text[len(sent) :])
        del self.open[message_id]
        self.done.add(message_id)
        return [*out, TextMessageEndEvent(message_id=message_id)]
