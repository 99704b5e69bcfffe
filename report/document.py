"""The Báo cáo a leader signs: the .docx written beside the workbook, which is its annex (`report.wordml` writes it).

Decree 30/2020/NĐ-CP, Phụ lục I: A4 portrait, Times New Roman, margins top/bottom 20 mm, left 30 mm, right 15 mm;
the two-column header (issuing body under its parent | Quốc hiệu over the underlined Tiêu ngữ), "Số: …/BC-…",
place and date, title, Kính gửi, căn cứ, sections I–VI, Nơi nhận and the signer. Every passage the clerk must
complete is a highlighted "[…]"; a draft says "DỰ THẢO". Only rendering: the figures come from `ReportInputs`,
the themes from `transform.difficulties`. Same inputs (the produced-at time and the kind included) → same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from core.config import DocumentConfig, HeaderNames
from core.layout import TASK_STATUSES
from core.text import vn_count
from report.sentences import num, target_sentence
from report.wordml import Cell, Paragraph, WordDocument
from report.workbook import SHEET_TASKS, ReportInputs
from report.xlsx import atomic_write_bytes
from transform.completeness import LATE, MISSING, ON_TIME
from transform.difficulties import group_texts
from transform.headline import headline_rows
from transform.targets import IN_PROGRESS, MET, NO_DATA, NOT_MET, known
from transform.tasks import NOT_REPORTED

DRAFT, FINAL = "draft", "final"
SHEET_TEXTS = "Khó khăn, kiến nghị"  # the workbook's sheet of the texts, word for word
COUNCIL_SPELLINGS = ("ỦY BAN NHÂN DÂN", "UỶ BAN NHÂN DÂN")  # both places of the tone mark are in use
BLANK = "[…]"  # a passage the clerk completes: highlighted in the document
FONT = "Times New Roman"
SIZE = 14  # points
TEXT_WIDTH_MM = 165  # A4 less the 30 and 15 mm margins
DECISION_1588 = ("Quyết định số 1588/QĐ-TTg ngày 17/12/2024 của Thủ tướng Chính phủ phê duyệt Đề án “Tuyên truyền, "
                 "phổ biến, nâng cao chất lượng về cung cấp và sử dụng hiệu quả dịch vụ công trực tuyến đến năm 2025, "
                 "định hướng đến năm 2030”")


@dataclass(frozen=True)
class DocumentMeta:
    """What the figures cannot say: when the document was produced and whether it is a draft (dự thảo) or final
    (chính thức). Inputs, passed by the application, so the same inputs give the same bytes."""

    produced_at: datetime
    kind: str = DRAFT
    annex: str = ""  # the workbook's file name, named as the annex


def document_path(workbook: Path) -> Path:
    """The .docx beside the workbook, under the same name."""
    return workbook.with_suffix(".docx")


# --- low-level writing ------------------------------------------------------------------------------------------


def _run(p: Paragraph, text: str, *, bold: bool = False, italic: bool = False, underline: bool = False,
         size: float | None = None) -> None:
    """Text, with every "[…]" in it highlighted for the clerk."""
    pieces = text.split(BLANK)
    for n, piece in enumerate(pieces):
        if piece:
            p.add_run(piece, bold=bold, italic=italic, underline=underline, size=size)
        if n < len(pieces) - 1:
            p.add_run(BLANK, bold=bold, italic=italic, size=size, highlight=True)


def _para(container: WordDocument | Cell, text: str = "", *, align: str | None = None, indent: bool = False,
          bold: bool = False, italic: bool = False, underline: bool = False, size: float | None = None,
          after: float = 6, before: float = 0) -> Paragraph:
    p = container.add_paragraph()
    p.align, p.after_pt, p.before_pt = align, after, before
    if indent:
        p.first_line_mm = 10
    _run(p, text, bold=bold, italic=italic, underline=underline, size=size)
    return p


def _or_blank(value: str | None) -> str:
    return value if value else BLANK


def _two_columns(doc: WordDocument, left_mm: float) -> tuple[Cell, Cell]:
    left, right = doc.add_table([left_mm, TEXT_WIDTH_MM - left_mm])
    return left, right


# --- the document -----------------------------------------------------------------------------------------------


def _header_names(inp: ReportInputs) -> tuple[HeaderNames, bool]:
    """The header's names and whether they are a district's: a district plan's report on a district of the 3-level
    units (a window before 1/7/2025, or `hierarchy: 3`, narrowed with --unit) is headed by the district, not the
    province's lead agency."""
    doc = inp.config.document
    root = inp.registry.units[inp.registry.root]
    if doc.district is not None and inp.registry.hierarchy == 3 and root.level == "district":
        return doc.district, True
    return doc, False


