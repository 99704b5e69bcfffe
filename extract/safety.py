"""Look at a dropped file's bytes before any parser does: treat every upload as hostile.

Catches what a spreadsheet library would choke on or be abused by: executables and other
formats renamed to .xlsx, password-protected (encrypted) workbooks, zip bombs (huge
uncompressed size or ratio, or a part that inflates past the size it declares), XML entity
bombs (a DTD in any XML part or sheet; real xlsx never has one), and it lists formula cells that
carry no cached value, which a reader would see as blank.

Every part is inflated here, once, and handed on re-packed uncompressed: the reader then parses
exactly the bytes that were checked and inflates nothing a second time (inflating is most of
what reading a small workbook costs).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from core.config import Limits

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2: legacy .xls, or an encrypted .xlsx
ZIP_MAGIC = b"PK\x03\x04"
MAX_RATIO = 200  # xlsx XML compresses ~10–30×; hundreds × is a bomb
# What the re-packed copy, a plain zip (no zip64), can hold: entries (real workbooks have dozens) and bytes.
MAX_PARTS, MAX_PACKAGE = 0xFFFF, 0xFFFFFFFF
SMALL_PART = 1 << 16  # parts up to this size have their work remembered, see `_inflate_small`
XML_PARTS = (".xml", ".rels", ".vml")
WORKBOOK, WORKBOOK_RELS = "xl/workbook.xml", "xl/_rels/workbook.xml.rels"
# Searched for in the whole part: a DOCTYPE may only stand in the prolog, but comments and
# whitespace before it can pad that to any length, so no fixed-size head would do.
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
# Two attributes of a tag, in either order: writers differ (openpyxl puts Target before Id).
_SHEET = re.compile(r'<sheet\b[^>]*?\s(?:name="([^"]*)"[^>]*?\sr:id="([^"]*)"|r:id="([^"]*)"[^>]*?\sname="([^"]*)")')
_REL = re.compile(r'<Relationship\b[^>]*?\s(?:Id="([^"]*)"[^>]*?\sTarget="([^"]*)"|Target="([^"]*)"[^>]*?\sId="([^"]*)")')
_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]+[0-9]+)"[^>]*?(?:/>|>(.*?)</c>)', re.S)
_FORMULA = re.compile(rb"<f[\s/>]")  # the <f> element itself, not a drop-down list's <formula1>
# Zip records (APPNOTE.TXT 4.3): only the fields used here are unpacked.
_LOCAL_SIG, _CENTRAL_SIG, _END_SIG = 0x04034B50, 0x02014B50, 0x06054B50
_LOCAL = struct.Struct("<I2xH18xHH")  # signature, flags, name length, extra length
_CENTRAL = struct.Struct("<I4xHH4xIIIHHH8xI")  # signature, flags, method, crc, sizes, 3 lengths, offset
_END = struct.Struct("<IHHHHIIH")  # signature, disk, directory's disk, entries here, entries, size, offset, comment
_NEW_LOCAL = struct.Struct("<IHHHHHIIIHH")
_NEW_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_UTF8_NAMES = 0x800  # general-purpose flag: names are UTF-8
_DOS_DATE = 0x21  # 1980-01-01: the timestamp carries no information here


class Rejected(Exception):
    """The container itself is unacceptable; `found`, `expected`, `fix` are for the clerk."""

    def __init__(self, rule: str, found: str, expected: str, fix: str):
        super().__init__(fix)
        self.rule, self.found, self.expected, self.fix = rule, found, expected, fix


@dataclass
class Inspection:
    has_macros: bool = False
    hidden_formulas: dict[str, set[str]] = field(default_factory=dict)  # sheet name → refs without cached value


class _Entry(NamedTuple):
    """One part as the central directory describes it."""

    name: str
    flags: int
    method: int
    crc: int
    packed: int
    size: int
    offset: int


def _encrypted() -> Rejected:
    return Rejected("encrypted", "tệp có mật khẩu hoặc định dạng cũ", "Tệp .xlsx không đặt mật khẩu",
                    "Tệp được đặt mật khẩu (hoặc là tệp .xls đổi tên). Hãy gỡ mật khẩu "
                    "(Tệp → Thông tin → Bảo vệ sổ làm việc), lưu dạng .xlsx rồi nộp lại.")


def _corrupt() -> Rejected:
    return Rejected("corrupt", "tệp nén hỏng", "Tệp Excel .xlsx đọc được",
                    "Tệp bị hỏng hoặc bị cắt cụt khi chép. Hãy mở lại bằng Excel, lưu và nộp lại.")


def inspect_file(path: Path, limits: Limits) -> tuple[Inspection, bytes | None]:
    """Check one file; return what was found and, for the reader, the checked parts re-packed (None for .xls)."""
    data = path.read_bytes()
    if not data:
        raise Rejected("empty_file", "0 byte", "Tệp có nội dung",
                       "Tệp rỗng (0 byte), có thể do chép bị lỗi. Hãy chép lại tệp báo cáo và nộp lại.")
    if data.startswith(CFB_MAGIC):
        if path.suffix.lower() == ".xls":
            return Inspection(), None
        raise _encrypted()
    if not data.startswith(ZIP_MAGIC):
        found = "tệp chương trình (.exe)" if data.startswith(b"MZ") else "không phải tệp Excel"
        raise Rejected("not_excel", found, "Tệp Excel .xlsx",
                       "Tệp không phải bảng tính Excel dù có đuôi Excel. Hãy mở biểu mẫu bằng Excel, "
                       "lưu dạng .xlsx và nộp lại.")
    entries = _directory(data)
    total = sum(e.size for e in entries)
    packed = max(1, sum(e.packed for e in entries))
    # The copy's headers take at most twice the room of the input's (names, plus fixed-size records).
    if total > limits.max_uncompressed_mb * 1024 * 1024 or total / packed > MAX_RATIO \
            or total + 2 * len(data) > MAX_PACKAGE or len(entries) > MAX_PARTS:
        raise Rejected("zip_bomb", f"{total / 1048576:.0f} MB khi giải nén",
                       f"Không quá {limits.max_uncompressed_mb:g} MB khi giải nén",
                       "Tệp quá lớn hoặc bất thường khi giải nén. Hãy dùng đúng biểu mẫu, "
                       "xóa dữ liệu thừa rồi nộp lại.")
    # A repeated name keeps its last entry, as in zipfile; the re-packed copy holds that one only.
    parts = {e.name: (_inflate_small if max(e.size, e.packed) <= SMALL_PART else _inflate)(
        _compressed(data, e), e.method, e.size, e.crc) for e in entries}
    crcs = {e.name: e.crc for e in entries}
    book = parts.get(WORKBOOK, b""), parts.get(WORKBOOK_RELS, b"")
    sheets = (_sheet_parts_small if max(map(len, book)) <= SMALL_PART else _sheet_parts)(*book)
    # Sheets are checked whatever their part is named: the reader finds them through the workbook map.
    for name in dict.fromkeys([*(n for n in parts if n.endswith(XML_PARTS)), *(part for _, part in sheets)]):
        if _has_dtd(parts.get(name, b"")):
            raise Rejected("xml_dtd", name, "Tệp Excel không chứa khai báo DTD",
                           "Tệp chứa cấu trúc XML bất thường và không được đọc vì lý do an toàn. "
                           "Hãy tạo lại tệp từ biểu mẫu gốc và nộp lại.")
    hidden = {sheet: refs for sheet, part in sheets if (refs := _formulas_without_value(parts.get(part, b"")))}
    return Inspection(has_macros="xl/vbaProject.bin" in parts, hidden_formulas=hidden), _stored_zip(parts, crcs)


def _directory(data: bytes) -> list[_Entry]:
    """The parts the central directory lists, in its order."""
    entries = _plain_directory(data)
    if entries is not None:
        return entries
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return [_Entry(i.orig_filename, i.flag_bits, i.compress_type, i.CRC, i.compress_size, i.file_size,
                           i.header_offset) for i in zf.infolist()]
    except (zipfile.BadZipFile, ValueError) as exc:  # ValueError: e.g. a name flagged UTF-8 that does not decode
        raise _corrupt() from exc


def _plain_directory(data: bytes) -> list[_Entry] | None:
    """The central directory of a plain zip, or None to let zipfile (3× slower) decide, as it did for every file.

    Plain is what Excel and LibreOffice write: one disk, no comment, no zip64, the directory
    right before its end record and filled exactly by the entries it counts.
    """
    end = len(data) - _END.size
    if end < 0:
        return None
    signature, disk, own_disk, here, count, listed, start, comment = _END.unpack_from(data, end)
    if signature != _END_SIG or disk or own_disk or comment or here != count or start + listed != end:
        return None
    entries, pos = [], start
    for _ in range(count):
        if pos + _CENTRAL.size > end:
            return None
        signature, flags, method, crc, packed, size, name_len, extra_len, comment_len, at = \
            _CENTRAL.unpack_from(data, pos)
        if signature != _CENTRAL_SIG or 0xFFFFFFFF in (packed, size, at):  # zip64 keeps the real values elsewhere
            return None
        try:
            name = _name(data[pos + _CENTRAL.size:pos + _CENTRAL.size + name_len], flags)
        except UnicodeDecodeError:
            return None
        entries.append(_Entry(name, flags, method, crc, packed, size, at))
        pos += _CENTRAL.size + name_len + extra_len + comment_len
    return entries if pos == end else None


def _name(raw: bytes, flags: int) -> str:
    """A part's name as zipfile decodes it: UTF-8 when flagged, else cp437 (ASCII, the usual case, is both)."""
    return raw.decode("ascii" if raw.isascii() else "utf-8" if flags & _UTF8_NAMES else "cp437")


