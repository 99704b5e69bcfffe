"""Times become instants stored in UTC (`load.schema.Instant`).

Release 0.1.0 stored arrivals and run times as the server's naive local time. They are read here as
the zone named by the environment variable DVCTT_LEGACY_TZ (default Asia/Ho_Chi_Minh: set it to
UTC before upgrading if the 0.1.0 server or container ran on UTC) and rewritten as UTC. `notices`
and `final_reports` already held UTC and are left alone.

Revision ID: 0003
Revises: 0002
"""

import os
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = {"files": ("arrived_at",), "submissions": ("arrived_at",), "runs": ("started_at", "finished_at")}


def _utc(value: datetime | str | None, zone: ZoneInfo) -> datetime | None:
    if value is None:
        return None
    local = datetime.fromisoformat(value) if isinstance(value, str) else value
    return local.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def upgrade() -> None:
    zone = ZoneInfo(os.environ.get("DVCTT_LEGACY_TZ", "Asia/Ho_Chi_Minh"))
    bind = op.get_bind()
    for name, columns in COLUMNS.items():
        table = sa.table(name, sa.column("id", sa.Integer), *(sa.column(c, sa.DateTime) for c in columns))
        rows = bind.execute(sa.select(table)).all()
        if rows:
            bind.execute(
                table.update().where(table.c.id == sa.bindparam("key")).values({c: sa.bindparam(c) for c in columns}),
                [{"key": r.id, **{c: _utc(getattr(r, c), zone) for c in columns}} for r in rows],
            )
