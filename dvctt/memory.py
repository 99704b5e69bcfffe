"""Give a finished stage's memory back to the system before the next stage of the same process starts.

`dvctt run` chains intake, portal and report in one process. Python frees a stage's frames, but glibc keeps the
freed pages in its heap, so the next stage would start from the previous one's peak: `malloc_trim` returns them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc


def release_memory() -> None:
    gc.collect()
    libc = ctypes.util.find_library("c")
    if libc:
        trim = getattr(ctypes.CDLL(libc), "malloc_trim", None)  # glibc only (musl and macOS have none)
        if trim is not None:
            trim(0)
