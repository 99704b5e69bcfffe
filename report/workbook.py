"""The leadership workbook: targets, units, activities, completeness, free text, sources, data.

Everything here is Vietnamese and derived only from the warehouse state, with no clock, so the
same state gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from dvctt.catalogue import Catalogue, Kind
from dvctt.config import WorkspaceConfig
from dvctt.units import LEVEL_LABELS, UnitRegistry
from dvctt.xlsx import save_workbook
from report.tables import setup_sheet, write_table
from templates import styles as S
from templates.layout import TEXT_KINDS
from transform.completeness import LATE, MISSING, ON_TIME, summary

SHEET_DATA = "Dữ liệu"


@dataclass
class ReportInputs:
    config: WorkspaceConfig
    registry: UnitRegistry
    catalogue: Catalogue
    data: pd.DataFrame  # transform.rollup output
    status: pd.DataFrame  # transform.completeness.unit_status output
    texts: pd.DataFrame
    sources: pd.DataFrame
    quarantined: pd.DataFrame


def _met(value: float | None, goal: float | None) -> str:
    if goal is None or value is None or pd.isna(value):
        return ""
    return "Đạt" if value >= goal - 1e-12 else "Chưa đạt"


def build_workbook(inp: ReportInputs) -> Workbook:
    cfg, year = inp.config, inp.config.year
    root = inp.registry.get(inp.registry.root)
    window = cfg.report_window
    subtitle = (f"{root.name} – Năm {year} – Kỳ số liệu {window.start:%d/%m/%Y} – {window.end:%d/%m/%Y} "
                f"– Cơ quan tổng hợp: {cfg.lead_agency}")
    footer = f"Báo cáo DVCTT {root.name} năm {year}"
    wb = Workbook()
    _summary(wb.active, inp, subtitle, footer)
    _by_unit(wb.create_sheet("Theo đơn vị"), inp, subtitle, footer)
    _activities(wb.create_sheet("Hoạt động"), inp, subtitle, footer)
    _completeness(wb.create_sheet("Tình hình nộp"), inp, subtitle, footer)
    _texts(wb.create_sheet("Khó khăn, kiến nghị"), inp, subtitle, footer)
    _sources(wb.create_sheet("Nguồn số liệu"), inp, subtitle, footer)
    _data(wb.create_sheet(SHEET_DATA), inp)
    return wb


def _summary(ws, inp: ReportInputs, subtitle: str, footer: str) -> None:
    ws.title = "Tổng hợp"
    year = inp.config.year
    setup_sheet(ws, f"KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU ĐỀ ÁN 1588/QĐ-TTg NĂM {year}", subtitle, 4, footer)
    root = inp.data[inp.data["unit_code"] == inp.registry.root].set_index("indicator_code")
    rows, verdicts = [], []
    for n, ind in enumerate(inp.catalogue.indicators, start=1):
        r = root.loc[ind.code]
        target = ind.target_for(year)
        goal = target[1] if target else None
        verdict = _met(r["value"], goal)
        verdicts.append(verdict)
        rows.append([n, ind.label, f"{goal:.0%} ({target[0]})" if target else "", r["value"],
                     r["numerator"], r["denominator"], verdict, int(r["reporting_units"]),
                     "Cổng DVC" if ind.source == "portal" else "Đơn vị báo cáo"])
    last = write_table(ws, 4, ["STT", "Chỉ tiêu", "Mục tiêu", "Kết quả", "Tử số", "Mẫu số", "Đánh giá",
                               "Số đơn vị có số liệu", "Nguồn"], rows, [6, 70, 14, 12, 14, 14, 12, 14, 16],
                      {3: S.PCT_FMT, 4: S.INT_FMT, 5: S.INT_FMT})
    for offset, verdict in enumerate(verdicts):
        if verdict:
            ws.cell(row=5 + offset, column=7).fill = S.MET_FILL if verdict == "Đạt" else S.NOT_MET_FILL
    st = inp.status
    ws.cell(row=last + 2, column=2, value=(
        f"Tình hình nộp báo cáo: {len(st)} đơn vị phải báo cáo; {int((st['status'] == ON_TIME).sum())} đúng hạn, "
        f"{int((st['status'] == LATE).sum())} trễ hạn, {int((st['status'] == MISSING).sum())} chưa nộp."
    )).font = S.BOLD


def _by_unit(ws, inp: ReportInputs, subtitle: str, footer: str) -> None:
    setup_sheet(ws, "KẾT QUẢ CHỈ TIÊU THEO ĐƠN VỊ", subtitle, 4, footer)
    inds = [i for i in inp.catalogue.indicators if i.kind is not Kind.COUNT]
    values = inp.data.pivot(index="unit_code", columns="indicator_code", values="value")
    rows = []
    for u in inp.registry.walk():
        rows.append([u.code, u.name, LEVEL_LABELS[u.level], *(values.at[u.code, i.code] for i in inds)])
    write_table(ws, 4, ["Mã", "Đơn vị", "Cấp", *(i.code for i in inds)], rows, [10, 40, 22, *([14] * len(inds))],
                {k: S.PCT_FMT for k in range(3, 3 + len(inds))})
    ws.freeze_panes = "D5"


def _activities(ws, inp: ReportInputs, subtitle: str, footer: str) -> None:
    setup_sheet(ws, "KẾT QUẢ CÁC HOẠT ĐỘNG TUYÊN TRUYỀN", subtitle, 4, footer)
    acts = inp.catalogue.activities
    values = inp.data.pivot(index="unit_code", columns="indicator_code", values="numerator")
    rows = [[u.code, u.name, LEVEL_LABELS[u.level], *(values.at[u.code, a.code] for a in acts)]
            for u in inp.registry.walk()]
    write_table(ws, 4, ["Mã", "Đơn vị", "Cấp", *(f"{a.label} ({a.unit})" for a in acts)], rows,
                [10, 40, 22, *([16] * len(acts))], {k: S.INT_FMT for k in range(3, 3 + len(acts))})
    ws.freeze_panes = "D5"


def _completeness(ws, inp: ReportInputs, subtitle: str, footer: str) -> None:
    setup_sheet(ws, "TÌNH HÌNH NỘP BÁO CÁO", subtitle, 4, footer)
    st = inp.status.assign(level_label=inp.status["level"].map(LEVEL_LABELS))
    by_level = summary(st, ["level_label"])
    rows = [[r.level_label, r.expected, r[ON_TIME], r[LATE], r[MISSING], r.rate, r.on_time_rate]
            for _, r in by_level.iterrows()]
    last = write_table(ws, 4, ["Cấp", "Phải báo cáo", ON_TIME, LATE, MISSING, "Tỷ lệ đã nộp", "Tỷ lệ đúng hạn"],
                       rows, [40, 14, 14, 14, 14, 14, 14], {5: S.PCT_FMT, 6: S.PCT_FMT})
    by_parent = summary(st, ["parent_code", "parent_name"])
    start = last + 3
    ws.cell(row=start - 1, column=1, value="Theo đơn vị cấp trên").font = S.BOLD
    rows = [[f"{r.parent_name} ({r.parent_code})", r.expected, r[ON_TIME], r[LATE], r[MISSING], r.rate, r.on_time_rate]
            for _, r in by_parent.iterrows()]
    last = write_table(ws, start, ["Đơn vị cấp trên", "Phải báo cáo", ON_TIME, LATE, MISSING, "Tỷ lệ đã nộp",
                                   "Tỷ lệ đúng hạn"], rows, [40, 14, 14, 14, 14, 14, 14], {5: S.PCT_FMT, 6: S.PCT_FMT})
    start = last + 3
    ws.cell(row=start - 1, column=1, value="Danh sách đơn vị").font = S.BOLD
    order = {MISSING: 0, LATE: 1, ON_TIME: 2}
    listing = st.assign(o=st["status"].map(order)).sort_values(["o", "parent_code", "unit_code"], kind="stable")
    rows = [[r.unit_code, r.unit_name, r.level_label, r.parent_name, r.deadline, r.arrived_at, r.status]
            for r in listing.itertuples()]
    write_table(ws, start, ["Mã", "Đơn vị", "Cấp", "Đơn vị cấp trên", "Hạn nộp", "Thời điểm nhận", "Tình trạng"],
                rows, [40, 40, 24, 30, 14, 18, 14])
    ws.auto_filter.ref = None
    for r in range(start + 1, start + 1 + len(rows)):
        cell = ws.cell(row=r, column=7)
        cell.fill = {ON_TIME: S.MET_FILL, LATE: S.WARN_FILL, MISSING: S.NOT_MET_FILL}[cell.value]


def _texts(ws, inp: ReportInputs, subtitle: str, footer: str) -> None:
    setup_sheet(ws, "KHÓ KHĂN, VƯỚNG MẮC VÀ KIẾN NGHỊ, ĐỀ XUẤT CỦA CÁC ĐƠN VỊ", subtitle, 4, footer)
    names = {u.code: u.name for u in inp.registry.units.values()}
    rows = [[n, names.get(r.unit_code, r.unit_code), r.unit_code, TEXT_KINDS.get(r.kind, r.kind), r.text]
            for n, r in enumerate(inp.texts.itertuples(), start=1)]
    write_table(ws, 4, ["STT", "Đơn vị", "Mã", "Loại", "Nội dung (nguyên văn)"], rows, [6, 34, 12, 22, 100])
    for r in range(5, 5 + len(rows)):
        ws.cell(row=r, column=5).alignment = S.WRAP


def _sources(ws, inp: ReportInputs, subtitle: str, footer: str) -> None:
    setup_sheet(ws, "NGUỒN SỐ LIỆU: CÁC TỆP ĐÃ SỬ DỤNG", subtitle, 4, footer)
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


def _data(ws, inp: ReportInputs) -> None:
    """Long format for analysts and checks; no title rows so it reads straight into a DataFrame."""
    cols = list(inp.data.columns)
    ws.append(cols)
    for row in inp.data.itertuples(index=False):
        ws.append([None if (isinstance(v, float) and pd.isna(v)) else v for v in row])
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for cell in ws[1]:
        cell.font = S.BOLD


def write_report(inp: ReportInputs, path: Path) -> Path:
    return save_workbook(build_workbook(inp), path)
