"""Run one stage of `dvctt run` in a fresh process, so the run needs the memory of its largest stage, not more.

In one process the report stage started from what intake left behind (about 500 MiB nationally that Python's
allocator keeps in arenas a few live objects still pin), and `dvctt run` peaked above 1 GiB though no stage does.
A child process gives everything back when it ends. "spawn", not "fork": the parent may be drawing a progress
spinner in a thread, and a forked child could inherit that thread's locks held.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from core.errors import UserError

T = TypeVar("T")


def in_fresh_process(stage: Callable[[], T], describe: Callable[[BaseException], str | None]) -> T:
    """`stage()` (picklable: a module-level function or a partial of one), run in a child process.

    A failure `describe` phrases for the user (it returns None for the others) comes back as a UserError with that
    text, whatever the original exception (some do not survive pickling); any other failure is re-raised as the
    child raised it.
    """
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_described, stage, describe).result()


def _described(stage: Callable[[], T], describe: Callable[[BaseException], str | None]) -> T:
    try:
        return stage()
    except Exception as exc:
        if (message := describe(exc)) is None:
            raise
        raise UserError(message) from None
