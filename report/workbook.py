"""The leadership workbook: targets, units and their ranking, activities, completeness, data-quality
warnings, free text, portal vs units, reconciliation, the 2025 crosswalk, sources, data.

Everything here is Vietnamese and derived only from the warehouse state, with no clock, so the
same state gives the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol, cast

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from core.catalogue import Catalogue, Indicator, Kind
from core.clock import vn_wall
from core.config import WorkspaceConfig
from core.layout import TASK_STATUSES, TEXT_KINDS
from core.progress import progress_bar
from core.records import (
    COVERAGE_COLUMNS,
    FACT_COLUMNS,
    PORTAL_PROBLEM_COLUMNS,
    PORTAL_UNKNOWN_COLUMNS,
    PREVIOUS_COLUMNS,
    RECONCILE_COLUMNS,
    SPLIT_COLUMNS,
    TASK_STATUS_COLUMNS,
    TEXT_COLUMNS,
    UNPLACED_COLUMNS,
    WARNING_COLUMNS,
)
from core.units import LEVEL_LABELS, UnitRegistry
from report import styles as S
from report.charts import (
    MET_COLOUR,
    NOT_MET_COLOUR,
    OTHER_COLOUR,
    PX_PER_IN,
    RankingPanel,
    TargetBar,
    embed_png,
    ranking_png,
    target_png,
)
from report.datasheet import stream_frame
from report.numbers import vn_number, vn_percent, vn_points
from report.tables import PageLabels, keep_legible, setup_print, setup_sheet, write_frame_table, write_note, write_table
from report.xlsx import save_workbook, write_text
from transform.comparison import portal_comparison
from transform.completeness import LATE, MISSING, ON_TIME, summary
from transform.headline import headline_rows
from transform.portal_measures import needs_text
from transform.portal_timeliness import portal_timeliness
from transform.ranking import rank_units
from transform.rollup import portal_sourced, portal_totals, raised_list
from transform.targets import EPS, IN_PROGRESS, MET, NO_DATA, NOT_MET, goals, verdict
from transform.tasks import NOT_REPORTED, task_summary

DEFAULT_FONT = Font(name=S.FONT_NAME, size=11, family=1)
SHEET_LEADER = "Tóm tắt"
SHEET_SUMMARY = "Tổng hợp"
SHEET_BY_UNIT = "Theo đơn vị"
SHEET_RANKING = "Xếp hạng"
SHEET_WARNINGS = "Cảnh báo dữ liệu"
SHEET_PORTAL = "Cổng DVC và đơn vị"
SHEET_PORTAL_CHECKS = "Kiểm tra tệp Cổng DVC"
SHEET_RECONCILE = "Đối chiếu số liệu"
SHEET_CROSSWALK = "Sáp nhập, chia tách"
SHEET_YOY = "So với năm trước"
SHEET_TASKS = "Nhiệm vụ, kế hoạch"
SHEET_DATA = "Dữ liệu"
ESTIMATED = "Ước tính"
RANKED_LEVELS = ["province", "district", "department", "district_office", "commune", "press"]  # print order
AGGREGATE_LEVELS = {"country", "province", "district"}
SIGNED_PCT_FMT = S.VN_SIGNED_PCT_FMT
SIGNED_INT_FMT = S.VN_SIGNED_INT_FMT
INT_FMT, PCT_FMT = S.VN_INT_FMT, S.VN_PCT_FMT
# Sheets for IT and analysts: kept in the file but hidden, so that neither Excel nor LibreOffice prints them (both
# print and export only visible sheets); a reader shows them with a right click on a sheet tab › Hiện/Unhide.
TECHNICAL_SHEETS = (SHEET_BY_UNIT, SHEET_WARNINGS, SHEET_PORTAL, SHEET_PORTAL_CHECKS, SHEET_RECONCILE, SHEET_CROSSWALK,
                    SHEET_YOY, "Nguồn số liệu", SHEET_DATA)
STATUS_FILLS = {MET: S.MET_FILL, NOT_MET: S.NOT_MET_FILL, IN_PROGRESS: S.HEADER_FILL, NO_DATA: S.LOCKED_FILL}
STATUS_COLOURS = {MET: MET_COLOUR, NOT_MET: NOT_MET_COLOUR, IN_PROGRESS: OTHER_COLOUR}
DRAFT, FINAL = "DỰ THẢO", "CHÍNH THỨC"
DATA_WIDTHS = {"unit_code": 12, "unit_name": 40, "level": 16, "indicator_code": 24}
PX_PER_CHAR = 7  # an Excel column-width unit in pixels, to size a picture to its table


ON_TIME_LABEL = "Tỷ lệ hồ sơ giải quyết trước hạn và đúng hạn"


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=columns)


@dataclass
class History:
    """Last year's figures on this year's units (`dvctt.pipeline`, `transform.history`)."""

    year: int
    data: pd.DataFrame  # last year's rollup on this year's units (DATA_COLUMNS)
    yoy: pd.DataFrame  # PREVIOUS_COLUMNS: one row per row of this year's rollup
    splits: pd.DataFrame  # SPLIT_COLUMNS: the split units last year's figures were shared out from
    unplaced: pd.DataFrame  # UNPLACED_COLUMNS: last year's files with no place on this year's units
    has_data: bool  # whether the warehouse holds any figure of that year
    _root: dict[str, pd.Series] | None = field(default=None, repr=False)

    def root_rows(self, root: str) -> dict[str, pd.Series]:
        """indicator code → the `yoy` row of the report's root: read once, not per item and sheet."""
        if self._root is None:
            rows = self.yoy[self.yoy["unit_code"] == root]
            self._root = {code: row for code, (_, row) in zip(rows["indicator_code"], rows.iterrows(), strict=True)}
        return self._root


@dataclass
class ReportInputs:
    """Everything the workbook shows, read once from the warehouse so building it needs no database.

    `registry` is the report's scope (a whole province, or one unit's subtree); every frame holds
    only that scope's rows, except the portal's problems and unknown agencies, which are about the
    export files as a whole.
    """

    config: WorkspaceConfig  # its report_window is the report's window, ad hoc or yearly
    registry: UnitRegistry
    catalogue: Catalogue
    data: pd.DataFrame  # transform.rollup output, the portal feeding its indicators
    status: pd.DataFrame  # transform.completeness.unit_status output
    texts: pd.DataFrame
    sources: pd.DataFrame
    quarantined: pd.DataFrame
    warnings: pd.DataFrame = field(default_factory=lambda: _empty(WARNING_COLUMNS))  # Warehouse.current_warnings()
    # The portal's own figures per unit code (Warehouse.portal_facts): FACT_COLUMNS, extra columns ignored.
    portal_facts: pd.DataFrame = field(default_factory=lambda: _empty(FACT_COLUMNS))
    portal_problems: pd.DataFrame = field(default_factory=lambda: _empty(PORTAL_PROBLEM_COLUMNS))
    portal_unknown: pd.DataFrame = field(default_factory=lambda: _empty(PORTAL_UNKNOWN_COLUMNS))
    reconciliation: pd.DataFrame = field(default_factory=lambda: _empty(RECONCILE_COLUMNS))  # transform.reconcile
    splits: pd.DataFrame = field(default_factory=lambda: _empty(SPLIT_COLUMNS))  # transform.split_list
    unplaced: pd.DataFrame = field(default_factory=lambda: _empty(UNPLACED_COLUMNS))  # transform.unplaced_list
    ad_hoc: bool = False  # an on-demand (đột xuất) window rather than the yearly one
    coverage: pd.DataFrame = field(default_factory=lambda: _empty(COVERAGE_COLUMNS))  # transform.history.coverage
    history: History | None = None  # none for an ad hoc window or before the first year
    tasks: pd.DataFrame = field(default_factory=lambda: _empty(TASK_STATUS_COLUMNS))  # transform.tasks
    plans: pd.DataFrame = field(default_factory=lambda: _empty(TEXT_COLUMNS))  # the units' plans (texts ke_hoach)
    # When the report was produced and whether it is the final version: inputs (the application passes its clock),
    # so that the same inputs give the same bytes. None: the time is not printed.
    produced_at: datetime | None = None
    final: bool = False

    def name(self, code: object) -> str:
        """A unit's name in this report, old codes included ("" for anything the registry does not know)."""
        unit = self.registry.get(code) if isinstance(code, str) else None
        return unit.name if unit else ""


def _blank_nan(value: float | None) -> float | None:
    """A missing figure (NaN from pandas) as an empty cell."""
    return None if value is None or math.isnan(value) else float(value)


def _label(labels: Mapping[str, str], value: object) -> object:
    """`labels.get(value, value)` for a value read from a frame."""
    return labels.get(value, value) if isinstance(value, str) else value


def _verdict_fill(value: object, goal: float | None) -> PatternFill | None:
    v = verdict(value if isinstance(value, float | int) else None, goal)
    return None if not v else S.MET_FILL if v == MET else S.NOT_MET_FILL


