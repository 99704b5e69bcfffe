"""Portal statistics: real files in tmp_path, expected figures recomputed here from the rows written."""

from __future__ import annotations

import csv
import filecmp
import io
import random
import subprocess
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

import extract.portal
import transform.portal_dossiers
import transform.portal_results
from expectations.portal import check_aggregated_row
from extract.portal import PortalFormatError, parse_period_text, read_portal_file
from tests.support import REPO
from transform.portal import portal_measures
from transform.portal_aggregated import derive_aggregated, parse_count

ROOT = REPO
KNOWN = {"12", "12-SKHCN", "12-STP", "105", "106", "03386"}
H1 = (date(2025, 1, 1), date(2025, 6, 30))



def facts_of(result) -> dict[tuple[str, str], tuple[int, int]]:
    return {(r.unit_code, r.indicator_code): (int(r.numerator), int(r.denominator))
            for r in result.facts.itertuples()}


# --------------------------------------------------------------------------------------------------
# Aggregated (Form 06a) workbooks
# --------------------------------------------------------------------------------------------------

AGG_LAYOUT = [  # (group or None, [(sub header, key)])
    (None, [("STT", "stt")]),
    (None, [("Mã đơn vị", "code")]),
    (None, [("Tên đơn vị", "name")]),
    ("Kỳ báo cáo", [("Từ ngày", "from"), ("Đến ngày", "to")]),
    ("Số hồ sơ tiếp nhận", [("Tổng số", "total"), ("Trực tuyến", "online"), ("Trực tiếp", "person"),
                            ("Qua BCCI", "post"), ("Kỳ trước chuyển qua", "carried")]),
    ("Số hồ sơ đã giải quyết", [("Tổng số", "resolved"), ("Trước hạn", "early"), ("Đúng hạn", "ontime"),
                                ("Quá hạn", "late")]),
    ("Thủ tục hành chính", [("Tổng số", "proc"), ("Toàn trình", "full")]),
    ("Đánh giá hài lòng", [("Tổng lượt đánh giá", "ratings"), ("Hài lòng", "sat")]),
    ("Đánh giá lĩnh vực đất đai, xây dựng, đầu tư", [("Tổng lượt đánh giá", "ddx"), ("Hài lòng", "ddx_sat")]),
    ("Phản ánh, kiến nghị", [("Tiếp nhận", "pakn"), ("Trả lời đúng hạn", "pakn_ok")]),
]
AGG_KEYS = [key for _, subs in AGG_LAYOUT for _, key in subs]


def write_agg_xlsx(path: Path, rows: list[dict], hidden_first: bool = True) -> dict[int, dict]:
    """Title lines, a merged two-row header, a numbering row, the data and a total line.
    Returns Excel row number -> the row's dict."""
    wb = Workbook()
    if hidden_first:  # an extra hidden sheet must be ignored
        wb.active.title = "An"
        wb.active.sheet_state = "hidden"
        wb.active["A1"] = "Mã đơn vị"
        ws = wb.create_sheet("Biểu 06a")
    else:
        ws = wb.active
    ws["A1"] = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT TTHC"
    ws.merge_cells("A1:H1")
    col = 1
    for group, subs in AGG_LAYOUT:
        if group is None:
            ws.cell(3, col, subs[0][0])
            ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
        else:
            ws.cell(3, col, group)
            ws.merge_cells(start_row=3, start_column=col, end_row=3, end_column=col + len(subs) - 1)
            for i, (sub, _) in enumerate(subs):
                ws.cell(4, col + i, sub)
        col += len(subs)
    for c in range(1, col):
        ws.cell(5, c, f"({c})")
    written = {}
    for i, row in enumerate(rows):
        r = 6 + i
        for c, key in enumerate(AGG_KEYS, start=1):
            if key in row:
                ws.cell(r, c, row[key])
        written[r] = row
    ws.cell(6 + len(rows), 3, "Tổng cộng")
    ws.cell(6 + len(rows), 6, 999999)
    wb.save(path)
    return written


def agg_row(rng: random.Random, code: str, start: date, end: date) -> dict:
    online, person, post = rng.randint(100, 2000), rng.randint(0, 500), rng.randint(0, 40)
    resolved = rng.randint(50, online + person)
    early = rng.randint(0, resolved)
    late = rng.randint(0, resolved - early)
    ratings = rng.randint(0, 300)
    ddx = rng.randint(0, ratings)
    pakn = rng.randint(0, 20)
    proc = rng.randint(50, 200)
    return dict(code=code, name=f"Đơn vị {code}", **{"from": start.strftime("%d/%m/%Y"), "to": end.strftime("%d/%m/%Y")},
                total=online + person + post, online=online, person=person, post=post, carried=rng.randint(0, 50),
                resolved=resolved, early=early, ontime=resolved - early - late, late=late, proc=proc,
                full=rng.randint(0, proc), ratings=ratings, sat=rng.randint(0, ratings), ddx=ddx,
                ddx_sat=rng.randint(0, ddx), pakn=pakn, pakn_ok=rng.randint(0, pakn))


