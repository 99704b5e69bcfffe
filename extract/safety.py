"""Look at a dropped file's bytes before any parser does: treat every upload as hostile.

Catches what a spreadsheet library would choke on or be abused by: executables and other
formats renamed to .xlsx, password-protected (encrypted) workbooks, zip bombs (huge
uncompressed size or ratio, or a part that inflates past the size it declares), XML entity
bombs (a DTD in any XML part or sheet; real xlsx never has one), and counts that make calamine
reserve memory the file cannot fill (a shared-string table declaring billions of entries aborts
the whole process). What is in each sheet is looked at by `extract.sheet_scan`, when the reader
asks for that sheet.

Every part is inflated here, once, checked, and written on uncompressed into a `Package`: the
reader then parses exactly the bytes that were checked and inflates nothing a second time
(inflating is most of what reading a small workbook costs). Parts are handled one at a time, so a
large workbook costs one part's inflated size in memory: a package up to `SMALL_PACKAGE` stays in
memory, a larger one goes to a scratch file that calamine reads from disk.
"""

from __future__ import annotations

import html
import io
import os
import re
import struct
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, NamedTuple, TypeVar

from core.config import Limits
from extract.sheet_scan import MAX_SHEET, SheetScan, scan_sheet

Buffer = bytes | bytearray  # a part's checked bytes
_B = TypeVar("_B", bytes, memoryview)  # a file's bytes, or a view of them

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2: legacy .xls, or an encrypted .xlsx
ZIP_MAGIC = b"PK\x03\x04"
MAX_RATIO = 200  # xlsx XML compresses ~10–30×; hundreds × is a bomb
# What the re-packed copy, a plain zip (no zip64), can hold: entries (real workbooks have dozens) and bytes.
MAX_PARTS, MAX_PACKAGE = 0xFFFF, 0xFFFFFFFF
SMALL_PART = 1 << 16  # parts up to this size have their work remembered, see `_checked_small`
_CHUNK = 4 << 20  # input and output steps of `_inflate_large`
SMALL_PACKAGE = 16 << 20  # inflated workbooks up to this size are re-packed in memory, larger ones in a scratch file
XML_PARTS = (".xml", ".rels", ".vml")
WORKBOOK, WORKBOOK_RELS = "xl/workbook.xml", "xl/_rels/workbook.xml.rels"
# Searched for in the whole part: a DOCTYPE may only stand in the prolog, but comments and
# whitespace before it can pad that to any length, so no fixed-size head would do.
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
# Two attributes of a tag, in either order: writers differ (openpyxl puts Target before Id).
_SHEET = re.compile(r'<sheet\b[^>]*?\s(?:name="([^"]*)"[^>]*?\sr:id="([^"]*)"|r:id="([^"]*)"[^>]*?\sname="([^"]*)")')
_REL = re.compile(r'<Relationship\b[^>]*?\s(?:Id="([^"]*)"[^>]*?\sTarget="([^"]*)"|Target="([^"]*)"[^>]*?\sId="([^"]*)")')
# A shared-string table's declared size, which calamine reserves room for before reading a single entry.
_SST = re.compile(rb"<(?:[\w.-]+:)?sst\b[^>]*?\suniqueCount=\"\s*([0-9]+)")
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


def inspect_file(path: Path, limits: Limits, scratch: Path | None = None) -> tuple[Inspection, Package | None]:
    """Check one file; return what was found and, for the reader, the checked parts (None for .xls).

    A large package is written into `scratch` (default: the file's folder); close the package when done.
    """
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
    if len({e.name for e in entries}) != len(entries):
        raise _corrupt()  # two parts of one name: which one a reader takes is its own choice, so none is taken
    package = _PackageWriter(None if total <= SMALL_PACKAGE else scratch or path.parent)
    view = memoryview(data)  # a large part is inflated from a view of the file, not from a copy of its bytes
    try:
        for entry in entries:
            if max(entry.size, entry.packed) <= SMALL_PART:
                body: Buffer = _checked_small(entry.name, _compressed(data, entry), entry.method, entry.size,
                                              entry.crc)
            else:
                body = _checked(entry.name, _inflate_large(_compressed(view, entry), entry.method, entry.size,
                                                           entry.crc))
            package.add(entry.name, body, entry.crc)
            del body
        del data, view  # the package holds every checked part now
        checked = package.finish()
        # Sheets are checked whatever their part is named: the reader finds them through the workbook map.
        for _, part in checked.sheets:
            if not part.endswith(XML_PARTS):
                _check_xml(part, checked.part(part))
    except BaseException:
        package.discard()
        raise
    return Inspection(has_macros=checked.has("xl/vbaProject.bin")), checked


