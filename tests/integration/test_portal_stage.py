"""The portal stage stores what transform.portal computes, replaces it on re-run, and archives exports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from dvctt.cli import app
from dvctt.portal import ingest_portal
from load import connect
from load.warehouse import Warehouse, warehouse_url
from tests.support import SAMPLES
from tests.support.oracle_readers import read_data_sheet


def test_portal_figures_are_stored_and_rerun_replaces_them(small_ws: Path) -> None:
    (small_ws / "portal").mkdir()
    shutil.copy(SAMPLES / "mau_hoso_chitiet.csv", small_ws / "portal")
    first = ingest_portal(small_ws)
    wh = Warehouse(connect(warehouse_url(small_ws)))
    facts = wh.portal_facts(2025)
    assert first.facts == len(facts) > 0
    assert (facts["numerator"] <= facts["denominator"]).all()
    assert set(facts["source_file"]) == {"mau_hoso_chitiet.csv"}
    (small_ws / "portal" / "mau_hoso_chitiet.csv").unlink()
    shutil.copy(SAMPLES / "mau_06a_tonghop.xlsx", small_ws / "portal")
    ingest_portal(small_ws)
    aggregated = wh.portal_facts(2025)  # the Form 06a export alone replaced the dossier file's figures
    assert set(aggregated["source_file"]) == {"mau_06a_tonghop.xlsx"}
    shutil.copy(SAMPLES / "mau_hoso_chitiet.csv", small_ws / "portal")
    (small_ws / "portal" / "hong.xlsx").write_bytes(b"not a workbook")
    second = ingest_portal(small_ws)
    assert second.unreadable == ["hong.xlsx"]
    [reason] = second.unreadable_reasons  # what the DAG logs, fails with and mails to IT
    assert reason.startswith("hong.xlsx: ") and len(reason) > len("hong.xlsx: ") + 10
    again = wh.portal_facts(2025)
    assert len(again) == second.facts
    keys = ["unit_code", "indicator_code", "era"]  # a row's era: before or from 1/7/2025, by its own date
    expected = (pd.concat([facts, aggregated]).groupby(keys)[["numerator", "denominator"]].sum().reset_index())
    got = again[[*keys, "numerator", "denominator"]].sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected.sort_values(keys).reset_index(drop=True), check_dtype=False)
    ingest_portal(small_ws)
    pd.testing.assert_frame_equal(wh.portal_facts(2025), again)  # a re-run replaces, never appends
    problems, _ = wh.portal_issues(2025)
    assert "hong.xlsx" in set(problems["file"])
    assert len(list((small_ws / "archive" / "portal").glob("*/*"))) == 3


def test_cli_run_takes_in_the_portal_exports_and_reports_their_figures(small_ws: Path) -> None:
    """`dvctt run` is the whole pipeline: the portal's export lands in the report without a separate step."""
    (small_ws / "portal").mkdir()
    shutil.copy(SAMPLES / "mau_hoso_chitiet.csv", small_ws / "portal")
    result = CliRunner().invoke(app, ["run", "--workspace", str(small_ws), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["portal"]["files"] == 1 and out["portal"]["facts"] > 0
    assert set(out["portal"]["timings"]) == {"portal_archive", "portal_aggregate", "portal_load"}
    stored = Warehouse(connect(warehouse_url(small_ws))).portal_facts(2025)
    dossiers = stored.loc[stored["indicator_code"] == "HOSO_TRUCTUYEN", "denominator"].sum()
    data = read_data_sheet(Path(out["report"]["path"])).set_index(["unit_code", "indicator_code"])
    assert data.loc[("12", "HOSO_TRUCTUYEN"), "denominator"] == dossiers > 0  # the province: every agency's own