QUARTERS = [(date(2025, 1, 1), date(2025, 3, 31)), (date(2025, 4, 1), date(2025, 6, 30)),
            (date(2025, 7, 1), date(2025, 9, 30)), (date(2025, 10, 1), date(2025, 12, 31))]


def test_aggregated_workbook_with_merged_headers(tmp_path):
    rng = random.Random(1)
    rows = [agg_row(rng, code, s, e) for code in ("12-SKHCN", "105", "3386") for s, e in QUARTERS]
    rows[0]["total"] = f"{rows[0]['total']:,}".replace(",", ".")  # "1.234" typed as text
    rows[1]["code"] = " 12-skhcn "  # case and spaces
    rows.append(agg_row(rng, "99-LA", *QUARTERS[0]))  # unknown agency
    straddle = agg_row(rng, "105", date(2025, 6, 1), date(2025, 7, 31))
    rows.append(straddle)
    written = write_agg_xlsx(tmp_path / "06a.xlsx", rows)

    export = read_portal_file(tmp_path / "06a.xlsx")
    assert export.shape == "aggregated" and export.sheet == "Biểu 06a"
    result = portal_measures([export], *H1, KNOWN)
    got = facts_of(result)

    def num(v):
        return int(str(v).replace(".", ""))

    for code, unit in (("12-SKHCN", "12-SKHCN"), ("105", "105"), ("3386", "03386")):
        mine = [(r, row) for r, row in written.items() if row["code"].strip().upper() == code.upper()
                and row["from"] in ("01/01/2025", "01/04/2025") and row["to"] in ("31/03/2025", "30/06/2025")]
        assert len(mine) == 2
        online = sum(row["online"] for _, row in mine)
        total = sum(num(row["total"]) for _, row in mine)
        assert got[(unit, "PORTAL_TRUCTUYEN")] == (online, total)
        assert got[(unit, "HAILONG")] == (sum(r["sat"] for _, r in mine), sum(r["ratings"] for _, r in mine))
        assert got[(unit, "HAILONG_DDXDDT")] == (sum(r["ddx_sat"] for _, r in mine), sum(r["ddx"] for _, r in mine))
        assert got[(unit, "YKIEN_TIEPTHU")] == (sum(r["pakn_ok"] for _, r in mine), sum(r["pakn"] for _, r in mine))
        assert got[(unit, "PORTAL_DUNGHAN")] == (sum(r["ontime"] for _, r in mine), sum(r["resolved"] for _, r in mine))
        latest = max(mine, key=lambda x: x[0])[1]  # procedures are a stock: the Q2 row
        assert got[(unit, "TTHC_TOANTRINH")] == (latest["full"], latest["proc"])
        first = min(mine, key=lambda x: x[0])[1]
        assert got[(unit, "PORTAL_KYTRUOC")] == (first["carried"], num(first["total"]) + first["carried"])
    assert not any(k[0] == "99-LA" for k in got)
    unknown = result.unknown_agencies
    assert list(unknown.agency_code) == ["99-LA"] and int(unknown.rows.iloc[0]) == 1
    straddle_row = next(r for r, row in written.items() if row is straddle)
    partial = [p for p in result.problems if p.rule == "period_partial"]
    assert [(p.row, p.excluded) for p in partial] == [(straddle_row, True)]
    assert {tuple(result.facts.columns)} == {("unit_code", "indicator_code", "numerator", "denominator", "source_file",
                                              "era")}
    assert set(result.facts["era"]) == {"old"}  # every row predates 1/7/2025
    assert set(result.facts.source_file) == {"06a.xlsx"}
    assert [p.message for p in result.problems if p.rule == "file_note"] == ["Bỏ qua các trang tính ẩn: An"]


