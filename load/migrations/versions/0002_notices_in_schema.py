"""The scheduled jobs' tables become part of the schema; the unused `units` table goes.

In 0.1.0 `notices` and `final_reports` were created on first use by the reminder and report jobs,
so a 0.1.0 warehouse may or may not have them.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "notices" not in existing:
        op.create_table(
            "notices",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("kind", sa.String(20), nullable=False),
            sa.Column("year", sa.Integer, nullable=False),
            sa.Column("deadline", sa.Date, nullable=False),
            sa.Column("unit_code", sa.String(40), nullable=False),
            sa.Column("recipients", sa.Text),
            sa.Column("sent_at", sa.DateTime, nullable=False),
            sa.UniqueConstraint("kind", "year", "deadline", "unit_code", name="uq_notices"),
        )
    if "final_reports" not in existing:
        op.create_table(
            "final_reports",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("year", sa.Integer, nullable=False),
            sa.Column("built_on", sa.Date, nullable=False),
            sa.Column("path", sa.Text, nullable=False),
            sa.Column("run_id", sa.String(250), nullable=False),
            sa.Column("built_at", sa.DateTime, nullable=False),
            sa.UniqueConstraint("run_id", name="uq_final_reports_run"),
        )
    op.drop_table("units")
