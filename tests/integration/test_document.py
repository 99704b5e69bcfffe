"""The Báo cáo (.docx) beside the workbook: same inputs give the same bytes, the draft says so, and a district
plan's report is headed by the district on three levels and says how its communes report on two."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.config import DocumentConfig, HeaderNames, load_config, write_config
from dvctt.pipeline import build_report
from tests.support.oracle_readers import docx_lines

AT = datetime(2025, 12, 13, 1, 30, tzinfo=UTC)  # 08:30 in Vietnam
DISTRICT = "105"  # Thành phố Lai Châu, a district of the 3-level demo


@pytest.fixture(scope="module")
def ws(demo_run: Path, tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("document") / "ws"
    shutil.copytree(demo_run, copy, symlinks=True)
    return copy


def _text(path: Path) -> str:
    """Every paragraph's text, the header table's and the footer's included, one per line."""
    return "\n".join([*docx_lines(path), *docx_lines(path, "word/footer1.xml")])


def test_same_inputs_same_bytes(ws: Path) -> None:
    first = build_report(ws, produced_at=AT).document
    assert first.name == "bao_cao_dvctt_12_2025.docx"
    once = first.read_bytes()
    assert build_report(ws, produced_at=AT).document.read_bytes() == once
    later = build_report(ws, produced_at=AT.replace(hour=2)).document
    assert later.read_bytes() != once  # the produced-at time is an input, printed


def test_draft_and_final(ws: Path) -> None:
    draft = _text(build_report(ws, produced_at=AT).document)
    assert "DỰ THẢO" in draft and "Dự thảo – lập lúc 08:30 ngày 13/12/2025" in draft
    final = _text(build_report(ws, produced_at=AT, final=True).document)
    assert "DỰ THẢO" not in final and "Bản chính thức – lập lúc 08:30 ngày 13/12/2025" in final


def test_header_follows_the_decree(ws: Path) -> None:
    text = _text(build_report(ws, produced_at=AT).document)
    for line in ("UBND TỈNH LAI CHÂU", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "Số: […]/BC-SKHCN",
                 "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                 "Lai Châu, ngày […] tháng […] năm […]", "BÁO CÁO", "Kết quả thực hiện Kế hoạch số […] năm 2025",
                 "Kính gửi: Ủy ban nhân dân tỉnh Lai Châu.", "VI. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2026", "Nơi nhận:",
                 "GIÁM ĐỐC", "- Lưu: VT."):
        assert line in text.splitlines(), line


def test_district_plan_headed_by_the_district_on_three_levels(ws: Path) -> None:
    config = load_config(ws)
    document = DocumentConfig.model_validate({
        **config.document.model_dump(), "district": HeaderNames(parent_body="ỦY BAN NHÂN DÂN THÀNH PHỐ LAI CHÂU",
                                                                issuing_body="PHÒNG VĂN HÓA, KHOA HỌC VÀ THÔNG TIN",
                                                                code="VHKHTT", place="Lai Châu"),
        "communes_note": "Từ ngày 01/7/2025, các xã tự báo cáo."})
    write_config(ws, config.model_copy(update={"document": document}))
    try:
        three = _text(build_report(ws, unit=DISTRICT, produced_at=AT).document).splitlines()
        assert "UBND THÀNH PHỐ LAI CHÂU" in three and "Số: […]/BC-VHKHTT" in three
        assert "UBND TỈNH LAI CHÂU" not in three
        assert not any("các xã tự báo cáo" in line for line in three)
        province = _text(build_report(ws, produced_at=AT).document).splitlines()  # 3 levels, the whole province
        assert "UBND TỈNH LAI CHÂU" in province and "UBND THÀNH PHỐ LAI CHÂU" not in province
        assert any(line.startswith("[…] báo cáo kết quả thực hiện năm 2025") for line in province)  # who: the clerk's
        two = _text(build_report(ws, hierarchy=2, produced_at=AT).document).splitlines()
        assert "UBND TỈNH LAI CHÂU" in two and "Số: […]/BC-SKHCN" in two
        assert any(line.endswith("Từ ngày 01/7/2025, các xã tự báo cáo.") for line in two)
    finally:
        write_config(ws, config)


def test_a_2030_target_is_progress_and_both_horizons_show(ws: Path) -> None:
    lines = _text(build_report(ws, produced_at=AT).document).splitlines()
    later = next(line for line in lines if "Cơ quan nhà nước liên tục cải tiến chất lượng DVCTT:" in line)
    assert "mục tiêu năm 2030: 100,0 %; Đang thực hiện" in later and "Chưa đạt" not in later
    assert "mục tiêu năm 2025" not in later
    both = next(line for line in lines if "Người dân trưởng thành sử dụng DVCTT:" in line)
    assert "mục tiêu năm 2025: 50,0 %; mục tiêu năm 2030: 70,0 %;" in both