def test_aggregated_validation_problems_name_rows(tmp_path):
    rng = random.Random(2)
    rows = [agg_row(rng, "105", *QUARTERS[0]), agg_row(rng, "105", *QUARTERS[1]), agg_row(rng, "106", *QUARTERS[0]),
            agg_row(rng, "106", *QUARTERS[1]), agg_row(rng, "12", *QUARTERS[0])]
    rows[0]["late"] += 7  # early + on time + late != resolved
    rows[1]["online"] = rows[1]["total"] + 1  # online > total
    rows[2]["sat"] = -3  # negative count
    rows[3]["ratings"] = "nhiều"  # not a number
    rows.append({**agg_row(rng, "106", *QUARTERS[0]), "code": None})  # no unit code, has figures
    rows.append({**agg_row(rng, "12", *QUARTERS[1]), "from": "32/13/2025"})  # unreadable period
    written = write_agg_xlsx(tmp_path / "bad.xlsx", rows, hidden_first=False)
    rownum = {id(v): k for k, v in written.items()}
    result = portal_measures([read_portal_file(tmp_path / "bad.xlsx")], *H1, KNOWN)
    got = facts_of(result)
    by_rule = defaultdict(list)
    for p in result.problems:
        by_rule[p.rule].append(p)

    assert [p.row for p in by_rule["resolved_sum"]] == [rownum[id(rows[0])]]
    assert "PORTAL_DUNGHAN" in by_rule["resolved_sum"][0].message
    # The inconsistent row leaves PORTAL_DUNGHAN only; it still counts for PORTAL_TRUCTUYEN.
    assert got[("105", "PORTAL_DUNGHAN")] == (rows[1]["ontime"], rows[1]["resolved"])
    assert [p.row for p in by_rule["online_le_total"]] == [rownum[id(rows[1])]]
    assert got[("105", "PORTAL_TRUCTUYEN")] == (rows[0]["online"], rows[0]["total"])
    assert got[("105", "HAILONG")] == (rows[0]["sat"] + rows[1]["sat"], rows[0]["ratings"] + rows[1]["ratings"])

    invalid = {p.row: p for p in by_rule["count_invalid"]}
    assert set(invalid) == {rownum[id(rows[2])], rownum[id(rows[3])]}
    assert invalid[rownum[id(rows[2])]].value == "-3" and "âm" in invalid[rownum[id(rows[2])]].message
    assert "HAILONG" in invalid[rownum[id(rows[3])]].message
    assert ("106", "HAILONG") not in got  # both 106 rows lost their rating figures
    assert got[("106", "PORTAL_TRUCTUYEN")] == (rows[2]["online"] + rows[3]["online"], rows[2]["total"] + rows[3]["total"])

    assert [p.row for p in by_rule["unit_missing"]] == [rownum[id(rows[5])]]
    assert [p.row for p in by_rule["period_unreadable"]] == [rownum[id(rows[6])]]
    assert got[("12", "PORTAL_TRUCTUYEN")] == (rows[4]["online"], rows[4]["total"])
    assert all(p.excluded for p in by_rule["unit_missing"] + by_rule["period_unreadable"])
    for p in result.problems:
        assert p.file == "bad.xlsx" and p.message


def test_rules_are_plain_functions():
    values = derive_aggregated({"received_total": 100, "received_online": 60, "received_in_person": 30,
                                "received_post": 5, "carried_over": 5, "resolved_total": 10, "resolved_early": 3,
                                "resolved_on_time": 3, "resolved_late": 3})
    assert values["received_new"] == 95  # the total included the 5 carried over
    assert [r.code for r, _ in check_aggregated_row(values)] == ["resolved_sum"]
    assert parse_count("1.234") == (1234, None)
    assert parse_count("") == (0, None)
    assert parse_count(-1)[1] == "là số âm"
    assert parse_count("1,5")[1] == "không phải là số nguyên"
    assert parse_count("100%") == (None, "là tỷ lệ phần trăm, không phải số đếm")


@pytest.mark.parametrize("code_header", ["Mã đơn vị", "ma don vi", unicodedata.normalize("NFD", "Mã Đơn Vị"),
                                         "  MÃ   ĐV ", "Ma DV"])
def test_headers_match_without_diacritics(tmp_path, code_header):
    header = [code_header, unicodedata.normalize("NFD", "Từ ngày"), "Den ngay", "tong so ho so tiep nhan",
              "Tiếp nhận trực tuyến (2)", "Số lượt đánh giá", "SỐ LƯỢT ĐÁNH GIÁ HÀI LÒNG"]
    path = tmp_path / "flat.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(header)
        w.writerow(["105", "01/01/2025", "31/03/2025", "1.200", "900", "50", "45"])
        w.writerow(["105", "01/04/2025", "30/06/2025", "800", "700", "10", "10"])
        w.writerow(["105", "01/07/2025", "30/09/2025", "5000", "1", "1", "1"])
    export = read_portal_file(path)
    assert export.shape == "aggregated"
    got = facts_of(portal_measures([export], *H1, KNOWN))
    assert got[("105", "PORTAL_TRUCTUYEN")] == (1600, 2000)
    assert got[("105", "HAILONG")] == (55, 60)


