"""An exclusive file lock: two ingests (CLI and DAG, or two DAG runs), or two schema upgrades, never interleave."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.errors import UserError


class BusyError(UserError):
    """Another run holds the lock; transient, so a scheduler retries it."""


@contextmanager
def file_lock(path: Path, timeout: float = 600.0, busy: str = "Một lượt tiếp nhận khác") -> Iterator[None]:
    """Hold an exclusive lock on `path` (created if missing), waiting up to `timeout` seconds; `busy` names
    the holder in the Vietnamese message of the BusyError raised after that."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise BusyError(f"{busy} vẫn đang chạy trên {path.parent} "
                                    f"sau {timeout:.0f} giây; hãy thử lại sau.") from None
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