def _compressed(data: bytes, entry: _Entry) -> bytes:
    """A part's bytes as stored, found through its local header as zip readers do, with zipfile's own checks."""
    if entry.flags & 1:  # zip-level password
        raise _encrypted()
    if entry.method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):  # all that Excel and calamine use
        raise _corrupt()
    at = entry.offset
    try:
        signature, flags, name_len, extra_len = _LOCAL.unpack_from(data, at)
        name = _name(data[at + _LOCAL.size:at + _LOCAL.size + name_len], flags)
    except (struct.error, UnicodeDecodeError) as exc:
        raise _corrupt() from exc
    start = at + _LOCAL.size + name_len + extra_len
    payload = data[start:start + entry.packed]
    if signature != _LOCAL_SIG or name != entry.name or len(payload) != entry.packed:
        raise _corrupt()  # both headers must name the part, and the file must hold all of it
    return payload


def _inflate(payload: bytes, method: int, size: int, crc: int) -> bytes:
    """The whole part, checked against its declared size and CRC: it cannot inflate past what it declares."""
    if method == zipfile.ZIP_STORED:
        out, complete = payload, True
    else:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            out = inflater.decompress(payload, size + 1)
        except zlib.error as exc:
            raise _corrupt() from exc
        complete = inflater.eof
    if not complete or len(out) != size or zlib.crc32(out) != crc:
        raise _corrupt()
    return out


