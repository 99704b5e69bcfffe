"""Section II's sentences, one per target row: expectations written out by hand from the row's figures."""

from __future__ import annotations

import math

import pytest

from report.numbers import vn_number
from report.sentences import target_sentence, vn_pct

BASE = {"indicator_code": "X", "name": "Hồ sơ trực tuyến", "unit": "%", "goal_year": 2025, "goal": 0.8,
        "value": None, "numerator": None, "denominator": None, "status": "", "gap_pp": None, "reason": None,
        "units_with_data": 0, "units_expected": 0, "previous_value": None, "change": None, "horizon_year": None,
        "horizon_goal": None, "missing_units": ()}

CASES = [
    # 2821/3659 = 0.77097… → 77,1 %; goal 80 % → short by 2.903 pp → 2,9
    ("not met", {"value": 2821 / 3659, "numerator": 2821, "denominator": 3659, "status": "Chưa đạt",
                 "gap_pp": (2821 / 3659 - 0.8) * 100, "units_with_data": 35, "units_expected": 40},
     "Hồ sơ trực tuyến: 77,1 % (2.821/3.659); mục tiêu năm 2025: 80,0 %; Chưa đạt, còn thiếu 2,9 điểm phần trăm; "
     "35/40 đơn vị có số liệu."),
    # 9/10 = 90 % against 80 %: over by 10 pp; a 2030 horizon of 100 % beside it
    ("met, with horizon", {"value": 0.9, "numerator": 9, "denominator": 10, "status": "Đạt", "gap_pp": 10.0,
                           "units_with_data": 10, "units_expected": 10, "horizon_year": 2030, "horizon_goal": 1.0},
     "Hồ sơ trực tuyến: 90,0 % (9/10); mục tiêu năm 2025: 80,0 %; mục tiêu năm 2030: 100,0 %; Đạt, vượt 10,0 điểm "
     "phần trăm; 10/10 đơn vị có số liệu."),
    # met exactly: no gap phrase
    ("met exactly", {"value": 0.8, "numerator": 4, "denominator": 5, "status": "Đạt", "gap_pp": 0.0,
                     "units_with_data": 5, "units_expected": 6},
     "Hồ sơ trực tuyến: 80,0 % (4/5); mục tiêu năm 2025: 80,0 %; Đạt; 5/6 đơn vị có số liệu."),
    # a 2030 target in 2026: progress, 1.234/2.000 = 61,7 %, 38,3 pp from 100 %
    ("in progress", {"goal_year": None, "goal": None, "value": 0.617, "numerator": 1234, "denominator": 2000,
                     "status": "Đang thực hiện", "horizon_year": 2030, "horizon_goal": 1.0, "units_with_data": 1,
                     "units_expected": 1},
     "Hồ sơ trực tuyến: 61,7 % (1.234/2.000); mục tiêu năm 2030: 100,0 %; Đang thực hiện, còn cách 38,3 điểm phần "
     "trăm; 1/1 đơn vị có số liệu."),
    # no figure: the reason, never a zero; NaN as pandas gives it
    ("no data", {"value": math.nan, "status": "Chưa có số liệu", "reason": "chưa có tệp xuất của Cổng DVC",
                 "units_with_data": 0, "units_expected": 140},
     "Hồ sơ trực tuyến: Chưa có số liệu (chưa có tệp xuất của Cổng DVC); mục tiêu năm 2025: 80,0 %; 0/140 đơn vị có "
     "số liệu."),
    # goal years as floats (a column with a None in it)
    ("float years", {"goal_year": 2025.0, "value": 0.5, "numerator": 1, "denominator": 2, "status": "Chưa đạt",
                     "gap_pp": -30.0, "units_with_data": 2, "units_expected": 2},
     "Hồ sơ trực tuyến: 50,0 % (1/2); mục tiêu năm 2025: 80,0 %; Chưa đạt, còn thiếu 30,0 điểm phần trăm; 2/2 đơn vị "
     "có số liệu."),
    # a count: whole number and its unit, no numerator/denominator
    ("count", {"name": "Tin bài", "unit": "tin, bài", "goal_year": None, "goal": None, "value": 12345.0,
               "status": "Đang thực hiện", "units_with_data": 3, "units_expected": 4},
     "Tin bài: 12.345 tin, bài; Đang thực hiện; 3/4 đơn vị có số liệu."),
]


@pytest.mark.parametrize(("changes", "expected"), [(c, e) for _, c, e in CASES], ids=[n for n, _, _ in CASES])
def test_sentence(changes: dict, expected: str) -> None:
    assert target_sentence({**BASE, **changes}) == expected


@pytest.mark.parametrize(("value", "text"), [(0.771, "77,1 %"), (1.0, "100,0 %"), (12.3456, "1.234,6 %"),
                                             (0.0005, "0,1 %")])
def test_percent(value: float, text: str) -> None:
    assert vn_pct(value) == text


def test_decimal_groups_thousands() -> None:
    assert vn_number(1234567.25, 2) == "1.234.567,25"
