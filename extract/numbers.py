"""Read numbers the way Vietnamese offices write them.

A dot groups thousands and a comma starts the decimals (`1.234.567`, `1.234,5`, `85,5`); a space, a
no-break space or a narrow no-break space may group thousands too (`1 234 567`); `%` means hundredths
(`85,5%` is 0.855); a leading `-` (or `−`) is a minus. Numbers stored as text and spaces around them
are fine. A blank cell is *missing* (None), never zero.

Anything that could be read two ways is not read at all, and the caller reports it as an error
rather than guessing: `1,234` is 1.234 to a Vietnamese clerk and 1234 to an English-locale
program, and so are `12,000` and `999,500`; so is `1.2.3`, or digits split by a space that is not
a group of three (`1 23`). A dot that is not followed by exactly three digits can only be a decimal
point (`85.5%`, `0.5`, `0.500`), and a comma followed by other than three digits, or after a
leading 0, only a decimal comma (`1,5`, `0,125`, `1,2345`). A count has no decimals, so the
portal's Form 06a exports read `1,234` as 1234 (`transform.portal_aggregated.parse_count`).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

PERCENT = Decimal("0.01")  # what "%" multiplies by: 85,5% = 0.855
_SIGN = re.compile(r"^([+\-\u2212]?)(.*)$", re.DOTALL)
_FORMS = (
    re.compile(r"^[0-9]+$"),  # 1234
    re.compile(r"^[1-9][0-9]{0,2}(?:\.[0-9]{3})+(?:,[0-9]+)?$"),  # 1.234.567 and 1.234,5
    re.compile(r"^[1-9][0-9]{0,2}(?: [0-9]{3})+(?:,[0-9]+)?$"),  # 1 234 567 and 1 234,5
    re.compile(r"^[0-9]*,[0-9]+$"),  # 1,5 and 0,125 (not when it could be thousands: `_AMBIGUOUS`)
    re.compile(r"^[0-9]*\.[0-9]+$"),  # 0.5 and 85.5 (three digits after a dot are thousands: matched above)
)
_AMBIGUOUS = re.compile(r"^[1-9][0-9]{0,2},[0-9]{3}$")  # 1,234: Vietnamese 1.234 or English 1234
_SPACES = re.compile("[ \u00a0\u2007\u2009\u202f]")  # space, no-break, figure, thin, narrow no-break


def is_blank(value: object) -> bool:
    if isinstance(value, str):
        return not value.strip()  # str.strip() drops every kind of space, NBSPs included
    return value is None or (isinstance(value, float) and math.isnan(value))


def parse_number(value: object) -> float | None:
    """Return the number in `value`, or None when it is blank or not certainly one number."""
    if isinstance(value, float):  # most cells: calamine gives numbers as floats
        return value if math.isfinite(value) else None
    if is_blank(value) or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return float(value)
    text = str(value).strip()
    percent = text.endswith("%")
    if percent:
        text = text[:-1].rstrip()
    match = _SIGN.match(text)
    sign, body = (match.group(1), _SPACES.sub(" ", match.group(2))) if match else ("", text)
    if _AMBIGUOUS.match(body) or not any(form.match(body) for form in _FORMS):
        return None
    if "," in body:  # the comma is the decimal mark; dots and spaces only group thousands
        body = body.replace(".", "").replace(" ", "").replace(",", ".")
    elif " " in body or body.count(".") > 1 or re.match(r"^[1-9][0-9]{0,2}\.[0-9]{3}$", body):
        body = body.replace(".", "").replace(" ", "")
    number = Decimal(body) * (PERCENT if percent else 1)
    result = float(-number if sign in ("-", "\u2212") else number)
    return result if math.isfinite(result) else None


def cell_text(value: object) -> str | None:
    """The cell as the clerk sees it, for feedback messages; None when blank."""
    if isinstance(value, str):  # the common case first: one strip, no second look
        return value.strip() or None
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def text_and_number(value: object) -> tuple[str | None, float | None]:
    """`cell_text` and `parse_number` of one cell: a figure needs both, and a float (most are) one short path."""
    if isinstance(value, float) and math.isfinite(value):
        return (str(int(value)) if value.is_integer() else str(value)), value
    return cell_text(value), parse_number(value)
