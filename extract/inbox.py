"""Find dropped files in `inbox/<unit_code>/` and store each in the content-addressed archive.

Units' files are only ever read, never moved or deleted: the shared folder is the clerk's, and
the archive under sha256 is our own copy of exactly the bytes we judged.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from core.files import file_mode, make_dirs

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


def archive_file(path: Path, archive_dir: Path, *, link: bool = False) -> tuple[str, Path]:
    """Store the bytes as `archive/<sha[:2]>/<sha><ext>`, hashing while they stream, and return (sha, path).

    A copy is hashed rather than the original, so the archived bytes are exactly the bytes hashed and
    then read, even if the clerk overwrites the file meanwhile. With `link` (a portal export of 1.5 GB:
    copying it costs more than aggregating it) the archive shares the bytes instead when it is on the
    same filesystem: a reflink (copy-on-write clone) where the filesystem has them, else a hard link,
    whose inode is made read-only and hashed through the link, and kept only if its size and mtime did
    not change while hashing; a copy otherwise. Hard-linked or not, an archived export is read-only.
    """
    make_dirs(archive_dir)
    tmp = archive_dir / f".in-{secrets.token_hex(8)}"  # created exclusively below (or linked: fails if it exists)
    try:
        sha = (_shared(path, tmp) if link else None) or _copy_hashing(path, tmp)
        if link:
            os.chmod(tmp, file_mode() & ~0o222)
        target = archive_dir / sha[:2] / f"{sha}{path.suffix.lower()}"
        make_dirs(target.parent)
        if not target.exists():
            os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return sha, target


_FICLONE = 0x40049409  # Linux ioctl: clone the source file's extents into the destination (reflink)


def _copy_hashing(path: Path, tmp: Path) -> str:
    digest = hashlib.sha256()
    with tmp.open("xb") as out, path.open("rb") as src:
        os.fchmod(out.fileno(), file_mode())
        for block in iter(lambda: src.read(1 << 20), b""):
            digest.update(block)
            out.write(block)
    return digest.hexdigest()


def _hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as src:
        for block in iter(lambda: src.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _shared(path: Path, tmp: Path) -> str | None:
    """The sha256 of `path` placed at `tmp` without copying its bytes (reflink, else hard link), or None
    when neither works (another filesystem, a filesystem without them, a file we may not link)."""
    try:
        with path.open("rb") as src, tmp.open("xb") as out:
            fcntl.ioctl(out.fileno(), _FICLONE, src.fileno())
        return _hash(tmp)  # a clone: the archive's own blocks from now on
    except OSError:
        tmp.unlink(missing_ok=True)
    try:
        os.link(path, tmp)
        os.chmod(tmp, file_mode() & ~0o222)  # the same inode: an in-place rewrite of the export is refused now
    except OSError:  # another filesystem, or a file we may not link or whose mode is not ours to change
        tmp.unlink(missing_ok=True)
        return None
    before = tmp.stat()
    sha = _hash(tmp)
    after = tmp.stat()
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):  # written to while hashed
        tmp.unlink()
        return None
    return sha
