"""Modes of the files and folders we write for people: they follow the umask, but the group can always read them.

Reports, feedback, templates, the run page and quarantined copies are opened by clerks, leaders and IT,
usually through a shared folder and a shared group. `mkstemp` creates 0600 whatever the umask, and a
service started with a restrictive umask (077) would make anything 0600 or 0700; nobody else could open
them. So a file gets what `open()` gives (0o666 & ~umask) plus owner read/write and group read, and a
folder we create gets 0o777 & ~umask plus owner rwx and group r-x. The umask still decides everything
else: 002 gives 0664 and 0775, 022 gives 0644 and 0755, 077 gives 0640 and 0750.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

FILE_FLOOR = 0o640
DIR_FLOOR = 0o750
_STATUS = Path("/proc/self/status")
_LOCK = threading.Lock()


def current_umask() -> int:
    """The process umask, read without changing it where Linux shows it (changing it races other threads)."""
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    with _LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def file_mode() -> int:
    return (0o666 & ~current_umask()) | FILE_FLOOR


def dir_mode() -> int:
    return (0o777 & ~current_umask()) | DIR_FLOOR


def make_dirs(path: Path) -> Path:
    """`path` and its missing parents; only the folders created here get `dir_mode` (others are left alone)."""
    path = Path(path)
    missing = []
    for folder in (path, *path.parents):
        if folder.is_dir():
            break
        missing.append(folder)
    mode = dir_mode()
    for folder in reversed(missing):
        try:
            folder.mkdir()
        except FileExistsError:  # made meanwhile by another process; not ours to change
            if not folder.is_dir():
                raise
            continue
        os.chmod(folder, mode)
    return path


def share(path: Path) -> Path:
    """Give a file we wrote (by copy or `write_text`) the mode of a shared file."""
    os.chmod(path, file_mode())
    return path
