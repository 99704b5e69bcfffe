"""The catalogue covers the plans (issue 14.4): what each item concerns, goals by year, a province's own targets and
items, stand-ins said as such."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.catalogue import REPORTING_KINDS, Kind, load_catalogue, with_overrides
from core.config import ConfigError, load_config
from core.resources import read_text
from tests.support.messages import assert_vietnamese_line

ADDED = {  # the items the plans ask for that release 0.1 lacked (plans_research §1), with their kinds
    "DV_KEHOACH_RIENG": "yes_no", "DV_KEHOACH_LONGGHEP": "yes_no", "DV_MANGLUOI_CTV": "yes_no",
    "HD_CONGTACVIEN": "count", "HD_KHENTHUONG_TAPTHE": "count", "HD_KHENTHUONG_CANHAN": "count",
    "HD_CAMNANG_YEUTHE": "count", "HD_BAN_TIENGDANTOC": "count", "DIEM_BUUCHINH_HOTRO": "ratio",
    "HD_HOTRO_BUUCHINH": "count", "HD_HOTRO_MOTCUA": "count", "DV_CONGKHAI_MOTCUA": "yes_no",
    "HD_THANG_DVCTT": "count", "DV_MOOC": "yes_no", "HD_MOOC_LUOTHOC": "count", "DV_AI_CHATBOT": "yes_no",
    "HD_AI_LUOTHOI": "count", "DIEM_DTTS_TUYENTRUYEN": "ratio", "DIEM_WIFI_TUYENTRUYEN": "ratio",
    "DIEM_INTERNET_TUYENTRUYEN": "ratio", "HD_CHUYENTRANG": "count", "TTCS_CHUYENMUC": "yes_no",
    "HD_TINBAI_TTCS": "count", "HD_TIEPSONG_TTCS": "count", "HD_KHAOSAT": "count", "HD_CHIENDICH": "count",
    "HD_MOHINH": "count", "HD_TAPHUAN_PHONGVIEN": "count", "HD_TAPHUAN_TCNSCD": "count", "DV_KENH_PHANANH": "yes_no",
    "YKIEN_DVCTT": "ratio", "TRUONG_LONGGHEP": "ratio", "HOSO_SOHOA": "ratio", "HD_KINHPHI_XAHOIHOA": "count",
}


def test_the_plans_items_are_there_with_their_seed_and_for_the_units_they_concern() -> None:
    catalogue = load_catalogue()
    assert {code: catalogue.get(code).kind.value for code in ADDED if catalogue.get(code)} == ADDED
    raw = read_text("catalogue.yaml")
    for code in ADDED:  # each row names the plan lines that ask for it
        line = next(line for line in raw.splitlines() if f"code: {code}" in line)
        assert any(plan in line for plan in ("LC L", "BRVT L", "MT L", "QL L", "HP L")), line
    for act in catalogue.activities:
        assert set(act.applies_to) <= set(REPORTING_KINDS), act.code
        if act.parent:  # «Trong đó»: right under (a sibling of) its parent, for the units its parent concerns
            assert act.label.startswith("Trong đó") and set(act.applies_to) <= set(catalogue.get(act.parent).applies_to)
    assert "HD_TAPHUAN_PHONGVIEN" not in {a.code for a in catalogue.activities_for("commune")}
    assert "HD_TIEPSONG_TTCS" not in {a.code for a in catalogue.activities_for("department")}
    targeted = {i.code for i in catalogue.indicators if i.targets}
    assert {"TTCS_CHUYENMUC", "YKIEN_DVCTT"} <= targeted and not {c for c in ADDED if c in targeted} - {
        "TTCS_CHUYENMUC", "YKIEN_DVCTT"}  # no plan sets a figure for the others
    assert "YKIEN_TIEPTHU" not in targeted  # a stand-in: the target is YKIEN_DVCTT's
    assert {i.code for i in catalogue.indicators if i.stand_in} >= {"DINHDANH", "YKIEN_TIEPTHU"}


def test_goals_by_year_and_a_goal_kept_after_its_year() -> None:
    catalogue = load_catalogue()
    hoso, people, improve = (catalogue.get(c) for c in ("HOSO_TRUCTUYEN", "NGUOIDAN_SUDUNG", "CQ_CAITIEN"))
    assert hoso.target(2025).model_dump() == {"year": 2025, "goal": 0.8, "maintained": False}
    assert hoso.target(2026).model_dump() == {"year": 2025, "goal": 0.8, "maintained": True}
    assert people.target(2026).model_dump() == {"year": 2025, "goal": 0.5, "maintained": True}
    assert people.horizon(2026).model_dump() == {"year": 2030, "goal": 0.7, "maintained": False}
    assert improve.target(2025) is None and improve.target(2029) is None  # a 2030 target is never judged before 2030
    assert improve.horizon(2025).year == 2030 and improve.target(2030).goal == 1.0 and improve.target(2031).maintained
    assert improve.horizon(2030) is None


def _config(tmp_path: Path, text: str) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "workspace.yaml").write_text('province: "40"\nyear: 2026\n' + text, encoding="utf-8")
    return ws


def test_a_province_overrides_targets_and_adds_its_own_items(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, """catalogue:
  targets: {HOSO_TRUCTUYEN: {2026: 0.85}, CB_DAOTAO: {2025: null}}
  indicators:
    - {code: TINH_ZALO, label: "Đơn vị có trang Zalo OA hướng dẫn DVCTT", kind: yes_no, source: units,
       applies_to: [commune], targets: {2026: 1.0}}
  activities:
    - {code: TINH_PHIEN_CHO, label: "Buổi hướng dẫn DVCTT tại phiên chợ", unit: "buổi", applies_to: [commune]}
"""))
    catalogue = with_overrides(config.catalogue)
    assert catalogue.get("HOSO_TRUCTUYEN").target(2026).goal == 0.85
    assert catalogue.get("HOSO_TRUCTUYEN").target(2025).goal == 0.8  # Decision 1588's, for the years not given
    assert catalogue.get("CB_DAOTAO").target(2026) is None  # its only goal dropped
    assert catalogue.get("TINH_ZALO").kind is Kind.YES_NO and "TINH_ZALO" in {i.code for i in catalogue.for_unit_kind(
        "commune")}
    assert [a.code for a in catalogue.activities_for("commune")][-1] == "TINH_PHIEN_CHO"
    assert load_catalogue().get("TINH_ZALO") is None  # the shipped catalogue is untouched


@pytest.mark.parametrize(("text", "expected"), [
    ("catalogue: {targets: {KHONG_CO: {2026: 0.5}}}\n", ["`catalogue`", "KHONG_CO", "không phải chỉ tiêu"]),
    ("catalogue: {targets: {HOSO_TRUCTUYEN: {2026: 80}}}\n", ["từ 0 đến 1", "80"]),
    ("catalogue: {activities: [{code: HD_TINBAI, label: x, unit: y}]}\n", ["HD_TINBAI", "mã riêng"]),
])
def test_a_bad_override_is_one_vietnamese_line(tmp_path: Path, text: str, expected: list[str]) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(_config(tmp_path, text))
    line = assert_vietnamese_line(str(err.value))
    for part in expected:
        assert part in line, line
