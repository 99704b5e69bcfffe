"""What the scheduled jobs already did, kept in the warehouse so that re-runs repeat nothing.

`notices`: every reminder, IT list entry and alert sent, one row per (kind, year, deadline, unit), so a
unit gets a given reminder once however often the daily job runs. `final_reports`: every final report
built, which the "final report missing" check reads. Both tables live beside the submissions, in the
same database, so the CLI and every Airflow worker see the same history.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

from sqlalchemy import Column, Date, DateTime, Engine, Integer, String, Table, Text, UniqueConstraint, insert, select
from sqlalchemy.exc import IntegrityError

from load.schema import metadata

REMINDER, NO_CONTACT, FINAL_MISSING = "reminder", "no_contact", "final_missing"

notices = Table(
    "notices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),  # reminder | no_contact | final_missing
    Column("year", Integer, nullable=False),
    Column("deadline", Date, nullable=False),
    Column("unit_code", String(40), nullable=False),  # "" for a province-wide notice
    Column("recipients", Text),
    Column("sent_at", DateTime, nullable=False),
    UniqueConstraint("kind", "year", "deadline", "unit_code", name="uq_notices"),
)

final_reports = Table(
    "final_reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year", Integer, nullable=False),
    Column("built_on", Date, nullable=False),  # the run's date in Vietnam: what the deadline check compares
    Column("path", Text, nullable=False),
    Column("run_id", String(250), nullable=False),
    Column("built_at", DateTime, nullable=False),
    UniqueConstraint("run_id", name="uq_final_reports_run"),
)


def ensure_tables(engine: Engine) -> Engine:
    """Create the two tables if missing (`load.warehouse.connect` only creates what was imported before it)."""
    metadata.create_all(engine, tables=[notices, final_reports])
    return engine


def notified(engine: Engine, kind: str, year: int, deadline: date) -> set[str]:
    """Units already sent notice `kind` for this year and deadline."""
    query = select(notices.c.unit_code).where(notices.c.kind == kind, notices.c.year == year,
                                              notices.c.deadline == deadline)
    with engine.connect() as conn:
        return set(conn.scalars(query))


def record_notice(engine: Engine, kind: str, year: int, deadline: date, unit_code: str,
                  recipients: Iterable[str]) -> bool:
    """Record one notice; False if it was already there (a concurrent run sent it first)."""
    row = {"kind": kind, "year": year, "deadline": deadline, "unit_code": unit_code,
           "recipients": ", ".join(recipients), "sent_at": datetime.now(UTC).replace(tzinfo=None)}
    try:
        with engine.begin() as conn:
            conn.execute(insert(notices).values(**row))
    except IntegrityError:
        return False
    return True


def record_final(engine: Engine, year: int, built_on: date, path: str, run_id: str) -> None:
    """Record a final report; the same run recorded twice (a retried task) stays one row."""
    row = {"year": year, "built_on": built_on, "path": path, "run_id": run_id,
           "built_at": datetime.now(UTC).replace(tzinfo=None)}
    try:
        with engine.begin() as conn:
            conn.execute(insert(final_reports).values(**row))
    except IntegrityError:
        pass


def finals_built(engine: Engine, year: int, start: date, end: date) -> list[dict]:
    """Final reports for `year` built between `start` and `end` (inclusive), oldest first."""
    query = (select(final_reports.c.built_on, final_reports.c.path, final_reports.c.run_id)
             .where(final_reports.c.year == year, final_reports.c.built_on.between(start, end))
             .order_by(final_reports.c.built_on, final_reports.c.id))
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]
