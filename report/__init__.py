"""Report stage: the leadership workbook, its delivery by e-mail, and the clerks' feedback files."""

from report.workbook import SHEET_DATA, ReportInputs, current_warnings, write_report

__all__ = ["SHEET_DATA", "ReportInputs", "current_warnings", "write_report"]
