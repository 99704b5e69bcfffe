"""`dvctt demo`: a workspace for a real province with plausible submissions, then the pipeline.

Figures are random but seeded, so the same command always writes the same files. Most units submit
on time, some late and some not at all, as at the end of a real reporting season.

By default the demo is the reporting cycle under way (the year follows the calendar, `core.config.
cycle_year`) for Nghệ An, on two levels with the province's real new communes. It holds last year
too, so the report shows the trend: in 2025, until 30/6 the old communes of some new communes sent a
half-year report on their 3-level template (two of Nghệ An's old communes were split between new
ones, so their shares are estimated), the other new communes, the departments and the press sent
their 2025 report; the portal's exports of both years are loaded. Quỳnh Lưu's plan (docs/plans) is a
table of 17 tasks, which the seven new communes that replaced the district now lead: they report each
task's status. A year up to 2025 gives the demo of that time: three levels, districts and their
offices, no history.
"""

from __future__ import annotations

import os
import random
import time as clock
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path

import yaml
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import ValidationError

from core import layout as L
from core.catalogue import Catalogue, Kind, with_overrides
from core.clock import vn_time
from core.config import PATTERN_HINTS, ConfigError, DocumentConfig, Task, WorkspaceConfig, write_config
from core.resources import read_text
from core.units import DISTRICTS_ABOLISHED, NEW, OLD, Hierarchy, Unit, UnitRegistry, default_agencies, load_registry
from core.validation_messages import describe_errors
from dvctt.distribution import create_inbox
from report.xlsx import save_workbook
from templates.submission import build_template

# Nghệ An: the 2025 reorganisation split two of its old communes (estimated shares), and Quỳnh Lưu's plan is a task
# table. Lai Châu (12), whose plan is in docs/plans too, merged every old commune whole: no estimate would show.
DEMO_PROVINCE = "40"
QUYNH_LUU_PLAN = "plans/quynh_luu_nghe_an.yaml"
# The seven communes that replaced Quỳnh Lưu district on 1/7/2025; they lead the plan's tasks since.
QUYNH_LUU_COMMUNES = ["17143", "17149", "17170", "17176", "17179", "17212", "17224"]
DEADLINES = {"commune": "08/12", "district_office": "08/12", "department": "15/12", "press": "15/12",
             "district": "10/12"}

DIFFICULTIES = [
    "Hạ tầng mạng Internet tại các thôn, bản vùng cao chưa ổn định, người dân khó thực hiện DVCTT.",
    "Nhiều người dân, nhất là người cao tuổi, chưa có điện thoại thông minh và chưa có tài khoản định danh điện tử mức 2.",
    "Kinh phí cho công tác tuyên truyền còn hạn chế, chưa bố trí được nguồn riêng.",
    "Một số thủ tục hành chính yêu cầu nộp bản giấy nên chưa thực hiện được toàn trình.",
    "Thành viên Tổ công nghệ số cộng đồng kiêm nhiệm nhiều việc, thời gian hỗ trợ người dân còn ít.",
]
PROPOSALS = [
    "Đề nghị tỉnh hỗ trợ kinh phí in tờ rơi, pano hướng dẫn sử dụng DVCTT bằng tiếng dân tộc.",
    "Đề nghị tổ chức thêm lớp tập huấn kỹ năng số cho cán bộ cấp xã.",
    "Đề nghị nâng cấp đường truyền và thiết bị tại bộ phận một cửa cấp xã.",
    "Đề nghị Cổng DVC quốc gia đơn giản hóa bước xác thực cho người dân.",
]
NAMES = ["Nguyễn Văn An", "Hồ Thị Hoa", "Trần Minh Đức", "Lê Thị Lan", "Phan Văn Hùng", "Đặng Thị Thu"]

