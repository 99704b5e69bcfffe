"""A warehouse that cannot be used, against the real PostgreSQL server and real SQLite files: permanent faults
fail on the first attempt with a Vietnamese message, a server that is not there is retried (issue 16.10).

Backoff waits are recorded, not slept, and never timed: the difference is the number of attempts.
"""

from __future__ import annotations

import socket
from pathlib import Path

import psycopg2
import pytest

import load.warehouse as warehouse
from load.warehouse import WarehouseConfigError, WarehouseUnreachable, connect
from tests.support.messages import assert_vietnamese_line
from tests.support.pg import PG_ADMIN, scratch_database
from tests.support.services import unavailable

SERVER = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg2://")


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    recorded: list[float] = []
    monkeypatch.setattr(warehouse.time, "sleep", recorded.append)
    return recorded


@pytest.fixture(scope="module")
def postgres() -> str:
    try:
        psycopg2.connect(PG_ADMIN, connect_timeout=5).close()
    except psycopg2.OperationalError as exc:
        unavailable(f"PostgreSQL not reachable at {PG_ADMIN}: {exc}")
    return SERVER


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_missing_database_fails_at_once(postgres: str, waits: list[float]) -> None:
    with pytest.raises(WarehouseConfigError) as err:
        connect(f"{postgres}/dvctt_khong_co_csdl_nay")
    assert waits == []  # not retried
    line = assert_vietnamese_line(str(err.value))
    assert "«dvctt_khong_co_csdl_nay» không có" in line and "createdb" in line


def test_unknown_role_fails_at_once(postgres: str, waits: list[float]) -> None:
    with pytest.raises(WarehouseConfigError) as err:
        connect(postgres.replace("postgres@", "nguoi_dung_khong_co@") + "/postgres")
    assert waits == []
    assert "«nguoi_dung_khong_co» không có" in assert_vietnamese_line(str(err.value))


def test_server_not_listening_is_retried_then_reported(waits: list[float]) -> None:
    """Connection refused is what a restart looks like: retried with backoff, then one Vietnamese line."""
    with pytest.raises(WarehouseUnreachable) as err:
        connect(f"postgresql+psycopg2://postgres@127.0.0.1:{free_port()}/dvctt")
    assert waits == [1.0, 2.0, 4.0, 8.0]  # five attempts
    assert "sau 5 lần thử" in assert_vietnamese_line(str(err.value))


def test_a_real_database_still_connects(postgres: str, waits: list[float]) -> None:
    with scratch_database() as url:
        connect(url).dispose()
    assert waits == []


@pytest.mark.parametrize(("url", "expected"), [
    ("mysql://dvctt:bi-mat@127.0.0.1/dvctt", "«mysql»"),
    ("postgresql+asyncpg://postgres@127.0.0.1/dvctt", "«postgresql+asyncpg»"),
    ("oracle://x", "«oracle»"),
    ("khong phai url", "không đúng dạng"),
    ("sqlite:////thu_muc_khong_co/kho/warehouse.sqlite", "Không mở được tệp kho dữ liệu SQLite"),
])
def test_unusable_url_fails_at_once(url: str, expected: str, waits: list[float]) -> None:
    with pytest.raises(WarehouseConfigError) as err:
        connect(url)
    assert waits == []
    line = assert_vietnamese_line(str(err.value))
    assert expected in line and "bi-mat" not in line  # a password is never shown


def test_sqlite_file_in_a_folder_that_is_a_file(tmp_path: Path, waits: list[float]) -> None:
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(WarehouseConfigError) as err:
        connect(f"sqlite:///{tmp_path / 'a_file' / 'warehouse.sqlite'}")
    assert waits == []
    assert "SQLite" in assert_vietnamese_line(str(err.value))
