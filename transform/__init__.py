"""Transform stage: crosswalk placement, hierarchy rollup, reconciliation and completeness."""

from transform.completeness import summary, unit_status
from transform.crosswalk import place, split_list, unplaced_list
from transform.rollup import portal_sourced, portal_totals, reconcile, rollup

__all__ = ["place", "portal_sourced", "portal_totals", "reconcile", "rollup",
           "split_list", "summary", "unit_status", "unplaced_list"]
