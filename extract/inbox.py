"""Find dropped files in `inbox/<unit_code>/` and store each in the content-addressed archive.

Units' files are only ever read, never moved or deleted: the shared folder is the clerk's, and
the archive under sha256 is our own copy of exactly the bytes we judged.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from core.files import as_created

FEEDBACK_DIR = "phan_hoi"
SUPPORTED = {".xlsx", ".xlsm", ".xls", ".csv"}


@dataclass(frozen=True)
class Dropped:
    unit_code: str
    path: Path
    size: int
    mtime: float
    symlink: bool = False
    mtime_ns: int = 0  # with ctime_ns, recognises a file hashed by an earlier run (dvctt.intake)
    ctime_ns: int = 0

    @property
    def name(self) -> str:
        return self.path.name


@dataclass
class Scan:
    ready: list[Dropped]
    pending: list[Dropped]


def scan_inbox(inbox: Path, *, settle_seconds: float) -> Scan:
    """List files one level below each unit folder. Files modified within `settle_seconds`, and
    Excel's `~$` lock files (the workbook is still open), are pending: left for the next scan."""
    ready: list[Dropped] = []
    pending: list[Dropped] = []
    if not inbox.is_dir():
        return Scan(ready, pending)
    now = time.time()
    with os.scandir(inbox) as entries:  # DirEntry answers is_dir/is_symlink from the listing: no stat per folder
        unit_dirs = sorted((e for e in entries if e.is_dir(follow_symlinks=False)), key=lambda e: e.name)
    for unit_dir in unit_dirs:
        folder = inbox / unit_dir.name  # joining names parses only the name, not the whole path again
        with os.scandir(unit_dir.path) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                path = folder / entry.name
                if entry.name == FEEDBACK_DIR and entry.is_dir():
                    continue
                if entry.is_symlink():
                    ready.append(Dropped(unit_dir.name, path, 0, 0.0, symlink=True))
                    continue
                if not entry.is_file():
                    continue
                st = entry.stat()
                item = Dropped(unit_dir.name, path, st.st_size, st.st_mtime, False, st.st_mtime_ns, st.st_ctime_ns)
                if entry.name.startswith("~$") or now - st.st_mtime < settle_seconds:
                    pending.append(item)
                else:
                    ready.append(item)
    return Scan(ready, pending)


def archive_file(path: Path, archive_dir: Path) -> tuple[str, Path]:
    """Copy the bytes into `archive/<sha[:2]>/<sha><ext>`, hashing while copying.

    Hashing the copy rather than the original means the archived bytes are exactly the bytes
    that were hashed and then read, even if the clerk overwrites the file meanwhile.
    """
    archive_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(dir=archive_dir, prefix=".in-", delete=False) as tmp, path.open("rb") as src:
        as_created(tmp.fileno())  # not NamedTemporaryFile's 0600: backups and IT read the archive too
        for block in iter(lambda: src.read(1 << 20), b""):
            digest.update(block)
            tmp.write(block)
    sha = digest.hexdigest()
    target = archive_dir / sha[:2] / f"{sha}{path.suffix.lower()}"
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        Path(tmp.name).unlink()
    else:
        os.replace(tmp.name, target)
    return sha, target