class Package:
    """The checked parts of one workbook as a zip of stored entries, in memory or in a scratch file.

    `source` is what calamine opens; `scan` looks into a sheet's XML for the reader (see `extract.sheet_scan`).
    """

    def __init__(self, buffer: bytes | None, path: Path | None, spans: dict[str, tuple[int, int]]):
        self._buffer, self._path, self._spans = buffer, path, spans
        book = self.part(WORKBOOK), self.part(WORKBOOK_RELS)
        self.sheets = (_sheet_parts_small if max(map(len, book)) <= SMALL_PART else _sheet_parts)(*book)
        self._parts_of = dict(self.sheets)

    @property
    def source(self) -> bytes | str:
        """The stored zip: its bytes, or the path of the scratch file holding it."""
        return self._buffer if self._buffer is not None else str(self._path)

    def has(self, part: str) -> bool:
        return part in self._spans

    def part(self, name: str) -> bytes:
        """One part's checked content (b"" when there is no such part)."""
        if name not in self._spans:
            return b""
        start, size = self._spans[name]
        if self._buffer is not None:
            return self._buffer[start:start + size]
        with open(str(self._path), "rb") as f:
            f.seek(start)
            return f.read(size)

    def scan(self, sheet: str, max_rows: int) -> SheetScan | None:
        """What is in `sheet` that the reader must know before calamine parses it; None when the workbook map
        leads to no checked part for it (calamine would then be reading something not looked at)."""
        part = self._parts_of.get(sheet)
        if not part or not self.has(part):
            return None
        size = self._spans[part][1]
        return SheetScan(size=size) if size > MAX_SHEET else scan_sheet(self.part(part), max_rows)

    def close(self) -> None:
        if self._path is not None:
            self._path.unlink(missing_ok=True)
            self._path = None

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class _PackageWriter:
    """Writes checked parts one by one as stored zip entries: into memory, or into a scratch file in `folder`."""

    def __init__(self, folder: Path | None):
        self._path: Path | None = None
        self._file: BinaryIO | None = None
        self._chunks: list[Buffer] = []  # in memory: joined once at the end, cheaper than writing each to a buffer
        if folder is not None:
            fd, name = tempfile.mkstemp(prefix=".read-", suffix=".zip", dir=folder)
            self._path, self._file = Path(name), os.fdopen(fd, "wb")
        self._central: list[bytes] = []
        self._spans: dict[str, tuple[int, int]] = {}
        self._offset = 0

    def add(self, name: str, body: Buffer, crc: int) -> None:
        """`crc` is the archive's own, which `_inflate` verified."""
        raw_name, size = name.encode(), len(body)
        fields = (20, _UTF8_NAMES, zipfile.ZIP_STORED, 0, _DOS_DATE, crc, size, size, len(raw_name), 0)
        header = _NEW_LOCAL.pack(_LOCAL_SIG, *fields) + raw_name
        if self._file is None:
            self._chunks += (header, body)
        else:
            self._file.write(header)
            self._file.write(body)
        self._spans[name] = (self._offset + len(header), size)
        self._central.append(_NEW_CENTRAL.pack(_CENTRAL_SIG, 20, *fields, 0, 0, 0, 0, self._offset) + raw_name)
        self._offset += len(header) + size

    def finish(self) -> Package:
        directory = b"".join(self._central)
        count = len(self._central)
        end = directory + _END.pack(_END_SIG, 0, 0, count, count, len(directory), self._offset, 0)
        if self._file is None:
            return Package(b"".join([*self._chunks, end]), None, self._spans)
        self._file.write(end)
        self._file.close()
        return Package(None, self._path, self._spans)

    def discard(self) -> None:
        if self._file is not None:
            self._file.close()
        if self._path is not None:
            self._path.unlink(missing_ok=True)


