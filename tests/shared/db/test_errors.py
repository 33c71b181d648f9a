"""database_unavailable: the database's fault (wait) versus the data's (retry, then dead-letter)."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError, ProgrammingError

from shared.db.errors import database_unavailable


class DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("exc", "unavailable"),
    [
        (ConnectionRefusedError("connect"), True),
        (TimeoutError(), True),
        (DBAPIError("x", {}, DriverError("08006")), True),  # connection failure
        (DBAPIError("x", {}, DriverError("40P01")), True),  # deadlock: try again
        (DBAPIError("x", {}, DriverError("57P01")), True),  # admin shutdown
        (ProgrammingError("x", {}, DriverError("42P01")), True),  # no such table yet
        (InterfaceError("x", {}, Exception("connection is closed")), True),
        (OperationalError("x", {}, sqlite3.OperationalError("database is locked")), True),
        (DBAPIError("x", {}, DriverError("22021")), False),  # invalid byte sequence (a NUL)
        (DBAPIError("x", {}, DriverError("22001")), False),  # value too long
        (IntegrityError("x", {}, DriverError("23503")), False),  # foreign key
        (ValueError("bad event"), False),
        (KeyError("tenant_id"), False),
    ],
)
def test_what_is_the_database_s_fault(exc: BaseException, unavailable: bool) -> None:
    assert database_unavailable(exc) is unavailable
