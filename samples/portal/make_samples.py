"""Write the sample portal exports (deterministic, seeded) for Lai Châu (province code 12).

    python samples/portal/make_samples.py [OUTPUT_DIR]

* mau_06a_tonghop.xlsx - Form 06a style aggregates, one row per unit and quarter of 2025, under a
  title block and a two-row header with merged group cells, a row of column numbers and a
  "Tổng cộng" line, some counts typed as text with dot thousands ("1.234").
* mau_hoso_chitiet.csv - one row per dossier (UTF-8 with BOM, comma separated, dd/mm/yyyy dates),
  as the one-stop system exports them.

Unit codes: the province "12", departments "12-SKHCN"…, the eight districts 105–112 of the
01/03/2025 registry, and a few communes (5 digits).
"""

from __future__ import annotations

import csv
import random
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from core.clock import VN  # noqa: E402
from report.xlsx import save_workbook  # noqa: E402

SEED = 20251214
UNITS = [
    ("12", "UBND tỉnh Lai Châu"),
    ("12-SKHCN", "Sở Khoa học và Công nghệ"),
    ("12-STP", "Sở Tư pháp"),
    ("12-SNNMT", "Sở Nông nghiệp và Môi trường"),
    ("105", "UBND thành phố Lai Châu"),
    ("106", "UBND huyện Tam Đường"),
    ("107", "UBND huyện Mường Tè"),
    ("108", "UBND huyện Sìn Hồ"),
    ("109", "UBND huyện Phong Thổ"),
    ("110", "UBND huyện Than Uyên"),
    ("111", "UBND huyện Tân Uyên"),
    ("112", "UBND huyện Nậm Nhùn"),
    ("03386", "UBND phường Quyết Thắng"),
    ("03387", "UBND phường Tân Phong"),
]
QUARTERS = [(date(2025, 1, 1), date(2025, 3, 31)), (date(2025, 4, 1), date(2025, 6, 30)),
            (date(2025, 7, 1), date(2025, 9, 30)), (date(2025, 10, 1), date(2025, 12, 31))]

# (group, [sub-columns]) in sheet order; a None group is a single header merged over both rows.
HEADER = [
    (None, ["STT"]),
    (None, ["Mã đơn vị"]),
    (None, ["Tên đơn vị"]),
    ("Kỳ báo cáo", ["Từ ngày", "Đến ngày"]),
    ("Số hồ sơ tiếp nhận", ["Tổng số", "Trực tuyến", "Trực tiếp", "Qua BCCI", "Kỳ trước chuyển qua"]),
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


def aggregated_rows(rng: random.Random) -> list[list[object]]:
    """One consistent Form 06a row per unit and quarter (the sums add up)."""
    rows = []
    n = 0
    for code, name in UNITS:
        procedures = rng.randint(40, 300)
        full = rng.randint(procedures // 3, procedures * 3 // 4)
        partial = rng.randint(0, procedures - full)
        for start, end in QUARTERS:
            n += 1
            new = rng.randint(50, 3000)
            online = round(new * rng.uniform(0.55, 0.97))
            post = rng.randint(0, (new - online) // 5)
            person = new - online - post
            carried = rng.randint(0, 120)
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
                n, code, name, start.strftime("%d/%m/%Y"), end.strftime("%d/%m/%Y"),
                _maybe_text(rng, new), online, person, post, carried,
                resolved, early, on_time, late, pending - overdue, overdue,
                procedures, full, partial, with_dossiers, fee, paid, digitised, identified,
                ratings, satisfied, ddx, ddx_sat, petitions, answered,
            ])
    return rows


def _maybe_text(rng: random.Random, value: int) -> object:
    """Some exports carry counts as text with dot thousands."""
    return f"{value:,}".replace(",", ".") if value >= 1000 and rng.random() < 0.5 else value


def write_aggregated(path: Path, seed: int = SEED) -> Path:
    rng = random.Random(seed)
    wb = Workbook()
    ws = wb.active
    ws.title = "06a"
    width = sum(len(subs) for _, subs in HEADER)
    ws.cell(1, 1, "Biểu số 06a/VPCP/KSTT")
    ws.cell(2, 1, "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CÁC CƠ QUAN, ĐƠN VỊ TỈNH LAI CHÂU")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.cell(3, 1, "Kỳ báo cáo: năm 2025, chia theo quý (Nguồn: Hệ thống thông tin giải quyết TTHC tỉnh)")
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=width)
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
    rows = aggregated_rows(rng)
    for i, row in enumerate(rows):
        for c, value in enumerate(row, start=1):
            ws.cell(8 + i, c, value)
    total_row = 8 + len(rows)
    ws.cell(total_row, 3, "Tổng cộng")
    for c in range(6, width + 1):
        ws.cell(total_row, c, sum(_num(r[c - 1]) for r in rows))
    return save_workbook(wb, path)


