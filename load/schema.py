"""The warehouse schema (SQLAlchemy Core), every table in one place: SQLite by default, PostgreSQL in production.

Every figure keeps the file, sheet and cell it came from, so a number in the report can be
traced back to a unit's workbook; superseded submissions are kept, never overwritten. The
tables are created and changed only by the migrations in `load/migrations` (`load.migrate`);
a test checks that the migrated database matches these definitions.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect

from core.clock import aware

metadata = MetaData()


class Instant(TypeDecorator[datetime]):
    """An aware datetime, stored as naive UTC so SQLite and PostgreSQL hold the same value; read back as UTC.

    A naive datetime is refused rather than stored: which zone it meant would be a guess.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else aware(value).astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


files = Table(
    "files",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit_code", String(40), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("original_name", String(300), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("arrived_at", Instant, nullable=False),
    Column("status", String(20), nullable=False),  # accepted | quarantined
    Column("archive_path", String(300)),
    Column("reason", Text),
    UniqueConstraint("unit_code", "sha256", name="uq_files_unit_sha"),
)

# What each inbox file hashed to, by its name and stat: an unchanged file is recognised without reading it again
# (12,000 files take seconds to hash on every run). ctime changes with every write and cannot be set back, so a
# file rewritten with the same size and its mtime restored (as copy tools do) is still read again.
inbox_files = Table(
    "inbox_files",
    metadata,
    Column("unit_code", String(40), nullable=False),
    Column("name", String(300), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("mtime_ns", BigInteger, nullable=False),
    Column("ctime_ns", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    UniqueConstraint("unit_code", "name", "size", "mtime_ns", "ctime_ns", name="uq_inbox_files_stat"),
)

submissions = Table(
    "submissions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("file_id", Integer, ForeignKey("files.id"), nullable=False),
    Column("unit_code", String(40), nullable=False),
    Column("year", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("is_current", Boolean, nullable=False),
    Column("template_version", String(40)),
    Column("preparer", String(200)),
    Column("arrived_at", Instant, nullable=False),
    # The registry the unit code comes from (core.units eras): a reused code is two units, each with its own
    # current submission. NULL: not known (before release 0.2), read as the report's hierarchy reads the code.
    Column("era", String(5)),
    UniqueConstraint("unit_code", "year", "version", name="uq_submission_version"),
)
Index("ix_submissions_current", submissions.c.year, submissions.c.is_current)

facts = Table(
    "facts",
    metadata,
    Column("submission_id", Integer, ForeignKey("submissions.id"), nullable=False),
    Column("unit_code", String(40), nullable=False),
    Column("year", Integer, nullable=False),
    Column("indicator_code", String(40), nullable=False),
    Column("numerator", Float),
    Column("denominator", Float),
    Column("sheet", String(60)),
    Column("cell", String(20)),
)
Index("ix_facts_submission", facts.c.submission_id)

# The status of the plan's tasks (workspace `tasks:`) as their lead units report them, with the cell it was read from.
task_reports = Table(
    "task_reports",
    metadata,
    Column("submission_id", Integer, ForeignKey("submissions.id"), nullable=False),
    Column("unit_code", String(40), nullable=False),
    Column("year", Integer, nullable=False),
    Column("task_code", String(20), nullable=False),
    Column("status", Integer, nullable=False),  # core.layout.TASK_STATUSES
    Column("note", Text),
    Column("sheet", String(60)),
    Column("cell", String(20)),
)
Index("ix_task_reports_submission", task_reports.c.submission_id)

texts = Table(
    "texts",
    metadata,
    Column("submission_id", Integer, ForeignKey("submissions.id"), nullable=False),
    Column("unit_code", String(40), nullable=False),
    Column("year", Integer, nullable=False),
    Column("kind", String(20), nullable=False),  # kho_khan | kien_nghi
    Column("seq", Integer, nullable=False),
    Column("cell", String(20)),
    Column("text", Text, nullable=False),
)

findings = Table(
    "findings",
    metadata,
    Column("file_id", Integer, ForeignKey("files.id"), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("rule", String(40), nullable=False),
    Column("sheet", String(60)),
    Column("cell", String(20)),
    Column("found", Text),
    Column("expected", Text),
    Column("fix", Text),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", Instant, nullable=False),
    Column("finished_at", Instant),
    Column("seen", Integer),
    Column("accepted", Integer),
    Column("quarantined", Integer),
    Column("pending", Integer),
    Column("new_files", Integer),
)

# Median and MAD of this year's current figures per level and indicator, as the last batch that recomputed them
# saw them: a small batch is compared against these instead of reading the whole country's figures again.
peer_stats = Table(
    "peer_stats",
    metadata,
    Column("scope", String(40), nullable=False),  # the workspace's province ("VN": the country)
    Column("year", Integer, nullable=False),
    Column("level", String(20), nullable=False),
    Column("indicator_code", String(40), nullable=False),
    Column("n", Integer, nullable=False),
    Column("median", Float),
    Column("mad", Float),
    Column("basis", Integer, nullable=False),  # the last submissions.id these statistics include
    UniqueConstraint("scope", "year", "level", "indicator_code", name="uq_peer_stats"),
)

# The portal's own statistics, recomputed from the portal/ folder on every portal run, per year.
portal_facts = Table(
    "portal_facts",
    metadata,
    Column("year", Integer, nullable=False),
    Column("unit_code", String(40), nullable=False),
    Column("indicator_code", String(40), nullable=False),
    Column("numerator", Float),
    Column("denominator", Float),
    Column("source_file", Text),
    Column("era", String(5)),  # old: rows dated before 1/7/2025, new: from then on, mixed: spanning it
)
Index("ix_portal_facts_year", portal_facts.c.year)

portal_problems = Table(
    "portal_problems",
    metadata,
    Column("year", Integer, nullable=False),
    Column("file", String(300)),
    Column("sheet", String(100)),
    Column("row", Integer),
    Column("column", String(100)),
    Column("value", Text),
    Column("message", Text, nullable=False),
    Column("rule", String(40)),
    Column("excluded", Boolean),
)

portal_unknown = Table(
    "portal_unknown",
    metadata,
    Column("year", Integer, nullable=False),
    Column("agency_code", String(100)),
    Column("rows", Integer),
    Column("first_row", Integer),
    Column("source_file", String(300)),
    Column("shape", String(20)),
)

# What the scheduled jobs already did, so re-runs repeat nothing: every reminder, IT list entry and alert sent,
# one row per (kind, year, deadline, unit), so a unit gets a given reminder once however often the daily job runs.
notices = Table(
    "notices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),  # reminder | no_contact | final_missing
    Column("year", Integer, nullable=False),
    Column("deadline", Date, nullable=False),
    Column("unit_code", String(40), nullable=False),  # "" for a province-wide notice
    Column("recipients", Text),
    Column("sent_at", Instant, nullable=False),
    UniqueConstraint("kind", "year", "deadline", "unit_code", name="uq_notices"),
)

# Every final report built, which the "final report missing" check reads.
final_reports = Table(
    "final_reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year", Integer, nullable=False),
    Column("built_on", Date, nullable=False),  # the run's date in Vietnam: what the deadline check compares
    Column("path", Text, nullable=False),
    Column("run_id", String(250), nullable=False),
    Column("built_at", Instant, nullable=False),
    UniqueConstraint("run_id", name="uq_final_reports_run"),
)