def _reporter(inp: ReportInputs) -> str:
    """Who reports, in prose: the lead agency; for a district plan outside its district's era, a blank (its lead
    agency, the district's office, is gone: the clerk names who reports now)."""
    _, district = _header_names(inp)
    return BLANK if inp.config.document.district is not None and not district else inp.config.lead_agency


def _parent_line(name: str) -> str:
    """The parent body (cơ quan chủ quản) as the header prints it, in capitals. Decree 30 (Phụ lục I) lets this line
    abbreviate common phrases such as Ủy ban nhân dân (UBND), which keeps "UBND TỈNH NGHỆ AN" on one line."""
    upper = name.upper()
    for long in COUNCIL_SPELLINGS:
        if upper.startswith(long):
            return "UBND" + upper[len(long):]
    return upper


def _header(doc: WordDocument, inp: ReportInputs, meta: DocumentMeta) -> None:
    """DỰ THẢO on a draft, then the two-column header block of Phụ lục I."""
    names, _ = _header_names(inp)
    issuing = names.issuing_body or _reporter(inp).upper()
    if meta.kind == DRAFT:
        _para(doc, "DỰ THẢO", align="right", bold=True, after=0)
    left, right = _two_columns(doc, 72)
    _para(left, _parent_line(_or_blank(names.parent_body)), align="center", size=12, after=0)
    _para(left, issuing.upper(), align="center", bold=True, size=12, after=6)
    _para(left, f"Số: {BLANK}/BC-{_or_blank(names.code)}", align="center", size=13, after=0)
    _para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="center", bold=True, size=12, after=0)
    _para(right, "Độc lập - Tự do - Hạnh phúc", align="center", bold=True, underline=True, size=13, after=6)
    _para(right, f"{_or_blank(names.place)}, ngày {BLANK} tháng {BLANK} năm {BLANK}", align="center",
          italic=True, after=0)


def _plan(cfg: DocumentConfig) -> tuple[str, str]:
    """(number, "ngày …" phrase) of the locality's plan, blanks where config does not say."""
    day = f"ngày {cfg.plan_date:%d/%m/%Y}" if cfg.plan_date else f"ngày {BLANK}"
    return _or_blank(cfg.plan_number), day


def _title(doc: WordDocument, inp: ReportInputs) -> None:
    cfg, year, window = inp.config.document, inp.config.year, inp.config.report_window
    number, _ = _plan(cfg)
    period = (f"từ ngày {window.start:%d/%m/%Y} đến ngày {window.end:%d/%m/%Y} (đột xuất)" if inp.ad_hoc
              else f"năm {year}")
    _para(doc, "BÁO CÁO", align="center", bold=True, after=0)
    _para(doc, f"Kết quả thực hiện Kế hoạch số {number} {period}", align="center", bold=True, after=0)
    _para(doc, "triển khai Đề án “Tuyên truyền, phổ biến, nâng cao chất lượng về cung cấp và sử dụng hiệu quả dịch "
               "vụ công trực tuyến đến năm 2025, định hướng đến năm 2030”", align="center", bold=True, after=12)
    addressees = "; ".join(cfg.addressees) if cfg.addressees else BLANK
    _para(doc, f"Kính gửi: {addressees}.", align="center", after=12)
    _para(doc, f"Căn cứ {DECISION_1588};", indent=True)
    day = _plan(cfg)[1]
    _para(doc, f"Căn cứ Kế hoạch số {number} {day} của {_or_blank(cfg.plan_issuer)} triển khai thực hiện Đề án;",
          indent=True)
    data = "" if inp.ad_hoc else f" (số liệu từ ngày {window.start:%d/%m/%Y} đến ngày {window.end:%d/%m/%Y})"
    _para(doc, f"{_reporter(inp)} báo cáo kết quả thực hiện {period}{data} như sau:", indent=True)


