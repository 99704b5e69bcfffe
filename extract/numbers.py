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
# Whole digits with dots or spaces grouping thousands, and decimals after a comma: 1234, 1.234.567, 1 234,5
_GROUPED = re.compile(r"^(?:[0-9]+|[1-9][0-9]{0,2}(?:\.[0-9]{3})+|[1-9][0-9]{0,2}(?: [0-9]{3})+)(?:,[0-9]+)?$")
_COMMA_DECIMAL = re.compile(r"^[0-9]*,[0-9]+$")  # ,5 and 0,125 (1,234 is `_AMBIGUOUS`)
_DOT_DECIMAL = re.compile(r"^[0-9]*\.[0-9]+$")  # 0.5, 85.5, 0.500: three digits after 1-3 others are `_GROUPED`
_AMBIGUOUS = re.compile(r"^[1-9][0-9]{0,2},[0-9]{3}$")  # 1,234: Vietnamese 1.234 or English 1234
_SPACES = re.compile("[ \u00a0\u2007\u2009\u202f]")  # space, no-break, figure, thin, narrow no-break
_MINUS = ("-", "\u2212")


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
    if text.isascii() and text.isdigit():  # the common text number: plain digits
        return float(text)
    percent = text.endswith("%")
    if percent:
        text = text[:-1].rstrip()
    sign, body = (text[0], text[1:]) if text[:1] in ("+", *_MINUS) else ("", text)
    body = _SPACES.sub(" ", body)
    if _AMBIGUOUS.match(body):
        return None
    if _GROUPED.match(body):
        body = body.replace(".", "").replace(" ", "").replace(",", ".")
    elif _COMMA_DECIMAL.match(body):
        body = body.replace(",", ".")
    elif not _DOT_DECIMAL.match(body):
        return None
    body = "-" + body if sign in _MINUS else body
    # Decimal for the scale, so 85,5% is exactly the float nearest 0.855; float() of the text is exact already.
    result = float(Decimal(body) * PERCENT) if percent else float(body)
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