def ranked_levels(ranking: pd.DataFrame) -> list[str]:
    return [lvl for lvl in RANKED_LEVELS if (ranking["level"] == lvl).any()]


def ranking_rule(year: int, levels: list[str]) -> str:
    groups = "; ".join(LEVEL_LABELS[lvl] for lvl in levels)
    return (f"Cách xếp hạng: các đơn vị được xếp hạng riêng trong từng cấp ({groups}). Chỉ tiêu áp dụng cho một đơn "
            f"vị là chỉ tiêu có mục tiêu được đánh giá trong năm {year} (mục tiêu của năm sau, ví dụ 2030, chưa tính), "
            f"có trong biểu mẫu của cấp đó và liên quan đến đơn vị (chỉ tiêu về học sinh, trường học chỉ tính cho cơ "
            f"quan giáo dục); chỉ tiêu có mẫu số bằng 0 không tính; chỉ tiêu bỏ trống tính là chưa đạt. Chỉ tiêu đạt "
            f"khi kết quả ≥ mục tiêu; tỷ lệ chỉ tiêu đạt = số chỉ tiêu đạt ÷ số chỉ tiêu áp dụng. Điểm = trung bình "
            f"mức đạt của các chỉ tiêu áp dụng, mức đạt = kết quả ÷ mục tiêu, tối đa 100% (bỏ trống: 0). Xếp hạng theo "
            f"điểm, từ cao xuống thấp; các đơn vị bằng điểm thì cùng hạng (ví dụ 1, 1, 3). Đơn vị chưa có số liệu nào "
            f"không được xếp hạng.")


def _labels(inp: ReportInputs) -> tuple[str, str, PageLabels]:
    """(period, subtitle, page labels): a yearly report names its year, an ad hoc one its dates."""
    cfg, window = inp.config, inp.config.report_window
    root = inp.registry.units[inp.registry.root]
    dates = f"{window.start:%d/%m/%Y} – {window.end:%d/%m/%Y}"
    period = f"kỳ {dates} (báo cáo đột xuất)" if inp.ad_hoc else f"năm {cfg.year}"
    subtitle = (f"{root.name} – {'Báo cáo đột xuất' if inp.ad_hoc else f'Năm {cfg.year}'} – Kỳ số liệu {dates} "
                f"– Hệ thống {inp.registry.hierarchy} cấp – Cơ quan tổng hợp: {cfg.lead_agency}")
    page = PageLabels(unit=f"{cfg.lead_agency} – {root.name}", cutoff=window.end, size=S.NORMAL.size or 12,
                      report=f"Báo cáo kết quả thực hiện Đề án 1588/QĐ-TTg {period} – {root.name}",
                      stamp=stamp(inp.produced_at, inp.final))
    return period, subtitle, page


def stamp(produced_at: datetime | None, final: bool) -> str:
    """"DỰ THẢO – lập lúc 08:05 ngày 01/12/2026" (Vietnam's wall clock): what every printed page says of its version."""
    kind = FINAL if final else DRAFT
    if produced_at is None:
        return kind
    wall = vn_wall(produced_at)
    return f"{kind} – lập lúc {wall:%H:%M} ngày {wall:%d/%m/%Y}"


def build_workbook(inp: ReportInputs, *, progress: bool = False) -> Workbook:
    period, subtitle, page = _labels(inp)
    ranking = rank_units(inp.data, inp.registry, inp.catalogue, inp.config.year)
    timeliness = portal_timeliness(inp.registry, inp.portal_facts, inp.catalogue)
    headline = headline_rows(inp, inp.config.year)
    wb = Workbook()
    # Column widths are counted in characters of the workbook's default font: Times New Roman, whose metrics every
    # LibreOffice has (Liberation Serif), rather than openpyxl's Calibri, for which a LibreOffice without Carlito
    # substitutes a wider font and prints every sheet smaller than Excel would.
    wb._fonts = IndexedList([DEFAULT_FONT])  # type: ignore[attr-defined]  # no public API for the default font
    sheets: list[tuple[str, Callable[[Worksheet], None]]] = [
        (SHEET_LEADER, lambda ws: _leader(ws, inp, headline, period, page)),
        (SHEET_SUMMARY, lambda ws: _summary(ws, inp, headline, period, subtitle, page)),
        (SHEET_BY_UNIT, lambda ws: _by_unit(ws, inp, ranking, timeliness, subtitle, page)),
        (SHEET_RANKING, lambda ws: _ranking(ws, inp, ranking, subtitle, page)),
        ("Hoạt động", lambda ws: _activities(ws, inp, subtitle, page)),
        ("Tình hình nộp", lambda ws: _completeness(ws, inp, subtitle, page)),
        (SHEET_WARNINGS, lambda ws: _warnings(ws, inp, subtitle, page)),
        ("Khó khăn, kiến nghị", lambda ws: _texts(ws, inp, subtitle, page)),
        (SHEET_PORTAL, lambda ws: _portal(ws, inp, timeliness, subtitle, page)),
        (SHEET_PORTAL_CHECKS, lambda ws: _portal_checks(ws, inp, subtitle, page)),
        (SHEET_RECONCILE, lambda ws: _reconciliation(ws, inp, subtitle, page)),
        (SHEET_CROSSWALK, lambda ws: _crosswalk(ws, inp, subtitle, page)),
        (SHEET_YOY, lambda ws: _year_on_year(ws, inp, subtitle, page)),
        (SHEET_TASKS, lambda ws: _tasks(ws, inp, subtitle, page)),
        ("Nguồn số liệu", lambda ws: _sources(ws, inp, subtitle, page)),
        (SHEET_DATA, lambda ws: _data(ws, inp, page)),
    ]
    for n, (title, write) in enumerate(progress_bar(sheets, "Ghi báo cáo", enabled=progress)):
        ws = wb.worksheets[0] if n == 0 else wb.create_sheet()
        ws.title = title
        write(ws)
        if title in TECHNICAL_SHEETS:
            ws.sheet_state = "hidden"
        elif title != SHEET_LEADER:
            keep_legible(ws)
    return wb


def _pct(value: float) -> str:
    return f"{value:.1%}".replace(".", ",")


def _label_of(ind: Indicator) -> str:
    """An indicator's label, marked when it is a stand-in (chỉ số thay thế) for the target's wording."""
    return ind.label if not ind.stand_in or "thay thế" in ind.label else f"{ind.label} (chỉ số thay thế)"


def _reach(inp: ReportInputs) -> dict[str, tuple[int, int]]:
    """indicator code → (units with a figure, units expected to have one)."""
    c = inp.coverage
    return {code: (int(n), int(of)) for code, n, of in zip(c["indicator_code"], c["covered"], c["expected"],
                                                           strict=True)}


def _previous(inp: ReportInputs, code: str) -> pd.Series | None:
    """Last year's row of the report's root for `code` (None when there is no history)."""
    return inp.history.root_rows(inp.registry.root).get(code) if inp.history is not None else None


def _summary_note(inp: ReportInputs, ind: Indicator, value: float, maintained: bool, last: pd.Series | None,
                  reason: str | None) -> str:
    """What a leader must know beside a figure: a stand-in, a kept goal, why there is no figure (`reason`, the
    headline's for a target), an estimate."""
    notes = []
    if ind.stand_in:
        notes.append(f"Chỉ số thay thế: {ind.stand_in}.")
    if maintained:
        notes.append("Duy trì mục tiêu năm trước.")
    if pd.isna(value):
        if reason:
            notes.append(f"{NO_DATA}: {reason}.")
        elif ind.source == "portal":
            notes.append(f"{NO_DATA}: {needs_text(ind.code) or 'tệp xuất từ Cổng DVC chưa có số liệu'}.")
        else:
            notes.append(f"{NO_DATA}: chưa đơn vị nào báo cáo.")
        if ind.code == "HOSO_TRUCTUYEN":
            online = portal_totals(inp.registry, inp.portal_facts, inp.catalogue, ["PORTAL_TRUCTUYEN"])
            root = online[online["unit_code"] == inp.registry.root]
            if len(root) and pd.notna(root["value"].iloc[0]):
                notes.append(f"Tham khảo (không phải chỉ tiêu này): hồ sơ tiếp nhận trực tuyến mọi mức độ "
                             f"chiếm {_pct(root['value'].iloc[0])} hồ sơ tiếp nhận.")
    if last is not None and last["previous_split_units"] > 0:
        notes.append(f"Năm {inp.history.year if inp.history else ''}: {ESTIMATED.lower()} (gồm phần chia của "
                     f"{last['previous_split_units']} đơn vị cũ).")
    return " ".join(notes)


