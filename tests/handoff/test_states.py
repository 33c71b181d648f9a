from __future__ import annotations

import pytest

from handoff.states import TRANSITIONS, TransitionNotAllowed, check_transition


@pytest.mark.parametrize(
    ("current", "target", "actor"),
    [
        ("ai", "queued", "visitor"),
        ("ai", "queued", "system"),
        ("queued", "assigned", "agent"),
        ("queued", "assigned", "system"),
        ("ai", "assigned", "agent"),
        ("assigned", "ai", "agent"),
        ("assigned", "queued", "system"),
        ("assigned", "resolved", "agent"),
        ("resolved", "queued", "visitor"),
    ],
)
def test_allowed(current, target, actor) -> None:
    check_transition(current, target, actor)


@pytest.mark.parametrize(
    ("current", "target", "actor"),
    [
        ("ai", "assigned", "system"),  # only a human decides to take over from the AI
        ("ai", "assigned", "visitor"),
        ("assigned", "ai", "system"),  # hand-back is the agent's call
        ("assigned", "resolved", "visitor"),
        ("ai", "ai", "agent"),
        ("queued", "queued", "system"),
    ],
)
def test_refused_with_reason(current, target, actor) -> None:
    with pytest.raises(TransitionNotAllowed, match=f"from '{current}' to '{target}' as {actor}"):
        check_transition(current, target, actor)


def test_every_state_can_be_left_and_reached() -> None:
    states = {"ai", "queued", "assigned", "resolved"}
    assert {a for a, _ in TRANSITIONS} == states
    assert {b for _, b in TRANSITIONS} == states
