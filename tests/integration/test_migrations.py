"""Schema migrations: a warehouse made by release 0.1.0 upgrades in place and reports the same figures.

`tests/data/release_0_1_0/` was written by release 0.1.0 itself (`dvctt demo` for Lai Châu 2025, then
`dvctt portal` on the samples and `dvctt report`): its warehouse, and the figures and submission
statuses its report showed. Those files are the oracle; nothing here recomputes them.

One figure changed its name, not its value: 0.1.0 called the share of dossiers received online (any
procedure) HOSO_TRUCTUYEN; revision 0004 stores it as PORTAL_TRUCTUYEN, and HOSO_TRUCTUYEN (dossiers
processed fully online, toàn trình) has no figure from exports that never counted them.
"""

from __future__ import annotations

import gzip
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from openpyxl import load_workbook

from core.config import load_config
from dvctt.pipeline import build_report
from load import migrate
from load.schema import metadata
from load.warehouse import connect, warehouse_url
from tests.support import REPO
from tests.support.oracle_readers import read_data_sheet
from tests.support.pg import scratch_database

RELEASE = REPO / "tests" / "data" / "release_0_1_0"
FIGURES = ["numerator", "denominator", "value", "reporting_units"]
RENAMED = "HOSO_TRUCTUYEN"


def _release_workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    shutil.copy(RELEASE / "workspace.yaml", ws)
    with gzip.open(RELEASE / "warehouse.sqlite.gz") as src, (ws / "warehouse.sqlite").open("wb") as dst:
        shutil.copyfileobj(src, dst)
    return ws


def _statuses(path: Path) -> pd.DataFrame:
    """unit → status and arrival time as shown, from the report's own unit list (the table headed Đơn vị, Mã, …)."""
    rows = list(load_workbook(path, read_only=True)["Tình hình nộp"].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == "Đơn vị" and r[1] == "Mã")
    return pd.DataFrame([(r[1], r[6], str(r[5] or "")) for r in rows[start + 1:] if r[1]],
                        columns=["unit_code", "status", "arrived_at"])


def _assert_same_report(ws: Path) -> None:
    result = build_report(ws)
    old = pd.read_csv(RELEASE / "data.csv.gz", dtype={"unit_code": str, "parent_code": str})
    new = read_data_sheet(result.path)
    merged = old.merge(new, on=["unit_code", "indicator_code"], how="left", suffixes=("_old", "_new"),
                       validate="one_to_one")
    assert len(merged) == len(old) == 4576
    renamed = merged["indicator_code"] == RENAMED
    for column in FIGURES:
        pd.testing.assert_series_equal(merged.loc[~renamed, f"{column}_new"], merged.loc[~renamed, f"{column}_old"],
                                       check_names=False, check_dtype=False, rtol=1e-12)
    assert merged.loc[renamed, "numerator_new"].isna().all() and (merged.loc[renamed, "reporting_units_new"] == 0).all()
    root = old[(old["unit_code"] == "12") & (old["indicator_code"] == RENAMED)].iloc[0]
    engine = sa.create_engine(warehouse_url(ws, load_config(ws).warehouse_url))
    with engine.connect() as con:
        kept = con.execute(sa.text("SELECT sum(numerator), sum(denominator) FROM portal_facts WHERE year = 2025 AND "
                                   "indicator_code = 'PORTAL_TRUCTUYEN'")).one()
        left = con.execute(sa.text("SELECT count(*) FROM portal_facts WHERE indicator_code = :c"), {"c": RENAMED}).one()
    engine.dispose()
    assert tuple(kept) == (root["numerator"], root["denominator"])  # the same figure, under its own name
    assert tuple(left) == (0,)
    expected = pd.read_csv(RELEASE / "status.csv", dtype={"unit_code": str, "arrived_at": str}).fillna("")
    got = _statuses(result.path)
    assert got.set_index("unit_code").sort_index().to_dict("index") == \
        expected.set_index("unit_code").sort_index().to_dict("index")  # arrivals shown in Vietnamese time, as 0.1.0 did
    assert set(expected["status"]) == {"Đúng hạn", "Trễ hạn", "Chưa nộp"}  # the three cases are all there


def test_a_release_0_1_0_warehouse_upgrades_with_unchanged_figures(tmp_path: Path) -> None:
    ws = _release_workspace(tmp_path)
    with sqlite3.connect(ws / "warehouse.sqlite") as con:  # as 0.1.0 left it: no version table
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "files" in tables and "alembic_version" not in tables
    _assert_same_report(ws)
    with sqlite3.connect(ws / "warehouse.sqlite") as con:
        assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [(migrate.head(),)]
    _assert_same_report(ws)  # a second connection finds it current and changes nothing


def test_a_release_0_1_0_warehouse_on_postgresql_upgrades_with_unchanged_figures(tmp_path: Path) -> None:
    """The same 0.1.0 data, loaded into PostgreSQL with 0.1.0's schema (revision 0001, then no version table)."""
    ws = _release_workspace(tmp_path)
    with scratch_database() as url:
        engine = sa.create_engine(url)
        _upgrade_to(engine, migrate.BASELINE)
        source = sa.create_engine(f"sqlite:///{ws / 'warehouse.sqlite'}")
        old = sa.MetaData()
        old.reflect(source)
        with source.connect() as src, engine.begin() as dst:
            for table in old.sorted_tables:
                rows = [dict(r._mapping) for r in src.execute(sa.select(table))]
                if rows:
                    dst.execute(sa.insert(sa.Table(table.name, sa.MetaData(), autoload_with=dst)), rows)
            dst.execute(sa.text("DROP TABLE alembic_version"))
            for table in ("files", "submissions", "runs"):  # as create_all left them: sequences past the ids
                dst.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"))
        engine.dispose()
        source.dispose()
        (ws / "workspace.yaml").write_text((ws / "workspace.yaml").read_text(encoding="utf-8")
                                           + f"warehouse_url: {url}\n", encoding="utf-8")
        _assert_same_report(ws)


def _upgrade_to(engine: sa.Engine, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migrations_build_exactly_the_declared_schema(backend: str, tmp_path: Path) -> None:
    def check(url: str) -> None:
        engine = connect(url)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        engine.dispose()
        assert diff == []

    if backend == "sqlite":
        check(f"sqlite:///{tmp_path / 'w.sqlite'}")
    else:
        with scratch_database() as url:
            check(url)


def test_head_is_the_newest_revision_alembic_knows() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == migrate.head()


def test_two_processes_upgrading_at_once_both_succeed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    code = f"from load.warehouse import connect; connect({url!r})"
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=REPO) for _ in range(2)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert migrate.current(conn) == migrate.head()