def test_two_row_header_csv_and_title_period(tmp_path):
    """A flattened merged header (group only above its first column) and the period in the title."""
    path = tmp_path / "06a.csv"
    lines = [
        "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT TTHC",
        "Kỳ báo cáo: từ ngày 15/12/2024 đến ngày 14/12/2025",
        "",
        "Mã cơ quan,Số hồ sơ nhận giải quyết,,,Phản ánh kiến nghị,",
        ",Tổng số,Trực tuyến,Trực tiếp,Tiếp nhận,Trả lời đúng hạn",
        "12-STP,300,240,60,4,3",
        "106,100,20,80,0,0",
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    export = read_portal_file(path)
    assert export.title_period == (date(2024, 12, 15), date(2025, 12, 14))
    got = facts_of(portal_measures([export], date(2024, 12, 15), date(2025, 12, 14), KNOWN))
    assert got[("12-STP", "PORTAL_TRUCTUYEN")] == (240, 300)
    assert got[("12-STP", "YKIEN_TIEPTHU")] == (3, 4)
    assert got[("106", "PORTAL_TRUCTIEP")] == (80, 100)
    assert not facts_of(portal_measures([export], *H1, KNOWN))  # the year is not inside the first half


def test_period_texts():
    assert parse_period_text("Quý II/2025") == (date(2025, 4, 1), date(2025, 6, 30))
    assert parse_period_text("Tháng 2 năm 2024") == (date(2024, 2, 1), date(2024, 2, 29))
    assert parse_period_text("6 tháng đầu năm 2025") == H1
    assert parse_period_text("Năm 2025") == (date(2025, 1, 1), date(2025, 12, 31))
    assert parse_period_text("01/01/2025 - 31/03/2025") == (date(2025, 1, 1), date(2025, 3, 31))
    assert parse_period_text("không rõ") is None


def test_unrecognised_file_names_missing_columns(tmp_path):
    wb = Workbook()
    wb.active.append(["Họ và tên", "Chức vụ", "Số điện thoại"])
    wb.active.append(["Nguyễn Văn A", "Chuyên viên", "0912"])
    wb.save(tmp_path / "lac.xlsx")
    with pytest.raises(PortalFormatError) as err:
        read_portal_file(tmp_path / "lac.xlsx")
    message = str(err.value)
    assert "Mã đơn vị" in message and "Ngày tiếp nhận" in message and "Tổng số hồ sơ tiếp nhận" in message
    assert "Mã đơn vị" in err.value.missing


# --------------------------------------------------------------------------------------------------
# Dossier level
# --------------------------------------------------------------------------------------------------

DOSSIER_HEADER = ["Mã hồ sơ", "Mã đơn vị", "Lĩnh vực", "Kênh tiếp nhận", "Ngày tiếp nhận", "Hạn xử lý",
                  "Ngày hoàn thành", "Trạng thái", "Có phí", "Thanh toán trực tuyến", "Đánh giá"]
CHANNEL_KIND = {"Trực tuyến": "online", "Nộp trực tuyến": "online", "Trực tiếp": "person", "BCCI": "post",
                "Qua bưu chính công ích": "post"}
SATISFIED = {"Rất hài lòng", "Hài lòng", "4", "5"}
UNSATISFIED = {"Không hài lòng", "Bình thường", "1", "2", "3"}


class Oracle:
    """Independent expected counts per unit, with the semantics documented in transform/portal.py."""

    def __init__(self, ws: date, we: date):
        self.ws, self.we = ws, we
        self.c: dict[str, Counter] = defaultdict(Counter)

    def add(self, unit: str, field: str, channel: str, received: datetime, due: date, finished: datetime | None,
            status: str, fee: bool, paid: bool, rating: str) -> None:
        if not (self.ws <= received.date() <= self.we) or unit not in KNOWN:
            return
        c = self.c[unit]
        if channel in CHANNEL_KIND:
            c["channel_ok"] += 1
            c["online"] += CHANNEL_KIND[channel] == "online"
        if rating in SATISFIED or rating in UNSATISFIED:
            c["rated"] += 1
            c["sat"] += rating in SATISFIED
            if field in ("Đất đai", "Xây dựng", "Đầu tư"):
                c["ddx_rated"] += 1
                c["ddx_sat"] += rating in SATISFIED
        if fee:
            c["fee"] += 1
            c["paid"] += paid
        if status == "Đã hủy":
            return
        if finished is not None and finished.date() <= self.we:
            c["resolved"] += 1
            c["early"] += finished.date() < due
            c["ontime"] += finished.date() == due
            c["late"] += finished.date() > due
        else:
            c["pending"] += 1
            c["overdue"] += due < self.we

    def expected(self, unit: str) -> dict[str, tuple[int, int]]:
        c = self.c[unit]
        return {
            "PORTAL_TRUCTUYEN": (c["online"], c["channel_ok"]),
            "HAILONG": (c["sat"], c["rated"]),
            "HAILONG_DDXDDT": (c["ddx_sat"], c["ddx_rated"]),
            "PORTAL_THANHTOAN_TT": (c["paid"], c["fee"]),
            "PORTAL_TRUOCHAN": (c["early"], c["resolved"]),
            "PORTAL_DUNGHAN": (c["ontime"], c["resolved"]),
            "PORTAL_QUAHAN": (c["late"], c["resolved"]),
            "PORTAL_DANGXL_QUAHAN": (c["overdue"], c["pending"]),
        }


def random_dossiers(rng: random.Random, n: int, oracle: Oracle, units: list[str]) -> list[list[str]]:
    rows = []
    base = datetime(2024, 12, 1, 7, 0)  # noqa: DTZ001 - wall time, written out as text
    fields = ["Đất đai", "Xây dựng", "Đầu tư", "Hộ tịch", "Chứng thực"]
    ratings = [*SATISFIED, *UNSATISFIED, "", ""]
    for i in range(n):
        unit = rng.choice(units)
        field = rng.choice(fields)
        channel = rng.choice(list(CHANNEL_KIND))
        received = base + timedelta(days=rng.randint(0, 240), minutes=rng.randint(0, 600))
        due = (received + timedelta(days=rng.randint(0, 15))).date()
        status = rng.choice(["Đã trả kết quả"] * 6 + ["Đang xử lý", "Đã hủy"])
        finished = None
        if status == "Đã trả kết quả":
            finished = datetime.combine(due, datetime.min.time()) + timedelta(days=rng.randint(-3, 2), hours=15)
            finished = max(finished, received + timedelta(hours=1))
        fee, paid = rng.random() < 0.4, rng.random() < 0.5
        rating = rng.choice(ratings)
        oracle.add(unit, field, channel, received, due, finished, status, fee, paid and fee, rating)
        received_txt = received.strftime("%d/%m/%Y %H:%M") if i % 3 else received.strftime("%Y-%m-%dT%H:%M:%S")
        rows.append([f"HS{i:07d}", unit, field, channel, received_txt, due.strftime("%d/%m/%Y"),
                     finished.strftime("%d/%m/%Y %H:%M:%S") if finished else "", status,
                     "Có" if fee else "Không", "x" if paid and fee else "", rating])
    return rows


def to_cp1258(text: str) -> bytes:
    """Windows-1258 keeps ư, ơ, â, ă, ê, ô, đ precomposed but writes tone marks as combining bytes."""
    out = bytearray()
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in d if c not in tones))
            out += (base + "".join(c for c in d if c in tones)).encode("cp1258")
    return bytes(out)