# Plausible sizes: a ratio's denominator, or a count, per unit and year (low, high), by item and level; a level not
# listed takes "*". A half-year file reports about half the counts.
RATIO_SIZE: dict[str, dict[str, tuple[int, int]]] = {
    "CB_TRUYENTHONG": {"commune": (25, 45), "department": (60, 400), "press": (30, 150), "district": (150, 400),
                       "district_office": (8, 20)},
    "CB_DAOTAO": {"commune": (4, 10), "department": (5, 30), "*": (2, 8)},
    "TTCS_TUYENTRUYEN": {"*": (5, 25)},
    "TCNSCD_TAPHUAN": {"*": (20, 80)},
    "NGUOIDAN_SUDUNG": {"commune": (9000, 26000), "*": (40000, 120000)},
    "YKIEN_DVCTT": {"department": (10, 150), "*": (3, 40)},
    "HOCSINH_PHOCAP": {"*": (80000, 130000)},  # a province's upper-secondary students and university students
    "TRUONG_LONGGHEP": {"department": (450, 560), "*": (25, 45)},
    "DIEM_BUUCHINH_HOTRO": {"*": (1, 4)},
    "DIEM_DTTS_TUYENTRUYEN": {"*": (1, 5)},
    "DIEM_WIFI_TUYENTRUYEN": {"department": (1, 5), "*": (1, 8)},
    "DIEM_INTERNET_TUYENTRUYEN": {"department": (1, 3), "*": (1, 6)},
}
COUNT_SIZE: dict[str, dict[str, tuple[int, int]]] = {
    "HD_TINBAI": {"department": (30, 200), "press": (150, 600), "*": (10, 60)},
    "HD_HINHANH": {"department": (20, 120), "press": (50, 300), "*": (5, 40)},
    "HD_VIDEO": {"department": (5, 40), "press": (20, 120), "*": (1, 12)},
    "HD_PHATTHANH": {"press": (20, 120), "*": (2, 30)},
    "HD_TIEPSONG_TTCS": {"*": (50, 400)},
    "HD_MANGXAHOI": {"press": (2, 8), "*": (1, 4)},
    "HD_CHUYENTRANG": {"press": (2, 10), "*": (1, 3)},
    "HD_PANO": {"department": (2, 20), "*": (2, 15)},
    "HD_TOROI": {"department": (500, 8000), "*": (200, 3000)},
    "HD_CAMNANG_YEUTHE": {"*": (0, 6)},
    "HD_HOINGHI": {"department": (1, 10), "*": (1, 6)},
    "HD_LOPTAPHUAN": {"department": (1, 12), "*": (1, 6)},
    "HD_CUOCTHI": {"*": (0, 2)},
    "HD_SMS_CHIENDICH": {"department": (1, 5), "*": (0, 3)},
    "HD_CHIENDICH": {"*": (0, 3)},
    "HD_NGAYCDS": {"*": (1, 3)},
    "HD_THANG_DVCTT": {"*": (0, 2)},
    "HD_GOCUA": {"*": (200, 3000)},
    "HD_HOTRO_MOTCUA": {"department": (200, 5000), "*": (300, 3000)},
    "HD_HOTRO_BUUCHINH": {"*": (20, 400)},
    "HD_MOOC_LUOTHOC": {"department": (100, 5000), "*": (0, 500)},
    "HD_AI_LUOTHOI": {"*": (0, 20000)},
    "HD_CONGTACVIEN": {"department": (3, 20), "*": (5, 40)},
    "HD_KHAOSAT": {"*": (0, 3)},
    "HD_MOHINH": {"*": (0, 3)},
    "HD_KHENTHUONG_TAPTHE": {"*": (0, 3)},
    "HD_KHENTHUONG_CANHAN": {"*": (0, 6)},
}
# «Trong đó» rows: a share of their parent. Counts made of others: trainees per class, SMS per campaign, đồng.
PART_OF = {"HD_TINBAI_TTCS": (0.3, 0.8), "HD_BAN_TIENGDANTOC": (0.0, 0.5), "HD_TAPHUAN_PHONGVIEN": (0.0, 0.4),
           "HD_TAPHUAN_TCNSCD": (0.2, 0.6), "HD_KINHPHI_XAHOIHOA": (0.0, 0.3)}
TRAINEES_PER_CLASS, SMS_PER_CAMPAIGN = (15, 60), (1500, 15000)
BUDGET = {"department": (20, 500), "press": (10, 200), "*": (5, 80)}  # million đồng
YES_SHARE = {"DV_AI_CHATBOT": 0.3, "DV_MOOC": 0.4, "DV_KEHOACH_RIENG": 0.6}


@dataclass
class Demo:
    workspace: Path
    config: WorkspaceConfig
    submitted: int
    late: int
    missing: int


