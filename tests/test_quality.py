"""Quality warnings: outliers against history and peers, and implausible budgets, each naming its cell."""

from __future__ import annotations

import pandas as pd

from transform.quality import quality_warnings


def _batch(value: float, code: str = "HD_TINBAI", denominator: float | None = None) -> pd.DataFrame:
    return pd.DataFrame([dict(file_id="f1", unit_code="03386", level="commune", indicator_code=code,
                              denominator=denominator, value=value, sheet="Hoạt động", cell="E4")])


def test_history_outlier_is_flagged_and_normal_value_is_not() -> None:
    history = pd.DataFrame({"unit_code": "03386", "indicator_code": "HD_TINBAI",
                            "year": [2021, 2022, 2023, 2024], "value": [10.0, 12.0, 11.0, 13.0]})
    empty = pd.DataFrame(columns=["level", "indicator_code", "unit_code", "value"])
    flagged = quality_warnings(_batch(400), history, empty)
    assert [(f.rule, f.sheet, f.cell, f.found) for f in flagged] == [("outlier_history", "Hoạt động", "E4", "400")]
    assert quality_warnings(_batch(12), history, empty) == []


def test_peer_outlier_needs_enough_peers() -> None:
    peers = pd.DataFrame({"level": "commune", "indicator_code": "HD_TINBAI",
                          "unit_code": [f"u{i}" for i in range(10)], "value": [8, 9, 10, 10, 11, 12, 9, 10, 11, 10]})
    no_history = pd.DataFrame(columns=["unit_code", "indicator_code", "year", "value"])
    assert [f.rule for f in quality_warnings(_batch(90), no_history, peers)] == ["outlier_peers"]
    assert quality_warnings(_batch(90), no_history, peers.head(5)) == []


def test_budget_typed_in_millions_is_implausible() -> None:
    none = pd.DataFrame(columns=["unit_code", "indicator_code", "year", "value", "level"])
    found = quality_warnings(_batch(15, "HD_KINHPHI"), none, none)
    assert [(f.rule, f.severity) for f in found] == [("implausible", "warning")]
    assert quality_warnings(_batch(15_000_000, "HD_KINHPHI"), none, none) == []
