"""Section II of the Báo cáo: one Vietnamese sentence per target row (`transform.headline`'s columns).

Numbers are written the Vietnamese way whatever the machine's locale: 2.821, 77,1 %, 2,9 điểm phần trăm.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from core.text import vn_count
from report.numbers import vn_number
from transform.targets import IN_PROGRESS, NO_DATA, NOT_MET, known

PERCENT = "%"  # transform.headline's unit of a share


def num(value: object) -> float:
    """A frame cell known to hold a figure, as a float."""
    return float(cast(float, value))


def vn_pct(fraction: float) -> str:
    """0.771 → "77,1 %" (a space before the sign, as Vietnamese typesetting writes it)."""
    return f"{vn_number(fraction * 100, 1)} %"


def amount(value: float, unit: str) -> str:
    """A figure with its unit: a ratio as a percentage, a count as a whole number and its unit."""
    return vn_pct(value) if unit == PERCENT else f"{vn_count(value)} {unit}".strip()


def _gap(points: float, status: str) -> str:
    size = f"{vn_number(abs(points), 1)} điểm phần trăm"
    if status == NOT_MET:
        return f", còn thiếu {size}"
    if status == IN_PROGRESS:
        return f", còn cách {size}" if points < 0 else f", đã vượt {size}"
    return f", vượt {size}" if points > 0 else ""


def target_sentence(row: Mapping[str, object]) -> str:
    """«<name>: <value> (<num>/<den>); mục tiêu năm <Y>: <goal>; <status>[, gap]; <n>/<m> đơn vị có số liệu.»

    A later target (horizon) is given beside this year's, and as progress when no goal is judged yet; a row
    without a figure says «Chưa có số liệu» and why, never a zero."""
    unit = str(row["unit"])
    status = str(row["status"])
    parts = [f"{row['name']}: "]
    value = row["value"]
    if status == NO_DATA or not known(value):
        reason = row.get("reason")
        parts.append(f"{NO_DATA}" + (f" ({reason})" if isinstance(reason, str) and reason else ""))
    else:
        parts.append(amount(num(value), unit))
        if unit == PERCENT and known(row.get("numerator")) and known(row.get("denominator")):
            parts.append(f" ({vn_count(num(row['numerator']))}/{vn_count(num(row['denominator']))})")
    goals = []
    if known(row.get("goal")):
        goals.append(f"mục tiêu năm {int(num(row['goal_year']))}: {amount(num(row['goal']), unit)}")
    if known(row.get("horizon_goal")):
        goals.append(f"mục tiêu năm {int(num(row['horizon_year']))}: "
                     f"{amount(num(row['horizon_goal']), unit)}")
    if goals:
        parts.append("; " + "; ".join(goals))
    if status != NO_DATA:
        parts.append(f"; {status}")
        gap = row.get("gap_pp")
        if status == IN_PROGRESS and not known(gap) and known(row.get("horizon_goal")) and unit == PERCENT:
            gap = (num(value) - num(row["horizon_goal"])) * 100
        if known(gap) and unit == PERCENT:
            parts.append(_gap(num(gap), status))
    parts.append(f"; {vn_count(num(row['units_with_data']))}/{vn_count(num(row['units_expected']))} "
                 "đơn vị có số liệu.")
    return "".join(parts)