# 9 pt text printed at 100 %: the widths (in characters of DEFAULT_FONT) fill landscape A4 within LEADER_MARGIN, and
# the rows one page; 9 pt Times New Roman fits ~1.4 characters a unit (LibreOffice's rendering of the demo).
LEADER_WIDTHS = [3, 39, 11, 16, 10, 11.5, 8, 8, 10, 9.5, 18]  # 144, and each column's padding: 284 mm
LEADER_PT = 9
LEADER_CHARS_PER_UNIT = 1.4
LEADER_LINE_PT = 10.5  # Liberation Serif / Times New Roman 9 pt: 10.35 pt a line
LEADER_MARGIN = 0.25  # inches left and right (0.45 top and bottom)
LEADER_FONT = Font(name=S.FONT_NAME, size=LEADER_PT)
LEADER_BOLD = Font(name=S.FONT_NAME, size=LEADER_PT, bold=True)
MISSING_SHOWN = 1  # unit names shown per target on the one-page sheet (the count of the others beside)


def _or_dash(value: object, render: Callable[[float], str]) -> str:
    return render(cast(float, value)) if value is not None and not pd.isna(cast(float, value)) else "–"


def _missing_text(names: tuple[str, ...], source: str) -> str:
    if source == "portal":
        return "(số liệu Cổng DVC)"
    if not names:
        return "Không"
    more = len(names) - MISSING_SHOWN
    return ", ".join(names[:MISSING_SHOWN]) + (f" và {more} đơn vị khác" if more > 0 else "")


def leader_table(inp: ReportInputs, headline: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """The leader sheet's headers and rows, every figure written as Vietnamese text (report.numbers)."""
    year = inp.config.year
    before = inp.history.year if inp.history is not None else year - 1
    headers = ["TT", "Chỉ tiêu", f"Mục tiêu năm {year}", f"Kết quả năm {year} (tử số/mẫu số)",
               "Chênh lệch so với mục tiêu", "Đánh giá", "Đơn vị có số liệu / phải có", f"Kết quả năm {before}",
               "Thay đổi so với năm trước", "Mục tiêu các năm sau", "Đơn vị chưa báo cáo chỉ tiêu"]
    sources = {i.code: i.source for i in inp.catalogue.indicators}
    rows = []
    for n, r in enumerate(headline.itertuples(), start=1):
        if r.goal is None:
            goal = "Chưa đến năm mục tiêu"
        else:
            goal = vn_percent(cast(float, r.goal), 0) + (f" (từ {r.goal_year})" if r.goal_year != year else "")
        if r.status == NO_DATA:  # the status says "Chưa có số liệu"; the result column says why
            reason = cast(str, r.reason)
            result = reason[:1].upper() + reason[1:]
        elif r.numerator is not None and r.denominator is not None:
            result = (f"{vn_percent(cast(float, r.value))}\n({vn_number(cast(float, r.numerator))}/"
                      f"{vn_number(cast(float, r.denominator))})")
        else:
            result = vn_percent(cast(float, r.value))
        horizon = (f"{vn_percent(cast(float, r.horizon_goal), 0)} năm {cast(int, r.horizon_year)}"
                   if r.horizon_year is not None
                   else "–")
        rows.append([str(n), cast(str, r.name), goal, result, _or_dash(r.gap_pp, vn_points), cast(str, r.status),
                     f"{r.units_with_data}/{r.units_expected}", _or_dash(r.previous_value, vn_percent),
                     _or_dash(r.change, vn_points), horizon,
                     _missing_text(cast(tuple, r.missing_units), sources[cast(str, r.indicator_code)])])
    return headers, rows


def _lines(text: str, width: float) -> int:
    return sum(max(1, math.ceil(len(part) / (width * LEADER_CHARS_PER_UNIT))) for part in text.split("\n"))


def _merged(ws: Worksheet, row: int, text: str, font: Font, columns: int, height: float | None = None) -> None:
    cell = ws.cell(row=row, column=1)
    write_text(cell, text)
    cell.font, cell.alignment = font, S.WRAP
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    if height:
        ws.row_dimensions[row].height = height


def _leader(ws: Worksheet, inp: ReportInputs, headline: pd.DataFrame, period: str, page: PageLabels) -> None:
    """One landscape page a leader can sign: the headline, then each target's figures (contract of issue 13:
    transform.headline), in 9 pt text printed unscaled, with Vietnamese separators in any program."""
    year, cols = inp.config.year, len(LEADER_WIDTHS)
    root = inp.registry.units[inp.registry.root].name
    judged = headline[headline["goal_year"].notna()]
    met = int((judged["status"] == MET).sum())
    missing = int((inp.status["status"] == MISSING).sum())
    _merged(ws, 1, f"KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU ĐỀ ÁN 1588/QĐ-TTg {period.upper()} – {root.upper()}",
            Font(name=S.FONT_NAME, size=12, bold=True), cols, 17)
    _merged(ws, 2, f"Đạt {met}/{len(judged)} chỉ tiêu năm {year} · {missing} đơn vị chưa nộp",
            Font(name=S.FONT_NAME, size=13, bold=True), cols, 19)
    note = (f"Chỉ tiêu được đánh giá từ năm mục tiêu của nó; mục tiêu các năm sau: theo dõi tiến độ («{IN_PROGRESS}»). "
            f"Chênh lệch, thay đổi: điểm phần trăm. Chi tiết ở các trang sau (trang kỹ thuật: ẩn, không in).")
    _merged(ws, 3, note, Font(name=S.FONT_NAME, size=LEADER_PT, italic=True), cols,
            LEADER_LINE_PT * _lines(note, sum(LEADER_WIDTHS)) + 2)
    headers, rows = leader_table(inp, headline)
    header_row = 4
    for c, (text, width) in enumerate(zip(headers, LEADER_WIDTHS, strict=True), start=1):
        cell = ws.cell(row=header_row, column=c)
        write_text(cell, text)
        cell.font, cell.fill, cell.border, cell.alignment = LEADER_BOLD, S.HEADER_FILL, S.BOX, S.CENTER
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.row_dimensions[header_row].height = LEADER_LINE_PT * max(
        _lines(h, w - 1) for h, w in zip(headers, LEADER_WIDTHS, strict=True)) + 2
    for i, values in enumerate(rows):
        r = header_row + 1 + i
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c)
            write_text(cell, value)
            cell.font, cell.border, cell.alignment = LEADER_FONT, S.BOX, S.WRAP
            if c == 6 and value in STATUS_FILLS:
                cell.fill = STATUS_FILLS[value]
        ws.row_dimensions[r].height = LEADER_LINE_PT * max(
            _lines(v, w) for v, w in zip(values, LEADER_WIDTHS, strict=True)) + 2
    st = inp.status
    done = (f"Tình hình nộp báo cáo: {len(st)} đơn vị phải báo cáo; {int((st['status'] == ON_TIME).sum())} đúng hạn, "
            f"{int((st['status'] == LATE).sum())} trễ hạn, {missing} chưa nộp (danh sách ở trang «Tình hình nộp»).")
    _merged(ws, header_row + len(rows) + 1, done, LEADER_BOLD, cols)
    setup_print(ws, header_row, page)
    margins = ws.page_margins
    margins.left = margins.right = LEADER_MARGIN
    margins.top = margins.bottom = 0.45
    margins.header = margins.footer = 0.2
    ws.page_setup.fitToHeight = 1  # one page: at 100 % when the rows fit, as they do for the catalogue's targets
    ws.freeze_panes = f"A{header_row + 1}"


