"""Read numbers the way Vietnamese offices write them.

`1.234.567` (dot for thousands), `1.234,5` and `85,5` (comma for decimals), `85,5%`, numbers
stored as text and stray spaces. A blank cell is *missing* (None), never zero; text we cannot
read is also None, and the caller reports it as an error rather than guessing.
"""

from __future__ import annotations

import math
import re

_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+(,\d+)?$")
_DECIMAL_DOT = re.compile(r"^[+-]?\d*\.\d+$|^[+-]?\d+$")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def is_blank(value: object) -> bool:
    if isinstance(value, str):
        return not value.strip()  # str.strip() drops exactly what `_SPACES` matches, NBSPs included
    return value is None or (isinstance(value, float) and math.isnan(value))


def parse_number(value: object) -> float | None:
    """Return the number in `value`, or None when it is blank or not a readable number."""
    if isinstance(value, float):  # most cells: calamine gives numbers as floats
        return None if math.isnan(value) else value
    if is_blank(value) or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return float(value)
    text = _SPACES.sub("", str(value))
    scale = 1.0
    if text.endswith("%"):
        text, scale = text[:-1], 0.01
    if _THOUSANDS_DOT.match(text):
        text = text.replace(".", "").replace(",", ".")
    elif _DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    elif not _DECIMAL_DOT.match(text):
        return None
    try:
        number = float(text) * scale
    except ValueError:
        return None
    return number if math.isfinite(number) else None


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
    if isinstance(value, float) and not math.isnan(value):
        return (str(int(value)) if value.is_integer() else str(value)), value
    return cell_text(value), parse_number(value)
