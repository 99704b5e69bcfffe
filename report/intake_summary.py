"""One HTML page per ingest run for IT staff: the run's files and every problem found, in one place.

Answers "why was my file rejected?" without opening a database; plain HTML so it opens anywhere.
Files already processed by an earlier run are counted, not listed: a national inbox holds 12,000
files, and listing them all on every run made a page of megabytes for one new file.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from pathlib import Path

from core.clock import vn_wall
from core.records import Finding
from report.xlsx import atomic_write_bytes

STATUS = {"accepted": "Đã nhận", "quarantined": "Bị từ chối", "pending": "Đang chờ (tệp đang được chép)"}
SEVERITY = {"error": "Lỗi", "warning": "Cảnh báo"}
STYLE = ("body{font-family:'DejaVu Sans',Arial,sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}"
         "td,th{border:1px solid #999;padding:4px 8px;vertical-align:top}th{background:#DDEBF7}"
         ".quarantined,.error{background:#FFC7CE}.warning{background:#FFEB9C}.accepted{background:#C6EFCE}")


def _table(headers: list[str], rows: Sequence[tuple[str, Sequence[object]]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(f'<tr class="{cls}">' + "".join(f"<td>{escape(str(v))}</td>" for v in values) + "</tr>"
                   for cls, values in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def write_intake_summary(outbox: Path, started: datetime, counts: dict, files: list, findings: dict[str, list[Finding]],
                         names: dict[str, tuple[str, str]]) -> Path:
    """`files`: FileOutcome list; `findings`: file key → findings; `names`: file key → (unit, file name).
    `started` is an instant; the page and its name show it in Vietnamese time."""
    started = vn_wall(started)
    listed = [f for f in files if f.new or f.status == "pending" or f.twin_of]
    earlier = len(files) - len(listed)
    problems = [(f.severity, [names.get(key, ("", key))[0], names.get(key, ("", key))[1], SEVERITY.get(f.severity),
                              f.sheet, f.cell, f.found, f.expected, f.fix])
                for key, found in sorted(findings.items()) for f in found]
    html = (
        f"<!doctype html><html lang='vi'><meta charset='utf-8'><title>Kết quả tiếp nhận {started:%d/%m/%Y %H:%M}"
        f"</title><style>{STYLE}</style><h1>Kết quả tiếp nhận tệp – {started:%d/%m/%Y %H:%M:%S}</h1>"
        f"<p>Đã thấy {counts['seen']} tệp: {counts['accepted']} đã nhận, {counts['quarantined']} bị từ chối, "
        f"{counts['pending']} đang chờ. Lượt này mới nhận {counts['new_accepted']}, mới từ chối "
        f"{counts['new_quarantined']}.</p><h2>Các vấn đề phát hiện</h2>"
        + (_table(["Đơn vị", "Tệp", "Mức độ", "Trang", "Ô", "Giá trị", "Yêu cầu", "Cách sửa"], problems)
           if problems else "<p>Không có vấn đề nào.</p>")
        + "<h2>Các tệp của lượt này</h2>"
        + _table(["Đơn vị", "Tệp", "Tình trạng", "Mới", "SHA-256", "Lý do"],
                 [(f.status, [f.unit_code, f.name, STATUS.get(f.status, f.status), "có" if f.new else "",
                              f.sha256 or "", f.reason or ""]) for f in listed])
        + (f"<p>{earlier} tệp khác đã được xử lý ở các lượt trước và không thay đổi (danh sách đầy đủ ở trang "
           "«Nguồn số liệu» của báo cáo).</p>" if earlier else "")
        + "</html>"
    )
    folder = outbox / "tiep_nhan"
    path = atomic_write_bytes(folder / f"tiep_nhan_{started:%Y%m%d_%H%M%S}.html", html.encode("utf-8"))
    atomic_write_bytes(folder / "moi_nhat.html", html.encode("utf-8"))
    return path
