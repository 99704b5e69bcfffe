"""A throwaway PostgreSQL database on the real server at 127.0.0.1:5432 (trust auth)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2

from tests.support.services import unavailable

PG_ADMIN = os.environ.get("DVCTT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _admin():
    conn = psycopg2.connect(PG_ADMIN, connect_timeout=5)
    conn.autocommit = True
    return conn


@contextmanager
def scratch_database(app_name: str = "dvctt_test") -> Iterator[str]:
    """Create a fresh database, yield its SQLAlchemy URL, drop it afterwards."""
    try:
        admin = _admin()
    except psycopg2.OperationalError as exc:  # pragma: no cover - only without a server
        unavailable(f"PostgreSQL not reachable at {PG_ADMIN}: {exc}")
    name = f"dvctt_{uuid.uuid4().hex[:10]}"
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg2://")
    try:
        yield f"{base}/{name}?application_name={app_name}"
    finally:
        with admin.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def terminate_backends(app_name: str) -> int:
    """Kill every server process serving `app_name`, as a server restart would."""
    with _admin() as admin, admin.cursor() as cur:
        cur.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s",
                    (app_name,))
        return cur.fetchone()[0]