def _summary(ws: Worksheet, inp: ReportInputs, headline: pd.DataFrame, period: str, subtitle: str,
             page: PageLabels) -> None:
    setup_sheet(ws, f"KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU ĐỀ ÁN 1588/QĐ-TTg {period.upper()}", subtitle, 4, page)
    root = inp.data[inp.data["unit_code"] == inp.registry.root].set_index("indicator_code")
    year = inp.config.year
    reach = _reach(inp)
    before = inp.history.year if inp.history is not None else year - 1
    state = dict(zip(headline["indicator_code"], headline["status"], strict=True))
    reasons = dict(zip(headline["indicator_code"], headline["reason"], strict=True))
    targeted = [i for i in inp.catalogue.indicators if i.code in state]  # judged this year or a later target
    rest = [i for i in inp.catalogue.indicators if i.code not in state]
    rows = []
    for n, ind in enumerate([*targeted, *rest], start=1):
        r = root.loc[ind.code]
        if not isinstance(r, pd.Series):
            raise ValueError(f"The report's root has {len(r)} rows for {ind.code}")
        target, later = ind.target(year), ind.horizon(year)
        goal = target.goal if target else None
        last = _previous(inp, ind.code)
        covered, expected = reach.get(ind.code, (None, None))
        note = _summary_note(inp, ind, r["value"], bool(target and target.maintained), last, reasons.get(ind.code))
        if later is not None:
            note = f"Mục tiêu năm {later.year}: {vn_percent(later.goal, 0)} (theo dõi tiến độ). {note}".strip()
        rows.append([n, ind.code, _label_of(ind), goal, target.year if target else None, r["value"], r["numerator"],
                     r["denominator"], state.get(ind.code) or None, covered, expected,
                     last["previous_value"] if last is not None else None,
                     last["change"] if last is not None else None,
                     "Cổng DVC" if ind.source == "portal" else "Đơn vị báo cáo", note or None])
    widths = [5, 22, 44, 9, 8, 9, 11, 11, 12, 8, 8, 10, 10, 10, 30]  # one page wide at 9 pt, column B hidden
    if inp.ad_hoc:
        end = inp.config.report_window.end
        note = (f"Báo cáo đột xuất: số liệu Cổng DVC tính trong kỳ báo cáo; số liệu do các đơn vị báo cáo là số liệu "
                f"năm {year} hiện có khi lập báo cáo (đơn vị báo cáo theo năm, không tách theo kỳ); hạn nộp tính đến "
                f"hết ngày {end:%d/%m/%Y}.")
    else:
        note = (f"Mục tiêu theo Quyết định 1588/QĐ-TTg (tỉnh có thể khai báo mục tiêu riêng); sau năm mục tiêu cuối "
                f"cùng, mục tiêu của năm đó được duy trì; mục tiêu của một năm sau (ví dụ 2030) chỉ được đánh giá từ "
                f"năm đó, trước đó ghi «{IN_PROGRESS}». «Đơn vị có số liệu / "
                f"phải có số liệu»: số đơn vị phải báo cáo chỉ tiêu (hoặc có hồ sơ trên Cổng DVC) và số đơn vị đã có "
                f"số liệu. Cột năm {before}: số liệu năm {before} tính theo đơn vị hành chính năm {year} (qua bảng "
                f"sáp nhập, xem trang «{SHEET_CROSSWALK}» và «{SHEET_YOY}»); thay đổi tính bằng điểm phần trăm. Chỉ "
                f"tiêu không có mục tiêu là nhiệm vụ của kế hoạch, chỉ báo cáo kết quả.")
    write_note(ws, 3, note, len(widths), sum(widths))
    last_row = write_table(ws, 4, ["STT", "Mã chỉ tiêu", "Chỉ tiêu", "Mục tiêu", "Năm mục tiêu", "Kết quả", "Tử số",
                                   "Mẫu số", "Đánh giá", "Đơn vị có số liệu", "Đơn vị phải có số liệu",
                                   f"Kết quả năm {before}", "Thay đổi so với năm trước", "Nguồn", "Ghi chú"],
                           rows, widths, {3: PCT_FMT, 5: PCT_FMT, 6: INT_FMT, 7: INT_FMT, 9: INT_FMT,
                                          10: INT_FMT, 11: PCT_FMT, 12: SIGNED_PCT_FMT},
                           fill=lambda _i, c, v: STATUS_FILLS.get(cast(str, v)) if c == 8 else None,
                           wrap_columns=[2, 14])
    ws.column_dimensions["B"].hidden = True  # the catalogue code: for filters and checks, never printed
    st = inp.status
    note_cell = ws.cell(row=last_row + 2, column=1)
    write_text(note_cell, f"Tình hình nộp báo cáo: {len(st)} đơn vị phải báo cáo; "
                          f"{int((st['status'] == ON_TIME).sum())} đúng hạn, {int((st['status'] == LATE).sum())} trễ "
                          f"hạn, {int((st['status'] == MISSING).sum())} chưa nộp.")
    note_cell.font = S.BOLD
    ws.row_breaks.append(Break(id=last_row + 2))
    title = ws.cell(row=last_row + 4, column=1)
    write_text(title, f"Kết quả so với mục tiêu {period} – {inp.registry.units[inp.registry.root].name}")
    title.font = S.BOLD
    bars = [TargetBar(cast(str, r.name), cast(float | None, r.value), cast(float | None, r.goal),
                      cast(int | None, r.goal_year), cast(str, r.status),
                      f"mục tiêu năm {cast(int, r.horizon_year)}: {vn_percent(cast(float, r.horizon_goal), 0)}"
                      if r.horizon_year is not None else "") for r in headline.itertuples()]
    visible = sum(w for c, w in enumerate(widths) if c != 1)
    width_px = round(visible * PX_PER_CHAR)
    embed_png(ws, target_png(bars, STATUS_COLOURS, width_px / PX_PER_IN), f"A{last_row + 5}", width_px=width_px)


def _by_unit(ws: Worksheet, inp: ReportInputs, ranking: pd.DataFrame, timeliness: pd.DataFrame, subtitle: str,
             page: PageLabels) -> None:
    """Each unit's ratios, the portal's included, coloured against the target, and the portal's on-time rate
    (no target: never coloured), with its rank; a unit whose figures include shares of split old communes is
    marked as estimated."""
    setup_sheet(ws, "KẾT QUẢ CHỈ TIÊU THEO ĐƠN VỊ VÀ XẾP HẠNG", subtitle, 4, page)
    goal_of = goals(inp.catalogue, inp.config.year)
    from_portal = portal_sourced(inp.catalogue)
    inds = [i for i in inp.catalogue.indicators if i.kind is not Kind.COUNT]
    d = inp.data
    values = dict(zip(zip(d["unit_code"], d["indicator_code"], strict=True), d["value"], strict=True))
    split = d.groupby("unit_code", sort=False)["split_units"].max().to_dict()
    scores = {r.unit_code: [r.met, r.applicable, r.share, r.score, r.rank] for r in ranking.itertuples()}
    on_time = dict(zip(timeliness["unit_code"], timeliness["value"], strict=True))
    units = list(inp.registry.walk())
    rows = [[u.code, u.name, LEVEL_LABELS[u.level], *(values[(u.code, i.code)] for i in inds), _blank_nan(on_time[u.code]),
             *scores.get(u.code, [None] * 5),
             f"{ESTIMATED}: gồm phần chia của {split[u.code]} đơn vị cũ" if split[u.code] else None] for u in units]
    first_score = 3 + len(inds) + 1
    widths = [12, 32, 18, *([12] * (len(inds) + 1)), 9, 10, 9, 9, 9, 18]
    headers = ["Mã", "Đơn vị", "Cấp", *(f"{_label_of(i)} (Cổng DVC)" if i.code in from_portal else _label_of(i)
                                        for i in inds),
               f"{ON_TIME_LABEL} (Cổng DVC)", "Chỉ tiêu đạt", "Chỉ tiêu áp dụng", "Tỷ lệ chỉ tiêu đạt", "Điểm",
               "Xếp hạng trong cấp", "Ghi chú"]
    year = inp.config.year
    write_note(ws, 3, f"Ô màu xanh: đạt mục tiêu năm {year}; ô màu đỏ: chưa đạt. Chỉ tiêu ghi (Cổng DVC) lấy từ số "
                      f"liệu thống kê của Cổng DVC (hồ sơ của chính đơn vị và các đơn vị trực thuộc) và không tính vào "
                      f"xếp hạng; {ON_TIME_LABEL.lower()} không có mục tiêu nên không tô màu, tử số và mẫu số xem ở "
                      f"trang «{SHEET_PORTAL}». {ranking_rule(year, ranked_levels(ranking))}", len(headers), sum(widths))
    goal_values = [goal_of.get(i.code, (None, None))[1] for i in inds] + [None]  # the on-time rate has no target
    write_table(ws, 4, headers, rows, widths, {**{k: PCT_FMT for k in range(3, first_score)}, first_score + 2: PCT_FMT,
                                            first_score + 3: PCT_FMT},
                fill=lambda _i, c, v: _verdict_fill(v, goal_values[c - 3]) if 3 <= c < first_score else None,
                bold_rows=[n for n, u in enumerate(units) if u.level in AGGREGATE_LEVELS])
    ws.freeze_panes = "D5"


