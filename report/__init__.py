"""Report stage: the leadership workbook and the clerks' feedback files."""

from report.workbook import SHEET_DATA, ReportInputs, write_report

__all__ = ["SHEET_DATA", "ReportInputs", "write_report"]
