"""What the scheduled jobs already did (`notices`, `final_reports`), kept in the warehouse so re-runs repeat nothing.

Both tables live beside the submissions, in the same database, so the CLI and every Airflow worker see
the same history.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from core.clock import now
from load.schema import final_reports, notices

REMINDER, NO_CONTACT, FINAL_MISSING = "reminder", "no_contact", "final_missing"

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
           "recipients": ", ".join(recipients), "sent_at": now()}
    try:
        with engine.begin() as conn:
            conn.execute(insert(notices).values(**row))
    except IntegrityError:
        return False
    return True


def record_final(engine: Engine, year: int, built_on: date, path: str, run_id: str) -> None:
    """Record a final report; the same run recorded twice (a retried task) stays one row."""
    row = {"year": year, "built_on": built_on, "path": path, "run_id": run_id,
           "built_at": now()}
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
