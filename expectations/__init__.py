"""Bulk validation of submitted workbook cells with a Great Expectations suite.

Public surface: `Finding`, `validate_submission_cells` and `build_submission_suite`.
`Finding` loads eagerly; the GX-backed functions load on first use, because importing Great
Expectations costs about 8 s and most importers (workbook reader, feedback writer, Airflow DAG
parsing) only need the record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from expectations.findings import Finding

if TYPE_CHECKING:
    from expectations.submission import build_submission_suite, validate_submission_cells

__all__ = ["Finding", "build_submission_suite", "validate_submission_cells"]

_LAZY = {"build_submission_suite", "validate_submission_cells"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from expectations import submission

        return getattr(submission, name)
    raise AttributeError(f"module 'expectations' has no attribute {name!r}")