def write_dossier_csv(path: Path, rows: list[list[str]], encoding: str, delimiter: str = ",",
                      blank_after: int | None = None) -> None:
    lines = []
    for i, row in enumerate([DOSSIER_HEADER, *rows]):
        buf = io.StringIO()
        csv.writer(buf, delimiter=delimiter, lineterminator="").writerow(row)
        lines.append(buf.getvalue())
        if blank_after is not None and i == blank_after:
            lines.append("")
    text = "\r\n".join(lines) + "\r\n"
    if encoding == "cp1258":
        path.write_bytes(to_cp1258(text))
    else:
        path.write_bytes(text.encode(encoding))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "utf-16", "cp1258"])
def test_dossier_csv_encodings(tmp_path, encoding):
    ws, we = date(2025, 1, 1), date(2025, 3, 31)
    oracle = Oracle(ws, we)
    rows = random_dossiers(random.Random(3), 600, oracle, ["12-SKHCN", "105", "106", "99-LA"])
    # Two failing rows at known positions (header is line 1; a blank line follows data row 9).
    rows.insert(20, ["HS-A", "105", "Hộ tịch", "Trực tuyến", "31/02/2025", "01/03/2025", "", "", "", "", ""])
    rows.insert(30, ["HS-B", "105", "Đất đai", "Fax", "15/01/2025 09:00", "20/01/2025", "", "Đang xử lý", "Không", "",
                     "Hài lòng"])
    oracle.add("105", "Đất đai", "Fax", datetime(2025, 1, 15, 9), date(2025, 1, 20), None, "Đang xử lý",  # noqa: DTZ001
               False, False, "Hài lòng")
    write_dossier_csv(tmp_path / "hoso.csv", rows, encoding, delimiter=";" if encoding == "utf-16" else ",",
                      blank_after=10)
    export = read_portal_file(tmp_path / "hoso.csv")
    assert export.shape == "dossier" and export.csv is not None
    result = portal_measures([export], ws, we, KNOWN)
    got = facts_of(result)
    for unit in ("12-SKHCN", "105", "106"):
        for code, pair in oracle.expected(unit).items():
            assert got.get((unit, code), (0, 0)) == pair, (unit, code)
    line_of = {i: i + 2 + (1 if i > 9 else 0) for i in range(len(rows))}
    bad_date = [p for p in result.problems if p.rule == "received_unreadable"]
    assert [(p.row, p.value) for p in bad_date] == [(line_of[20], "31/02/2025")]
    bad_channel = [p for p in result.problems if p.rule == "channel_invalid"]
    assert [(p.row, p.value) for p in bad_channel] == [(line_of[30], "Fax")]
    assert "HOSO_TRUCTUYEN" in bad_channel[0].message and bad_channel[0].excluded
    unknown = result.unknown_agencies
    in_window = sum(1 for r in rows if r[1] == "99-LA" and _in(r[4], ws, we))
    assert list(unknown.agency_code) == ["99-LA"] and int(unknown.rows.iloc[0]) == in_window
    first = min(i for i, r in enumerate(rows) if r[1] == "99-LA" and _in(r[4], ws, we))
    assert int(unknown.first_row.iloc[0]) == line_of[first]


