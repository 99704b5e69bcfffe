"""`dvctt demo`: a workspace for a real province with plausible submissions, then the pipeline.

Figures are random but seeded, so the same command always writes the same files. Most units
submit on time, some late and some not at all, which is what a real reporting season looks like.
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

from pydantic import ValidationError

from core import layout as L
from core.catalogue import Catalogue, Kind, load_catalogue
from core.clock import vn_time
from core.config import PATTERN_HINTS, ConfigError, WorkspaceConfig, write_config
from core.units import Unit, default_agencies, load_registry
from core.validation_messages import describe_errors
from dvctt.distribution import create_inbox
from report.xlsx import save_workbook
from templates.submission import build_template

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


@dataclass
class Demo:
    workspace: Path
    config: WorkspaceConfig
    submitted: int
    late: int
    missing: int


def demo_config(province: str, year: int) -> WorkspaceConfig:
    """`province` "VN" gives a national workspace: every province with its default agencies. A ConfigError
    for a province or year that cannot be (the registry must know the province)."""
    try:
        base = WorkspaceConfig(province=province, year=year, hierarchy=3)
    except ValidationError as exc:
        raise ConfigError(f"Không tạo được workspace mẫu (--province, --year): "
                          f"{describe_errors(exc, PATTERN_HINTS)}.") from exc
    registry = load_registry(base)
    provinces = [u for u in registry.units.values() if u.level == "province"]
    agencies = []
    for prov in sorted(provinces, key=lambda u: u.code):
        districts = sorted(u.code for u in registry.children(prov.code) if u.level == "district")
        agencies += default_agencies(prov.code, prov.name, districts)
    return base.model_copy(update={
        "agencies": agencies,
        "deadlines": {"commune": date(year, 12, 8), "district_office": date(year, 12, 8),
                      "department": date(year, 12, 15), "press": date(year, 12, 15), "district": date(year, 12, 10)},
        "recipients": ["lanhdao.ubnd@example.gov.vn", "vanthu.skhcn@example.gov.vn"],
        "lead_agency": "Sở Khoa học và Công nghệ",
    })


def _fill(unit: Unit, config: WorkspaceConfig, catalogue: Catalogue, rng: random.Random):
    wb = build_template(unit, config.year, config.report_window, catalogue)
    info = wb[L.SHEET_INFO]
    info.cell(row=L.INFO_FIRST_ROW + 5, column=2, value=rng.choice(["Nguyễn Văn An", "Lò Thị Hoa", "Tòng Văn Minh",
                                                                      "Trần Thị Lan", "Vàng A Sử"]))
    targets = wb[L.SHEET_TARGETS]
    for row in range(L.HEADER_ROW + 1, targets.max_row + 1):
        item = catalogue.get(str(targets.cell(row=row, column=2).value))
        if item is None or rng.random() < 0.05:  # a few indicators left blank: "no figure", not zero
            continue
        if item.source == "education" and not unit.code.endswith("-SGDDT"):
            continue
        if item.kind is Kind.YES_NO:
            targets.cell(row=row, column=6, value=L.YES if rng.random() < 0.85 else L.NO)
        else:
            scale = {"commune": 40, "district_office": 25, "department": 120, "press": 60}.get(unit.level, 50)
            if item.code == "NGUOIDAN_SUDUNG":
                scale = 4000 if unit.level == "commune" else 30000
            denominator = rng.randint(max(2, scale // 3), scale)
            share = min(1.0, rng.uniform(0.55, 1.08))
            targets.cell(row=row, column=4, value=int(denominator * share))
            targets.cell(row=row, column=5, value=denominator)
    acts = wb[L.SHEET_ACTIVITIES]
    for row in range(L.HEADER_ROW + 1, acts.max_row + 1):
        code = acts.cell(row=row, column=2).value
        if rng.random() < 0.15:
            continue
        value = rng.randint(1, 400) * 50_000 if code == "HD_KINHPHI" else rng.randint(0, 40)
        acts.cell(row=row, column=5, value=value)
    text = wb[L.SHEET_TEXT]
    for i, line in enumerate(rng.sample(DIFFICULTIES, rng.randint(0, 2))):
        text.cell(row=L.HEADER_ROW + 1 + i, column=3, value=line)
    for i, line in enumerate(rng.sample(PROPOSALS, rng.randint(0, 2))):
        text.cell(row=L.HEADER_ROW + 1 + L.TEXT_ROWS_PER_KIND + i, column=3, value=line)
    return wb


def create_demo(workspace: Path, province: str = "12", year: int = 2025, run: bool = True) -> Demo:
    """Write workspace.yaml and filled workbooks into inbox/<unit>/; with `run`, ingest and report.

    On-time files are ingested as if it were two days before the first deadline, late ones two
    days after the last, so the completeness sheet shows all three states.
    """
    workspace = Path(workspace)
    config = demo_config(province, year)  # first: a bad province or year creates nothing
    with _new_folder(workspace):
        write_config(workspace, config)
    return _fill_workspace(workspace, config, province, year, run)


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


def _fill_workspace(workspace: Path, config: WorkspaceConfig, province: str, year: int, run: bool) -> Demo:
    from dvctt.intake import ingest  # imported here: creating files must not need the warehouse

    catalogue = load_catalogue()
    registry = load_registry(config)
    rng = random.Random(f"{province}-{year}")
    expected = registry.of_levels(set(config.reporting_levels))
    create_inbox(workspace, expected)  # every unit's folder, as `dvctt template --all` makes them
    on_time: list[Unit] = []
    late: list[Unit] = []
    for unit in expected:
        roll = rng.random()
        if roll < 0.08:
            continue
        (late if roll < 0.18 else on_time).append(unit)
    first_deadline = min(config.deadlines.values())
    last_deadline = max(config.deadlines.values())
    batches = [(on_time, vn_time(first_deadline - timedelta(days=2), time(9, 0))),
               (late, vn_time(last_deadline + timedelta(days=2), time(9, 0)))]
    for units, when in batches:
        for unit in units:
            path = workspace / "inbox" / unit.code / f"bao_cao_dvctt_{year}_{unit.code}.xlsx"
            if not path.exists():
                unit_rng = random.Random(f"{province}-{year}-{unit.code}")
                save_workbook(_fill(unit, config, catalogue, unit_rng), path)
            past = clock.time() - 300  # settled: copied five minutes ago
            os.utime(path, (past, past))
        if run:
            ingest(workspace, now=when)
    return Demo(workspace, config, len(on_time) + len(late), len(late), len(expected) - len(on_time) - len(late))