def _ranking(ws: Worksheet, inp: ReportInputs, ranking: pd.DataFrame, subtitle: str, page: PageLabels) -> None:
    """The league table per level, best first, with a picture of it on top."""
    year = inp.config.year
    widths = [20, 9, 12, 38, 26, 9, 10, 10, 9, 18]
    levels = ranked_levels(ranking)
    write_note(ws, 3, ranking_rule(year, levels), len(widths), sum(widths))
    panels = []
    for lvl in levels:
        ranked = ranking[(ranking["level"] == lvl) & ranking["rank"].notna()]
        if len(ranked):
            # Same-named units (every district's "Phòng Văn hóa…") are told apart by their parent.
            same_name = ranked["unit_name"].duplicated(keep=False)
            labels = [f"{r.rank}. {r.unit_name}" + (f" ({cast(str, r.parent_name)})" if same and r.parent_name else "")
                      for r, same in zip(ranked.itertuples(), same_name, strict=True)]
            panels.append(RankingPanel(f"{LEVEL_LABELS[lvl]}: điểm ({len(ranked)} đơn vị)", labels,
                                       list(ranked["score"])))
    header_row = 5
    if panels:
        width_px = round(sum(widths) * PX_PER_CHAR)
        height_px = embed_png(ws, ranking_png(panels, width_px / PX_PER_IN), "A5", width_px=width_px)
        header_row = 5 + math.ceil(height_px / 20) + 1  # default rows are 15 pt = 20 px
    setup_sheet(ws, f"XẾP HẠNG ĐƠN VỊ THEO MỨC ĐẠT CHỈ TIÊU NĂM {year}", subtitle, header_row, page)
    ws.row_breaks.append(Break(id=header_row - 1))
    ordered = ranking.assign(order=ranking["level"].map(RANKED_LEVELS.index)).sort_values("order", kind="stable")
    rows = [[LEVEL_LABELS[cast(str, r.level)], r.rank, r.unit_code, r.unit_name, r.parent_name, r.met, r.applicable, r.share,
             r.score, r.note] for r in ordered.itertuples()]
    write_table(ws, header_row, ["Cấp", "Xếp hạng", "Mã", "Đơn vị", "Đơn vị cấp trên", "Chỉ tiêu đạt",
                                 "Chỉ tiêu áp dụng", "Tỷ lệ chỉ tiêu đạt", "Điểm", "Ghi chú"], rows, widths,
                {7: PCT_FMT, 8: PCT_FMT},
                fill=lambda _i, c, v: (S.MET_FILL if v >= 1 - EPS else S.NOT_MET_FILL)
                if c == 7 and isinstance(v, float | int) else None)


def _activities(ws: Worksheet, inp: ReportInputs, subtitle: str, page: PageLabels) -> None:
    """The area's total of each activity (with how many units it covers and last year's), then every unit's."""
    setup_sheet(ws, "KẾT QUẢ CÁC HOẠT ĐỘNG TUYÊN TRUYỀN", subtitle, 4, page)
    acts = inp.catalogue.activities
    d = inp.data
    counts = dict(zip(zip(d["unit_code"], d["indicator_code"], strict=True), d["numerator"], strict=True))
    root = inp.registry.root
    reach = _reach(inp)
    before = inp.history.year if inp.history is not None else inp.config.year - 1
    totals = []
    for n, a in enumerate(acts, start=1):
        last = _previous(inp, a.code)
        estimated = (f"Năm {before}: {ESTIMATED.lower()} (gồm phần chia của {last['previous_split_units']} đơn vị "
                     "cũ)") if last is not None and last["previous_split_units"] > 0 else None
        covered, expected = reach.get(a.code, (None, None))
        totals.append([n, a.code, a.label, a.unit, counts[(root, a.code)], covered, expected,
                       last["previous_value"] if last is not None else None,
                       last["change"] if last is not None else None, estimated])
    widths = [5, 22, 42, 14, 14, 10, 10, 14, 14, 18]
    write_note(ws, 3, "Tổng toàn địa bàn (hoạt động «Trong đó» là một phần của hoạt động ngay trên, không cộng "
                      "thêm); «Đơn vị có số liệu / phải có số liệu» tính trên các đơn vị phải báo cáo có hoạt động "
                      "trong biểu mẫu. Số liệu từng đơn vị ở bảng bên dưới.", len(widths), sum(widths))
    last_row = write_table(ws, 4, ["STT", "Mã hoạt động", "Hoạt động", "Đơn vị tính", "Tổng", "Đơn vị có số liệu",
                                   "Đơn vị phải có số liệu", f"Năm {before}", "Thay đổi so với năm trước", "Ghi chú"],
                           totals, widths, {4: INT_FMT, 5: INT_FMT, 6: INT_FMT, 7: INT_FMT, 8: SIGNED_INT_FMT},
                           wrap_columns=[2])
    start = last_row + 3
    ws.cell(row=start - 1, column=1, value="Kết quả theo đơn vị").font = S.BOLD
    units = list(inp.registry.walk())
    rows = [[u.code, u.name, LEVEL_LABELS[u.level], *(counts[(u.code, a.code)] for a in acts)] for u in units]
    write_table(ws, start, ["Mã", "Đơn vị", "Cấp", *(f"{a.label} ({a.unit})" for a in acts)], rows,
                [12, 32, 18, *([12] * len(acts))], {k: INT_FMT for k in range(3, 3 + len(acts))},
                bold_rows=[n for n, u in enumerate(units) if u.level in AGGREGATE_LEVELS])
    for c, width in enumerate(widths, start=1):  # the columns the two tables share fit both
        dim = ws.column_dimensions[get_column_letter(c)]
        dim.width = max(width, dim.width or 0)
    # The leaders' print is the area's totals; every unit's counts stay on screen (and in «Dữ liệu»).
    ws.print_area = f"A1:{get_column_letter(len(widths))}{last_row}"
    ws.auto_filter.ref = None


def _named(codes: str, inp: ReportInputs) -> str:
    """"03391, 03394 (một phần)" (transform.completeness) with each code's name."""
    if not codes:
        return ""
    named = []
    for part in codes.split(", "):
        code, _, rest = part.partition(" ")
        other = inp.registry.dual.get(code) if "cũ" in rest or "mới" in rest else None
        named.append(f"{code} {other.unit.name if other else inp.name(code)}" + (f" {rest}" if rest else ""))
    return "; ".join(named)


def _completeness(ws: Worksheet, inp: ReportInputs, subtitle: str, page: PageLabels) -> None:
    setup_sheet(ws, "TÌNH HÌNH NỘP BÁO CÁO", subtitle, 4, page)
    st = inp.status.assign(level_label=inp.status["level"].map(LEVEL_LABELS))
    by_level = summary(st, ["level_label"])
    rows = [[r.level_label, r.expected, r[ON_TIME], r[LATE], r[MISSING], r.rate, r.on_time_rate]
            for _, r in by_level.iterrows()]
    widths = [34, 10, 14, 22, 12, 16, 12, 28, 28]  # shared by the three tables below, one page wide at 9 pt
    write_note(ws, 3, "Chỉ tính các đơn vị tồn tại trong kỳ báo cáo. Từ 01/07/2025 một xã/phường mới có thể được tính "
                      "theo tệp của các xã cũ sáp nhập vào nó (cột «Tính theo tệp của» trong danh sách đơn vị); cột "
                      "«Đơn vị cũ chưa nộp» nêu các xã cũ chưa có tệp khi xã mới chưa tự nộp.", 7, sum(widths[:7]))
    counts = ["Phải báo cáo", ON_TIME, LATE, MISSING, "Tỷ lệ đã nộp", "Tỷ lệ đúng hạn"]
    last = write_table(ws, 4, ["Cấp", *counts], rows, widths[:7], {5: PCT_FMT, 6: PCT_FMT})
    by_parent = summary(st, ["parent_code", "parent_name"])
    start = last + 3
    ws.cell(row=start - 1, column=1, value="Theo đơn vị cấp trên").font = S.BOLD
    rows = [[f"{r.parent_name} ({r.parent_code})", r.expected, r[ON_TIME], r[LATE], r[MISSING], r.rate, r.on_time_rate]
            for _, r in by_parent.iterrows()]
    last = write_table(ws, start, ["Đơn vị cấp trên", *counts], rows, widths[:7], {5: PCT_FMT, 6: PCT_FMT})
    # The unit list starts on its own page, whose header row repeats on every later page.
    start = last + 3
    ws.row_breaks.append(Break(id=last + 1))
    ws.cell(row=start - 1, column=1, value="Danh sách đơn vị").font = S.BOLD
    order = {MISSING: 0, LATE: 1, ON_TIME: 2}
    listing = st.assign(o=st["status"].map(order)).sort_values(["o", "parent_code", "unit_code"], kind="stable")
    rows = [[r.unit_name, r.unit_code, r.level_label, r.parent_name, r.deadline, r.arrived_at, r.status,
             _named(cast(str, r.via), inp), _named(cast(str, r.missing_via), inp)] for r in listing.itertuples()]
    ws.print_title_rows = f"{start}:{start}"
    colours: dict[object, PatternFill] = {ON_TIME: S.MET_FILL, LATE: S.WARN_FILL, MISSING: S.NOT_MET_FILL}
    write_table(ws, start, ["Đơn vị", "Mã", "Cấp", "Đơn vị cấp trên", "Hạn nộp", "Thời điểm nhận", "Tình trạng",
                            "Tính theo tệp của", "Đơn vị cũ chưa nộp"], rows, widths,
                fill=lambda _i, c, v: colours[v] if c == 6 else None)
    ws.auto_filter.ref = None


