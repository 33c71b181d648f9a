"""Which database errors are the database's fault (retry later) rather than the data's (dead-letter it)."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

# SQLSTATE classes of a database that is unreachable, overloaded, shutting down or resolving a
# conflict; the data may be fine. Everything else (22 data exception, 23 integrity ...) is the data's.
UNAVAILABLE_CLASSES = frozenset({"08", "40", "53", "57", "58"})
# A schema not migrated yet is not the event's fault either.
UNAVAILABLE_STATES = frozenset({"42P01", "3F000"})


def database_unavailable(exc: BaseException) -> bool:
    """True for a failure that another try later may not have (connection lost, locked, not migrated)."""
    if isinstance(exc, (OSError, TimeoutError)):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated or isinstance(exc, InterfaceError):
        return True
    state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    if isinstance(state, str) and state:
        return state[:2] in UNAVAILABLE_CLASSES or state in UNAVAILABLE_STATES
    # SQLite has no SQLSTATE: OperationalError is "database is locked", "no such table", disk I/O.
    return isinstance(exc, OperationalError)
