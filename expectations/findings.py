"""The Finding record shared by every stage that reports a problem back to a clerk.

It lives apart from the GX suite so that readers and report writers can import it without
paying for the Great Expectations import (about 8 s, mostly scipy, altair and sqlalchemy).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One problem in one cell of one submitted file, worded for the clerk who must fix it."""

    file_id: str
    severity: str  # "error" (file is quarantined) or "warning" (file loads, flagged)
    rule: str  # short stable code, e.g. "required_missing"
    sheet: str
    cell: str  # A1 reference, e.g. "D7"
    found: str  # the value as found ("" when blank)
    expected: str  # Vietnamese: what is expected
    fix: str  # Vietnamese: how the clerk fixes it