def _warnings(ws: Worksheet, inp: ReportInputs, subtitle: str, page: PageLabels) -> None:
    setup_sheet(ws, "CẢNH BÁO VỀ CHẤT LƯỢNG SỐ LIỆU", subtitle, 4, page)
    widths = [12, 30, 30, 16, 6, 16, 30, 50]
    write_note(ws, 3, "Các tệp dưới đây đã được tiếp nhận và số liệu đã được tổng hợp, nhưng có điểm cần đơn vị "
                      "kiểm tra lại (mỗi đơn vị đã nhận tệp phản hồi trong thư mục phan_hoi).", len(widths), sum(widths))
    rows = [[r.unit_code, inp.name(r.unit_code), r.original_name, r.sheet, r.cell, r.found, r.expected, r.fix]
            for r in inp.warnings.itertuples()]
    last = write_table(ws, 4, ["Mã", "Đơn vị", "Tệp", "Trang tính", "Ô", "Giá trị tìm thấy", "Yêu cầu", "Cách xử lý"],
                       rows, widths)
    if not rows:
        _nothing(ws, last + 1, "Không có cảnh báo nào đối với các báo cáo đang sử dụng.")


def _nothing(ws: Worksheet, row: int, text: str) -> None:
    write_text(ws.cell(row=row, column=1), text)
    ws.cell(row=row, column=1).font = S.NOTE


def _texts(ws: Worksheet, inp: ReportInputs, subtitle: str, page: PageLabels) -> None:
    setup_sheet(ws, "KHÓ KHĂN, VƯỚNG MẮC VÀ KIẾN NGHỊ, ĐỀ XUẤT CỦA CÁC ĐƠN VỊ", subtitle, 4, page)
    rows = [[n, inp.name(r.unit_code) or r.unit_code, r.unit_code, _label(TEXT_KINDS, r.kind), r.text]
            for n, r in enumerate(inp.texts.itertuples(), start=1)]
    write_table(ws, 4, ["STT", "Đơn vị", "Mã", "Loại", "Nội dung (nguyên văn)"], rows, [6, 34, 12, 22, 100],
                wrap_columns=[4])


def _portal(ws: Worksheet, inp: ReportInputs, timeliness: pd.DataFrame, subtitle: str, page: PageLabels) -> None:
    """Units' figures beside the portal's (`portal_comparison`), for the area and its direct units; below, the
    portal's on-time rate with its numerator and denominator for the area and every unit."""
    setup_sheet(ws, "SO SÁNH SỐ LIỆU CỔNG DỊCH VỤ CÔNG VỚI SỐ LIỆU ĐƠN VỊ BÁO CÁO", subtitle, 4, page)
    frame = portal_comparison(inp.data, inp.portal_facts, inp.registry, inp.catalogue)
    labels = {i.code: _label_of(i) for i in inp.catalogue.indicators}
    widths = [9, 26, 44, 13, 13, 10, 13, 13, 10, 13]
    note = ("Số liệu của Cổng DVC là số liệu thống kê độc lập với số liệu các đơn vị tự báo cáo; số liệu của một đơn vị "
            "gồm hồ sơ của chính đơn vị và của các đơn vị trực thuộc. Chênh lệch = tỷ lệ theo Cổng DVC − tỷ lệ theo đơn "
            "vị báo cáo (điểm phần trăm). Bảng gồm toàn địa bàn và các đơn vị trực thuộc trực tiếp; số liệu Cổng DVC "
            "của từng đơn vị xem ở trang «Theo đơn vị» và «Dữ liệu».")
    if inp.portal_facts.empty:
        note += " Chưa có số liệu thống kê từ Cổng DVC cho kỳ báo cáo này: các cột của Cổng DVC để trống."
    write_note(ws, 3, note, len(widths), sum(widths))
    rows = [[r.unit_code, r.unit_name, labels[cast(str, r.indicator_code)], r.numerator, r.denominator, r.value,
             r.numerator_portal, r.denominator_portal, r.value_portal, r.difference] for r in frame.itertuples()]
    last = write_table(ws, 4, ["Mã", "Đơn vị", "Chỉ tiêu", "Đơn vị báo cáo: tử số", "Đơn vị báo cáo: mẫu số",
                               "Đơn vị báo cáo: tỷ lệ", "Cổng DVC: tử số", "Cổng DVC: mẫu số", "Cổng DVC: tỷ lệ",
                               "Chênh lệch (Cổng − đơn vị)"], rows, widths,
                       {3: INT_FMT, 4: INT_FMT, 5: PCT_FMT, 6: INT_FMT, 7: INT_FMT, 8: PCT_FMT,
                        9: SIGNED_PCT_FMT})
    start = last + 3
    ws.cell(row=start - 1, column=1, value=f"{ON_TIME_LABEL} theo Cổng DVC: toàn địa bàn và từng đơn vị (hồ sơ của "
                                           "chính đơn vị và các đơn vị trực thuộc)").font = S.BOLD
    rows = [[r.unit_code, r.unit_name, r.level, _blank_nan(r.numerator), _blank_nan(r.denominator),
             _blank_nan(r.value)] for r in cast(Iterator[_Timely], timeliness.itertuples())]
    last = write_table(ws, start, ["Mã", "Đơn vị", "Cấp", "Hồ sơ giải quyết trước hạn và đúng hạn (tử số)",
                                   "Hồ sơ đã giải quyết (mẫu số)", "Tỷ lệ"], rows, widths[:6],
                       {3: INT_FMT, 4: INT_FMT, 5: PCT_FMT},
                       bold_rows=[n for n, u in enumerate(inp.registry.walk()) if u.level in AGGREGATE_LEVELS])
    if timeliness["denominator"].isna().all():
        _nothing(ws, last + 1, "Các tệp xuất từ Cổng DVC chưa có số hồ sơ đã giải quyết trước hạn, đúng hạn.")
    ws.auto_filter.ref = None


def _portal_checks(ws: Worksheet, inp: ReportInputs, subtitle: str, page: PageLabels) -> None:
    """What the portal's exports could not give, for IT: agencies the registry does not know, and every
    problem found in the files (both about the files as a whole, whatever the report's scope)."""
    setup_sheet(ws, "KIỂM TRA TỆP XUẤT TỪ CỔNG DỊCH VỤ CÔNG", subtitle, 4, page)
    widths = [30, 16, 10, 12, 16, 70, 12]  # the two tables share the columns
    write_note(ws, 3, "Mã cơ quan trên Cổng DVC không có trong danh mục đơn vị (số liệu của các mã này không được "
                      "tính); bên dưới là các vấn đề tìm thấy trong tệp xuất, nêu rõ dòng, cột và dòng có bị loại khỏi "
                      "số liệu hay không. Các bảng nói về cả tệp, không riêng phạm vi báo cáo.", len(widths), sum(widths))
    rows = [[r.source_file, r.agency_code, r.rows, r.first_row, "Chi tiết hồ sơ" if r.shape == "dossier" else "Mẫu 06a"]
            for r in inp.portal_unknown.itertuples()]
    last = write_table(ws, 4, ["Tệp", "Mã cơ quan", "Số dòng", "Dòng đầu tiên", "Loại tệp"], rows, widths[:5],
                       {2: INT_FMT})
    if not rows:
        _nothing(ws, last + 1, "Mọi mã cơ quan trong tệp xuất đều có trong danh mục.")
        last += 1
    start = last + 3
    ws.cell(row=start - 1, column=1, value="Các vấn đề trong tệp xuất từ Cổng DVC").font = S.BOLD
    rows = [[r.file, r.sheet, None if pd.isna(line := cast(float, r.row)) else int(line), r.column, r.value, r.message,
             "Có" if pd.notna(excluded := cast(bool | None, r.excluded)) and bool(excluded) else "Không"]
            for r in inp.portal_problems.itertuples()]
    last = write_table(ws, start, ["Tệp", "Trang tính", "Dòng", "Cột", "Giá trị", "Vấn đề", "Bị loại khỏi số liệu"],
                       rows, widths)
    if not rows:
        _nothing(ws, last + 1, "Không có.")
    ws.auto_filter.ref = None


