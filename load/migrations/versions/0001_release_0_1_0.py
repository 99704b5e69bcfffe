"""The warehouse as release 0.1.0 created it (with `metadata.create_all`), before migrations existed.

A warehouse made by 0.1.0 has these tables and no `alembic_version`: `load.migrate` stamps it with
this revision instead of running it, then upgrades it like any other.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("parent_code", sa.String(40)),
        sa.Column("type", sa.String(60)),
        sa.Column("valid_from", sa.Date),
        sa.Column("valid_to", sa.Date),
    )
    op.create_table(
        "files",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("unit_code", sa.String(40), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("original_name", sa.String(300), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("arrived_at", sa.DateTime, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("archive_path", sa.String(300)),
        sa.Column("reason", sa.Text),
        sa.UniqueConstraint("unit_code", "sha256", name="uq_files_unit_sha"),
    )
    op.create_table(
        "inbox_files",
        sa.Column("unit_code", sa.String(40), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("mtime_ns", sa.BigInteger, nullable=False),
        sa.Column("ctime_ns", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.UniqueConstraint("unit_code", "name", "size", "mtime_ns", "ctime_ns", name="uq_inbox_files_stat"),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("file_id", sa.Integer, sa.ForeignKey("files.id"), nullable=False),
        sa.Column("unit_code", sa.String(40), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("is_current", sa.Boolean, nullable=False),
        sa.Column("template_version", sa.String(40)),
        sa.Column("preparer", sa.String(200)),
        sa.Column("arrived_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("unit_code", "year", "version", name="uq_submission_version"),
    )
    op.create_index("ix_submissions_current", "submissions", ["year", "is_current"])
    op.create_table(
        "facts",
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("unit_code", sa.String(40), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("indicator_code", sa.String(40), nullable=False),
        sa.Column("numerator", sa.Float),
        sa.Column("denominator", sa.Float),
        sa.Column("sheet", sa.String(60)),
        sa.Column("cell", sa.String(20)),
    )
    op.create_index("ix_facts_submission", "facts", ["submission_id"])
    op.create_table(
        "texts",
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("unit_code", sa.String(40), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("cell", sa.String(20)),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_table(
        "findings",
        sa.Column("file_id", sa.Integer, sa.ForeignKey("files.id"), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("rule", sa.String(40), nullable=False),
        sa.Column("sheet", sa.String(60)),
        sa.Column("cell", sa.String(20)),
        sa.Column("found", sa.Text),
        sa.Column("expected", sa.Text),
        sa.Column("fix", sa.Text),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("seen", sa.Integer),
        sa.Column("accepted", sa.Integer),
        sa.Column("quarantined", sa.Integer),
        sa.Column("pending", sa.Integer),
        sa.Column("new_files", sa.Integer),
    )
    op.create_table(
        "peer_stats",
        sa.Column("scope", sa.String(40), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("indicator_code", sa.String(40), nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("median", sa.Float),
        sa.Column("mad", sa.Float),
        sa.Column("basis", sa.Integer, nullable=False),
        sa.UniqueConstraint("scope", "year", "level", "indicator_code", name="uq_peer_stats"),
    )
    op.create_table(
        "portal_facts",
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("unit_code", sa.String(40), nullable=False),
        sa.Column("indicator_code", sa.String(40), nullable=False),
        sa.Column("numerator", sa.Float),
        sa.Column("denominator", sa.Float),
        sa.Column("source_file", sa.Text),
    )
    op.create_index("ix_portal_facts_year", "portal_facts", ["year"])
    op.create_table(
        "portal_problems",
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("file", sa.String(300)),
        sa.Column("sheet", sa.String(100)),
        sa.Column("row", sa.Integer),
        sa.Column("column", sa.String(100)),
        sa.Column("value", sa.Text),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("rule", sa.String(40)),
        sa.Column("excluded", sa.Boolean),
    )
    op.create_table(
        "portal_unknown",
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("agency_code", sa.String(100)),
        sa.Column("rows", sa.Integer),
        sa.Column("first_row", sa.Integer),
        sa.Column("source_file", sa.String(300)),
        sa.Column("shape", sa.String(20)),
    )
