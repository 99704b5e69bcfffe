"""Reused codes read by era, the plan's task statuses, and HOSO_TRUCTUYEN's honest name for old figures.

* `submissions.era` and `portal_facts.era`: which registry a figure's code belongs to (`core.units`).
  Figures of years before 2025 can only be of the 3-level registry and are marked `old`; later ones
  stay NULL (not known), which the report reads as its own hierarchy reads the code, as before.
* `task_reports`: the status of each task of a task-based plan, as its lead unit reported it.
* Until this revision HOSO_TRUCTUYEN was computed as dossiers received online (any procedure) over
  dossiers received; that share is now PORTAL_TRUCTUYEN, and HOSO_TRUCTUYEN counts dossiers received
  online under a procedure offered fully online (toàn trình). Stored portal figures keep their values
  under the name of what they measure. The share of digitised dossiers, PORTAL_SOHOA, is now the catalogue's
  HOSO_SOHOA.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("submissions", sa.Column("era", sa.String(5)))
    op.add_column("portal_facts", sa.Column("era", sa.String(5)))
    op.create_table(
        "task_reports",
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("unit_code", sa.String(40), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("task_code", sa.String(20), nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("sheet", sa.String(60)),
        sa.Column("cell", sa.String(20)),
    )
    op.create_index("ix_task_reports_submission", "task_reports", ["submission_id"])
    submissions = sa.table("submissions", sa.column("year", sa.Integer), sa.column("era", sa.String))
    portal = sa.table("portal_facts", sa.column("year", sa.Integer), sa.column("era", sa.String),
                      sa.column("indicator_code", sa.String))
    op.execute(submissions.update().where(submissions.c.year < 2025).values(era="old"))
    op.execute(portal.update().where(portal.c.year < 2025).values(era="old"))
    for old, new in (("HOSO_TRUCTUYEN", "PORTAL_TRUCTUYEN"), ("PORTAL_SOHOA", "HOSO_SOHOA")):
        op.execute(portal.update().where(portal.c.indicator_code == old).values(indicator_code=new))