def _in(text: str, ws: date, we: date) -> bool:
    for fmt in ("%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            return ws <= date(*time.strptime(text, fmt)[:3]) <= we
        except ValueError:
            continue
    return False


def test_dossier_timeliness_by_hand(tmp_path):
    """Hand-checked semantics: dates in many spellings, resolution vs. window end, cancelled dossiers."""
    rows = [
        # unit, field, channel, received, due, finished, status, fee, paid, rating
        ["105", "Đất đai", "Trực tuyến", "02/01/2025 08:00", "10/01/2025", "09/01/2025 10:00", "", "Có", "Có", "5"],
        ["105", "Hộ tịch", "trực tiếp", "2025-01-03", "2025-01-03", "03/01/2025 16:00", "", "", "", "Hài lòng"],
        ["105", "Xây dựng", "BCCI", "3/1/2025", "05/01/2025", "06/01/2025", "", "", "", "Không hài lòng"],
        ["105", "Đầu tư", "Trực tuyến", "20/06/2025", "25/06/2025", "", "Đang xử lý", "", "", ""],
        ["105", "Đầu tư", "Trực tuyến", "25/06/2025", "10/07/2025", "05/07/2025", "", "", "", ""],
        ["105", "Hộ tịch", "Trực tuyến", "01/02/2025", "10/02/2025", "", "Đã hủy", "", "", ""],
        ["105", "Hộ tịch", "Trực tuyến", "01/07/2025", "10/07/2025", "02/07/2025", "", "", "", "1"],  # outside
        ["105", "Hộ tịch", "Trực tuyến", "05/02/2025", "01/02/2025", "01/01/2025", "", "", "", "Tuyệt vời"],
    ]
    path = tmp_path / "tay.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Mã ĐV", "Lĩnh vực", "Hình thức nộp", "Ngày nộp", "Hạn giải quyết", "Ngày có kết quả",
                    "Tình trạng", "Có phí", "Thanh toán trực tuyến", "Mức độ hài lòng"])
        w.writerows(rows)
    result = portal_measures([read_portal_file(path)], *H1, KNOWN)
    got = facts_of(result)
    assert got[("105", "PORTAL_TRUCTUYEN")] == (5, 7)
    assert got[("105", "PORTAL_BCCI")] == (1, 7)
    assert got[("105", "PORTAL_TRUOCHAN")] == (1, 3)  # rows 1 (early), 2 (same day), 3 (late)
    assert got[("105", "PORTAL_DUNGHAN")] == (1, 3)
    assert got[("105", "PORTAL_QUAHAN")] == (1, 3)
    assert got[("105", "PORTAL_DANGXL_QUAHAN")] == (1, 2)  # row 4 overdue at 30/06; row 5 finished after the window
    assert got[("105", "HAILONG")] == (2, 3)
    assert got[("105", "HAILONG_DDXDDT")] == (1, 2)
    assert got[("105", "PORTAL_THANHTOAN_TT")] == (1, 1)
    rules = {(p.rule, p.row) for p in result.problems}
    assert ("finished_before_received", 9) in rules and ("rating_invalid", 9) in rules


def test_dossier_workbook(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH HỒ SƠ"])
    ws.append(["Mã đơn vị", "Kênh tiếp nhận", "Ngày tiếp nhận", "Đánh giá"])
    ws.append([105, "Trực tuyến", datetime(2025, 3, 1, 9, 30), "Hài lòng"])  # noqa: DTZ001 - a cell has no zone
    ws.append(["3386", "Trực tiếp", datetime(2025, 3, 2), "Không hài lòng"])  # noqa: DTZ001
    ws.append(["03386", "Trực tuyến", "04/03/2025", "Rất hài lòng"])
    ws.append(["106", "Trực tuyến", datetime(2025, 8, 1), "Hài lòng"])  # noqa: DTZ001
    wb.save(tmp_path / "hs.xlsx")
    export = read_portal_file(tmp_path / "hs.xlsx")
    assert export.shape == "dossier" and export.csv is None
    got = facts_of(portal_measures([export], *H1, KNOWN))
    assert got == {("105", "PORTAL_TRUCTUYEN"): (1, 1), ("105", "HAILONG"): (1, 1), ("105", "PORTAL_TRUCTIEP"): (0, 1),
                   ("105", "PORTAL_BCCI"): (0, 1), ("03386", "PORTAL_TRUCTUYEN"): (1, 2), ("03386", "HAILONG"): (1, 2),
                   ("03386", "PORTAL_TRUCTIEP"): (1, 2), ("03386", "PORTAL_BCCI"): (0, 2)}


def test_200k_dossiers_through_duckdb(tmp_path):
    ws, we = date(2025, 1, 1), date(2025, 6, 30)
    oracle = Oracle(ws, we)
    rows = random_dossiers(random.Random(4), 200_000, oracle, ["12-SKHCN", "105", "106", "03386", "77-X"])
    write_dossier_csv(tmp_path / "big.csv", rows, "utf-8-sig")
    result = portal_measures([read_portal_file(tmp_path / "big.csv")], ws, we, KNOWN)
    got = facts_of(result)
    for unit in ("12-SKHCN", "105", "106", "03386"):
        for code, pair in oracle.expected(unit).items():
            assert got[(unit, code)] == pair, (unit, code)
    assert list(result.unknown_agencies.agency_code) == ["77-X"]
    assert not [p for p in result.problems if p.rule != "unit_unknown"]


# --------------------------------------------------------------------------------------------------
# Samples
# --------------------------------------------------------------------------------------------------


def test_samples_are_reproducible_and_readable(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "samples/portal/make_samples.py"), str(tmp_path)], check=True,
                   capture_output=True)
    for name in ("mau_06a_tonghop.xlsx", "mau_hoso_chitiet.csv"):
        assert filecmp.cmp(tmp_path / name, ROOT / "samples/portal" / name, shallow=False), name
    exports = [read_portal_file(ROOT / "samples/portal/mau_06a_tonghop.xlsx"),
               read_portal_file(ROOT / "samples/portal/mau_hoso_chitiet.csv")]
    assert [e.shape for e in exports] == ["aggregated", "dossier"]
    known = {"12", "12-SKHCN", "12-STP", "12-SNNMT", *(str(d) for d in range(105, 113)), "03386", "03387"}
    result = portal_measures(exports, date(2025, 1, 1), date(2025, 12, 31), known)
    codes = set(result.facts.indicator_code)
    assert {"HOSO_TRUCTUYEN", "TTHC_TOANTRINH", "DINHDANH", "HAILONG", "HAILONG_DDXDDT", "YKIEN_TIEPTHU"} <= codes
    assert result.unknown_agencies.empty
    assert not [p for p in result.problems if p.rule != "mixed_sources"]


