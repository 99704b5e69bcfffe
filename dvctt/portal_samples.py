"""Sample exports of the portal's statistics (Cổng DVC / one-stop system), deterministic and seeded.

The demo puts them in `portal/` and `samples/portal/make_samples.py` writes the same files into the
repository. Two kinds, as the one-stop system exports them:

* Form 06a (*Biểu 06a/VPCP/KSTT*): one row per agency and period under a title block, a two-row header
  with merged group cells, a row of column numbers and a "Tổng cộng" line; some counts typed as text
  with dot thousands ("1.234"). The sums add up (channels + carried over = received, and so on).
* One row per dossier (UTF-8 with BOM, comma separated, dd/mm/yyyy dates).

`write_province_samples` writes a province's exports for a report year and the year before, with the
registry's real codes: the year before has, until 30/6/2025, the old communes and districts (one
half-year row each, 15/12–30/06) and from 1/7/2025 the new communes (01/07–14/12); a year after the
reorganisation has one row per new commune and Decree 09 quarter (15/12–14/03, …, 15/09–14/12).
Communes and the province UBND are in Form 06a; departments' dossiers are exported one per row (the
same dossiers are never in both). `write_lai_chau_2025` writes the older pair the tests use (Lai Châu,
2025, 3-level codes: the province, some departments, the eight districts and two communes, quarters).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from core.clock import VN
from core.config import WorkspaceConfig
from core.files import make_dirs
from core.units import DISTRICTS_ABOLISHED, OLD_UNTIL, default_agencies, load_country
from report.xlsx import save_workbook

SEED = 20251214
SAMPLE_YEAR = 2026  # the year of the exports in samples/portal (make_samples.py)


@dataclass(frozen=True)
class Agency:
    """A row of an export: the code and name as the one-stop system writes them, and a size (dossiers a quarter)."""

    code: str
    name: str
    scale: int


# (group, [sub-columns]) in sheet order; a None group is a single header merged over both rows.
HEADER = [
    (None, ["STT"]),
    (None, ["Mã đơn vị"]),
    (None, ["Tên đơn vị"]),
    ("Kỳ báo cáo", ["Từ ngày", "Đến ngày"]),
    ("Số hồ sơ tiếp nhận", ["Tổng số", "Trực tuyến", "Trực tuyến toàn trình", "Trực tiếp", "Qua BCCI",
                            "Kỳ trước chuyển qua"]),
    ("Số hồ sơ đã giải quyết", ["Tổng số", "Trước hạn", "Đúng hạn", "Quá hạn"]),
    ("Số hồ sơ đang giải quyết", ["Trong hạn", "Quá hạn"]),
    ("Thủ tục hành chính", ["Tổng số", "Toàn trình", "Một phần", "Có phát sinh hồ sơ"]),
    ("Thanh toán trực tuyến", ["Hồ sơ có phí, lệ phí", "Đã thanh toán trực tuyến"]),
    (None, ["Hồ sơ được số hóa"]),
    (None, ["Hồ sơ trực tuyến có định danh điện tử"]),
    ("Đánh giá hài lòng", ["Tổng lượt đánh giá", "Hài lòng"]),
    ("Đánh giá lĩnh vực đất đai, xây dựng, đầu tư", ["Tổng lượt đánh giá", "Hài lòng"]),
    ("Phản ánh, kiến nghị", ["Tiếp nhận", "Trả lời đúng hạn"]),
]
FIRST_COUNT = 6  # the 1-based column of the first count (after STT, code, name and the period)

DOSSIER_HEADER = ["Mã hồ sơ", "Mã đơn vị", "Tên đơn vị", "Lĩnh vực", "Mã TTHC", "Mức độ DVC", "Kênh tiếp nhận",
                  "Ngày tiếp nhận", "Hạn xử lý", "Ngày hoàn thành", "Trạng thái", "Có phí", "Thanh toán trực tuyến",
                  "Số hóa", "Định danh điện tử", "Đánh giá"]
FIELDS = ["Đất đai", "Xây dựng", "Đầu tư tại Việt Nam", "Hộ tịch", "Chứng thực", "Khoa học và công nghệ",
          "Trồng trọt", "Thành lập và hoạt động của hộ kinh doanh"]
CHANNELS = ["Trực tuyến", "Trực tuyến", "Trực tuyến", "Trực tuyến", "Trực tiếp", "BCCI"]
RATINGS = ["Rất hài lòng", "Hài lòng", "Hài lòng", "Hài lòng", "Không hài lòng", "", "", ""]


def aggregated_rows(rng: random.Random, units: Sequence[Agency], periods: Sequence[tuple[date, date]],
                    share: random.Random) -> list[list[int | str]]:
    """One consistent Form 06a row per unit and period (the sums add up). `share` draws the fully online share
    apart from `rng`, so the other columns stay the ones an earlier version of these samples had."""
    rows: list[list[int | str]] = []
    n = 0
    for unit in units:
        procedures = rng.randint(40, 300)
        full = rng.randint(procedures // 3, procedures * 3 // 4)
        partial = rng.randint(0, procedures - full)
        for start, end in periods:
            n += 1
            new = rng.randint(max(10, unit.scale // 6), unit.scale)
            online = round(new * rng.uniform(0.55, 0.97))
            online_full = round(online * share.uniform(0.7, 0.95))
            post = rng.randint(0, (new - online) // 5)
            person = new - online - post
            carried = rng.randint(0, max(1, unit.scale // 25))
            resolved = rng.randint(int((new + carried) * 0.7), new + carried)
            early = rng.randint(0, resolved)
            late = rng.randint(0, (resolved - early) // 10)
            on_time = resolved - early - late
            pending = new + carried - resolved
            overdue = rng.randint(0, pending // 8)
            fee = rng.randint(0, new // 2)
            paid = rng.randint(0, fee)
            ratings = rng.randint(0, new // 3)
            satisfied = rng.randint(int(ratings * 0.8), ratings)
            ddx = rng.randint(0, ratings // 3)
            ddx_sat = rng.randint(int(ddx * 0.7), ddx)
            petitions = rng.randint(0, 12)
            answered = rng.randint(max(0, petitions - 2), petitions)
            with_dossiers = rng.randint(procedures // 4, procedures)
            digitised = rng.randint(new // 2, new)
            identified = rng.randint(online // 2, online)
            rows.append([
                n, unit.code, unit.name, start.strftime("%d/%m/%Y"), end.strftime("%d/%m/%Y"),
                _maybe_text(rng, new), online, online_full, person, post, carried,
                resolved, early, on_time, late, pending - overdue, overdue,
                procedures, full, partial, with_dossiers, fee, paid, digitised, identified,
                ratings, satisfied, ddx, ddx_sat, petitions, answered,
            ])
    return rows


def _maybe_text(rng: random.Random, value: int) -> int | str:
    """Some exports carry counts as text with dot thousands."""
    return f"{value:,}".replace(",", ".") if value >= 1000 and rng.random() < 0.5 else value


def _num(v: int | str) -> int:
    return int(v.replace(".", "")) if isinstance(v, str) else v


def write_aggregated(path: Path, units: Sequence[Agency], periods: Sequence[tuple[date, date]], *, title: str,
                     period_text: str, seed: int = SEED) -> Path:
    rows = aggregated_rows(random.Random(seed), units, periods, random.Random(seed + 1))
    return _save_rows(path, rows, title, period_text)


def dossier_rows(rng: random.Random, n: int, units: Sequence[Agency], start: date, days: int,
                 number: str) -> list[list[str]]:
    """`n` dossiers of `units` received in the `days` days from `start`, a few finished late, some in progress."""
    rows = []
    first = datetime(start.year, start.month, start.day, 7, 30, tzinfo=VN)  # Vietnamese wall time, written as text
    weights = [u.scale for u in units]
    for i in range(n):
        unit = rng.choices(units, weights)[0]
        received = first + timedelta(days=rng.randint(0, days - 1), minutes=rng.randint(0, 600))
        due = received + timedelta(days=rng.choice([1, 3, 5, 10, 15, 20]))
        roll = rng.random()
        if roll < 0.8:
            done = max(due + timedelta(days=rng.randint(-5, 1), hours=-1), received + timedelta(hours=2))
            finished: datetime | None = done
            status = "Đã trả kết quả"
        elif roll < 0.95:
            finished, status = None, "Đang xử lý"
        else:
            finished, status = None, "Đã hủy"
        fee = rng.random() < 0.4
        rows.append([
            f"{number}.{i + 1:06d}", unit.code, unit.name, rng.choice(FIELDS), f"1.{rng.randint(1000, 9999)}",
            "Toàn trình" if rng.random() < 0.8 else "Một phần", rng.choice(CHANNELS),
            received.strftime("%d/%m/%Y %H:%M"), due.strftime("%d/%m/%Y"),
            finished.strftime("%d/%m/%Y %H:%M:%S") if finished else "", status,
            "Có" if fee else "Không", "Có" if fee and rng.random() < 0.6 else "", "x" if rng.random() < 0.7 else "",
            "Có" if rng.random() < 0.5 else "Không", rng.choice(RATINGS),
        ])
    return rows


def write_dossiers(path: Path, rows: list[list[str]]) -> Path:
    make_dirs(path.parent)
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(DOSSIER_HEADER)
        writer.writerows(rows)
    return path


def decree09_quarters(year: int) -> list[tuple[date, date]]:
    """The four quarters of a yearly report under Decree 09/2019: 15/12 of the year before to 14/03, … to 14/12."""
    starts = [date(year - 1, 12, 15), date(year, 3, 15), date(year, 6, 15), date(year, 9, 15)]
    ends = [date(year, 3, 14), date(year, 6, 14), date(year, 9, 14), date(year, 12, 14)]
    return list(zip(starts, ends, strict=True))


def _agencies(province: str, name: str) -> tuple[list[Agency], list[Agency]]:
    """(the province UBND, the departments) as the one-stop system names them; the press handles no dossiers."""
    departments = [Agency(a.code, a.name, 1500) for a in default_agencies(province, name, []) if a.kind == "department"]
    return [Agency(province, f"UBND {name}", 300)], departments


def write_province_samples(out: Path, province: str, year: int) -> list[Path]:
    """The province's Form 06a and dossier exports for `year` and the year before (see the module docstring)."""
    config = WorkspaceConfig(province=province, year=year)
    country = load_country(config.registry.dir, config.registry.file, config.registry.merges)
    new = country.new[province]
    short = new.name.removeprefix("Tỉnh ").removeprefix("Thành phố ")
    ubnd, departments = _agencies(province, new.name.replace("Tỉnh", "tỉnh").replace("Thành phố", "thành phố"))
    communes = [Agency(u.code, f"UBND {u.name.replace('Xã', 'xã').replace('Phường', 'phường')}", 1200)
                for c, u in sorted(country.new.items()) if u.level == "commune" and country.new_province[c] == province]
    olds = {c for c, into in country.province_merges.items() if into == province} | {province}
    old_units = [u for c, u in sorted(country.old.items()) if country.old_province[c] in olds and u.level != "province"]
    before = [*ubnd, *(Agency(u.code, f"UBND {u.name}", 1500 if u.level == "district" else 700) for u in old_units)]
    written = []
    last = year - 1
    h1, h2 = (date(last - 1, 12, 15), OLD_UNTIL), (DISTRICTS_ABOLISHED, date(last, 12, 14))
    if year == DISTRICTS_ABOLISHED.year + 1:  # the year before straddles the reorganisation: two halves
        rows = [(before, [h1]), ([*ubnd, *communes], [h2])]
        text = (f"năm {last}: đến 30/06/{last} theo đơn vị hành chính cũ, từ 01/07/{last} theo đơn vị hành chính mới")
    else:
        rows = [([*ubnd, *communes], decree09_quarters(last))]
        text = f"năm {last}, theo quý"
    written.append(_write_parts(out / f"mau_06a_{province}_{last}.xlsx", rows, short, text, SEED + last))
    written.append(write_aggregated(out / f"mau_06a_{province}_{year}.xlsx", [*ubnd, *communes],
                                    decree09_quarters(year), title=f"tỉnh {short}", period_text=f"năm {year}, theo quý",
                                    seed=SEED + year))
    for y in (last, year):
        rng = random.Random(SEED + 10 * y)
        start = date(y - 1, 12, 15)
        written.append(write_dossiers(out / f"mau_hoso_chitiet_{province}_{y}.csv",
                                      dossier_rows(rng, 2000, departments, start, 365, f"H{y % 100}")))
    return written