def _reconciliation(ws: Worksheet, inp: ReportInputs, subtitle: str, page: PageLabels) -> None:
    setup_sheet(ws, "ĐỐI CHIẾU SỐ LIỆU TỰ TỔNG HỢP CỦA ĐƠN VỊ CẤP TRÊN VỚI TỔNG CÁC ĐƠN VỊ TRỰC THUỘC", subtitle, 4, page)
    widths = [9, 26, 16, 36, 11, 11, 9, 11, 11, 9, 11, 11, 10]
    write_note(ws, 3, "Khi đơn vị cấp trên (UBND huyện, tỉnh) gửi số liệu tự tổng hợp, số liệu đó không được cộng vào "
                      "báo cáo (sẽ bị tính trùng) mà được đối chiếu với tổng số liệu các đơn vị trực thuộc đã gửi. "
                      "Chênh lệch = số tự tổng hợp − tổng các đơn vị trực thuộc; với hoạt động (số lượng) chỉ so "
                      "tử số.", len(widths), sum(widths))
    labels = {i.code: i.label for i in inp.catalogue.items}
    counts = {i.code for i in inp.catalogue.items if i.kind is Kind.COUNT}
    rows = []
    for r in inp.reconciliation.itertuples():
        ratio = r.indicator_code not in counts
        rows.append([r.unit_code, r.unit_name, _label(LEVEL_LABELS, r.level), labels[cast(str, r.indicator_code)],
                     r.own_numerator, r.own_denominator, r.own_value if ratio else None,
                     r.children_numerator, r.children_denominator, r.children_value if ratio else None,
                     r.numerator_difference, r.denominator_difference, r.difference if ratio else None])
    last = write_table(ws, 4, ["Mã", "Đơn vị", "Cấp", "Chỉ tiêu / hoạt động", "Tự tổng hợp: tử số",
                               "Tự tổng hợp: mẫu số", "Tự tổng hợp: tỷ lệ", "Các đơn vị trực thuộc: tử số",
                               "Các đơn vị trực thuộc: mẫu số", "Các đơn vị trực thuộc: tỷ lệ", "Chênh lệch tử số",
                               "Chênh lệch mẫu số", "Chênh lệch tỷ lệ"], rows, widths,
                       {4: INT_FMT, 5: INT_FMT, 6: PCT_FMT, 7: INT_FMT, 8: INT_FMT, 9: PCT_FMT,
                        10: SIGNED_INT_FMT, 11: SIGNED_INT_FMT, 12: SIGNED_PCT_FMT},
                       fill=lambda _i, c, v: S.WARN_FILL if c >= 10 and isinstance(v, float | int) and abs(v) > EPS
                       else None)
    if not rows:
        _nothing(ws, last + 1, "Không có đơn vị cấp trên nào gửi số liệu tự tổng hợp.")


CODE_RULE = ("Mã đơn vị được đọc theo danh mục và thời điểm của số liệu: tệp báo cáo theo dòng «Danh mục đơn vị» "
             "của biểu mẫu (danh mục 3 cấp trước 01/07/2025 hay danh mục 2 cấp từ 01/07/2025), số liệu Cổng DVC theo "
             "ngày của chính dòng đó (trước 01/07/2025 là đơn vị cũ, từ 01/07/2025 là đơn vị mới). Nhiều mã xã cũ "
             "được dùng lại cho xã mới: số liệu trước 01/07/2025 theo mã đó là của xã cũ và đi theo bảng sáp nhập "
             "(sáp nhập toàn bộ: cộng nguyên vào xã mới; chia cho nhiều xã mới: chia theo tỷ lệ, là số liệu ước "
             "tính), kể cả khi một trong các xã mới mang lại mã ấy.")


def _crosswalk(ws: Worksheet, inp: ReportInputs, subtitle: str, page: PageLabels) -> None:
    """The 2025 reorganisation as the figures met it, this year's and last year's: split units (estimated
    shares), the units whose figures include such shares, the files with no place in this report's hierarchy,
    and the portal's codes that are not units of it."""
    setup_sheet(ws, "SẮP XẾP ĐƠN VỊ HÀNH CHÍNH: CHIA TÁCH, SỐ LIỆU ƯỚC TÍNH VÀ SỐ LIỆU KHÔNG ĐƯỢC TỔNG HỢP", subtitle,
                4, page)
    widths = [12, 34, 20, 44, 14, 14, 12]  # the tables share the columns
    hierarchy = inp.registry.hierarchy
    year, history = inp.config.year, inp.history
    write_note(ws, 3, f"Báo cáo lập theo hệ thống {hierarchy} cấp. {CODE_RULE} Tỷ lệ chia mặc định chia đều, có thể "
                      f"khai báo merge_weights trong workspace.yaml; số liệu các đơn vị có phần chia là số liệu "
                      f"{ESTIMATED.lower()}. Số liệu năm trước (cột «Năm số liệu») được đặt lên đơn vị năm {year} theo "
                      f"cùng quy tắc.", len(widths), sum(widths))
    years = [(year, inp.splits), *([(history.year, history.splits)] if history is not None else [])]
    rows: list[list[object]] = [[r.source_code, r.source_name, r.unit_code, r.unit_name, r.weight, ESTIMATED, y]
                                for y, splits in years for r in splits.itertuples()]
    last = write_table(ws, 4, ["Mã cũ", "Đơn vị cũ", "Mã mới", "Đơn vị mới", "Tỷ lệ chia", "Ghi chú", "Năm số liệu"],
                       rows, widths, {4: PCT_FMT})
    if not rows:
        _nothing(ws, last + 1, "Không có đơn vị cũ nào bị chia.")
        last += 1
    datasets = [(year, inp.data), *([(history.year, history.data)] if history is not None else [])]
    rows = []
    for y, d in datasets:
        split = d[d["split_units"] > 0].groupby("unit_code", sort=False)["split_units"].max()
        rows += [[u.code, u.name, LEVEL_LABELS[u.level],
                  f"{ESTIMATED}: gồm phần chia của {int(split[u.code])} đơn vị cũ", y]
                 for u in inp.registry.walk() if u.code in split.index]
    last = _listing(ws, last + 3, f"Đơn vị có số liệu {ESTIMATED.lower()}", ["Mã", "Đơn vị", "Cấp", "Ghi chú",
                                                                             "Năm số liệu"], rows, widths[:5])
    unplaced = [(year, inp.unplaced), *([(history.year, history.unplaced)] if history is not None else [])]
    rows = [[r.unit_code, r.unit_name, _label(LEVEL_LABELS, r.level), r.reason, y]
            for y, frame in unplaced for r in frame.itertuples()]
    last = _listing(ws, last + 3, f"Tệp của đơn vị không thuộc hệ thống {hierarchy} cấp của báo cáo (số liệu không "
                                  f"được tổng hợp)", ["Mã", "Đơn vị", "Cấp", "Lý do", "Năm số liệu"], rows, widths[:5])
    raised = cast(Iterator[_Raised], raised_list(inp.registry, inp.portal_facts).itertuples())
    rows = [[r.source_code, r.source_name, _level_of(inp.registry, r.source_code, r.source_name),
             f"Tính vào {r.unit_code} – {r.unit_name} (đơn vị cấp trên gần nhất trong hệ thống)"
             if r.unit_code else "Không tính: không thuộc địa bàn của báo cáo theo hệ thống này"]
            for r in raised]
    _listing(ws, last + 3, f"Mã có số liệu Cổng DVC nhưng không phải đơn vị của hệ thống {hierarchy} cấp",
             ["Mã", "Đơn vị", "Cấp", "Số liệu Cổng DVC"], rows, widths[:4])
    ws.auto_filter.ref = None


def _level_of(registry: UnitRegistry, code: str, name: str) -> str:
    """The level label of a code with the name shown (a reused code's other unit when the names differ)."""
    if not name:
        return ""
    dual = registry.dual.get(code)
    unit = dual.unit if dual is not None and dual.unit.name == name else registry.get(code)
    return LEVEL_LABELS.get(unit.level, "") if unit else ""


def _year_on_year(ws: Worksheet, inp: ReportInputs, subtitle: str, page: PageLabels) -> None:
    """Every unit's figure for every catalogue item this year and last year, and the change: ratios (in points),
    then counts. Only the pairs where either year has a figure."""
    year, history = inp.config.year, inp.history
    setup_sheet(ws, "KẾT QUẢ SO VỚI NĂM TRƯỚC THEO ĐƠN VỊ", subtitle, 5, page)
    widths = [12, 30, 16, 22, 46, 12, 12, 12, 30]
    if history is None:
        write_note(ws, 3, "Báo cáo đột xuất hoặc năm báo cáo đầu tiên: không so sánh với năm trước.", 4, 100)
        return
    before = history.year
    note = (f"Số liệu năm {before} được tính theo đơn vị hành chính năm {year}: số liệu của đơn vị cũ (xã, huyện cũ) "
            f"chuyển sang đơn vị mới theo bảng sáp nhập; đơn vị cũ bị chia cho nhiều đơn vị mới thì chia theo tỷ lệ và "
            f"ghi {ESTIMATED.lower()}. Thay đổi = năm {year} − năm {before} (chỉ tiêu tỷ lệ: điểm phần trăm).")
    if not history.has_data:
        note += f" Kho dữ liệu chưa có số liệu năm {before}: cột năm {before} để trống."
    write_note(ws, 3, note, len(widths), sum(widths))
    yoy = history.yoy.merge(inp.data[["unit_code", "indicator_code", "unit_name", "level", "value"]],
                            on=["unit_code", "indicator_code"])
    yoy = yoy[yoy["value"].notna() | yoy["previous_value"].notna()]
    labels = {i.code: (_label_of(i) if isinstance(i, Indicator) else f"{i.label} ({i.unit})")
              for i in inp.catalogue.items}
    counts = {i.code for i in inp.catalogue.items if i.kind is Kind.COUNT}
    order = {i.code: n for n, i in enumerate(inp.catalogue.items)}
    units = {u.code: n for n, u in enumerate(inp.registry.walk())}
    yoy = yoy.assign(u=yoy["unit_code"].map(units), i=yoy["indicator_code"].map(order)).sort_values(["u", "i"])
    headers = ["Mã", "Đơn vị", "Cấp", "Mã chỉ tiêu", "Chỉ tiêu, hoạt động", f"Năm {year}", f"Năm {before}",
               "Thay đổi", "Ghi chú"]
    row = 5
    for caption, wanted, fmt, change_fmt in (("Chỉ tiêu (tỷ lệ)", False, PCT_FMT, SIGNED_PCT_FMT),
                                             ("Hoạt động (số lượng)", True, INT_FMT, SIGNED_INT_FMT)):
        part = yoy[yoy["indicator_code"].isin(counts) == wanted]
        split = part["previous_split_units"].fillna(0).astype(int)
        table = pd.DataFrame({
            "unit_code": part["unit_code"], "unit_name": part["unit_name"],
            "level": part["level"].map(lambda v: _label(LEVEL_LABELS, v)), "indicator_code": part["indicator_code"],
            "label": part["indicator_code"].map(labels), "value": part["value"],
            "previous_value": part["previous_value"], "change": part["change"],
            "note": (f"Năm {before}: {ESTIMATED.lower()}, gồm phần chia của " + split.astype(str) + " đơn vị cũ")
            .astype(object).where(split > 0, None)})
        ws.cell(row=row - 1, column=1, value=caption).font = S.BOLD
        last = write_frame_table(ws, row, headers, table, widths, {5: fmt, 6: fmt, 7: change_fmt}, wrap_columns=[4],
                                 bold=(part["unit_code"] == inp.registry.root).to_numpy())
        if table.empty:
            _nothing(ws, last + 1, "Không có số liệu.")
            last += 1
        row = last + 3
    ws.auto_filter.ref = None


