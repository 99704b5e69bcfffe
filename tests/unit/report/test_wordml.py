"""The .docx writer: Decree 30/2020's page (A4 portrait, margins 20/20/30/15 mm), Times New Roman 14, highlighted
blanks, and the same bytes for the same document and time. Read back with xml.etree, not the writer."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from xml.etree import ElementTree as ET

from report.document import BLANK, _para
from report.wordml import WordDocument

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
AT = datetime(2026, 11, 30, 7, 5)  # noqa: DTZ001 - a wall time, as the document prints it


def _doc() -> WordDocument:
    doc = WordDocument(title="Báo cáo & phụ lục")
    _para(doc, f"Số: {BLANK}/BC-SKHCN", align="center", bold=True)
    left, right = doc.add_table([68, 97])
    _para(left, "SỞ KHOA HỌC VÀ CÔNG NGHỆ", size=12)
    _para(right, "Độc lập - Tự do - Hạnh phúc", underline=True)
    doc.add_footer_paragraph().add_run("Dự thảo", italic=True)
    return doc


def _part(data: bytes, name: str) -> ET.Element:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return ET.fromstring(z.read(name))


def test_page_and_font_follow_the_decree() -> None:
    data = _doc().to_bytes(AT)
    body = _part(data, "word/document.xml")
    size, margins = body.find(f".//{W}pgSz"), body.find(f".//{W}pgMar")
    assert size is not None and margins is not None
    assert (size.get(f"{W}w"), size.get(f"{W}h")) == ("11906", "16838")  # 210 × 297 mm in twentieths of a point
    # 20 mm = 1134, 30 mm = 1701, 15 mm = 850.4 → 850
    assert {k: margins.get(f"{W}{k}") for k in ("top", "bottom", "left", "right")} == {
        "top": "1134", "bottom": "1134", "left": "1701", "right": "850"}
    defaults = _part(data, "word/styles.xml").find(f".//{W}rPrDefault")
    assert defaults is not None
    fonts, sz = defaults.find(f".//{W}rFonts"), defaults.find(f".//{W}sz")
    assert fonts is not None and fonts.get(f"{W}ascii") == "Times New Roman" and fonts.get(f"{W}hAnsi") == \
        "Times New Roman"
    assert sz is not None and sz.get(f"{W}val") == "28"  # half-points: 14 pt


def test_blanks_are_highlighted_and_text_kept() -> None:
    body = _part(_doc().to_bytes(AT), "word/document.xml")
    runs = [(r.findtext(f"{W}t"), r.find(f"{W}rPr/{W}highlight") is not None) for r in body.iter(f"{W}r")]
    assert runs[:3] == [("Số: ", False), (BLANK, True), ("/BC-SKHCN", False)]
    assert ("Độc lập - Tự do - Hạnh phúc", False) in runs
    underlined = [r for r in body.iter(f"{W}r") if r.find(f"{W}rPr/{W}u") is not None]
    assert [r.findtext(f"{W}t") for r in underlined] == ["Độc lập - Tự do - Hạnh phúc"]
    cells = [c.get(f"{W}w") for c in body.iter(f"{W}gridCol")]
    assert cells == ["3855", "5499"]  # 68 and 97 mm


def test_same_document_and_time_same_bytes() -> None:
    first = _doc().to_bytes(AT)
    assert _doc().to_bytes(AT) == first
    assert _doc().to_bytes(AT.replace(minute=6)) != first
    core = _part(first, "docProps/core.xml")
    assert [el.text for el in core if el.tag.endswith(("created", "modified"))] == ["2026-11-30T07:05:00"] * 2
    assert core.findtext("{http://purl.org/dc/elements/1.1/}title") == "Báo cáo & phụ lục"  # escaped, read back
