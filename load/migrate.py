"""Bring a warehouse to the current schema with Alembic, once, whoever connects first.

`connect` calls `upgrade` on every connection: a warehouse already at the head costs one small
query and never imports Alembic. Otherwise the first process takes a lock (a PostgreSQL advisory
lock, or a lock file beside a SQLite file), checks again, and runs the missing migrations in one
transaction, so a DAG and the CLI starting together cannot both migrate. A warehouse made by
release 0.1.0 (tables but no version) is stamped with the baseline first.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text

from core.locking import file_lock

MIGRATIONS = Path(__file__).with_name("migrations")
BASELINE = "0001"  # release 0.1.0's schema
_ADVISORY_KEY = 0x64766374  # "dvct": the PostgreSQL advisory lock held while migrating


def head() -> str:
    """The newest revision: revisions are numbered and linear, named `NNNN_<what>.py`."""
    return max(p.name[:4] for p in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


def current(conn: Connection) -> str | None:
    """The warehouse's revision; None when it has no version table (new, or made by 0.1.0)."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine) -> None:
    target = head()
    with engine.connect() as conn:
        if current(conn) == target:
            return
    with _exclusive(engine), engine.begin() as conn:
        found = current(conn)
        if found == target:
            return
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = conn
        if found is None and inspect(conn).has_table("files"):
            command.stamp(config, BASELINE)
        command.upgrade(config, "head")


@contextmanager
def _exclusive(engine: Engine) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _ADVISORY_KEY})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _ADVISORY_KEY})
    elif engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        with file_lock(Path(f"{engine.url.database}.migrate.lock"), busy="Một lượt nâng cấp kho dữ liệu khác"):
            yield
    else:
        yield