def demo_config(province: str = DEMO_PROVINCE, year: int | None = None,
                hierarchy: Hierarchy | None = None) -> WorkspaceConfig:
    """`province` "VN" gives a national workspace: every province with its default agencies. Without `year` the
    workspace follows the calendar; a year up to 2025 is shown on three levels unless `hierarchy` says otherwise.
    A ConfigError for a province or year that cannot be (the registry must know the province)."""
    data: dict[str, object] = {"province": province, "deadlines": dict(DEADLINES)}
    if year is not None:
        data["year"] = year
    try:
        base = WorkspaceConfig.model_validate(data)
        if hierarchy is None and base.year < DISTRICTS_ABOLISHED.year + 1:
            hierarchy = OLD
        base = base.model_copy(update={"hierarchy": hierarchy})
    except ValidationError as exc:
        raise ConfigError(f"Không tạo được workspace mẫu (--province, --year): "
                          f"{describe_errors(exc, PATTERN_HINTS)}.") from exc
    registry = load_registry(base)
    provinces = [u for u in registry.units.values() if u.level == "province"]
    agencies = []
    for prov in sorted(provinces, key=lambda u: u.code):
        districts = sorted(u.code for u in registry.children(prov.code) if u.level == "district")
        agencies += default_agencies(prov.code, prov.name, districts)
    update: dict[str, object] = {"agencies": agencies, "lead_agency": "Sở Khoa học và Công nghệ",
                                 "recipients": ["lanhdao.ubnd@example.gov.vn", "vanthu.skhcn@example.gov.vn"],
                                 "document": _demo_document(province, provinces)}
    if province == "40" and registry.hierarchy == NEW:
        plan = yaml.safe_load(read_text(QUYNH_LUU_PLAN))
        update["plan"] = plan["plan"]
        update["tasks"] = [Task(**{**t, "lead": QUYNH_LUU_COMMUNES,
                                   "lead_text": f"{t['lead_text']} (từ 01/07/2025: UBND 07 xã thay huyện Quỳnh Lưu)"})
                           for t in plan["tasks"]]
    return base.model_copy(update=update)


def _demo_document(province: str, provinces: list[Unit]) -> DocumentConfig:
    """The Báo cáo's header for a province's Sở KH&CN; Nghệ An's plan is Kế hoạch số 203/KH-UBND ngày 28/3/2025
    (cited by Quỳnh Lưu's plan, docs/plans/quynh_luu_nghe_an.txt L16). A national workspace leaves them blank."""
    if province == "VN" or len(provinces) != 1:
        return DocumentConfig()
    name = provinces[0].name
    short = name.removeprefix("Tỉnh ").removeprefix("Thành phố ")
    ubnd = f"Ủy ban nhân dân {name[0].lower()}{name[1:]}"
    known = {"plan_number": "203/KH-UBND", "plan_date": date(2025, 3, 28)} if province == "40" else {}
    return DocumentConfig.model_validate({
        "parent_body": f"ỦY BAN NHÂN DÂN {name.upper()}", "issuing_body": "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "code": "SKHCN",
        "place": short, "addressees": [ubnd], "plan_issuer": ubnd, "signer_title": "GIÁM ĐỐC",
        "distribution": ["Như trên", "Lãnh đạo Sở"], **known})


def _size(table: dict[str, dict[str, tuple[int, int]]], code: str, level: str) -> tuple[int, int] | None:
    sizes = table.get(code)
    return None if sizes is None else sizes.get(level) or sizes.get("*")


def _rows(ws: Worksheet, column: int = 2) -> dict[str, int]:
    """code (or label) in `column` → row, below a table's header row (the info sheet's labels from its top)."""
    first = 1 if column == 1 else L.HEADER_ROW + 1
    return {str(value): r for r in range(first, ws.max_row + 1) if (value := ws.cell(row=r, column=column).value)}