def test_line_numbers_survive_quoted_line_breaks_and_late_cp1258(tmp_path):
    path = tmp_path / "nl.csv"
    path.write_text("Mã đơn vị,Ngày tiếp nhận,Kênh tiếp nhận,Ghi chú\n"
                    '105,01/02/2025,Trực tuyến,"dòng 1\ndòng 2"\n'
                    "105,02/02/2025,Fax\n"
                    "106,03/02/2025,BCCI,x,thừa\n", encoding="utf-8")
    result = portal_measures([read_portal_file(path)], *H1, KNOWN)
    assert {(p.rule, p.row, p.value) for p in result.problems} == {("channel_invalid", 4, "Fax"),
                                                                   ("extra_cells", 5, "thừa")}
    assert facts_of(result)[("105", "PORTAL_TRUCTUYEN")] == (1, 1)
    # ASCII for the first MiB, then a cp1258 line: DuckDB reports invalid UTF-8 and the file is re-read.
    mixed = tmp_path / "mixed.csv"
    body = b"".join(b"105,01/02/2025,BCCI\n" for _ in range(60_000))
    mixed.write_bytes("Mã đơn vị,Ngày tiếp nhận,Kênh tiếp nhận\n".encode() + body + to_cp1258("106,03/02/2025,Trực tiếp\n"))
    export = read_portal_file(mixed)
    got = facts_of(portal_measures([export], *H1, KNOWN))
    assert export.csv is not None and export.csv.encoding == "cp1258"
    assert got[("105", "PORTAL_BCCI")] == (60_000, 60_000)
    assert got[("106", "PORTAL_TRUCTIEP")] == (1, 1)


def test_first_row_of_unknown_agencies_is_the_same_whether_found_early_or_by_a_full_scan(tmp_path, monkeypatch):
    """A few unknown codes are found by early-stopping scans, many by one full numbered scan: same rows."""
    ws, we = date(2025, 1, 1), date(2025, 3, 31)
    oracle = Oracle(ws, we)
    rows = random_dossiers(random.Random(5), 400, oracle, ["105", "99-LA", "99-LB", "99-LC"])
    write_dossier_csv(tmp_path / "hoso.csv", rows, "utf-8", blank_after=7)
    early = portal_measures([read_portal_file(tmp_path / "hoso.csv")], ws, we, KNOWN).unknown_agencies
    monkeypatch.setattr(transform.portal_dossiers, "FEW_UNKNOWN", 0)
    scanned = portal_measures([read_portal_file(tmp_path / "hoso.csv")], ws, we, KNOWN).unknown_agencies
    pd.testing.assert_frame_equal(early, scanned)
    line_of = {i: i + 2 + (1 if i > 6 else 0) for i in range(len(rows))}
    for code in ("99-LA", "99-LB", "99-LC"):
        first = min(i for i, r in enumerate(rows) if r[1] == code and _in(r[4], ws, we))
        assert int(early.set_index("agency_code").loc[code, "first_row"]) == line_of[first], code


