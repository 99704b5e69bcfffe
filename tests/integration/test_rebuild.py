"""The warehouse rebuilt from the archive gives the same report: arrival times, on time or late, versions, figures.

The demo workspace (on-time and late files, some units missing) is rebuilt into a fresh SQLite file and into a fresh
PostgreSQL database; the leadership workbook written from each is byte for byte the one written from the warehouse
intake filled, and its «Tình hình nộp», «Nguồn số liệu» and «Dữ liệu» sheets are also compared as tables, read back
with openpyxl, so a difference says where it is.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dvctt.cli import app
from dvctt.pipeline import build_report, ingest
from dvctt.rebuild import RebuildRefused, rebuild
from extract.journal import journal_path, read_journal
from load import connect
from load.warehouse import WAREHOUSE_ENV, Warehouse, warehouse_url
from tests.support.factory import drop, set_count, set_ratio, template_for
from tests.support.oracle_readers import read_data_sheet, sheet_table
from tests.support.pg import scratch_database

COMMUNE = "03386"
SHEETS = {"Tình hình nộp": ["Mã", "Thời điểm nhận", "Tình trạng"], "Nguồn số liệu": ["Mã", "Tệp", "Lần nộp"]}


def _without_warehouse(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True, ignore=shutil.ignore_patterns("warehouse.sqlite*", "outbox"))
    return dst


def _tables(report: Path) -> dict:
    out: dict = {sheet: sheet_table(report, sheet, headers) for sheet, headers in SHEETS.items()}
    data = read_data_sheet(report)
    out["Dữ liệu"] = data.astype(object).where(data.notna(), None).to_dict("records")
    return out


PRODUCED_AT = datetime(2025, 12, 10, 1, 0, tzinfo=UTC)  # printed on every page: the same time gives the same bytes


def test_rebuild_reproduces_the_report_on_sqlite_and_postgresql(demo_run: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    original = build_report(demo_run, produced_at=PRODUCED_AT).path
    statuses = [r["Tình trạng"] for r in sheet_table(original, "Tình hình nộp", ["Mã", "Tình trạng"])]
    assert {"Đúng hạn", "Trễ hạn", "Chưa nộp"} <= set(statuses)  # the demo has all three
    expected = _tables(original)
    files = len(Warehouse(connect(warehouse_url(demo_run))).files())

    ws = _without_warehouse(demo_run, tmp_path / "sqlite")
    summary = rebuild(ws)
    assert (summary.files, summary.batches, summary.changed, summary.replaced) == (files, 2, [], False)
    again = build_report(ws, produced_at=PRODUCED_AT).path
    assert _tables(again) == expected
    assert again.read_bytes() == original.read_bytes()

    with scratch_database() as url:
        pg = _without_warehouse(demo_run, tmp_path / "pg")
        monkeypatch.setenv(WAREHOUSE_ENV, url)
        assert rebuild(pg).files == files
        on_pg = build_report(pg, produced_at=PRODUCED_AT).path
        assert _tables(on_pg) == expected
        assert on_pg.read_bytes() == original.read_bytes()


def test_a_warehouse_with_files_is_replaced_only_with_force(small_ws: Path) -> None:
    wb = template_for(small_ws, COMMUNE)
    set_count(wb, "HD_TINBAI", 5)
    drop(small_ws, COMMUNE, wb)
    ingest(small_ws)
    with pytest.raises(RebuildRefused, match="--force"):
        rebuild(small_ws)
    before = Warehouse(connect(warehouse_url(small_ws))).sources(2025)
    summary = rebuild(small_ws, force=True)
    assert summary.replaced and (summary.files, summary.accepted) == (1, 1)
    after = Warehouse(connect(warehouse_url(small_ws))).sources(2025)
    assert after.equals(before)


def test_cli_rebuild_says_what_it_did_and_refuses_in_one_line(small_ws: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    wb = template_for(small_ws, COMMUNE)
    set_count(wb, "HD_TINBAI", 5)
    drop(small_ws, COMMUNE, wb)
    drop(small_ws, COMMUNE, template_for(small_ws, COMMUNE), "trang.xlsx")
    ingest(small_ws)
    runner = CliRunner()
    refused = runner.invoke(app, ["rebuild", "--workspace", str(small_ws)])
    assert refused.exit_code == 1 and "--force" in refused.output and "Traceback" not in refused.output
    monkeypatch.setenv(WAREHOUSE_ENV, f"sqlite:///{tmp_path / 'moi.sqlite'}")
    done = runner.invoke(app, ["rebuild", "--workspace", str(small_ws), "--json"])
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    assert (result["files"], result["accepted"], result["quarantined"], result["units"]) == (2, 1, 1, 1)
    assert result["first_arrival"] and result["last_arrival"]


def test_a_run_that_died_before_its_commit_is_rebuilt_as_the_warehouse_holds_it(small_ws: Path, tmp_path: Path,
                                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    first = template_for(small_ws, COMMUNE)
    set_ratio(first, "CB_TRUYENTHONG", 10, 20)
    drop(small_ws, COMMUNE, first, "lan1.xlsx")

    def dies(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("killed")

    monkeypatch.setattr(Warehouse, "write_batch", dies)
    with pytest.raises(RuntimeError):
        ingest(small_ws)
    monkeypatch.undo()
    assert len(read_journal(small_ws / "archive").arrivals) == 1  # journaled before the commit that never came
    second = template_for(small_ws, COMMUNE)
    set_ratio(second, "CB_TRUYENTHONG", 15, 20)
    drop(small_ws, COMMUNE, second, "lan2.xlsx")
    ingest(small_ws)
    lines = journal_path(small_ws / "archive").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3  # lan1 twice (the dead run's batch, then the next), lan2 once
    original = Warehouse(connect(warehouse_url(small_ws))).sources(2025)

    monkeypatch.setenv(WAREHOUSE_ENV, f"sqlite:///{tmp_path / 'moi.sqlite'}")
    rebuild(small_ws)
    rebuilt = Warehouse(connect(warehouse_url(small_ws))).sources(2025)
    assert rebuilt.equals(original)
    assert list(rebuilt["version"]) == [1, 2]


def test_journal_line_cut_short_is_skipped_and_the_next_append_starts_afresh(small_ws: Path, tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    wb = template_for(small_ws, COMMUNE)
    set_count(wb, "HD_TINBAI", 5)
    drop(small_ws, COMMUNE, wb, "lan1.xlsx")
    ingest(small_ws)
    path = journal_path(small_ws / "archive")
    path.write_bytes(path.read_bytes() + b'{"v": 1, "batch": "20')  # a crash in the middle of a line
    other = template_for(small_ws, "03387")
    set_count(other, "HD_TINBAI", 6)
    drop(small_ws, "03387", other, "khac.xlsx")
    ingest(small_ws)
    journal = read_journal(small_ws / "archive")
    assert journal.skipped == 1 and [a.name for a in journal.arrivals] == ["lan1.xlsx", "khac.xlsx"]
    monkeypatch.setenv(WAREHOUSE_ENV, f"sqlite:///{tmp_path / 'moi.sqlite'}")
    summary = rebuild(small_ws)
    assert (summary.files, summary.skipped_lines) == (2, 1)


def test_a_warehouse_older_than_the_journal_gets_one_and_can_be_rebuilt(small_ws: Path, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    for n, value in enumerate((10, 12), start=1):
        wb = template_for(small_ws, COMMUNE)
        set_count(wb, "HD_TINBAI", value)
        drop(small_ws, COMMUNE, wb, f"lan{n}.xlsx")
        ingest(small_ws)
    drop(small_ws, COMMUNE, template_for(small_ws, COMMUNE), "trang.xlsx")
    ingest(small_ws)
    journal_path(small_ws / "archive").unlink()  # as a warehouse filled by a release without the journal
    ingest(small_ws)  # nothing new: the journal is written from the warehouse's records
    journal = read_journal(small_ws / "archive")
    assert [(a.batch, a.name, a.status) for a in journal.arrivals] == [
        ("backfill", "lan1.xlsx", "accepted"), ("backfill", "lan2.xlsx", "accepted"),
        ("backfill", "trang.xlsx", "quarantined")]
    wh = Warehouse(connect(warehouse_url(small_ws)))
    original, rejected = wh.sources(2025), wh.quarantined()
    monkeypatch.setenv(WAREHOUSE_ENV, f"sqlite:///{tmp_path / 'moi.sqlite'}")
    rebuild(small_ws)
    wh = Warehouse(connect(warehouse_url(small_ws)))
    assert wh.sources(2025).equals(original) and wh.quarantined().equals(rejected)


def test_files_of_one_instant_keep_their_order_when_rebuilt(small_ws: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Two versions judged in one batch at one fixed instant (as `dvctt demo` runs): the one saved later is current,
    whatever the names say, after a rebuild too."""
    import os
    from datetime import UTC, datetime

    older, newer = template_for(small_ws, COMMUNE), template_for(small_ws, COMMUNE)
    set_count(older, "HD_TINBAI", 1)
    set_count(newer, "HD_TINBAI", 2)
    first = drop(small_ws, COMMUNE, older, "z_ban_dau.xlsx")
    second = drop(small_ws, COMMUNE, newer, "a_sua_lai.xlsx")
    os.utime(second, (first.stat().st_mtime + 60, first.stat().st_mtime + 60))
    ingest(small_ws, now=datetime(2025, 12, 1, 2, 0, tzinfo=UTC))
    original = Warehouse(connect(warehouse_url(small_ws))).sources(2025)
    assert list(original.loc[original["is_current"], "original_name"]) == ["a_sua_lai.xlsx"]
    monkeypatch.setenv(WAREHOUSE_ENV, f"sqlite:///{tmp_path / 'moi.sqlite'}")
    rebuild(small_ws)
    assert Warehouse(connect(warehouse_url(small_ws))).sources(2025).equals(original)