def _fill(unit: Unit, config: WorkspaceConfig, catalogue: Catalogue, rng: random.Random, *,
          share_of_year: float = 1.0) -> Workbook:
    """A filled template: figures of plausible size for the unit's level, a few left blank (no figure, not zero),
    the plan's tasks it leads, some difficulties and proposals. `share_of_year` scales counts (a half-year report)."""
    wb = build_template(unit, config.year, config.report_window, catalogue, config=config)
    level, anchor = unit.level, unit.code.endswith("-SGDDT") or unit.level == "press"
    blank = 0.0 if anchor else 0.05  # the only source of a figure (education, the press) leaves nothing blank
    info = wb[L.SHEET_INFO]
    labels = _rows(info, 1)
    info.cell(row=labels["Người lập biểu *"], column=2, value=rng.choice(NAMES))
    info.cell(row=labels["Số điện thoại *"], column=2, value=f"0238 {rng.randint(3500000, 3999999)}")
    info.cell(row=labels["Ngày lập *"], column=2, value=min(config.report_window.end, date(config.year, 12, 1)))
    answers: dict[str, bool] = {}
    targets = wb[L.SHEET_TARGETS]
    for code, row in _rows(targets).items():
        item = catalogue.get(code)
        if item is None or rng.random() < blank:
            continue
        if item.source == "education" and not unit.code.endswith("-SGDDT"):
            continue
        if item.kind is Kind.YES_NO:
            yes = rng.random() < YES_SHARE.get(code, 0.85)
            if code == "DV_KEHOACH_LONGGHEP":
                yes = not answers.get("DV_KEHOACH_RIENG", False) and rng.random() < 0.8
            answers[code] = yes
            targets.cell(row=row, column=6, value=L.YES if yes else L.NO)
            continue
        low, high = _size(RATIO_SIZE, code, level) or (2, 50)
        denominator = rng.randint(low, high)
        share = min(1.0, rng.uniform(0.6, 1.1))
        targets.cell(row=row, column=4, value=int(denominator * share))
        targets.cell(row=row, column=5, value=denominator)
    if answers.get("DV_KEHOACH_RIENG") or answers.get("DV_KEHOACH_LONGGHEP"):
        info.cell(row=labels["Kế hoạch của đơn vị (số, ngày)"], column=2,
                  value=f"{rng.randint(10, 180)}/KH-UBND ngày {rng.randint(1, 28)}/{rng.randint(3, 6)}/2025")
    _activities(wb, unit, catalogue, rng, blank, share_of_year)
    if L.SHEET_TASKS in wb.sheetnames:
        tasks = wb[L.SHEET_TASKS]
        for row in _rows(tasks).values():
            status = rng.choices(list(L.TASK_STATUSES.values()), [1, 4, 5])[0]
            tasks.cell(row=row, column=6, value=status)
            if status != L.TASK_STATUSES[0]:
                tasks.cell(row=row, column=7, value="Đã triển khai theo kế hoạch; kết quả cụ thể ghi ở trang «Hoạt động».")
    text = wb[L.SHEET_TEXT]
    for i, line in enumerate(rng.sample(DIFFICULTIES, rng.randint(0, 2))):
        text.cell(row=L.HEADER_ROW + 1 + i, column=3, value=line)
    for i, line in enumerate(rng.sample(PROPOSALS, rng.randint(0, 2))):
        text.cell(row=L.HEADER_ROW + 1 + L.TEXT_ROWS_PER_KIND + i, column=3, value=line)
    return wb


def _activities(wb: Workbook, unit: Unit, catalogue: Catalogue, rng: random.Random, blank: float,
                share_of_year: float) -> None:
    acts = wb[L.SHEET_ACTIVITIES]
    rows = _rows(acts)
    values: dict[str, int] = {}

    def scaled(low: int, high: int) -> int:
        return round(rng.randint(low, high) * share_of_year)

    for code, row in rows.items():
        item = catalogue.get(code)
        if item is None or rng.random() < blank:
            continue
        if code == "HD_KINHPHI":
            low, high = BUDGET.get(unit.level) or BUDGET["*"]
            value = scaled(low, high) * 1_000_000
        elif code == "HD_NGUOITAPHUAN" and "HD_LOPTAPHUAN" in values:
            value = sum(rng.randint(*TRAINEES_PER_CLASS) for _ in range(values["HD_LOPTAPHUAN"]))
        elif code == "HD_SMS_TINNHAN" and "HD_SMS_CHIENDICH" in values:
            value = sum(rng.randint(*SMS_PER_CAMPAIGN) for _ in range(values["HD_SMS_CHIENDICH"]))
        elif code in PART_OF:
            parent = getattr(item, "parent", None)
            if parent not in values:
                continue
            low_share, high_share = PART_OF[code]
            value = int(values[str(parent)] * rng.uniform(low_share, high_share))
            if code == "HD_KINHPHI_XAHOIHOA":
                value = value // 100_000 * 100_000
        else:
            value = scaled(*(_size(COUNT_SIZE, code, unit.level) or (0, 20)))
        values[code] = value
        acts.cell(row=row, column=5, value=value)


def create_demo(workspace: Path, province: str = DEMO_PROVINCE, year: int | None = None, run: bool = True) -> Demo:
    """Write workspace.yaml and filled workbooks into inbox/<unit>/ (and the portal's exports into portal/); with
    `run`, ingest them and read the portal's exports of both years.

    On-time files are ingested as if it were ten days before the first deadline, late ones two days after the last,
    so the completeness sheet shows all three states; last year's files when last year's season ended (a half-year
    report of an old commune in July 2025).
    """
    workspace = Path(workspace)
    config = demo_config(province, year)  # first: a bad province or year creates nothing
    with _new_folder(workspace):
        write_config(workspace, config)
    return _fill_workspace(workspace, config, run)