def _num(v: object) -> int:
    return int(str(v).replace(".", "")) if isinstance(v, str) else int(v)  # type: ignore[arg-type]


DOSSIER_HEADER = ["Mã hồ sơ", "Mã đơn vị", "Tên đơn vị", "Lĩnh vực", "Mã TTHC", "Kênh tiếp nhận", "Ngày tiếp nhận",
                  "Hạn xử lý", "Ngày hoàn thành", "Trạng thái", "Có phí", "Thanh toán trực tuyến", "Số hóa",
                  "Định danh điện tử", "Đánh giá"]
FIELDS = ["Đất đai", "Xây dựng", "Đầu tư tại Việt Nam", "Hộ tịch", "Chứng thực", "Khoa học và công nghệ",
          "Trồng trọt", "Thành lập và hoạt động của hộ kinh doanh"]
CHANNELS = ["Trực tuyến", "Trực tuyến", "Trực tuyến", "Trực tiếp", "BCCI"]
RATINGS = ["Rất hài lòng", "Hài lòng", "Hài lòng", "Không hài lòng", "", "", ""]


def dossier_rows(rng: random.Random, n: int, year: int = 2025) -> list[list[str]]:
    """`n` dossiers received during `year`, a few finished late, some still in progress."""
    rows = []
    start = datetime(year, 1, 1, 7, 30, tzinfo=VN)  # Vietnamese wall time, written out as text
    for i in range(n):
        code, name = rng.choice(UNITS[1:])
        received = start + timedelta(days=rng.randint(0, 364), minutes=rng.randint(0, 600))
        due = received + timedelta(days=rng.choice([1, 3, 5, 10, 15, 20]))
        roll = rng.random()
        if roll < 0.8:
            finished: datetime | None = due + timedelta(days=rng.randint(-5, 1), hours=-1)
            finished = max(finished, received + timedelta(hours=2))
            status = "Đã trả kết quả"
        elif roll < 0.95:
            finished, status = None, "Đang xử lý"
        else:
            finished, status = None, "Đã hủy"
        fee = rng.random() < 0.4
        rows.append([
            f"H{year % 100}.{i + 1:06d}", code, name, rng.choice(FIELDS), f"1.{rng.randint(1000, 9999)}",
            rng.choice(CHANNELS), received.strftime("%d/%m/%Y %H:%M"), due.strftime("%d/%m/%Y"),
            finished.strftime("%d/%m/%Y %H:%M:%S") if finished else "", status,
            "Có" if fee else "Không", "Có" if fee and rng.random() < 0.6 else "", "x" if rng.random() < 0.7 else "",
            "Có" if rng.random() < 0.5 else "Không", rng.choice(RATINGS),
        ])
    return rows


def write_dossiers(path: Path, n: int = 400, seed: int = SEED) -> Path:
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(DOSSIER_HEADER)
        writer.writerows(dossier_rows(rng, n))
    return path


def main(out: Path) -> None:
    write_aggregated(out / "mau_06a_tonghop.xlsx")
    write_dossiers(out / "mau_hoso_chitiet.csv")
    print(f"Đã ghi {out / 'mau_06a_tonghop.xlsx'} và {out / 'mau_hoso_chitiet.csv'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
