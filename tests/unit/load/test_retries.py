"""Only transient warehouse faults are retried, with backoff; a permanent one fails on the first attempt.

Attempts and the backoff waits are counted (time.sleep replaced by a recorder), never timed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest
from sqlalchemy.exc import InterfaceError, OperationalError

import load.warehouse as warehouse
from load.warehouse import WarehouseConfigError, WarehouseUnreachable, is_transient, with_retries
from tests.support.messages import assert_vietnamese_line


class PgError(Exception):
    """A psycopg2-like driver error: its SQLSTATE, when the server sent one, in `pgcode`."""

    def __init__(self, message: str, pgcode: str | None = None):
        super().__init__(message)
        self.pgcode = pgcode


def failing(orig: Exception, times: int, kind: type = OperationalError) -> tuple[Callable[[], str], list[int]]:
    calls: list[int] = []

    def fn() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise kind("SELECT 1", {}, orig)
        return "ok"
    return fn, calls


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    recorded: list[float] = []
    monkeypatch.setattr(warehouse.time, "sleep", recorded.append)
    return recorded


TRANSIENT = [
    sqlite3.OperationalError("database is locked"),
    PgError('connection to server at "127.0.0.1", port 5432 failed: Connection refused\n\tIs the server running?'),
    PgError("server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally"),
    PgError("terminating connection due to administrator command", "57P01"),
    PgError("the database system is starting up", "57P03"),
    PgError("could not serialize access due to concurrent update", "40001"),
    PgError("SSL SYSCALL error: EOF detected"),
]
PERMANENT = [
    (PgError('connection to server at "127.0.0.1", port 5432 failed: FATAL:  database "khongco" does not exist\n'),
     WarehouseConfigError, "«khongco» không có"),
    (PgError('connection to server at "127.0.0.1", port 5432 failed: FATAL:  password authentication failed for '
             'user "dvctt"\n'), WarehouseConfigError, "từ chối đăng nhập"),
    (PgError('connection to server at "127.0.0.1", port 5432 failed: FATAL:  role "khongco" does not exist\n'),
     WarehouseConfigError, "Người dùng «khongco» không có"),
    (PgError('could not translate host name "khongco.invalid" to address: Name or service not known\n'),
     WarehouseConfigError, "Không tìm thấy máy chủ"),
    (sqlite3.OperationalError("unable to open database file"), WarehouseConfigError, "Không mở được tệp kho dữ liệu"),
    (sqlite3.OperationalError("no such table: facts"), OperationalError, None),  # a bug: raised as it is
    (PgError('relation "facts" does not exist', "42P01"), OperationalError, None),
]


@pytest.mark.parametrize("orig", TRANSIENT, ids=lambda e: str(e)[:40])
def test_transient_fault_is_retried_with_backoff(orig: Exception, waits: list[float]) -> None:
    fn, calls = failing(orig, times=2)
    assert with_retries(fn, attempts=5, base_delay=1.0) == "ok"
    assert len(calls) == 3 and waits == [1.0, 2.0]


@pytest.mark.parametrize("orig", TRANSIENT[:2], ids=lambda e: str(e)[:40])
def test_transient_fault_that_lasts_gives_up_after_every_attempt(orig: Exception, waits: list[float]) -> None:
    fn, calls = failing(orig, times=99)
    with pytest.raises(WarehouseUnreachable) as err:
        with_retries(fn, attempts=4, base_delay=0.5)
    assert len(calls) == 4 and waits == [0.5, 1.0, 2.0]
    assert "sau 4 lần thử" in str(err.value)


@pytest.mark.parametrize(("orig", "raised", "says"), PERMANENT, ids=lambda e: str(e)[:40])
def test_permanent_fault_fails_on_the_first_attempt(orig: Exception, raised: type, says: str | None,
                                                    waits: list[float]) -> None:
    fn, calls = failing(orig, times=99)
    with pytest.raises(raised) as err:
        with_retries(fn, attempts=5)
    assert len(calls) == 1 and waits == []
    if says is not None:
        assert says in assert_vietnamese_line(str(err.value))


def test_a_dropped_connection_sqlalchemy_noticed_is_transient() -> None:
    exc = InterfaceError("SELECT 1", {}, PgError("connection already closed"), connection_invalidated=True)
    assert is_transient(exc)
    assert not is_transient(ValueError("x"))
