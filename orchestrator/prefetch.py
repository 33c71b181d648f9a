"""What a turn reads before its reply's stream opens, in the round trip that takes the lock.

Stored events never change, so the conversation's events since the answered position this
replica last saw can be read before the lock is held; the answered position itself is read
after (another replica may have moved it). ``StoredWindow`` then serves the pending turns
and the transcript to fold when it covers them; the handoff state read alongside holds
unless a takeover (a registry cancel) came in between.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass

from orchestrator.gate import MESSAGE_KINDS, Gate, Turn
from orchestrator.modes import HandoffState
from shared.events import Event, Typing, UserMessage, WidgetAction
from shared.tenants import Tenant

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Prefetched:
    """What the turn read before the reply's stream was open: the conversation's handoff state
    and the registry's cancel count at that moment (any cancel since: read it again), and its
    stored message events since the answered position this replica knew."""

    handoff: HandoffState | None = None
    cancels: int = -1
    window: StoredWindow | None = None


@dataclass(frozen=True)
class StoredWindow:
    """A conversation's events stored in (after, through], in order (every kind)."""

    after: int
    through: int
    events: list[tuple[int, Event]]

    def covers(self, after: int, before: int) -> bool:
        """True if every event in (after, before) is in this window."""
        return self.after <= after and before - 1 <= self.through

    def between(self, after: int, before: int) -> list[tuple[int, Event]]:
        """The ``message.*`` events in (after, before): what ``Gate.events`` would read."""
        return [(seq, e) for seq, e in self.events if after < seq < before and e.type.startswith(MESSAGE_KINDS)]

    def turns(self, after: int, through: int) -> list[tuple[int, Turn]]:
        """The visitor messages and widget actions in (after, through]: what ``Gate.pending`` would read."""
        return [
            (seq, e) for seq, e in self.events if after < seq <= through and isinstance(e, UserMessage | WidgetAction)
        ]


class AnsweredHints:
    """Answered positions this replica last saw, most recent conversations only."""

    def __init__(self, most: int = 10_000) -> None:
        self._seen: OrderedDict[tuple[str, str], int] = OrderedDict()
        self._most = most

    def get(self, tenant_id: str, conversation_id: str) -> int | None:
        return self._seen.get((tenant_id, conversation_id))

    def set(self, tenant_id: str, conversation_id: str, seq: int) -> None:
        key = (tenant_id, conversation_id)
        self._seen[key] = seq
        self._seen.move_to_end(key)
        if len(self._seen) > self._most:
            self._seen.popitem(last=False)


async def nothing() -> None:
    return None


async def read_window(gate: Gate, user: Turn, after: int | None, seq: int | None) -> StoredWindow | None:
    """The conversation's message events in (after, seq], or None without a start or on a read error."""
    if after is None or seq is None or after >= seq:
        return None
    try:
        events = await gate.stored_events(user.tenant_id, user.conversation_id, after, seq + 1)
    except Exception:  # only a shortcut: the turn reads what it needs itself
        log.debug("could not read ahead in %s", user.conversation_id, exc_info=True)
        return None
    return StoredWindow(after, seq, events)


def assistant_typing(turn: Turn, tenant: Tenant, on: bool) -> Event:
    """The assistant starts (or stops) typing in the turn's conversation."""
    return Typing(
        tenant_id=turn.tenant_id,
        conversation_id=turn.conversation_id,
        who="assistant",
        name=tenant.assistant_name,
        on=on,
    )
