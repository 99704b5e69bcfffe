"""Numbers written the Vietnamese way as text: "2.821", "77,1%", "+3,2 điểm %".

A number format leaves the separators to the reader's program and locale (Excel always uses the system's), so
what must read the same everywhere (the sheet a leader signs, the pictures) is written as text.
"""

from __future__ import annotations


def vn_number(value: float, digits: int = 0) -> str:
    """1234567.5 → "1.234.567,5" (`digits` decimals)."""
    text = f"{value:,.{digits}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def vn_percent(value: float, digits: int = 1) -> str:
    """0.855 → "85,5%"."""
    return vn_number(value * 100, digits) + "%"


def vn_points(points: float, digits: int = 1) -> str:
    """A difference in percentage points, signed: 3.2 → "+3,2 điểm %", -0.04 → "0,0 điểm %"."""
    shown = round(points, digits)
    sign = "+" if shown > 0 else "-" if shown < 0 else ""
    return f"{sign}{vn_number(abs(shown), digits)} điểm %"


def vn_signed(value: float, digits: int = 0) -> str:
    """A signed count: 12 → "+12", -1234 → "-1.234"."""
    shown = round(value, digits)
    sign = "+" if shown > 0 else "-" if shown < 0 else ""
    return sign + vn_number(abs(shown), digits)