def _heading(doc: WordDocument, text: str) -> None:
    _para(doc, text, bold=True, after=6, before=6)


def _rollout(doc: WordDocument, inp: ReportInputs) -> None:
    _heading(doc, "I. CÔNG TÁC CHỈ ĐẠO, TRIỂN KHAI")
    st = inp.status
    expected = len(st)
    planned = inp.plans["unit_code"].nunique() if "unit_code" in inp.plans else 0
    _para(doc, f"{vn_count(planned)}/{vn_count(expected)} đơn vị đã ban hành kế hoạch triển khai của đơn vị hoặc lồng "
               f"ghép vào kế hoạch khác (theo báo cáo của đơn vị).", indent=True)
    _para(doc, f"Tình hình gửi báo cáo: {vn_count(expected)} đơn vị phải báo cáo; "
               f"{vn_count(int((st['status'] == ON_TIME).sum()))} đúng hạn, "
               f"{vn_count(int((st['status'] == LATE).sum()))} trễ hạn, "
               f"{vn_count(int((st['status'] == MISSING).sum()))} chưa nộp.", indent=True)
    if inp.config.tasks:
        counts = inp.tasks["status"].value_counts()
        said = ", ".join(f"{vn_count(int(counts.get(w, 0)))} {w.lower()}" for w in [*TASK_STATUSES.values(),
                                                                                   NOT_REPORTED])
        plan = inp.config.plan or "Kế hoạch"
        _para(doc, f"{plan} có {len(inp.config.tasks)} nhiệm vụ; lượt đơn vị chủ trì báo cáo tình trạng: {said} "
                   f"(chi tiết tại Phụ lục, trang «{SHEET_TASKS}»).", indent=True)
    cfg = inp.config.document
    _, district = _header_names(inp)
    if cfg.communes_note and not district:
        _para(doc, cfg.communes_note, indent=True)
    _para(doc, f"Các văn bản chỉ đạo, hướng dẫn đã ban hành trong năm: {BLANK}", indent=True)


def _results(doc: WordDocument, inp: ReportInputs, headline: pd.DataFrame) -> None:
    _heading(doc, "II. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU")
    judged = headline[headline["status"].isin([MET, NOT_MET])]
    met = int((judged["status"] == MET).sum())
    no_data = int((headline["status"] == NO_DATA).sum())
    progress = int((headline["status"] == IN_PROGRESS).sum())
    _para(doc, f"Năm {inp.config.year}: đạt {met}/{len(judged)} chỉ tiêu có mục tiêu của năm; {progress} chỉ tiêu "
               f"có mục tiêu ở năm sau đang thực hiện; {no_data} chỉ tiêu chưa có số liệu. Tỷ lệ tính từ tổng tử số "
               f"và tổng mẫu số của các đơn vị; chi tiết tại Phụ lục.", indent=True)
    for n, (_, row) in enumerate(headline.iterrows(), start=1):
        _para(doc, f"{n}. {target_sentence({str(k): v for k, v in row.items()})}", indent=True)


def _activities(doc: WordDocument, inp: ReportInputs) -> None:
    _heading(doc, "III. CÁC HOẠT ĐỘNG ĐÃ TRIỂN KHAI VÀ KINH PHÍ")
    root = inp.data[inp.data["unit_code"] == inp.registry.root].set_index("indicator_code")
    lines = [f"- {a.label}: {vn_count(num(root.loc[a.code, 'value']))} {a.unit}."
             for a in inp.catalogue.activities if a.code in root.index and known(root.loc[a.code, "value"])]
    if lines:
        _para(doc, "Tổng hợp từ báo cáo của các đơn vị:", indent=True)
        for line in lines:
            _para(doc, line, indent=True, after=0)
    else:
        _para(doc, "Chưa đơn vị nào báo cáo số liệu hoạt động.", indent=True)
    _para(doc, f"Đánh giá chung về hoạt động và kinh phí thực hiện: {BLANK}", indent=True)


