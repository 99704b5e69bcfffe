"""The arrival journal: when each file arrived, kept with the archive so the warehouse can be rebuilt from it.

`archive/arrivals.jsonl` holds one JSON object per line, one line per file an intake run judged
(accepted or quarantined), appended and flushed to disk before that run's warehouse commit; lines
are never rewritten or removed. Fields:

    v            format version (1)
    batch        the intake run that judged it (its start, UTC, ISO 8601): files of one batch are judged together
    year         the report year the run judged it for (workspace.yaml's `year` then)
    unit_code    the inbox folder it was dropped in
    name         its file name there
    sha256       of its bytes; archive_path holds them (null for a symlink, which is never followed)
    size         bytes
    mtime_ns     its modification time in the inbox (orders a unit's files that arrived at the same instant)
    arrived_at   when the run first saw it, an aware ISO 8601 instant
    symlink      true for a symbolic link (quarantined without reading)
    status       accepted | quarantined, as judged then (a rebuild judges again and reports any difference)

A run that dies after appending and before committing leaves lines whose files the next run judges
again, in a later batch: the last batch listing a file (unit, sha256) is the one the warehouse holds.
A line cut short by a crash is skipped and counted; the next append starts on a fresh line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from core.clock import aware
from core.files import make_dirs, share

JOURNAL = "arrivals.jsonl"
VERSION = 1


@dataclass(frozen=True)
class Arrival:
    batch: str
    year: int
    unit_code: str
    name: str
    sha256: str
    size: int
    mtime_ns: int
    arrived_at: datetime
    archive_path: str | None
    symlink: bool
    status: str

    @property
    def key(self) -> tuple[str, str]:
        return self.unit_code, self.sha256


@dataclass
class Journal:
    """The journal as read: batches in order, each with its files in the order they were written."""

    batches: list[tuple[str, list[Arrival]]] = field(default_factory=list)
    skipped: int = 0  # lines that could not be read (cut short by a crash)

    @property
    def arrivals(self) -> list[Arrival]:
        return [a for _, batch in self.batches for a in batch]


def journal_path(archive: Path) -> Path:
    return Path(archive) / JOURNAL


def append_arrivals(archive: Path, arrivals: Iterable[Arrival]) -> None:
    """Append `arrivals` and flush them to disk (fsync) before returning: the warehouse commit comes after."""
    lines = "".join(json.dumps(_row(a), ensure_ascii=False, sort_keys=True) + "\n" for a in arrivals)
    if not lines:
        return
    path = journal_path(make_dirs(Path(archive)))
    new = not path.exists()
    with open(path, "ab") as f:
        if f.tell() and not _ends_with_newline(path):
            lines = "\n" + lines  # a line cut short by a crash stays alone, and is skipped when read
        f.write(lines.encode("utf-8"))
        f.flush()
        os.fsync(f.fileno())
    if new:
        share(path)


def read_journal(archive: Path) -> Journal:
    """Every file the journal lists, in the batch that last listed it (see the module docstring)."""
    path = journal_path(archive)
    journal = Journal()
    if not path.is_file():
        return journal
    rows: list[Arrival] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            try:
                rows.append(_arrival(json.loads(line)))
            except (ValueError, KeyError, TypeError):
                journal.skipped += 1
    last = {a.key: a.batch for a in rows}
    order: dict[str, list[Arrival]] = {}
    for a in rows:
        if last[a.key] == a.batch:
            order.setdefault(a.batch, []).append(a)
    journal.batches = list(order.items())
    return journal


def _row(a: Arrival) -> dict:
    return {**asdict(a), "v": VERSION, "arrived_at": aware(a.arrived_at).isoformat()}


def _arrival(row: dict) -> Arrival:
    if row.get("v") != VERSION:
        raise ValueError(f"journal version {row.get('v')}")
    return Arrival(str(row["batch"]), int(row["year"]), str(row["unit_code"]), str(row["name"]), str(row["sha256"]),
                   int(row["size"]), int(row["mtime_ns"]), aware(datetime.fromisoformat(row["arrived_at"])),
                   row["archive_path"], bool(row["symlink"]), str(row["status"]))


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1) == b"\n"
