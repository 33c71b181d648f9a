"""Whether the AI may answer: a human may have (or be awaited for) the conversation."""

from __future__ import annotations

import asyncio

from orchestrator.gate import Gate, Turn

# Modes (written by the handoff service) in which the AI does not answer: an agent has the
# conversation, or it waits for one and the tenant's handoff rules say the AI stays quiet
# meanwhile (``ai_while_queued`` false; when true the handoff service leaves the mode "ai").
NOT_OURS = frozenset({"assigned", "queued"})

# The conversation's mode and the SB_CONV sequence of its latest ``handoff.ended``.
HandoffState = tuple[str, int]


async def agent_has_it(gate: Gate, user: Turn, seq: int | None) -> bool:
    """True if a human has (or is awaited for) the conversation, or was after ``user`` was sent.

    A message sent while an agent had the conversation (or it was queued for one) can reach
    us after the hand-back (we were busy or down): the latest ``handoff.ended`` coming after
    it says it was not ours.
    """
    return not_ours(await handoff_state(gate, user), seq)


async def handoff_state(gate: Gate, user: Turn) -> HandoffState:
    """Mode and last hand-back of ``user``'s conversation (one round trip)."""
    mode, ended = await asyncio.gather(
        gate.mode(user.tenant_id, user.conversation_id),
        gate.last_handoff_end(user.tenant_id, user.conversation_id),
    )
    return mode, ended


def not_ours(state: HandoffState, seq: int | None) -> bool:
    mode, ended = state
    return mode in NOT_OURS or (seq is not None and seq < ended)