def _write_parts(path: Path, parts: list[tuple[list[Agency], list[tuple[date, date]]]], short: str, text: str,
                 seed: int) -> Path:
    """One Form 06a file whose rows are several (units, periods) parts, as a year spanning the reorganisation has."""
    units = [u for group, _ in parts for u in group]
    periods_of = {id(u): periods for group, periods in parts for u in group}
    rng, share = random.Random(seed), random.Random(seed + 1)
    rows: list[list[int | str]] = []
    for u in units:
        rows += aggregated_rows(rng, [u], periods_of[id(u)], share)
    for n, row in enumerate(rows, start=1):
        row[0] = n
    return _save_rows(path, rows, f"tỉnh {short}", text)


def _save_rows(path: Path, rows: list[list[int | str]], title: str, text: str) -> Path:
    """Form 06a around ready rows (the same layout as `write_aggregated`)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "06a"
    width = sum(len(subs) for _, subs in HEADER)
    ws.cell(1, 1, "Biểu số 06a/VPCP/KSTT")
    ws.cell(2, 1, f"TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CÁC CƠ QUAN, ĐƠN VỊ {title.upper()}")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.cell(3, 1, f"Kỳ báo cáo: {text} (Nguồn: Hệ thống thông tin giải quyết TTHC tỉnh)")
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=width)
    _header(ws, width)
    for i, row in enumerate(rows):
        for c, value in enumerate(row, start=1):
            ws.cell(8 + i, c, value)
    total_row = 8 + len(rows)
    ws.cell(total_row, 3, "Tổng cộng")
    for c in range(FIRST_COUNT, width + 1):
        ws.cell(total_row, c, sum(_num(r[c - 1]) for r in rows))
    return save_workbook(wb, path)


def _header(ws: Worksheet, width: int) -> None:
    col = 1
    for group, subs in HEADER:
        if group is None:
            ws.cell(5, col, subs[0])
            ws.merge_cells(start_row=5, start_column=col, end_row=6, end_column=col)
        else:
            ws.cell(5, col, group)
            if len(subs) > 1:
                ws.merge_cells(start_row=5, start_column=col, end_row=5, end_column=col + len(subs) - 1)
            for i, sub in enumerate(subs):
                ws.cell(6, col + i, sub)
        col += len(subs)
    for c in range(1, width + 1):
        ws.cell(7, c, f"({c})")
        for r in (5, 6):
            ws.cell(r, c).font = Font(bold=True)
            ws.cell(r, c).alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")


LAI_CHAU_2025 = [
    Agency("12", "UBND tỉnh Lai Châu", 3000),
    Agency("12-SKHCN", "Sở Khoa học và Công nghệ", 3000),
    Agency("12-STP", "Sở Tư pháp", 3000),
    Agency("12-SNNMT", "Sở Nông nghiệp và Môi trường", 3000),
    *(Agency(str(code), name, 3000) for code, name in (
        (105, "UBND thành phố Lai Châu"), (106, "UBND huyện Tam Đường"), (107, "UBND huyện Mường Tè"),
        (108, "UBND huyện Sìn Hồ"), (109, "UBND huyện Phong Thổ"), (110, "UBND huyện Than Uyên"),
        (111, "UBND huyện Tân Uyên"), (112, "UBND huyện Nậm Nhùn"))),
    Agency("03386", "UBND phường Quyết Thắng", 3000),
    Agency("03387", "UBND phường Tân Phong", 3000),
]
CALENDAR_QUARTERS_2025 = [(date(2025, 1, 1), date(2025, 3, 31)), (date(2025, 4, 1), date(2025, 6, 30)),
                          (date(2025, 7, 1), date(2025, 9, 30)), (date(2025, 10, 1), date(2025, 12, 31))]


def write_lai_chau_2025(out: Path) -> list[Path]:
    """The pair the tests use: Lai Châu 2025 under its 3-level codes, calendar quarters, 400 dossiers."""
    agg = write_aggregated(out / "mau_06a_tonghop.xlsx", LAI_CHAU_2025, CALENDAR_QUARTERS_2025,
                           title="tỉnh Lai Châu", period_text="năm 2025, chia theo quý")
    rng = random.Random(SEED)
    dossiers = write_dossiers(out / "mau_hoso_chitiet.csv",
                              dossier_rows(rng, 400, LAI_CHAU_2025[1:], date(2025, 1, 1), 365, "H25"))
    return [agg, dossiers]


def province_sample_names(province: str, year: int) -> list[str]:
    """The files `write_province_samples` writes, by name."""
    return [f"mau_06a_{province}_{year - 1}.xlsx", f"mau_06a_{province}_{year}.xlsx",
            f"mau_hoso_chitiet_{province}_{year - 1}.csv", f"mau_hoso_chitiet_{province}_{year}.csv"]