def _tasks(ws: Worksheet, inp: ReportInputs, subtitle: str, page: PageLabels) -> None:
    """The plan's tasks (a task-based plan): each with its lead, partners and time frame as the plan words them, how
    many lead units reported each status, then each lead unit's status; below, the plans the units issued."""
    setup_sheet(ws, "TÌNH HÌNH THỰC HIỆN NHIỆM VỤ CỦA KẾ HOẠCH VÀ KẾ HOẠCH CỦA CÁC ĐƠN VỊ", subtitle, 4, page)
    tasks = inp.config.tasks
    words = [*TASK_STATUSES.values(), NOT_REPORTED]
    widths = [9, 52, 28, 24, 16, 10, 10, 10, 10]
    plan = f"Kế hoạch: {inp.config.plan}. " if inp.config.plan else ""
    write_note(ws, 3, f"{plan}Tình trạng do đơn vị chủ trì từng nhiệm vụ tự báo cáo trong biểu mẫu (trang «Nhiệm "
                      f"vụ»); nội dung, cơ quan chủ trì, phối hợp và thời gian ghi nguyên văn theo kế hoạch.",
               len(widths), sum(widths))
    summary_rows = []
    counts = task_summary(tasks, inp.tasks).set_index("task_code") if tasks else pd.DataFrame()
    for t in tasks:
        c = counts.loc[t.code]
        summary_rows.append([t.code, t.title, t.lead_text or ", ".join(t.lead), t.partners, t.period,
                             *(cast(int, c[w]) for w in words)])
    last = write_table(ws, 4, ["Mã", "Nhiệm vụ", "Chủ trì", "Phối hợp", "Thời gian thực hiện", *words], summary_rows,
                       widths, {5: INT_FMT, 6: INT_FMT, 7: INT_FMT, 8: INT_FMT}, wrap_columns=[1, 2, 3])
    if not summary_rows:
        _nothing(ws, last + 1, "Kế hoạch không có bảng nhiệm vụ (không khai báo tasks trong workspace.yaml).")
        last += 1
    # The leaders' print is the tasks and how many lead units report each status; each lead unit's status and the
    # units' plans stay on screen.
    ws.print_area = f"A1:{get_column_letter(len(widths))}{last}"
    rows = [[r.task_code, r.unit_code, r.unit_name, r.status, r.note] for r in inp.tasks.itertuples()]
    colours: dict[object, PatternFill] = {TASK_STATUSES[2]: S.MET_FILL, TASK_STATUSES[1]: S.WARN_FILL,
                                          TASK_STATUSES[0]: S.NOT_MET_FILL, NOT_REPORTED: S.NOT_MET_FILL}
    ws.cell(row=last + 2, column=1, value="Tình trạng theo đơn vị chủ trì").font = S.BOLD
    last = write_table(ws, last + 3, ["Mã nhiệm vụ", "Đơn vị chủ trì", "Tên đơn vị", "Tình trạng", "Kết quả, ghi chú"],
                       rows, [12, 12, 34, 18, 22], fill=lambda _i, c, v: colours.get(v) if c == 3 else None,
                       wrap_columns=[4])
    if not rows:
        _nothing(ws, last + 1, "Không có.")
        last += 1
    plans = [[r.unit_code, inp.name(r.unit_code), r.text] for r in inp.plans.itertuples()]
    _listing(ws, last + 3, "Kế hoạch thực hiện Đề án của các đơn vị (số, ngày ban hành, như đơn vị ghi)",
             ["Mã", "Đơn vị", "Kế hoạch"], plans, [12, 34, 34])
    ws.auto_filter.ref = None


class _Timely(Protocol):
    """A row of `portal_timeliness` from `itertuples` (NaN where the portal gives nothing)."""

    unit_code: str
    unit_name: str
    level: str
    numerator: float
    denominator: float
    value: float


class _Raised(Protocol):
    """A row of `raised_list` from `itertuples`, whose fields pandas-stubs type as any scalar."""

    source_code: str
    source_name: str  # "" for a code the registry does not know
    unit_code: str | None  # None where it counts nowhere
    unit_name: str


def _listing(ws: Worksheet, start: int, caption: str, headers: Sequence[str], rows: Sequence[Sequence[object]],
             widths: Sequence[float]) -> int:
    """A captioned table below another one on the same sheet; returns its last row."""
    ws.cell(row=start - 1, column=1, value=caption).font = S.BOLD
    last = write_table(ws, start, headers, rows, widths)
    if not rows:
        _nothing(ws, last + 1, "Không có.")
        last += 1
    return last


def _sources(ws: Worksheet, inp: ReportInputs, subtitle: str, page: PageLabels) -> None:
    setup_sheet(ws, "NGUỒN SỐ LIỆU: CÁC TỆP ĐÃ SỬ DỤNG", subtitle, 4, page)
    eras = {"old": "3 cấp (đến 30/06/2025)", "new": "2 cấp (từ 01/07/2025)"}
    rows = [[r.unit_code, inp.name(r.unit_code), r.original_name, r.arrived_at, r.version,
             "Đang dùng" if r.is_current else "Đã thay thế", eras.get(getattr(r, "era", None) or "", ""), r.sha256]
            for r in inp.sources.itertuples()]
    last = write_table(ws, 4, ["Mã", "Đơn vị", "Tệp", "Thời điểm nhận", "Lần nộp", "Trạng thái", "Danh mục đơn vị",
                               "SHA-256"], rows, [12, 34, 40, 18, 10, 14, 18, 70])
    if len(inp.quarantined):
        start = last + 3
        ws.cell(row=start - 1, column=1, value="Tệp bị từ chối (không dùng số liệu)").font = S.BOLD
        rows = [[r.unit_code, inp.name(r.unit_code), r.original_name, r.arrived_at, r.reason, r.sha256]
                for r in inp.quarantined.itertuples()]
        write_table(ws, start, ["Mã", "Đơn vị", "Tệp", "Thời điểm nhận", "Lý do", "SHA-256"], rows,
                    [12, 34, 40, 18, 80, 70])
        ws.auto_filter.ref = None


def _data(ws: Worksheet, inp: ReportInputs, page: PageLabels) -> None:
    """Long format for analysts and checks; no title rows so it reads straight into a DataFrame.

    Only the header row is openpyxl cells; the rows are streamed (report.datasheet).
    """
    frame = inp.data
    if inp.history is not None:
        extra = [c for c in PREVIOUS_COLUMNS if c not in ("unit_code", "indicator_code")]
        frame = frame.merge(inp.history.yoy, on=["unit_code", "indicator_code"], how="left")[[*frame.columns, *extra]]
    for c, name in enumerate(frame.columns, start=1):
        ws.cell(row=1, column=c, value=name).font = S.BOLD
        ws.column_dimensions[get_column_letter(c)].width = DATA_WIDTHS.get(name, 14)
    setup_print(ws, 1, page)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(frame.shape[1])}{len(frame) + 1}"  # no cell created
    stream_frame(ws, frame, 2)


def write_report(inp: ReportInputs, path: Path, *, progress: bool = False) -> Path:
    return save_workbook(build_workbook(inp, progress=progress), path)
