"""Shared cell styles for every workbook we hand to a person (templates, feedback, reports)."""

from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

FONT_NAME = "Times New Roman"  # ships with Vietnamese glyphs on Windows, the clerks' platform
TITLE = Font(name=FONT_NAME, size=14, bold=True)
BOLD = Font(name=FONT_NAME, size=12, bold=True)
NORMAL = Font(name=FONT_NAME, size=12)
ITALIC = Font(name=FONT_NAME, size=11, italic=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
LOCKED_FILL = PatternFill("solid", fgColor="EDEDED")
MET_FILL = PatternFill("solid", fgColor="C6EFCE")
NOT_MET_FILL = PatternFill("solid", fgColor="FFC7CE")
WARN_FILL = PatternFill("solid", fgColor="FFEB9C")
_thin = Side(style="thin", color="999999")
BOX = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
# Vietnamese number formats: the workbook stores numbers; Excel/LibreOffice in a vi-VN locale
# renders "#,##0" as 1.234 and "0.0%" as 85,5%.
INT_FMT = "#,##0"
PCT_FMT = "0.0%"
