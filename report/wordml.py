"""A minimal WordprocessingML (.docx) writer: paragraphs of runs, borderless tables, one section, a footer.

Written here rather than with python-docx: python-docx needs lxml, and openpyxl serialises every workbook
differently (bytes, not content) as soon as lxml is importable, which would change every template, feedback file
and report we write and the committed samples. The Báo cáo needs little of WordprocessingML, and every byte of it
is then ours: the parts in a fixed order, fixed zip times, the core properties' dates from the produced-at input.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from xml.sax.saxutils import escape

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TWIPS_PER_MM = 1440 / 25.4
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
ALIGN = {"left": "left", "center": "center", "right": "right", "justify": "both"}


def twips(mm: float) -> int:
    return round(mm * TWIPS_PER_MM)


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False
    size: float | None = None  # points; None: the document's default
    highlight: bool = False  # yellow: a passage the clerk completes

    def xml(self) -> str:
        props = "".join([
            "<w:b/>" if self.bold else "", "<w:i/>" if self.italic else "",
            f'<w:sz w:val="{round(self.size * 2)}"/><w:szCs w:val="{round(self.size * 2)}"/>' if self.size else "",
            '<w:highlight w:val="yellow"/>' if self.highlight else "", '<w:u w:val="single"/>' if self.underline else ""])
        lines = self.text.split("\n")
        body = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in lines)
        return f"<w:r>{f'<w:rPr>{props}</w:rPr>' if props else ''}{body}</w:r>"


@dataclass
class Paragraph:
    runs: list[Run] = field(default_factory=list)
    align: str | None = None  # a key of ALIGN
    first_line_mm: float = 0
    before_pt: float = 0
    after_pt: float = 6

    def add_run(self, text: str, *, bold: bool = False, italic: bool = False, underline: bool = False,
                size: float | None = None, highlight: bool = False) -> Run:
        run = Run(text, bold, italic, underline, size, highlight)
        self.runs.append(run)
        return run

    def xml(self) -> str:
        props = (f'<w:spacing w:before="{round(self.before_pt * 20)}" w:after="{round(self.after_pt * 20)}"/>'
                 + (f'<w:ind w:firstLine="{twips(self.first_line_mm)}"/>' if self.first_line_mm else "")
                 + (f'<w:jc w:val="{ALIGN[self.align]}"/>' if self.align else ""))
        return f"<w:p><w:pPr>{props}</w:pPr>{''.join(r.xml() for r in self.runs)}</w:p>"


@dataclass
class Cell:
    width_mm: float
    paragraphs: list[Paragraph] = field(default_factory=list)

    def add_paragraph(self) -> Paragraph:
        self.paragraphs.append(Paragraph())
        return self.paragraphs[-1]

    def xml(self) -> str:
        body = "".join(p.xml() for p in self.paragraphs) or "<w:p/>"  # a cell must hold a paragraph
        return f'<w:tc><w:tcPr><w:tcW w:w="{twips(self.width_mm)}" w:type="dxa"/></w:tcPr>{body}</w:tc>'


@dataclass
class Table:
    """One row of cells side by side, without borders: the header block, the Nơi nhận and signer block."""

    cells: list[Cell]

    def xml(self) -> str:
        total = sum(twips(c.width_mm) for c in self.cells)
        borders = "".join(f'<w:{side} w:val="nil"/>' for side in ("top", "left", "bottom", "right", "insideH",
                                                                  "insideV"))
        grid = "".join(f'<w:gridCol w:w="{twips(c.width_mm)}"/>' for c in self.cells)
        return (f'<w:tbl><w:tblPr><w:tblW w:w="{total}" w:type="dxa"/><w:jc w:val="center"/>'
                f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
                f'<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
                f'</w:tblPr><w:tblGrid>{grid}</w:tblGrid><w:tr>{"".join(c.xml() for c in self.cells)}</w:tr></w:tbl>')


@dataclass
class Page:
    """A4 portrait by default; margins in millimetres."""

    width_mm: float = 210
    height_mm: float = 297
    top_mm: float = 20
    bottom_mm: float = 20
    left_mm: float = 30
    right_mm: float = 15


@dataclass
class WordDocument:
    font: str = "Times New Roman"
    size: float = 14
    page: Page = field(default_factory=Page)
    body: list[Paragraph | Table] = field(default_factory=list)
    footer: list[Paragraph] = field(default_factory=list)
    title: str = ""
    author: str = ""

    def add_paragraph(self) -> Paragraph:
        paragraph = Paragraph()
        self.body.append(paragraph)
        return paragraph

    def add_table(self, widths_mm: list[float]) -> list[Cell]:
        table = Table([Cell(w) for w in widths_mm])
        self.body.append(table)
        return table.cells

    def add_footer_paragraph(self) -> Paragraph:
        self.footer.append(Paragraph(after_pt=0))
        return self.footer[-1]

    def to_bytes(self, stamped: datetime) -> bytes:
        """The package; `stamped` (naive, as written) is the core properties' created and modified time."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for name, text in self._parts(stamped):
                z.writestr(zipfile.ZipInfo(name, _ZIP_TIME), text.encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED)
        return out.getvalue()

    def _parts(self, stamped: datetime) -> list[tuple[str, str]]:
        head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        ns = f'xmlns:w="{W_NS}" xmlns:r="{R_NS}"'
        p = self.page
        section = (f'<w:sectPr><w:footerReference w:type="default" r:id="rId2"/>'
                   f'<w:pgSz w:w="{twips(p.width_mm)}" w:h="{twips(p.height_mm)}"/>'
                   f'<w:pgMar w:top="{twips(p.top_mm)}" w:right="{twips(p.right_mm)}" w:bottom="{twips(p.bottom_mm)}" '
                   f'w:left="{twips(p.left_mm)}" w:header="567" w:footer="454" w:gutter="0"/></w:sectPr>')
        document = f'{head}<w:document {ns}><w:body>{"".join(b.xml() for b in self.body)}{section}</w:body></w:document>'
        footer = f'{head}<w:ftr {ns}>{"".join(f.xml() for f in self.footer) or "<w:p/>"}</w:ftr>'
        half = round(self.size * 2)
        fonts = f'<w:rFonts w:ascii="{self.font}" w:hAnsi="{self.font}" w:eastAsia="{self.font}" w:cs="{self.font}"/>'
        styles = (f'{head}<w:styles xmlns:w="{W_NS}"><w:docDefaults><w:rPrDefault><w:rPr>{fonts}'
                  f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/><w:lang w:val="vi-VN"/></w:rPr></w:rPrDefault>'
                  f'<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="both"/>'
                  f'</w:pPr></w:pPrDefault></w:docDefaults>'
                  f'<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>'
                  f'<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
                  f'</w:style></w:styles>')
        when = stamped.strftime("%Y-%m-%dT%H:%M:%S")  # as given: the produced-at wall time
        core = (f'{head}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
                f'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/'
                f'terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{escape(self.title)}'
                f'</dc:title><dc:creator>{escape(self.author)}</dc:creator><cp:lastModifiedBy>{escape(self.author)}'
                f'</cp:lastModifiedBy><cp:revision>1</cp:revision><dcterms:created xsi:type="dcterms:W3CDTF">{when}'
                f'</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified>'
                f'</cp:coreProperties>')
        app = (f'{head}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
               f'<Application>dvctt</Application></Properties>')
        rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
        root_rels = (f'{head}<Relationships xmlns="{pkg}">'
                     f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="word/document.xml"/>'
                     f'<Relationship Id="rId2" Type="{pkg}/metadata/core-properties" Target="docProps/core.xml"/>'
                     f'<Relationship Id="rId3" Type="{rel}/extended-properties" Target="docProps/app.xml"/>'
                     f'</Relationships>')
        doc_rels = (f'{head}<Relationships xmlns="{pkg}">'
                    f'<Relationship Id="rId1" Type="{rel}/styles" Target="styles.xml"/>'
                    f'<Relationship Id="rId2" Type="{rel}/footer" Target="footer1.xml"/></Relationships>')
        ct = "application/vnd.openxmlformats-officedocument"
        types = (f'{head}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 f'<Default Extension="xml" ContentType="application/xml"/>'
                 f'<Override PartName="/word/document.xml" ContentType="{ct}.wordprocessingml.document.main+xml"/>'
                 f'<Override PartName="/word/styles.xml" ContentType="{ct}.wordprocessingml.styles+xml"/>'
                 f'<Override PartName="/word/footer1.xml" ContentType="{ct}.wordprocessingml.footer+xml"/>'
                 f'<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.'
                 f'core-properties+xml"/>'
                 f'<Override PartName="/docProps/app.xml" ContentType="{ct}.extended-properties+xml"/></Types>')
        return [("[Content_Types].xml", types), ("_rels/.rels", root_rels), ("word/document.xml", document),
                ("word/_rels/document.xml.rels", doc_rels), ("word/styles.xml", styles),
                ("word/footer1.xml", footer), ("docProps/core.xml", core), ("docProps/app.xml", app)]
