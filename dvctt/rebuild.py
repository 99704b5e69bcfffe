"""Rebuild the warehouse from the archive: what a restore, or a move from SQLite to PostgreSQL, needs.

The archive holds every file's bytes and its arrival journal (`extract.journal`). The journal's
batches are judged again, in order, by the very function intake judges a run with
(`dvctt.intake.judge_batch`), each file with its recorded arrival time and year: completeness,
timeliness, versions, current figures and warnings come out as intake left them, given the same
configuration. The target is the configured warehouse (SQLite or PostgreSQL); one that already
holds files is replaced only when asked (`force`). Nothing is written beside the inbox: the
feedback files and quarantine copies are there already. Each batch is committed on its own (the
next one is judged against it), so a rebuild cut short leaves a warehouse that needs `force`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from core.clock import vn_wall
from core.config import check_workspace
from core.locking import file_lock
from core.progress import progress_bar
from dvctt.intake import Batch, Staged, judge_batch, stage
from extract.inbox import Dropped
from extract.journal import JOURNAL, Arrival, read_journal
from load.warehouse import FileRecord, with_retries


class RebuildRefused(Exception):
    """The rebuild would lose or guess something; the message says what, in Vietnamese."""


@dataclass
class RebuildSummary:
    batches: int = 0
    files: int = 0
    accepted: int = 0
    quarantined: int = 0
    unit_codes: set[str] = field(default_factory=set)  # units with an accepted file
    first: datetime | None = None  # the earliest and latest arrival replayed
    last: datetime | None = None
    replaced: bool = False  # the warehouse held files, which `force` removed first
    skipped_lines: int = 0  # journal lines that could not be read (cut short by a crash)
    changed: list[dict] = field(default_factory=list)  # files judged otherwise than when they arrived

    @property
    def units(self) -> int:
        return len(self.unit_codes)

    def to_dict(self) -> dict:
        return {"batches": self.batches, "files": self.files, "accepted": self.accepted,
                "quarantined": self.quarantined, "units": self.units,
                "first_arrival": self.first.isoformat() if self.first else None,
                "last_arrival": self.last.isoformat() if self.last else None, "replaced": self.replaced,
                "skipped_lines": self.skipped_lines, "changed": self.changed}

    def describe(self) -> str:
        """One Vietnamese paragraph for the terminal."""
        span = (f", tệp đến từ {vn_wall(self.first):%d/%m/%Y %H:%M} đến {vn_wall(self.last):%d/%m/%Y %H:%M}"
                if self.first and self.last else "")
        text = (f"Đã dựng lại kho dữ liệu từ kho lưu trữ: {self.files} tệp trong {self.batches} lượt nhận{span}; "
                f"{self.accepted} tệp được nhận ({self.units} đơn vị), {self.quarantined} tệp bị từ chối.")
        if self.replaced:
            text += " Dữ liệu tiếp nhận cũ trong kho đã được thay (số liệu Cổng DVC, lịch sử nhắc việc được giữ)."
        if self.skipped_lines:
            text += f" Bỏ qua {self.skipped_lines} dòng hỏng trong {JOURNAL}."
        if self.changed:
            text += (f" {len(self.changed)} tệp có kết quả khác lần nhận trước (quy tắc hoặc cấu hình đã đổi), "
                     "xem --json.")
        return text


def rebuild(workspace: Path, *, force: bool = False, progress: bool = False) -> RebuildSummary:
    """Recreate the intake tables of the configured warehouse from the archive and its journal."""
    workspace = check_workspace(Path(workspace))
    with file_lock(workspace / ".ingest.lock"):
        journal = read_journal(workspace / "archive")
        if not journal.batches:
            raise RebuildRefused(f"Không có sổ ghi nhận tệp đến (archive/{JOURNAL}) trong {workspace}: chưa có tệp "
                                 "nào được tiếp nhận, hoặc đây không phải thư mục làm việc của dvctt.")
        _check_archive(workspace, journal.arrivals, progress)
        batches: dict[int, Batch] = {}
        summary = RebuildSummary(skipped_lines=journal.skipped)
        for n, (_, arrivals) in enumerate(progress_bar(journal.batches, "Dựng lại kho", enabled=progress)):
            year = arrivals[0].year
            if year not in batches:
                batches[year] = Batch(workspace, None, year)
            b = batches[year]
            if n == 0:
                summary.replaced = b.wh.has_files()
                if summary.replaced and not force:
                    raise RebuildRefused("Kho dữ liệu đích đã có dữ liệu tiếp nhận: dựng lại sẽ thay toàn bộ. Nếu đúng "
                                         "là muốn thay, hãy chạy lại với --force; nếu không, hãy chỉ tới một kho trống "
                                         "(warehouse_url hoặc DVCTT_WAREHOUSE_URL).")
            _replay(b, arrivals, clear=n == 0 and summary.replaced, summary=summary)
        return summary


def _replay(b: Batch, arrivals: list[Arrival], *, clear: bool, summary: RebuildSummary) -> None:
    """Judge one journal batch as intake did, and commit it."""
    staged = Staged()
    max_bytes = b.config.limits.max_file_mb * 1024 * 1024
    for a in arrivals:
        path = b.ws / "inbox" / a.unit_code / a.name  # where it was dropped: its name and type, never read
        dropped = Dropped(a.unit_code, path, a.size, a.mtime_ns / 1e9, a.symlink, a.mtime_ns)
        stage(b, staged, dropped, FileRecord(a.unit_code, a.sha256, a.name, a.size, a.arrived_at, a.archive_path),
              max_bytes)
    judged = judge_batch(b, staged, progress=False)
    items = [item for _, item, _ in judged.items]

    def commit() -> None:
        with b.wh.engine.begin() as conn:
            if clear:
                b.wh.clear_intake(conn)
            b.wh.write_batch(conn, b.config.year, items)
            b.wh.replace_peer_stats(conn, b.config.province, b.config.year, judged.recomputed)

    with_retries(commit)
    was = {a.key: a.status for a in arrivals}
    summary.batches += 1
    summary.files += len(items)
    summary.accepted += sum(i.status == "accepted" for i in items)
    summary.quarantined += sum(i.status == "quarantined" for i in items)
    summary.unit_codes |= {i.rec.unit_code for i in items if i.status == "accepted"}
    times = [a.arrived_at for a in arrivals]
    summary.first = min([*times, *([summary.first] if summary.first else [])])
    summary.last = max([*times, *([summary.last] if summary.last else [])])
    summary.changed += [{"unit_code": i.rec.unit_code, "name": i.rec.original_name, "sha256": i.rec.sha256,
                         "was": was[(i.rec.unit_code, i.rec.sha256)], "now": i.status}
                        for i in items if was.get((i.rec.unit_code, i.rec.sha256)) not in (None, i.status)]


def _check_archive(workspace: Path, arrivals: list[Arrival], progress: bool) -> None:
    """Every archived file the journal names is there, with the bytes it was judged on; else nothing is rebuilt."""
    missing, altered = [], []
    for a in progress_bar([a for a in arrivals if a.archive_path], "Kiểm tra kho lưu trữ", enabled=progress):
        path = workspace / str(a.archive_path)
        if not path.is_file():
            missing.append(str(a.archive_path))
            continue
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != a.sha256:
            altered.append(str(a.archive_path))
    if missing or altered:
        problems = ([f"thiếu {len(missing)} tệp (ví dụ {missing[0]})"] if missing else []) + (
            [f"{len(altered)} tệp không còn đúng nội dung đã lưu (ví dụ {altered[0]})"] if altered else [])
        raise RebuildRefused(f"Kho lưu trữ không đầy đủ: {'; '.join(problems)}. Không thể dựng lại đúng kho dữ liệu; "
                             "hãy khôi phục thư mục archive/ từ bản sao lưu rồi chạy lại.")