@contextmanager
def _new_folder(path: Path) -> Iterator[None]:
    """Create `path` and its missing parents; if what follows fails, the folders created here are removed
    again while they are still empty, so a failed demo never leaves an empty workspace behind."""
    if path.exists() and not path.is_dir():
        raise ConfigError(f"«{path}» là một tệp, không phải thư mục: hãy chọn --workspace là một thư mục mới hoặc "
                          "một thư mục workspace có sẵn.")
    created = [p for p in (path, *path.parents) if not p.exists()]  # deepest first
    path.mkdir(parents=True, exist_ok=True)
    try:
        yield
    except BaseException:
        for folder in created:
            try:
                folder.rmdir()
            except OSError:  # not empty (or already gone): kept as it is
                break
        raise


Batch = tuple[list[tuple[Unit, WorkspaceConfig, float]], date]


def _fill_workspace(workspace: Path, config: WorkspaceConfig, run: bool) -> Demo:
    from dvctt.intake import ingest  # imported here: creating files must not need the warehouse

    province, year = config.province, config.year
    catalogue = with_overrides(config.catalogue)
    registry = load_registry(config)
    rng = random.Random(f"{province}-{year}")
    expected = registry.of_levels(set(config.reporting_levels))
    create_inbox(workspace, expected)  # every unit's folder, as `dvctt template --all` makes them
    on_time: list[Unit] = []
    late: list[Unit] = []
    for unit in expected:
        roll = rng.random()
        if roll < 0.08 and not (unit.code.endswith("-SGDDT") or unit.level == "press"):
            continue
        (late if 0.08 <= roll < 0.18 else on_time).append(unit)
    first_deadline = min(config.deadlines.values())
    last_deadline = max(config.deadlines.values())
    batches: list[Batch] = []
    history = registry.hierarchy == NEW and year > DISTRICTS_ABOLISHED.year
    if history:
        batches += _last_year(workspace, config, registry, rng)
    batches += [([(u, config, 1.0) for u in on_time], first_deadline - timedelta(days=10)),
                ([(u, config, 1.0) for u in late], last_deadline + timedelta(days=2))]
    for units, day in batches:
        for unit, unit_config, share in units:
            path = workspace / "inbox" / unit.code / f"bao_cao_dvctt_{unit_config.year}_{unit.code}.xlsx"
            if not path.exists():
                unit_rng = random.Random(f"{province}-{unit_config.year}-{unit.code}-{share}")
                save_workbook(_fill(unit, unit_config, catalogue, unit_rng, share_of_year=share), path)
            past = clock.time() - 300  # settled: copied five minutes ago
            os.utime(path, (past, past))
        if run and units:
            ingest(workspace, now=vn_time(day, time(9, 0)))
    if history:
        from dvctt.portal_samples import write_province_samples

        write_province_samples(workspace / "portal", province, year)
        if run:
            from dvctt.portal import ingest_portal

            ingest_portal(workspace, year - 1)
            ingest_portal(workspace, year)
    return Demo(workspace, config, len(on_time) + len(late), len(late), len(expected) - len(on_time) - len(late))


def _last_year(workspace: Path, config: WorkspaceConfig, registry: UnitRegistry, rng: random.Random) -> list[Batch]:
    """Last year's files: a few new communes (those sharing a split old commune, and some others) are reported
    through their old communes' half-year reports, made on the 3-level template before 1/7/2025; every other unit
    sent its own report for the year. Nobody is reported twice for the same territory."""
    from core.units import load_country

    last = config.for_year(config.year - 1)
    country = load_country(config.registry.dir, config.registry.file, config.registry.merges)
    communes = [u.code for u in registry.of_levels({"commune"})]
    split = sorted({m.new for c in communes for m in country.sources.get(c, []) if m.partial} & set(communes))
    shared = {m.old for c in split for m in country.sources[c] if m.partial}
    through_old = set(split) | {m.new for o in shared for m in country.targets[o]} & set(communes)
    through_old |= set(rng.sample(sorted(set(communes) - through_old), min(3, len(communes) - len(through_old))))
    old_units = sorted({m.old for c in through_old for m in country.sources[c]})
    three_levels = load_registry(last, OLD)  # the old communes as they were until 30/6
    old = [three_levels.units[c] for c in old_units if c in three_levels.units]
    own = [u for u in registry.of_levels(set(config.reporting_levels)) if u.code not in through_old
           and rng.random() >= 0.05]
    return [([(u, last, 0.5) for u in old], date(config.year - 1, 7, 8)),
            ([(u, last, 1.0) for u in own], date(config.year - 1, 12, 5))]
