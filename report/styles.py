"""Shared cell styles for every workbook we hand to a person (templates, feedback, reports)."""

from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

FONT_NAME = "Times New Roman"  # ships with Vietnamese glyphs on Windows, the clerks' platform
TITLE = Font(name=FONT_NAME, size=14, bold=True)
BOLD = Font(name=FONT_NAME, size=12, bold=True)
NORMAL = Font(name=FONT_NAME, size=12)
ITALIC = Font(name=FONT_NAME, size=11, italic=True)
NOTE = Font(name=FONT_NAME, size=12, italic=True)  # a report's notes: scaled to 75 %, still 9 pt on paper
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
# Number formats of the clerks' templates: the separators follow the reader's locale ("#,##0" is 1.234 under
# vi-VN, 1,234 under en-US), which is what a clerk typing figures expects.
INT_FMT = "#,##0"
PCT_FMT = "0.0%"
# The leadership workbook's: the [$-42A] prefix (LCID 0x042A, Vietnamese) gives the format the Vietnamese language,
# and LibreOffice then renders "1.234" and "85,5%" under any locale (tests/e2e/test_annex_print.py renders under
# en_US and vi_VN). Excel keeps the system's separators whatever the prefix: the sheet a leader signs (Tóm tắt) is
# therefore written as text in the Vietnamese way (report.numbers), not left to a format.
VN = "[$-42A]"
VN_INT_FMT = f"{VN}#,##0"
VN_PCT_FMT = f"{VN}0.0%"
VN_SIGNED_PCT_FMT = f"{VN}+0.0%;-0.0%;0.0%"
VN_SIGNED_INT_FMT = f"{VN}+#,##0;-#,##0;0"
MIN_PRINTED_PT = 9  # a printed sheet is never scaled below this size of its 12 pt body text
