"""Look at a dropped file's bytes before any parser does: treat every upload as hostile.

Catches what a spreadsheet library would choke on or be abused by: executables and other
formats renamed to .xlsx, password-protected (encrypted) workbooks, zip bombs (huge
uncompressed size or ratio), XML entity bombs (a DTD in any part; real xlsx never has one),
and it lists formula cells that carry no cached value, which a reader would see as blank.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from dvctt.config import Limits

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2: legacy .xls, or an encrypted .xlsx
ZIP_MAGIC = b"PK\x03\x04"
MAX_RATIO = 200  # xlsx XML compresses ~10–30×; hundreds × is a bomb
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_SHEET = re.compile(r'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"', re.S)
_REL = re.compile(r'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"', re.S)
_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]+[0-9]+)"[^>]*?(?:/>|>(.*?)</c>)', re.S)


class Rejected(Exception):
    """The container itself is unacceptable; `found`, `expected`, `fix` are for the clerk."""

    def __init__(self, rule: str, found: str, expected: str, fix: str):
        super().__init__(fix)
        self.rule, self.found, self.expected, self.fix = rule, found, expected, fix


@dataclass
class Inspection:
    has_macros: bool = False
    hidden_formulas: dict[str, set[str]] = field(default_factory=dict)  # sheet name → refs without cached value


def inspect_file(path: Path, limits: Limits) -> Inspection:
    head = path.open("rb").read(8)
    suffix = path.suffix.lower()
    if not head:
        raise Rejected("empty_file", "0 byte", "Tệp có nội dung",
                       "Tệp rỗng (0 byte), có thể do chép bị lỗi. Hãy chép lại tệp báo cáo và nộp lại.")
    if head.startswith(CFB_MAGIC):
        if suffix == ".xls":
            return Inspection()
        raise Rejected("encrypted", "tệp có mật khẩu hoặc định dạng cũ", "Tệp .xlsx không đặt mật khẩu",
                       "Tệp được đặt mật khẩu (hoặc là tệp .xls đổi tên). Hãy gỡ mật khẩu "
                       "(Tệp → Thông tin → Bảo vệ sổ làm việc), lưu dạng .xlsx rồi nộp lại.")
    if not head.startswith(ZIP_MAGIC):
        found = "tệp chương trình (.exe)" if head.startswith(b"MZ") else "không phải tệp Excel"
        raise Rejected("not_excel", found, "Tệp Excel .xlsx",
                       "Tệp không phải bảng tính Excel dù có đuôi Excel. Hãy mở biểu mẫu bằng Excel, "
                       "lưu dạng .xlsx và nộp lại.")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            packed = max(1, sum(i.compress_size for i in infos))
            if total > limits.max_uncompressed_mb * 1024 * 1024 or total / packed > MAX_RATIO:
                raise Rejected("zip_bomb", f"{total / 1048576:.0f} MB khi giải nén",
                               f"Không quá {limits.max_uncompressed_mb:g} MB khi giải nén",
                               "Tệp quá lớn hoặc bất thường khi giải nén. Hãy dùng đúng biểu mẫu, "
                               "xóa dữ liệu thừa rồi nộp lại.")
            # Each XML part is read once (the size check above bounds them): DTD check, then formulas.
            parts = {i.filename: _read(zf, i) for i in infos if i.filename.endswith((".xml", ".rels", ".vml"))}
            for name, data in parts.items():
                if _DTD.search(data, 0, 4096):
                    raise Rejected("xml_dtd", name, "Tệp Excel không chứa khai báo DTD",
                                   "Tệp chứa cấu trúc XML bất thường và không được đọc vì lý do an toàn. "
                                   "Hãy tạo lại tệp từ biểu mẫu gốc và nộp lại.")
            return Inspection(has_macros=any(i.filename == "xl/vbaProject.bin" for i in infos),
                              hidden_formulas=_formulas_without_value(parts))
    except zipfile.BadZipFile as exc:
        raise Rejected("corrupt", "tệp nén hỏng", "Tệp Excel .xlsx đọc được",
                       "Tệp bị hỏng hoặc bị cắt cụt khi chép. Hãy mở lại bằng Excel, lưu và nộp lại.") from exc


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Whole sheets and the workbook map (the formula scan needs them); only the head of the rest."""
    whole = info.filename.startswith("xl/worksheets/") or info.filename.startswith(("xl/workbook.xml",
                                                                                    "xl/_rels/workbook"))
    with zf.open(info) as fh:
        return fh.read() if whole else fh.read(4096)


def _formulas_without_value(parts: dict[str, bytes]) -> dict[str, set[str]]:
    """Formula cells saved without a cached result (files written by scripts, or calc turned off)."""
    try:
        workbook = parts["xl/workbook.xml"].decode("utf-8", "replace")
        rels = dict(_REL.findall(parts["xl/_rels/workbook.xml.rels"].decode("utf-8", "replace")))
    except KeyError:
        return {}
    out: dict[str, set[str]] = {}
    for name, rid in _SHEET.findall(workbook):
        target = rels.get(rid, "").lstrip("/")
        part = target if target.startswith("xl/") else f"xl/{target}"
        xml = parts.get(part, b"")
        if b"<f" not in xml:
            continue
        refs = {m.group(1).decode() for m in _CELL.finditer(xml)
                if m.group(2) and b"<f" in m.group(2) and b"<v" not in m.group(2)}
        if refs:
            out[_unescape(name)] = refs
    return out


def _unescape(text: str) -> str:
    return text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
