"""Quality warnings: outliers against history and peers, and implausible budgets, each naming its cell."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from core.config import load_config
from core.records import STATS_COLUMNS
from core.units import load_registry
from dvctt import intake
from load import connect
from load import schema as T
from load.warehouse import Warehouse, warehouse_url
from tests.support.factory import drop, set_count, template_for
from transform.quality import STALE_SHARE, quality_warnings, robust_stats


def _batch(value: float, code: str = "HD_TINBAI", denominator: float | None = None) -> pd.DataFrame:
    return pd.DataFrame([dict(file_id="f1", unit_code="03386", level="commune", indicator_code=code,
                              denominator=denominator, value=value, sheet="Hoạt động", cell="E4")])


def test_history_outlier_is_flagged_and_normal_value_is_not() -> None:
    history = pd.DataFrame({"unit_code": "03386", "indicator_code": "HD_TINBAI",
                            "year": [2021, 2022, 2023, 2024], "value": [10.0, 12.0, 11.0, 13.0]})
    empty = pd.DataFrame(columns=STATS_COLUMNS)
    flagged = quality_warnings(_batch(400), history, empty)
    assert [(f.rule, f.sheet, f.cell, f.found) for f in flagged] == [("outlier_history", "Hoạt động", "E4", "400")]
    assert quality_warnings(_batch(12), history, empty) == []


def test_peer_outlier_needs_enough_peers() -> None:
    peers = pd.DataFrame({"level": "commune", "indicator_code": "HD_TINBAI",
                          "unit_code": [f"u{i}" for i in range(10)], "value": [8, 9, 10, 10, 11, 12, 9, 10, 11, 10]})
    no_history = pd.DataFrame(columns=["unit_code", "indicator_code", "year", "value"])
    stats = robust_stats(peers, ["level", "indicator_code"])
    assert [f.rule for f in quality_warnings(_batch(90), no_history, stats)] == ["outlier_peers"]
    assert quality_warnings(_batch(90), no_history, robust_stats(peers.head(5), ["level", "indicator_code"])) == []


def test_budget_typed_in_millions_is_implausible() -> None:
    none = pd.DataFrame(columns=["unit_code", "indicator_code", "year", "value"])
    no_peers = pd.DataFrame(columns=STATS_COLUMNS)
    found = quality_warnings(_batch(15, "HD_KINHPHI"), none, no_peers)
    assert [(f.rule, f.severity) for f in found] == [("implausible", "warning")]
    assert quality_warnings(_batch(15_000_000, "HD_KINHPHI"), none, no_peers) == []


@pytest.mark.parametrize("share, recomputed", [(STALE_SHARE, True), (0.5, False)])
def test_one_new_file_is_compared_with_the_loaded_peers(small_ws: Path, monkeypatch, share: float,
                                                        recomputed: bool) -> None:
    """Ten communes loaded, then one file alone: its outlier is still flagged against them, from statistics
    recomputed (ten peers: one change is over 1 %) or, when few enough peers changed, from the stored ones."""
    monkeypatch.setattr(intake, "STALE_SHARE", share)
    communes = [u.code for u in load_registry(load_config(small_ws)).of_levels({"commune"})[:11]]
    for n, code in enumerate(communes[:10]):
        wb = template_for(small_ws, code)
        set_count(wb, "HD_TINBAI", 10 + n % 3)
        drop(small_ws, code, wb)
    intake.ingest(small_ws)
    wh = Warehouse(connect(warehouse_url(small_ws)))
    stored = wh.peer_stats("12", 2025, {"commune"}).set_index("indicator_code")
    assert (stored.loc["HD_TINBAI", "n"], stored.loc["HD_TINBAI", "median"]) == (10, 11)

    wb = template_for(small_ws, communes[10])
    cell = set_count(wb, "HD_TINBAI", 900)
    drop(small_ws, communes[10], wb)
    assert intake.ingest(small_ws).count("accepted", new=True) == 1
    with wh.engine.connect() as conn:
        found = conn.execute(select(T.findings.c.rule, T.findings.c.cell, T.findings.c.expected)
                             .join(T.files, T.files.c.id == T.findings.c.file_id)
                             .where(T.files.c.unit_code == communes[10])).all()
        last = conn.execute(select(func.max(T.submissions.c.id))).scalar_one()
    assert [(r, c) for r, c, _ in found] == [("outlier_peers", cell)] and "trung vị 11" in found[0][2]
    after = wh.peer_stats("12", 2025, {"commune"}).set_index("indicator_code")
    assert bool(after.loc["HD_TINBAI", "basis"] == last) is recomputed
    assert after.loc["HD_TINBAI", "n"] == (11 if recomputed else 10)
