"""A per-workspace lock so two ingests (CLI and DAG, or two DAG runs) never interleave."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class BusyError(RuntimeError):
    pass


@contextmanager
def workspace_lock(path: Path, timeout: float = 600.0) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise BusyError(f"Một lượt tiếp nhận khác vẫn đang chạy trên {path.parent} "
                                    f"sau {timeout:.0f} giây; hãy thử lại sau.") from None
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
