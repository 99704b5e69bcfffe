"""Transform stage: hierarchy rollup and completeness."""

from transform.completeness import summary, unit_status
from transform.rollup import DATA_COLUMNS, rollup

__all__ = ["DATA_COLUMNS", "rollup", "summary", "unit_status"]