@pytest.mark.parametrize("head_rows", [1, 40, 5000])
def test_values_first_met_below_the_head_sample_are_classified_like_the_others(tmp_path, monkeypatch, head_rows):
    """The categorical values are learnt from the first rows; a value first met further down costs one more pass
    and is counted exactly as if it had been at the top (valid or reported), whatever the sample size."""
    monkeypatch.setattr(transform.portal_dossiers, "HEAD_ROWS", head_rows)
    ws, we = date(2025, 1, 1), date(2025, 6, 30)
    oracle = Oracle(ws, we)
    rows = random_dossiers(random.Random(11), 500, oracle, ["105", "106", "12-STP"])
    rows.append(["HS-X", "105", "Hộ tịch", "Fax", "15/01/2025 09:00", "20/01/2025", "", "", "", "", ""])
    oracle.add("105", "Hộ tịch", "Fax", datetime(2025, 1, 15, 9), date(2025, 1, 20), None, "", False, False, "")  # noqa: DTZ001
    rows.append(["HS-Y", "106", "Hộ tịch", "BCCI", "16/01/2025 09:00", "20/01/2025", "", "Đang xử lý", "", "",
                 "Tạm được"])
    oracle.add("106", "Hộ tịch", "BCCI", datetime(2025, 1, 16, 9), date(2025, 1, 20), None, "Đang xử lý",  # noqa: DTZ001
               False, False, "Tạm được")
    write_dossier_csv(tmp_path / "hoso.csv", rows, "utf-8")
    result = portal_measures([read_portal_file(tmp_path / "hoso.csv")], ws, we, KNOWN)
    got = facts_of(result)
    for unit in ("105", "106", "12-STP"):
        for code, pair in oracle.expected(unit).items():
            assert got.get((unit, code), (0, 0)) == pair, (unit, code)
    assert {(p.rule, p.row, p.value) for p in result.problems} == {("channel_invalid", len(rows), "Fax"),
                                                                   ("rating_invalid", len(rows) + 1, "Tạm được")}


def _csv_module_record_starts(text: str, skip: int) -> list[int]:
    """Oracle: the first line of every non-empty record, as Python's csv module reads the file."""
    fh = io.StringIO(text, newline="")
    for _ in range(skip):
        fh.readline()
    reader, starts, previous_end = csv.reader(fh), [], 0
    for record in reader:
        start, previous_end = previous_end + 1, reader.line_num
        if record:
            starts.append(skip + start)
    return starts


@pytest.mark.parametrize("chunk_size", [3, 16, 64, 1 << 24])
@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_record_starts_match_the_csv_module_across_chunk_edges(tmp_path, chunk_size, ending):
    """Line numbers of the records a problem is reported on: quoted line breaks and escaped quotes, blank lines,
    CRLF, a last line without its line break, read in chunks of any size."""
    rng = random.Random(chunk_size)
    lines = ["Mã đơn vị,Ghi chú"]
    for i in range(300):
        note = rng.choice(["", "x", '"a ""trích"" b"', '"dòng 1\ndòng 2"', '"\n\n"', '"a,b"'])
        lines.append(f"{100 + i},{note}")
        if rng.random() < 0.1:
            lines.append("")
    text = ending.join(lines)  # no line break after the last record
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode())
    expected = _csv_module_record_starts(text, skip=1)
    wanted = list(range(1, len(expected) + 1))
    got = extract.portal._record_starts(path, 1, wanted, chunk_size)
    assert [got[o] for o in wanted] == expected
    few = [3, 150, len(expected)]
    assert extract.portal._record_starts(path, 1, few, chunk_size) == {o: expected[o - 1] for o in few}


def test_rows_beyond_the_listed_ones_are_counted_per_rule(tmp_path, monkeypatch):
    """Past the rows listed per rule, one line gives the full count: every unit's unreadable reception dates, but
    other rules only on known units (an unknown unit's rows are left out whole, reported once)."""
    monkeypatch.setattr(transform.portal_results, "MAX_PROBLEMS_PER_RULE", 3)
    monkeypatch.setattr(transform.portal_dossiers, "MAX_PROBLEMS_PER_RULE", 3)
    rng = random.Random(17)
    rows = []
    for i in range(300):
        unit = rng.choice(["105", "106", "99-LA"])
        channel = rng.choice(["Trực tuyến", "Fax", "Fax", "Trực tiếp"])
        received = rng.choice(["15/01/2025 08:00", "15/01/2025 08:00", "31/02/2025", "hôm qua", "15/01/2024 08:00"])
        rows.append([f"HS-{i}", unit, "Hộ tịch", channel, received, "20/01/2025", "", "", "", "", ""])
    write_dossier_csv(tmp_path / "hoso.csv", rows, "utf-8")
    result = portal_measures([read_portal_file(tmp_path / "hoso.csv")], *H1, KNOWN)
    in_window = [r for r in rows if r[4] == "15/01/2025 08:00"]
    expected = {
        "received_unreadable": sum(r[4] in ("31/02/2025", "hôm qua") for r in rows),
        "channel_invalid": sum(r[3] == "Fax" and r[1] != "99-LA" for r in in_window),
    }
    for rule, n in expected.items():
        listed = [p for p in result.problems if p.rule == rule]
        assert [p.row is None for p in listed] == [False, False, False, True], rule
        assert f"Còn {n - 3} dòng khác cùng lỗi ({n} dòng tất cả)" in listed[-1].message, rule
    assert {p.rule for p in result.problems} == {*expected, "unit_unknown"}


def test_the_portal_database_draws_no_progress_bar_of_its_own():
    """DuckDB draws an English progress bar on the terminal once a query passes 2 s (a national export does). Its
    Python package turns the bar off by default under pytest, so this looks from a plain interpreter, as the CLI runs."""
    code = ("from transform.portal_dossiers import Duck\n"
            "with Duck() as con:\n"
            "    print(con.sql(\"SELECT current_setting('enable_progress_bar')\").fetchall())")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[(False,)]"
