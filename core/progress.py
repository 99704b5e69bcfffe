"""Progress bars on long work, only when a person is watching (never in Airflow logs)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

T = TypeVar("T")


def progress_bar(items: Iterable[T], label: str, *, enabled: bool, total: int | None = None) -> Iterator[T]:
    """`total` lets a lazy iterable (results streaming from workers) be shown without listing it first."""
    if total is None:
        items = list(items)
        total = len(items)
    if not enabled or total < 2:
        yield from items
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(label, total=total)
        for item in items:
            yield item
            bar.advance(task)


class Stopwatch:
    """Records wall time per stage into `into` (stage → seconds), so runs report where time goes."""

    def __init__(self, into: dict[str, float]):
        self.into = into
        self.last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.into[stage] = self.into.get(stage, 0.0) + now - self.last
        self.last = now
