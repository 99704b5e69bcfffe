"""The five locality profiles: each one's header, addressees and deadlines as its plan writes them, and the
Bà Rịa – Vũng Tàu deadline (30/11) that falls before the Decree 09 cut-off, flagged unless the window says so."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from core.config import ConfigError, WorkspaceConfig, load_config
from core.resources import read_text
from core.yaml_reader import read_yaml
from dvctt.profiles import init_workspace, profile_config, profile_names

UNITS = ("commune", "department", "press")


def test_the_five_plans_have_a_profile() -> None:
    assert profile_names() == ["ba-ria-vung-tau", "hai-phong", "lai-chau", "my-tu", "quynh-luu"]


def test_lai_chau() -> None:
    _, c = profile_config("lai-chau")
    d = c.document
    assert (c.province, c.lead_agency) == ("12", "Sở Khoa học và Công nghệ")
    assert (d.parent_body, d.issuing_body, d.place) == ("ỦY BAN NHÂN DÂN TỈNH LAI CHÂU", "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
                                                        "Lai Châu")
    assert d.addressees == ["Ủy ban nhân dân tỉnh Lai Châu"]
    assert {c.deadline_for(level) for level in UNITS} == {date(c.year, 12, 15)}
    assert d.deadline_in(c.year) == date(c.year, 12, 15)


def test_ba_ria_vung_tau() -> None:
    _, c = profile_config("ba-ria-vung-tau")
    d = c.document
    assert (c.province, c.year, c.hierarchy) == ("77", 2025, 3)
    assert c.lead_agency == "Sở Văn hóa, Thể thao và Du lịch" and d.issuing_body == "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH"
    assert d.parent_body is None  # since 1/7/2025 part of TP Hồ Chí Minh: which body heads it is the clerk's
    assert d.addressees == ["Ủy ban nhân dân tỉnh Bà Rịa – Vũng Tàu"]
    assert {c.deadline_for(level) for level in UNITS} == {date(2025, 11, 30)}
    assert c.report_window.end == date(2025, 11, 29)  # resolved: the data window ends before the deadline


def test_ba_ria_vung_tau_deadline_before_cutoff_is_flagged() -> None:
    data = read_yaml(read_text("profiles/ba-ria-vung-tau.yaml"))
    assert isinstance(data, dict)
    data.pop("window")
    with pytest.raises(ValidationError, match=r"30/11.*14/12/2025"):
        WorkspaceConfig.model_validate(data)


def test_hai_phong() -> None:
    _, c = profile_config("hai-phong")
    d = c.document
    assert (c.province, c.lead_agency) == ("31", "Sở Khoa học và Công nghệ")
    assert (d.parent_body, d.issuing_body) == ("ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG", "SỞ KHOA HỌC VÀ CÔNG NGHỆ")
    assert d.addressees == ["Ủy ban nhân dân thành phố Hải Phòng"]
    assert c.deadlines == {} and d.plan_number is None  # the plan gives neither (an illegible OCR copy)
    assert c.deadline_for("department") == date(c.year, 12, 15)


def test_my_tu() -> None:
    _, c = profile_config("my-tu")
    d = c.document
    assert (c.province, c.year, c.hierarchy) == ("94", 2025, 3)
    assert d.district is not None
    assert (d.district.parent_body, d.district.issuing_body) == ("ỦY BAN NHÂN DÂN HUYỆN MỸ TÚ",
                                                                 "PHÒNG VĂN HÓA, KHOA HỌC VÀ THÔNG TIN")
    assert (d.plan_number, d.plan_date) == ("51/KH-UBND", date(2025, 4, 3))
    assert d.addressees == ["Ủy ban nhân dân huyện Mỹ Tú"]
    assert c.deadline_for("commune") == c.deadline_for("district_office") == date(2025, 12, 8)
    assert d.communes_note and "01/7/2025" in d.communes_note


def test_quynh_luu() -> None:
    _, c = profile_config("quynh-luu")
    d = c.document
    assert c.province == "40" and d.district is not None
    assert (d.district.parent_body, d.district.place) == ("ỦY BAN NHÂN DÂN HUYỆN QUỲNH LƯU", "Quỳnh Lưu")
    assert d.addressees == [] and d.plan_number is None  # the plan leaves its number blank
    assert c.deadlines == {}
    assert d.communes_note and "bảy xã" in d.communes_note


def test_init_writes_a_workspace_that_loads(tmp_path) -> None:
    path = init_workspace(tmp_path / "ws", "lai-chau")
    config = load_config(tmp_path / "ws")
    assert config.document == profile_config("lai-chau")[1].document
    assert any(a.code == "12-SKHCN" for a in config.agencies)
    assert "L608-612" in path.read_text(encoding="utf-8")  # the plan's lines kept as comments
    with pytest.raises(ConfigError, match="không ghi đè"):
        init_workspace(tmp_path / "ws", "lai-chau")


def test_unknown_profile_names_the_five() -> None:
    with pytest.raises(ConfigError, match="lai-chau"):
        profile_config("ha-noi")
