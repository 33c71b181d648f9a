"""The conversation state machine: which transitions exist and who may make them.

States: ``ai`` (the assistant answers), ``queued`` (waiting for a human), ``assigned`` (a human
answers; the AI is silent), ``resolved`` (closed). ``system`` is the handoff service itself
acting on a trigger (sentiment monitor, orchestrator, keyword), a timeout or auto-assignment.
"""

from __future__ import annotations

from shared.events.handoff import ConversationState, StateActor

TRANSITIONS: dict[tuple[ConversationState, ConversationState], frozenset[StateActor]] = {
    # someone asks for a human
    ("ai", "queued"): frozenset({"visitor", "system"}),
    ("resolved", "queued"): frozenset({"visitor", "system"}),
    # a human joins: manual claim, own-initiative takeover, or auto-assignment
    ("queued", "assigned"): frozenset({"agent", "system"}),
    ("ai", "assigned"): frozenset({"agent"}),
    ("resolved", "assigned"): frozenset({"agent"}),
    # the assigned agent (or a supervisor) hands it to a colleague
    ("assigned", "assigned"): frozenset({"agent"}),
    # the human leaves: hand back to the AI, or the queue gives up (no agent, back_to_ai)
    ("assigned", "ai"): frozenset({"agent"}),
    ("queued", "ai"): frozenset({"agent", "system"}),
    # the assigned agent disconnected or timed out
    ("assigned", "queued"): frozenset({"system", "agent"}),
    # close it
    ("assigned", "resolved"): frozenset({"agent"}),
    ("queued", "resolved"): frozenset({"agent"}),
    ("ai", "resolved"): frozenset({"agent"}),
    # a visitor writes again after it was closed
    ("resolved", "ai"): frozenset({"visitor", "system"}),
}


class TransitionNotAllowed(Exception):
    """The requested state change does not exist or this actor may not make it."""

    def __init__(self, current: ConversationState, target: ConversationState, actor: StateActor) -> None:
        allowed = TRANSITIONS.get((current, target))
        why = "no such transition" if allowed is None else f"only {', '.join(sorted(allowed))} may make it"
        super().__init__(f"Cannot move a conversation from {current!r} to {target!r} as {actor}: {why}")
        self.current, self.target, self.actor = current, target, actor


def check_transition(current: ConversationState, target: ConversationState, actor: StateActor) -> None:
    if actor not in TRANSITIONS.get((current, target), frozenset()):
        raise TransitionNotAllowed(current, target, actor)
