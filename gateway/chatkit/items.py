"""Our stored conversation events as ChatKit thread items: one fold, used for history and live updates.

Item ids are our ids: a message's ``message_id``, ``cmp_<component id>`` for a component,
``note_<event id>`` for a notice (handoff queued / joined / left, a notice, a guard flag).
Flags are applied to the reply text the way the widget shows them: ``withhold`` hides the
sentence, ``replace`` shows the replacement, ``flag`` keeps it; each adds a visible note.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chatkit.types import (
    Annotation,
    AssistantMessageContent,
    AssistantMessageItem,
    FileSource,
    InferenceOptions,
    ThreadItem,
    URLSource,
    UserMessageItem,
    UserMessageTextContent,
    WidgetItem,
)
from chatkit.widgets import DynamicWidgetRoot

from gateway.chatkit.widgets import copy_text, item_id, to_widget
from shared.events import (
    ComponentUpdated,
    Event,
    HandoffAccepted,
    HandoffEnded,
    HandoffQueued,
    MessageCancelled,
    MessageCompleted,
    MessageCreated,
    MessageFlagged,
    Notice,
    Source,
    UserMessage,
)
from shared.events.components import Component

WITHHELD = "[withheld]"


def user_item(thread_id: str, event: UserMessage) -> UserMessageItem:
    return UserMessageItem(
        id=event.message_id,
        thread_id=thread_id,
        created_at=event.ts,
        content=[UserMessageTextContent(text=event.text)],
        inference_options=InferenceOptions(),
    )


def _annotation(source: Source) -> Annotation:
    if source.url and source.url.lower().startswith(("http://", "https://")):
        return Annotation(source=URLSource(url=source.url, title=source.title, description=source.snippet[:300]))
    return Annotation(source=FileSource(filename=source.id, title=source.title, description=source.snippet[:300]))


def assistant_item(
    thread_id: str, message_id: str, created_at: datetime, text: str, sources: Iterable[Source] = ()
) -> AssistantMessageItem:
    content = AssistantMessageContent(text=text, annotations=[_annotation(s) for s in sources])
    return AssistantMessageItem(id=message_id, thread_id=thread_id, created_at=created_at, content=[content])


def apply_flags(text: str, flags: Iterable[MessageFlagged]) -> str:
    """The reply as a visitor may see it: withheld spans hidden, replaced spans swapped.

    As the widget: the earliest span wins where spans overlap.
    """
    chosen: list[MessageFlagged] = []
    for flag in sorted((f for f in flags if f.start < f.end <= len(text)), key=lambda f: f.start):
        if not chosen or flag.start >= chosen[-1].end:
            chosen.append(flag)
    for flag in reversed(chosen):
        if flag.action != "flag":
            shown = (flag.replacement or "") if flag.action == "replace" else WITHHELD
            text = text[: flag.start] + shown + text[flag.end :]
    return text


def note_item(thread_id: str, note_id: str, created_at: datetime, title: str, text: str, icon: str) -> WidgetItem:
    """A visible line in the thread (ChatKit has no system message): a small card with a status header."""
    children: list[dict[str, Any]] = [{"type": "Text", "value": text, "size": "sm"}] if text else []
    card = {"type": "Card", "key": "note", "size": "sm", "status": {"text": title, "icon": icon}, "children": children}
    widget = DynamicWidgetRoot.model_validate(card)
    return WidgetItem(
        id=f"note_{note_id}", thread_id=thread_id, created_at=created_at, widget=widget, copy_text=text or title
    )


def flag_note(thread_id: str, flag: MessageFlagged) -> WidgetItem:
    if flag.action == "withhold":
        title, text = "A sentence was withheld", flag.reason
    elif flag.action == "replace":
        title, text = "A sentence was replaced", flag.reason
    else:
        title, text = "Possibly unsupported", f"“{flag.sentence}” — {flag.reason}"
    return note_item(thread_id, flag.id, flag.ts, title, text, "info")


def handoff_note(thread_id: str, event: Event) -> WidgetItem | None:
    match event:
        case HandoffQueued():
            place = f" You are number {event.position} in line." if event.position else ""
            return note_item(
                thread_id, event.id, event.ts, "Waiting for a person", f"A person will join soon.{place}", "clock"
            )
        case HandoffAccepted():
            return note_item(thread_id, event.id, event.ts, f"{event.agent.name} joined the conversation", "", "agent")
        case HandoffEnded():
            who = event.agent.name if event.agent else "The agent"
            if event.outcome == "resolved":
                return note_item(thread_id, event.id, event.ts, "Conversation resolved", "", "check-circle")
            return note_item(thread_id, event.id, event.ts, f"{who} left", "The assistant answers again.", "sparkle")
        case Notice():
            return note_item(thread_id, event.id, event.ts, event.text, "", "info")
    return None


@dataclass
class _Shown:
    component: Component
    message_id: str
    created_at: datetime
    disabled: bool = False
    status: str | None = None

    def item(self, thread_id: str) -> WidgetItem:
        widget = to_widget(self.component, disabled=self.disabled, status=self.status)
        return WidgetItem(
            id=item_id(self.component.id),
            thread_id=thread_id,
            created_at=self.created_at,
            widget=widget,
            copy_text=copy_text(self.component),
        )


@dataclass
class Thread:
    """A conversation folded into ChatKit items, in the order their first event was stored."""

    thread_id: str
    items: dict[str, ThreadItem] = field(default_factory=dict)
    flags: dict[str, list[MessageFlagged]] = field(default_factory=dict)
    replies: dict[str, MessageCompleted | MessageCancelled] = field(default_factory=dict)
    shown: dict[str, _Shown] = field(default_factory=dict)
    title: str | None = None
    created_at: datetime | None = None
    resolved: bool = False

    def apply(self, event: Event) -> list[ThreadItem]:
        """Fold one event in; the items it added or changed."""
        self.created_at = self.created_at or event.ts
        changed: list[ThreadItem] = []
        match event:
            case UserMessage():
                self.title = self.title or event.text[:80]
                changed.append(user_item(self.thread_id, event))
            case MessageCreated():
                if event.message_id not in self.items:
                    changed.append(assistant_item(self.thread_id, event.message_id, event.ts, ""))
            case MessageCompleted() | MessageCancelled():
                self.replies[event.message_id] = event
                changed += self._reply(event)
            case MessageFlagged():
                self.flags.setdefault(event.message_id, []).append(event)
                changed.append(flag_note(self.thread_id, event))
                reply = self.replies.get(event.message_id)
                if reply is not None and event.action != "flag":
                    changed.append(self._text_item(reply))
            case ComponentUpdated():
                changed += self._component_updated(event)
            case HandoffEnded() if event.outcome == "resolved":
                self.resolved = True
                changed.append(handoff_note(self.thread_id, event))  # type: ignore[arg-type]
            case HandoffQueued() | HandoffAccepted() | HandoffEnded() | Notice():
                self.resolved = False
                changed.append(handoff_note(self.thread_id, event))  # type: ignore[arg-type]
        for item in changed:
            self.items[item.id] = item
        return changed

    def _text_item(self, reply: MessageCompleted | MessageCancelled) -> AssistantMessageItem:
        text = apply_flags(reply.text, self.flags.get(reply.message_id, ()))
        sources = reply.sources if isinstance(reply, MessageCompleted) else []
        created = self.items[reply.message_id].created_at if reply.message_id in self.items else reply.ts
        return assistant_item(self.thread_id, reply.message_id, created, text, sources)

    def _reply(self, reply: MessageCompleted | MessageCancelled) -> list[ThreadItem]:
        if isinstance(reply, MessageCancelled) and not reply.text:
            self.items.pop(reply.message_id, None)
            return []
        changed: list[ThreadItem] = [self._text_item(reply)]
        for component in reply.components if isinstance(reply, MessageCompleted) else []:
            shown = _Shown(component, reply.message_id, reply.ts)
            self.shown[component.id] = shown
            changed.append(shown.item(self.thread_id))
        return changed

    def _component_updated(self, event: ComponentUpdated) -> list[ThreadItem]:
        shown = self.shown.get(event.component_id)
        if shown is None:
            if event.component is None:
                return []  # an update of something never shown here
            shown = self.shown[event.component_id] = _Shown(event.component, event.message_id or "", event.ts)
        if event.component is not None:
            shown.component = event.component.model_copy(update={"id": event.component_id})
        if event.disabled is not None:
            shown.disabled = event.disabled
        if event.status is not None:
            shown.status = event.status
        if event.errors:  # ChatKit forms have no per-field messages: one status line names them
            shown.status = " ".join(f"{name}: {problem}" for name, problem in event.errors.items())
        return [shown.item(self.thread_id)]

    def ordered(self) -> list[ThreadItem]:
        return list(self.items.values())
