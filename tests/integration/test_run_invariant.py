"""Every run accounts for every file it saw: seen = accepted + quarantined + pending, whatever the mix of drops.

The mixes are drawn at random (seeded, so a failure replays) from what real shared folders hold: two identical files
in one unit folder in one batch, the same bytes in two unit folders, a file dropped again under a new name, identical
bytes dropped again after a rejection, files still being copied, symlinks. The oracle counts the inbox itself.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest

from dvctt.pipeline import ingest
from extract.inbox import FEEDBACK_DIR
from tests.support.factory import drop_bytes, set_count, set_ratio, template_for
from tests.support.zipparts import workbook_bytes

UNITS = ["03386", "03387", "03389"]
STATUSES = {"accepted", "quarantined", "pending"}


def _inbox_files(ws: Path) -> int:
    """Files (and links) one level below each unit folder, feedback folders aside: what a run must account for."""
    return sum(1 for unit in (ws / "inbox").iterdir() if unit.is_dir()
               for entry in unit.iterdir() if entry.name != FEEDBACK_DIR)


def _check(summary, ws: Path) -> dict:
    d = summary.to_dict()
    assert {f["status"] for f in d["files"]} <= STATUSES, d["files"]
    assert d["seen"] == d["accepted"] + d["quarantined"] + d["pending"], d
    assert d["seen"] == _inbox_files(ws) == len(d["files"])
    return d


@pytest.fixture
def contents(small_ws: Path) -> dict[str, bytes]:
    """Workbooks by role: a good one per unit (each claims its own unit), and a bad one for the first unit."""
    out = {}
    for n, unit in enumerate(UNITS):
        wb = template_for(small_ws, unit)
        set_count(wb, "HD_TINBAI", n + 1)
        out[unit] = workbook_bytes(wb)
    bad = template_for(small_ws, UNITS[0])
    set_ratio(bad, "CB_TRUYENTHONG", 9, 3)
    out["bad"] = workbook_bytes(bad)
    return out


def test_two_identical_files_in_one_unit_folder_in_one_batch(small_ws: Path, contents: dict[str, bytes]) -> None:
    drop_bytes(small_ws, UNITS[0], contents[UNITS[0]], "bao_cao.xlsx")
    drop_bytes(small_ws, UNITS[0], contents[UNITS[0]], "bao_cao (1).xlsx")
    drop_bytes(small_ws, UNITS[1], contents[UNITS[1]], "bao_cao.xlsx")
    drop_bytes(small_ws, UNITS[1], contents["bad"], "nham.xlsx")
    summary = ingest(small_ws)
    d = _check(summary, small_ws)
    assert (d["seen"], d["accepted"], d["quarantined"], d["pending"]) == (4, 3, 1, 0)
    assert (d["new_accepted"], d["new_quarantined"]) == (2, 1)  # the copy is accounted for, not loaded twice
    [copy] = [f for f in d["files"] if f["twin_of"]]
    assert {copy["name"], copy["twin_of"]} == {"bao_cao.xlsx", "bao_cao (1).xlsx"}
    assert (copy["unit_code"], copy["status"], copy["new"]) == (UNITS[0], "accepted", False)
    page = summary.html.read_text(encoding="utf-8")  # IT sees both files of this run, not "an earlier run"
    assert "bao_cao (1).xlsx" in page and "lượt trước" not in page


def _step(rng: random.Random, ws: Path, contents: dict[str, bytes], dropped: list[tuple[str, str]], n: int) -> None:
    """One random drop into the inbox."""
    unit = rng.choice(UNITS)
    kind = rng.choice(["own", "own", "copy", "other_unit", "bad", "again", "pending", "symlink"])
    name = f"tep_{n}.xlsx"
    if kind == "again" and dropped:
        unit, old = rng.choice(dropped)  # the very same bytes, under a new name
        drop_bytes(ws, unit, (ws / "inbox" / unit / old).read_bytes(), name)
    elif kind == "copy" and dropped:
        unit, old = rng.choice(dropped)
        drop_bytes(ws, unit, (ws / "inbox" / unit / old).read_bytes(), f"ban sao {name}")
        name = f"ban sao {name}"
    elif kind == "other_unit":
        drop_bytes(ws, unit, contents[rng.choice([u for u in UNITS if u != unit])], name)
    elif kind == "bad":
        unit = UNITS[0]
        drop_bytes(ws, unit, contents["bad"], name)
    elif kind == "pending":
        path = drop_bytes(ws, unit, contents[unit], name)
        os.utime(path, (time.time(), time.time()))  # still being copied
    elif kind == "symlink":
        link = ws / "inbox" / unit / name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(ws / "workspace.yaml")
    else:
        drop_bytes(ws, unit, contents[unit], name)
    dropped.append((unit, name))


@pytest.mark.parametrize("seed", range(4))
def test_every_mix_of_drops_is_accounted_for(small_ws: Path, contents: dict[str, bytes], seed: int) -> None:
    rng = random.Random(seed)
    dropped: list[tuple[str, str]] = []
    n = 0
    for _ in range(3):  # three runs, each after a few more drops
        for _ in range(rng.randint(2, 5)):
            n += 1
            _step(rng, small_ws, contents, dropped, n)
        _check(ingest(small_ws), small_ws)