def _checked(name: str, body: Buffer) -> Buffer:
    """`body` once it passed every check a part gets (an XML part: no DTD; any part: no impossible count)."""
    if name.endswith(XML_PARTS):
        _check_xml(name, body)
    _check_counts(body)
    return body


# A template's fixed parts (theme, styles, guide sheet, workbook map …) come byte for byte the same in
# thousands of files. Only small parts, so the memory stays small; a failed check raises and is not remembered.
@lru_cache(maxsize=64)
def _checked_small(name: str, payload: bytes, method: int, size: int, crc: int) -> Buffer:
    return _checked(name, _inflate(payload, method, size, crc))


def _check_xml(name: str, xml: Buffer) -> None:
    if _has_dtd(xml):
        raise Rejected("xml_dtd", name, "Tệp Excel không chứa khai báo DTD",
                       "Tệp chứa cấu trúc XML bất thường và không được đọc vì lý do an toàn. "
                       "Hãy tạo lại tệp từ biểu mẫu gốc và nộp lại.")


def _check_counts(body: Buffer) -> None:
    """A shared-string table cannot hold more entries than it has bytes; calamine would reserve room for them all."""
    at = body.find(b"sst")
    found = _SST.search(body, max(at - 64, 0)) if at >= 0 else None
    if found is not None and int(found.group(1)) > len(body):
        raise Rejected("xml_count", f"{int(found.group(1)):,} chuỗi khai báo".replace(",", "."),
                       "Tệp Excel có cấu trúc hợp lệ",
                       "Tệp chứa cấu trúc bất thường (khai báo số lượng vượt quá nội dung) và không được đọc vì lý "
                       "do an toàn. Hãy mở tệp bằng Excel, lưu lại dạng .xlsx (hoặc tạo lại từ biểu mẫu gốc) rồi "
                       "nộp lại.")


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


def _compressed(data: _B, entry: _Entry) -> _B:
    """A part's bytes as stored, found through its local header as zip readers do, with zipfile's own checks."""
    if entry.flags & 1:  # zip-level password
        raise _encrypted()
    if entry.method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):  # all that Excel and calamine use
        raise _corrupt()
    at = entry.offset
    try:
        signature, flags, name_len, extra_len = _LOCAL.unpack_from(data, at)
        name = _name(bytes(data[at + _LOCAL.size:at + _LOCAL.size + name_len]), flags)
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


def _inflate_large(payload: memoryview, method: int, size: int, crc: int) -> bytearray:
    """`_inflate` for a large part: into one buffer of the declared size, a few MB of input at a time, so the part
    takes its own size in memory and no more (zlib growing its output as one bytes object copies it on the way)."""
    if method == zipfile.ZIP_STORED:
        if len(payload) != size or zlib.crc32(payload) != crc:
            raise _corrupt()
        return bytearray(payload)
    out = bytearray(size)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    filled = pos = 0
    try:
        while not inflater.eof:
            if inflater.unconsumed_tail:
                chunk: bytes | memoryview = inflater.unconsumed_tail
            elif pos < len(payload):
                chunk, pos = payload[pos:pos + _CHUNK], pos + _CHUNK
            else:
                chunk = b""  # no input left: what zlib still holds, if anything
            piece = inflater.decompress(chunk, _CHUNK)
            if not piece and not chunk:
                break  # cut short
            if filled + len(piece) > size:
                raise _corrupt()  # inflates past what it declares
            out[filled:filled + len(piece)] = piece
            filled += len(piece)
    except zlib.error as exc:
        raise _corrupt() from exc
    if not inflater.eof or filled != size or zlib.crc32(out) != crc:
        raise _corrupt()
    return out


def _has_dtd(xml: Buffer) -> bool:
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


def _unescape(text: str) -> str:
    """XML's entities and character references, as calamine decodes a sheet's name."""
    return html.unescape(text)