# A template's fixed parts (theme, styles, guide sheet, workbook map …) come byte for byte the same in
# thousands of files. Only small parts, so the memory stays small; a failed check raises and is not remembered.
_inflate_small = lru_cache(maxsize=64)(_inflate)


def _has_dtd(xml: bytes) -> bool:
    bang = xml.find(b"!")  # a one-byte search is far quicker than any for "<!" in XML, which is all "<"
    return bang >= 0 and _DTD.search(xml, max(bang - 1, 0)) is not None


def _sheet_parts(workbook: bytes, rels_xml: bytes) -> tuple[tuple[str, str], ...]:
    """(sheet name, its part) in workbook order, from the workbook map; empty when the map is missing."""
    rels = dict(_pairs(_REL, rels_xml.decode("utf-8", "replace")))
    out = []
    for name, rid in _pairs(_SHEET, workbook.decode("utf-8", "replace")):
        target = rels.get(rid, "").lstrip("/")
        out.append((_unescape(name), target if target.startswith("xl/") else f"xl/{target}"))
    return tuple(out)


_sheet_parts_small = lru_cache(maxsize=16)(_sheet_parts)


def _pairs(tag: re.Pattern[str], xml: str) -> list[tuple[str, str]]:
    return [(a or d, b or c) for a, b, c, d in tag.findall(xml)]


def _formulas_without_value(xml: bytes) -> set[str]:
    """Formula cells saved without a cached result (files written by scripts, or calc turned off)."""
    if not _FORMULA.search(xml):  # most sheets: no formula, so no cell-by-cell scan
        return set()
    return {m.group(1).decode() for m in _CELL.finditer(xml)
            if m.group(2) and _FORMULA.search(m.group(2)) and b"<v" not in m.group(2)}


def _stored_zip(parts: dict[str, bytes], crcs: dict[str, int]) -> bytes:
    """The parts as a zip of stored (uncompressed) entries, for the reader to parse without inflating again.

    `crcs` are the archive's own, which `_inflate` verified for every part.
    """
    chunks: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for name, body in parts.items():
        raw_name, size = name.encode(), len(body)
        fields = (20, _UTF8_NAMES, zipfile.ZIP_STORED, 0, _DOS_DATE, crcs[name], size, size, len(raw_name), 0)
        chunks += (_NEW_LOCAL.pack(_LOCAL_SIG, *fields), raw_name, body)
        central += (_NEW_CENTRAL.pack(_CENTRAL_SIG, 20, *fields, 0, 0, 0, 0, offset), raw_name)
        offset += _NEW_LOCAL.size + len(raw_name) + size
    directory = b"".join(central)
    end = _END.pack(_END_SIG, 0, 0, len(parts), len(parts), len(directory), offset, 0)
    return b"".join([*chunks, directory, end])


def _unescape(text: str) -> str:
    return text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
