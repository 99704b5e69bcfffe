"""File modes: files we write are as readable as any file the process creates (its umask), not owner-only.

`tempfile.mkstemp` and `NamedTemporaryFile` create 0600 files, and an atomic write renames such a file into
place: the leadership workbook, the archive and the run page would be readable by the service account alone,
not by the people and tools they are for (the office share, a backup job running as another account).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path


@cache
def _umask() -> int:
    try:  # Linux: read it without changing it (os.umask can only be read by setting it)
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def as_created(fd_or_path: int | str | os.PathLike[str]) -> None:
    """Give a temporary file the mode a plain `open(path, "w")` would have (0644 under the usual umask 022)."""
    mode = 0o666 & ~_umask()
    if isinstance(fd_or_path, int):
        os.fchmod(fd_or_path, mode)
    else:
        os.chmod(fd_or_path, mode)
