"""The leadership workbook: targets, units and their ranking, activities, completeness, data-quality
warnings, free text, portal vs units, sources, data.

Everything here is Vietnamese and derived only from the warehouse state, with no clock, so the
same state gives the same bytes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Engine, select

from dvctt.catalogue import Catalogue, Kind
from dvctt.config import WorkspaceConfig
from dvctt.units import LEVEL_LABELS, UnitRegistry
from dvctt.xlsx import save_workbook, write_text
from load import schema as T
from report.charts import RankingPanel, embed_png, ranking_png, target_chart
from report.tables import PageLabels, setup_print, setup_sheet, write_note, write_table
from templates import styles as S
from templates.layout import TEXT_KINDS
from transform.completeness import LATE, MISSING, ON_TIME, summary

SHEET_SUMMARY = "Tổng hợp"
SHEET_BY_UNIT = "Theo đơn vị"
SHEET_RANKING = "Xếp hạng"
SHEET_WARNINGS = "Cảnh báo dữ liệu"
SHEET_PORTAL = "Cổng DVC và đơn vị"
SHEET_DATA = "Dữ liệu"
MET, NOT_MET = "Đạt", "Chưa đạt"
PORTAL_COLUMNS = ["unit_code", "indicator_code", "numerator", "denominator"]
WARNING_COLUMNS = ["unit_code", "original_name", "sheet", "cell", "found", "expected", "fix"]
RANKED_LEVELS = ["district", "department", "district_office", "commune", "press"]  # print order; not the root
AGGREGATE_LEVELS = {"province", "district"}
SIGNED_PCT_FMT = "+0.0%;-0.0%;0.0%"
DATA_WIDTHS = {"unit_code": 12, "unit_name": 40, "level": 16, "indicator_code": 24}
PX_PER_CHAR = 7  # an Excel column-width unit in pixels, to size a picture to its table
EPS = 1e-12


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=columns)


@dataclass
class ReportInputs:
    """Everything the workbook shows, read once from the warehouse so building it needs no database."""

    config: WorkspaceConfig
    registry: UnitRegistry
    catalogue: Catalogue
    data: pd.DataFrame  # transform.rollup output
    status: pd.DataFrame  # transform.completeness.unit_status output
    texts: pd.DataFrame
    sources: pd.DataFrame
    quarantined: pd.DataFrame
    warnings: pd.DataFrame = field(default_factory=lambda: _empty(WARNING_COLUMNS))  # current_warnings()
    # Hook for the portal's own statistics (transform.portal): PORTAL_COLUMNS, extra columns ignored.
    portal_facts: pd.DataFrame = field(default_factory=lambda: _empty(PORTAL_COLUMNS))


def current_warnings(engine: Engine, year: int) -> pd.DataFrame:
    """Warnings raised on the files behind the current submissions for `year`: the figures were
    accepted, but leaders should know which ones a clerk was asked to check."""
    f, fi, s = T.findings, T.files, T.submissions
    q = (select(s.c.unit_code, fi.c.original_name, f.c.sheet, f.c.cell, f.c.found, f.c.expected, f.c.fix)
         .select_from(f).join(fi, fi.c.id == f.c.file_id).join(s, s.c.file_id == fi.c.id)
         .where(f.c.severity == "warning", s.c.year == year, s.c.is_current.is_(True))
         .order_by(s.c.unit_code, f.c.sheet, f.c.cell, f.c.rule, f.c.found))
    with engine.connect() as conn:
        result = conn.execute(q)
        return pd.DataFrame(result.fetchall(), columns=WARNING_COLUMNS)


def verdict(value: float | None, goal: float | None) -> str:
    if goal is None or value is None or pd.isna(value):
        return ""
    return MET if value >= goal - EPS else NOT_MET


def _goals(inp: ReportInputs) -> dict[str, tuple[int, float]]:
    """indicator code → (target year, goal) for the report year: 2025's goal in 2025, 2030's after."""
    year = inp.config.year
    return {i.code: t for i in inp.catalogue.indicators if (t := i.target_for(year)) is not None}


def ranked_levels(ranking: pd.DataFrame) -> list[str]:
    return [lvl for lvl in RANKED_LEVELS if (ranking["level"] == lvl).any()]


def ranking_rule(year: int, levels: list[str]) -> str:
    groups = "; ".join(LEVEL_LABELS[lvl] for lvl in levels)
    return (f"Cách xếp hạng: các đơn vị được xếp hạng riêng trong từng cấp ({groups}). "
            f"Điểm = số chỉ tiêu đạt ÷ số chỉ tiêu áp dụng. Chỉ tiêu áp dụng là chỉ tiêu có "
            f"mục tiêu cho năm {year} (hoặc mục tiêu gần nhất sau đó) và có trong biểu mẫu của cấp đó; chỉ tiêu bỏ "
            f"trống tính là chưa đạt; chỉ tiêu có mẫu số bằng 0 không tính. Chỉ tiêu đạt khi kết quả ≥ mục tiêu. "
            f"Cùng điểm thì đơn vị có mã nhỏ hơn xếp trước. Đơn vị chưa có số liệu nào không được xếp hạng.")


def rank_units(inp: ReportInputs) -> pd.DataFrame:
    """One row per unit below the root: targets met, targets applicable, share, rank within its level.

    Transparent on purpose (the rule is printed next to the table, see `ranking_rule`): leaders
    must be able to redo a unit's rank by hand from the "Theo đơn vị" sheet.
    """
    goals = _goals(inp)
    applies = {i.code: set(i.applies_to) for i in inp.catalogue.indicators if i.code in goals}
    d = inp.data
    has_data = d.groupby("unit_code", sort=False)["reporting_units"].max() > 0
    d = d[d["indicator_code"].isin(goals) & (d["level"] != "province")]
    in_template = [lvl in applies[code] for lvl, code in zip(d["level"], d["indicator_code"], strict=True)]
    zero_base = d["numerator"].notna() & (d["denominator"] == 0)
    applicable = pd.Series(in_template, index=d.index) & ~zero_base
    goal = d["indicator_code"].map(lambda c: goals[c][1])
    met = applicable & (d["value"] >= goal - EPS)
    scores = (pd.DataFrame({"unit_code": d["unit_code"], "met": met, "applicable": applicable})
              .groupby("unit_code", sort=False).sum().astype(int))
    units = [u for u in inp.registry.walk() if u.code != inp.registry.root]
    parents = {u.code: inp.registry.units[u.parent_code].name if u.parent_code else "" for u in units}
    out = pd.DataFrame([(u.code, u.name, u.level, parents[u.code]) for u in units],
                       columns=["unit_code", "unit_name", "level", "parent_name"])
    out = out.merge(scores, on="unit_code", how="left").fillna({"met": 0, "applicable": 0})
    out = out.astype({"met": int, "applicable": int})
    reported = out["unit_code"].map(has_data).fillna(False).astype(bool)
    rankable = reported & (out["applicable"] > 0)
    out["share"] = (out["met"] / out["applicable"]).where(rankable)
    out["note"] = None
    out.loc[~reported, "note"] = "Chưa có số liệu"
    out.loc[reported & ~rankable, "note"] = "Không có chỉ tiêu áp dụng"
    out = out.sort_values(["level", "share", "unit_code"], ascending=[True, False, True], na_position="last",
                          kind="stable")
    out["rank"] = (out.groupby("level").cumcount() + 1).astype(object)
    out.loc[out["share"].isna(), "rank"] = None
    return out.reset_index(drop=True)


def build_workbook(inp: ReportInputs) -> Workbook:
    cfg, year = inp.config, inp.config.year
    root = inp.registry.get(inp.registry.root)
    window = cfg.report_window
    subtitle = (f"{root.name} – Năm {year} – Kỳ số liệu {window.start:%d/%m/%Y} – {window.end:%d/%m/%Y} "
                f"– Cơ quan tổng hợp: {cfg.lead_agency}")
    page = PageLabels(unit=f"{cfg.lead_agency} – {root.name}", cutoff=window.end,
                      report=f"Báo cáo kết quả thực hiện Đề án 1588/QĐ-TTg năm {year} – {root.name}")
    ranking = rank_units(inp)
    wb = Workbook()
    _summary(wb.active, inp, subtitle, page)
    _by_unit(wb.create_sheet(SHEET_BY_UNIT), inp, ranking, subtitle, page)
    _ranking(wb.create_sheet(SHEET_RANKING), inp, ranking, subtitle, page)
    _activities(wb.create_sheet("Hoạt động"), inp, subtitle, page)
    _completeness(wb.create_sheet("Tình hình nộp"), inp, subtitle, page)
    _warnings(wb.create_sheet(SHEET_WARNINGS), inp, subtitle, page)
    _texts(wb.create_sheet("Khó khăn, kiến nghị"), inp, subtitle, page)
    _portal(wb.create_sheet(SHEET_PORTAL), inp, subtitle, page)
    _sources(wb.create_sheet("Nguồn số liệu"), inp, subtitle, page)
    _data(wb.create_sheet(SHEET_DATA), inp, page)
    return wb


def _summary(ws: Worksheet, inp: ReportInputs, subtitle: str, page: PageLabels) -> None:
    ws.title = SHEET_SUMMARY
    year = inp.config.year
    setup_sheet(ws, f"KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU ĐỀ ÁN 1588/QĐ-TTg NĂM {year}", subtitle, 4, page)
    root = inp.data[inp.data["unit_code"] == inp.registry.root].set_index("indicator_code")
    goals = _goals(inp)
    rows, verdicts = [], []
    for n, ind in enumerate(inp.catalogue.indicators, start=1):
        r = root.loc[ind.code]
        target_year, goal = goals.get(ind.code, (None, None))
        verdicts.append(verdict(r["value"], goal))
        rows.append([n, ind.code, ind.label, goal, target_year, r["value"], r["numerator"], r["denominator"],
                     verdicts[-1], int(r["reporting_units"]), "Cổng DVC" if ind.source == "portal" else "Đơn vị báo cáo"])
    last = write_table(ws, 4, ["STT", "Mã chỉ tiêu", "Chỉ tiêu", "Mục tiêu", "Năm mục tiêu", "Kết quả", "Tử số",
                               "Mẫu số", "Đánh giá", "Số đơn vị có số liệu", "Nguồn"], rows,
                      [5, 24, 56, 10, 9, 10, 13, 13, 11, 11, 15],
                      {3: S.PCT_FMT, 5: S.PCT_FMT, 6: S.INT_FMT, 7: S.INT_FMT})
    for row, v in enumerate(verdicts, start=5):
        if v:
            ws.cell(row=row, column=9).fill = S.MET_FILL if v == MET else S.NOT_MET_FILL
    st = inp.status
    note = ws.cell(row=last + 2, column=1)
    write_text(note, f"Tình hình nộp báo cáo: {len(st)} đơn vị phải báo cáo; {int((st['status'] == ON_TIME).sum())} "
                     f"đúng hạn, {int((st['status'] == LATE).sum())} trễ hạn, "
                     f"{int((st['status'] == MISSING).sum())} chưa nộp.")
    note.font = S.BOLD
    ws.row_breaks.append(Break(id=last + 2))
    target_chart(ws, header_row=4, last_row=last, category_col=2, result_col=6, target_col=4,
                 anchor=f"B{last + 4}",
                 title=f"Kết quả so với mục tiêu năm {year} – {inp.registry.get(inp.registry.root).name}")


def _by_unit(ws: Worksheet, inp: ReportInputs, ranking: pd.DataFrame, subtitle: str, page: PageLabels) -> None:
    """Each unit's ratios coloured against the target, with its rank; indicators no unit reports
    (the portal's) are on the portal sheet instead."""
    setup_sheet(ws, "KẾT QUẢ CHỈ TIÊU THEO ĐƠN VỊ VÀ XẾP HẠNG", subtitle, 4, page)
    goals = _goals(inp)
    inds = [i for i in inp.catalogue.indicators if i.kind is not Kind.COUNT and i.applies_to]
    values = inp.data.pivot(index="unit_code", columns="indicator_code", values="value")
    ranks = ranking.set_index("unit_code")
    units = list(inp.registry.walk())
    rows = []
    for u in units:
        score = ranks.loc[u.code, ["met", "applicable", "share", "rank"]].tolist() if u.code in ranks.index else [None] * 4
        rows.append([u.code, u.name, LEVEL_LABELS[u.level], *(values.at[u.code, i.code] for i in inds), *score])
    first_score = 3 + len(inds)
    widths = [12, 32, 18, *([12] * len(inds)), 9, 10, 9, 9]
    headers = ["Mã", "Đơn vị", "Cấp", *(i.label for i in inds), "Chỉ tiêu đạt", "Chỉ tiêu áp dụng",
               "Tỷ lệ chỉ tiêu đạt", "Xếp hạng trong cấp"]
    year = inp.config.year
    write_note(ws, 3, f"Ô màu xanh: đạt mục tiêu năm {year}; ô màu đỏ: chưa đạt. "
                      f"{ranking_rule(year, ranked_levels(ranking))}",
               len(headers), sum(widths))
    write_table(ws, 4, headers, rows, widths,
                {**{k: S.PCT_FMT for k in range(3, first_score)}, first_score + 2: S.PCT_FMT})
    for r, u in enumerate(units, start=5):
        for c, ind in enumerate(inds, start=4):
            v = verdict(values.at[u.code, ind.code], goals.get(ind.code, (None, None))[1])
            if v:
                ws.cell(row=r, column=c).fill = S.MET_FILL if v == MET else S.NOT_MET_FILL
        if u.level in AGGREGATE_LEVELS:
            for c in range(1, len(headers) + 1):
                ws.cell(row=r, column=c).font = S.BOLD
    ws.freeze_panes = "D5"


def _ranking(ws: Worksheet, inp: ReportInputs, ranking: pd.DataFrame, subtitle: str, page: PageLabels) -> None:
    """The league table per level, best first, with a picture of it on top."""
    year = inp.config.year
    widths = [20, 9, 12, 38, 26, 9, 10, 10, 18]
    levels = ranked_levels(ranking)
    write_note(ws, 3, ranking_rule(year, levels), len(widths), sum(widths))
    panels = []
    for lvl in levels:
        ranked = ranking[(ranking["level"] == lvl) & ranking["rank"].notna()]
        if len(ranked):
            # Same-named units (every district's "Phòng Văn hóa…") are told apart by their parent.
            same_name = ranked["unit_name"].duplicated(keep=False)
            labels = [f"{r.rank}. {r.unit_name}" + (f" ({r.parent_name})" if same and r.parent_name else "")
                      for r, same in zip(ranked.itertuples(), same_name, strict=True)]
            panels.append(RankingPanel(f"{LEVEL_LABELS[lvl]}: tỷ lệ chỉ tiêu đạt ({len(ranked)} đơn vị)", labels,
                                       list(ranked["share"])))
    header_row = 5
    if panels:
        height_px = embed_png(ws, ranking_png(panels), "A5", width_px=round(sum(widths) * PX_PER_CHAR))
        header_row = 5 + math.ceil(height_px / 20) + 1  # default rows are 15 pt = 20 px
    setup_sheet(ws, f"XẾP HẠNG ĐƠN VỊ THEO TỶ LỆ CHỈ TIÊU ĐẠT NĂM {year}", subtitle, header_row, page)
    ws.row_breaks.append(Break(id=header_row - 1))
    ordered = ranking.assign(order=ranking["level"].map(RANKED_LEVELS.index)).sort_values("order", kind="stable")
    rows = [[LEVEL_LABELS[r.level], r.rank, r.unit_code, r.unit_name, r.parent_name, r.met, r.applicable, r.share,
             r.note] for r in ordered.itertuples()]
    write_table(ws, header_row, ["Cấp", "Xếp hạng", "Mã", "Đơn vị", "Đơn vị cấp trên", "Chỉ tiêu đạt",
                                 "Chỉ tiêu áp dụng", "Tỷ lệ chỉ tiêu đạt", "Ghi chú"], rows, widths, {7: S.PCT_FMT})
    for r, row in enumerate(rows, start=header_row + 1):
        if not pd.isna(row[7]):
            ws.cell(row=r, column=8).fill = S.MET_FILL if row[7] >= 1 - EPS else S.NOT_MET_FILL


def _activities(ws: Worksheet, inp: ReportInputs, subtitle: str, page: PageLabels) -> None:
    setup_sheet(ws, "KẾT QUẢ CÁC HOẠT ĐỘNG TUYÊN TRUYỀN", subtitle, 4, page)
    acts = inp.catalogue.activities
    values = inp.data.pivot(index="unit_code", columns="indicator_code", values="numerator")
    units = list(inp.registry.walk())
    rows = [[u.code, u.name, LEVEL_LABELS[u.level], *(values.at[u.code, a.code] for a in acts)] for u in units]
    write_table(ws, 4, ["Mã", "Đơn vị", "Cấp", *(f"{a.label} ({a.unit})" for a in acts)], rows,
                [12, 32, 18, *([12] * len(acts))], {k: S.INT_FMT for k in range(3, 3 + len(acts))})
    for r, u in enumerate(units, start=5):
        if u.level in AGGREGATE_LEVELS:
            for c in range(1, 4 + len(acts)):
                ws.cell(row=r, column=c).font = S.BOLD
    ws.freeze_panes = "D5"


def _completeness(ws: Worksheet, inp: ReportInputs, subtitle: str, page: PageLabels) -> None:
    setup_sheet(ws, "TÌNH HÌNH NỘP BÁO CÁO", subtitle, 4, page)
    st = inp.status.assign(level_label=inp.status["level"].map(LEVEL_LABELS))
    by_level = summary(st, ["level_label"])
    rows = [[r.level_label, r.expected, r[ON_TIME], r[LATE], r[MISSING], r.rate, r.on_time_rate]
            for _, r in by_level.iterrows()]
    widths = [40, 14, 22, 24, 14, 18, 14, 30]  # shared by the three tables below
    counts = ["Phải báo cáo", ON_TIME, LATE, MISSING, "Tỷ lệ đã nộp", "Tỷ lệ đúng hạn"]
    last = write_table(ws, 4, ["Cấp", *counts], rows, widths[:7], {5: S.PCT_FMT, 6: S.PCT_FMT})
    by_parent = summary(st, ["parent_code", "parent_name"])
    start = last + 3
    ws.cell(row=start - 1, column=1, value="Theo đơn vị cấp trên").font = S.BOLD
    rows = [[f"{r.parent_name} ({r.parent_code})", r.expected, r[ON_TIME], r[LATE], r[MISSING], r.rate, r.on_time_rate]
            for _, r in by_parent.iterrows()]
    last = write_table(ws, start, ["Đơn vị cấp trên", *counts], rows, widths[:7], {5: S.PCT_FMT, 6: S.PCT_FMT})
    # The unit list starts on its own page, whose header row repeats on every later page.
    start = last + 3
    ws.row_breaks.append(Break(id=last + 1))
    ws.cell(row=start - 1, column=1, value="Danh sách đơn vị").font = S.BOLD
    order = {MISSING: 0, LATE: 1, ON_TIME: 2}
    listing = st.assign(o=st["status"].map(order)).sort_values(["o", "parent_code", "unit_code"], kind="stable")
    rows = [[r.unit_name, r.unit_code, r.level_label, r.parent_name, r.deadline, r.arrived_at, r.status,
             f"Tính theo tệp của: {r.via}" if r.via else None] for r in listing.itertuples()]
    ws.print_title_rows = f"{start}:{start}"
    write_table(ws, start, ["Đơn vị", "Mã", "Cấp", "Đơn vị cấp trên", "Hạn nộp", "Thời điểm nhận", "Tình trạng",
                            "Ghi chú"], rows, widths)
    ws.auto_filter.ref = None
    for r in range(start + 1, start + 1 + len(rows)):
        cell = ws.cell(row=r, column=7)
        cell.fill = {ON_TIME: S.MET_FILL, LATE: S.WARN_FILL, MISSING: S.NOT_MET_FILL}[cell.value]


def _warnings(ws: Worksheet, inp: ReportInputs, subtitle: str, page: PageLabels) -> None:
    setup_sheet(ws, "CẢNH BÁO VỀ CHẤT LƯỢNG SỐ LIỆU", subtitle, 4, page)
    names = {u.code: u.name for u in inp.registry.units.values()}
    widths = [12, 30, 30, 16, 6, 16, 30, 50]
    write_note(ws, 3, "Các tệp dưới đây đã được tiếp nhận và số liệu đã được tổng hợp, nhưng có điểm cần đơn vị "
                      "kiểm tra lại (mỗi đơn vị đã nhận tệp phản hồi trong thư mục phan_hoi).", len(widths), sum(widths))
    rows = [[r.unit_code, names.get(r.unit_code, ""), r.original_name, r.sheet, r.cell, r.found, r.expected, r.fix]
            for r in inp.warnings.itertuples()]
    last = write_table(ws, 4, ["Mã", "Đơn vị", "Tệp", "Trang tính", "Ô", "Giá trị tìm thấy", "Yêu cầu", "Cách xử lý"],
                       rows, widths)
    if not rows:
        write_text(ws.cell(row=last + 1, column=1), "Không có cảnh báo nào đối với các báo cáo đang sử dụng.")
        ws.cell(row=last + 1, column=1).font = S.ITALIC


def _texts(ws: Worksheet, inp: ReportInputs, subtitle: str, page: PageLabels) -> None:
    setup_sheet(ws, "KHÓ KHĂN, VƯỚNG MẮC VÀ KIẾN NGHỊ, ĐỀ XUẤT CỦA CÁC ĐƠN VỊ", subtitle, 4, page)
    names = {u.code: u.name for u in inp.registry.units.values()}
    rows = [[n, names.get(r.unit_code, r.unit_code), r.unit_code, TEXT_KINDS.get(r.kind, r.kind), r.text]
            for n, r in enumerate(inp.texts.itertuples(), start=1)]
    write_table(ws, 4, ["STT", "Đơn vị", "Mã", "Loại", "Nội dung (nguyên văn)"], rows, [6, 34, 12, 22, 100])
    for r in range(5, 5 + len(rows)):
        ws.cell(row=r, column=5).alignment = S.WRAP


def portal_comparison(inp: ReportInputs) -> pd.DataFrame:
    """Units' own figures beside the portal's for the same unit and indicator, and the difference.

    Rows: every portal-sourced indicator for the province, plus every catalogue indicator the
    portal gave figures for. `inp.portal_facts` may be empty (no export loaded yet); then the
    portal columns stay blank.
    """
    known = {i.code for i in inp.catalogue.indicators}
    portal = inp.portal_facts[PORTAL_COLUMNS]
    portal = portal[portal["indicator_code"].isin(known) & portal["unit_code"].isin(inp.registry.units)]
    portal = portal.astype({"numerator": float, "denominator": float})
    portal = (portal.groupby(["unit_code", "indicator_code"], sort=False)[["numerator", "denominator"]]
              .sum(min_count=1).reset_index())
    portal["value"] = portal["numerator"] / portal["denominator"].where(portal["denominator"] > 0)
    keys = {(inp.registry.root, i.code) for i in inp.catalogue.indicators if i.source == "portal"}
    keys |= set(zip(portal["unit_code"], portal["indicator_code"], strict=True))
    unit_order = {u.code: n for n, u in enumerate(inp.registry.walk())}
    ind_order = {i.code: n for n, i in enumerate(inp.catalogue.indicators)}
    frame = pd.DataFrame(sorted(keys, key=lambda k: (unit_order[k[0]], ind_order[k[1]])),
                         columns=["unit_code", "indicator_code"])
    own = inp.data[["unit_code", "unit_name", "indicator_code", "numerator", "denominator", "value"]]
    frame = frame.merge(own, on=["unit_code", "indicator_code"], how="left")
    frame = frame.merge(portal, on=["unit_code", "indicator_code"], how="left", suffixes=("", "_portal"))
    frame["difference"] = frame["value_portal"] - frame["value"]
    return frame


def _portal(ws: Worksheet, inp: ReportInputs, subtitle: str, page: PageLabels) -> None:
    setup_sheet(ws, "SO SÁNH SỐ LIỆU CỔNG DỊCH VỤ CÔNG VỚI SỐ LIỆU ĐƠN VỊ BÁO CÁO", subtitle, 4, page)
    frame = portal_comparison(inp)
    labels = {i.code: i.label for i in inp.catalogue.indicators}
    widths = [9, 26, 44, 13, 13, 10, 13, 13, 10, 13]
    note = ("Số liệu của Cổng DVC là số liệu thống kê độc lập với số liệu các đơn vị tự báo cáo. "
            "Chênh lệch = tỷ lệ theo Cổng DVC − tỷ lệ theo đơn vị báo cáo (điểm phần trăm).")
    if inp.portal_facts.empty:
        note += " Chưa có số liệu thống kê từ Cổng DVC cho kỳ báo cáo này: các cột của Cổng DVC để trống."
    write_note(ws, 3, note, len(widths), sum(widths))
    rows = [[r.unit_code, r.unit_name, labels[r.indicator_code], r.numerator, r.denominator, r.value,
             r.numerator_portal, r.denominator_portal, r.value_portal, r.difference] for r in frame.itertuples()]
    write_table(ws, 4, ["Mã", "Đơn vị", "Chỉ tiêu", "Đơn vị báo cáo: tử số", "Đơn vị báo cáo: mẫu số",
                        "Đơn vị báo cáo: tỷ lệ", "Cổng DVC: tử số", "Cổng DVC: mẫu số", "Cổng DVC: tỷ lệ",
                        "Chênh lệch (Cổng − đơn vị)"], rows, widths,
                {3: S.INT_FMT, 4: S.INT_FMT, 5: S.PCT_FMT, 6: S.INT_FMT, 7: S.INT_FMT, 8: S.PCT_FMT,
                 9: SIGNED_PCT_FMT})


def _sources(ws: Worksheet, inp: ReportInputs, subtitle: str, page: PageLabels) -> None:
    setup_sheet(ws, "NGUỒN SỐ LIỆU: CÁC TỆP ĐÃ SỬ DỤNG", subtitle, 4, page)
    names = {u.code: u.name for u in inp.registry.units.values()}
    rows = [[r.unit_code, names.get(r.unit_code, ""), r.original_name, r.arrived_at, r.version,
             "Đang dùng" if r.is_current else "Đã thay thế", r.sha256] for r in inp.sources.itertuples()]
    last = write_table(ws, 4, ["Mã", "Đơn vị", "Tệp", "Thời điểm nhận", "Lần nộp", "Trạng thái", "SHA-256"], rows,
                       [12, 34, 40, 18, 10, 14, 70])
    if len(inp.quarantined):
        start = last + 3
        ws.cell(row=start - 1, column=1, value="Tệp bị từ chối (không dùng số liệu)").font = S.BOLD
        rows = [[r.unit_code, names.get(r.unit_code, ""), r.original_name, r.arrived_at, r.reason, r.sha256]
                for r in inp.quarantined.itertuples()]
        write_table(ws, start, ["Mã", "Đơn vị", "Tệp", "Thời điểm nhận", "Lý do", "SHA-256"], rows,
                    [12, 34, 40, 18, 80, 70])
        ws.auto_filter.ref = None


def _data(ws: Worksheet, inp: ReportInputs, page: PageLabels) -> None:
    """Long format for analysts and checks; no title rows so it reads straight into a DataFrame."""
    for c, name in enumerate(inp.data.columns, start=1):
        ws.cell(row=1, column=c, value=name).font = S.BOLD
    for r, row in enumerate(inp.data.itertuples(index=False), start=2):
        for c, v in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c)
            if isinstance(v, str):
                write_text(cell, v)
            elif not (isinstance(v, float) and pd.isna(v)):
                cell.value = v
    for c, name in enumerate(inp.data.columns, start=1):
        ws.column_dimensions[ws.cell(row=1, column=c).column_letter].width = DATA_WIDTHS.get(name, 14)
    setup_print(ws, 1, page)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


def write_report(inp: ReportInputs, path: Path) -> Path:
    return save_workbook(build_workbook(inp), path)