def _themes(doc: WordDocument, grouped: pd.DataFrame, kind: str, heading: str, tail: str) -> None:
    _heading(doc, heading)
    part = grouped[grouped["kind"] == kind]
    if len(part):
        _para(doc, f"Nội dung các đơn vị nêu, nhóm theo chủ đề (số đơn vị nêu; nguyên văn tại Phụ lục, trang "
                   f"«{SHEET_TEXTS}»):", indent=True)
        for r in part.itertuples():
            _para(doc, f"- {r.theme}: {vn_count(num(r.units))} đơn vị.", indent=True, after=0)
    else:
        _para(doc, "Không đơn vị nào nêu.", indent=True)
    _para(doc, f"{tail}: {BLANK}", indent=True)


def _closing(doc: WordDocument, inp: ReportInputs, meta: DocumentMeta) -> None:
    _heading(doc, f"VI. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM {inp.config.year + 1}")
    _para(doc, BLANK, indent=True)
    cfg = inp.config.document
    names, _ = _header_names(inp)
    _para(doc, "", after=0)
    left, right = _two_columns(doc, 85)
    _para(left, "Nơi nhận:", bold=True, italic=True, size=12, after=0)
    for item in [*(cfg.distribution or [BLANK]), "Lưu: VT"]:
        _para(left, f"- {item}{'.' if item == 'Lưu: VT' else ';'}", size=11, after=0, align="left")
    _para(right, _or_blank(cfg.signer_title).upper(), align="center", bold=True, after=72)
    _para(right, _or_blank(cfg.signer_name), align="center", bold=True)
    annex = f" ({meta.annex})" if meta.annex else ""
    _para(doc, f"Phụ lục{annex}: Kết quả chi tiết kèm theo Báo cáo số {BLANK}/BC-{_or_blank(names.code)} ngày "
               f"{BLANK} của {_reporter(inp)}.", italic=True, size=12)


def _footer(doc: WordDocument, meta: DocumentMeta) -> None:
    kind = "Dự thảo" if meta.kind == DRAFT else "Bản chính thức"
    p = doc.add_footer_paragraph()
    p.align = "right"
    _run(p, f"{kind} – lập lúc {meta.produced_at:%H:%M} ngày {meta.produced_at:%d/%m/%Y} (dvctt)", italic=True,
         size=10)


def build_document(inp: ReportInputs, meta: DocumentMeta, headline: pd.DataFrame | None = None) -> WordDocument:
    """The Báo cáo for `inp`; `headline` defaults to the report year's `transform.headline.headline_rows`."""
    doc = WordDocument(font=FONT, size=SIZE, author="dvctt",
                       title=f"Báo cáo kết quả thực hiện Đề án 1588/QĐ-TTg năm {inp.config.year}")
    _header(doc, inp, meta)
    _para(doc, "", after=6)
    _title(doc, inp)
    _rollout(doc, inp)
    _results(doc, inp, headline_rows(inp, inp.config.year) if headline is None else headline)
    _activities(doc, inp)
    grouped = group_texts(inp.texts)
    _themes(doc, grouped, "kho_khan", "IV. KHÓ KHĂN, VƯỚNG MẮC", "Đánh giá, nguyên nhân")
    _themes(doc, grouped, "kien_nghi", "V. KIẾN NGHỊ, ĐỀ XUẤT", "Kiến nghị của cơ quan tổng hợp")
    _closing(doc, inp, meta)
    _footer(doc, meta)
    return doc


def write_document(inp: ReportInputs, path: Path, meta: DocumentMeta, headline: pd.DataFrame | None = None) -> Path:
    """Write the Báo cáo atomically; its core properties' dates are `meta.produced_at` (same inputs, same bytes)."""
    stamped = meta.produced_at.replace(microsecond=0)
    return atomic_write_bytes(path, build_document(inp, meta, headline).to_bytes(stamped))
