"""`dvctt template --all`: every expected unit's template and inbox folder, and nothing touched on a re-run.

Oracles: the units expected are listed here from the registry's levels; each template is read back with the
project's reader (the unit it claims) and compared byte for byte with the one-unit command's file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from core.catalogue import load_catalogue
from core.config import load_config
from core.units import load_registry
from dvctt.cli import app
from extract.workbook import read_submission
from tests.support.factory import settle

DEPT = "12-SKHCN"


@pytest.fixture
def few_ws(small_ws: Path) -> Path:
    """Only departments and press report here: a dozen templates, so the test stays fast."""
    path = small_ws / "workspace.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["reporting_levels"] = ["department", "press"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return small_ws


def _expected(ws: Path) -> set[str]:
    config = load_config(ws)
    return {code for code, unit in load_registry(config).units.items() if unit.level in config.reporting_levels}


def _run(*args: str):
    return CliRunner().invoke(app, ["template", *args])


def test_all_writes_every_units_template_and_inbox_folder_once(few_ws: Path) -> None:
    small_ws = few_ws
    expected = _expected(small_ws)
    assert 5 < len(expected) < 20 and DEPT in expected
    done = _run("--all", "--workspace", str(small_ws), "--json")
    assert done.exit_code == 0, done.output
    made = json.loads(done.stdout)
    folder = small_ws / "outbox" / "bieu_mau" / "2025"
    assert made == {"folder": str(folder), "units": len(expected), "written": len(expected), "unchanged": 0,
                    "inbox_created": len(expected)}
    assert {p.name for p in folder.iterdir()} == {f"bieu_mau_dvctt_{code}_2025.xlsx" for code in expected}
    assert {p.name for p in (small_ws / "inbox").iterdir()} == expected
    path = folder / f"bieu_mau_dvctt_{DEPT}_2025.xlsx"
    sub = read_submission(path, "f", unit_code=DEPT, year=2025, catalogue=load_catalogue())
    assert sub.meta["MA_DON_VI"] == DEPT and sub.meta["NAM_BAO_CAO"] == "2025"
    single = small_ws / "mot.xlsx"
    assert _run("--unit", DEPT, "-o", str(single), "--workspace", str(small_ws)).exit_code == 0
    assert single.read_bytes() == path.read_bytes()

    dropped = small_ws / "inbox" / DEPT / "bao_cao.xlsx"  # a unit's file, there before the re-run
    dropped.write_bytes(b"the unit's own bytes")
    settle(dropped)
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in [*folder.iterdir(), dropped]}
    path.write_bytes(b"stale")  # one template out of date
    again = json.loads(_run("--all", "--workspace", str(small_ws), "--json").stdout)
    assert (again["written"], again["unchanged"], again["inbox_created"]) == (1, len(expected) - 1, 0)
    assert path.read_bytes() == single.read_bytes()
    for p, (mtime, data) in before.items():
        if p != path:
            assert (p.stat().st_mtime_ns, p.read_bytes()) == (mtime, data), p


def test_one_unit_or_all_is_asked_for_in_plain_vietnamese(small_ws: Path) -> None:
    for args in ([], ["--all", "--unit", DEPT], ["--unit", DEPT]):
        done = _run(*args, "--workspace", str(small_ws))
        assert done.exit_code == 2 and "--unit MÃ -o TỆP.xlsx" in done.output, (args, done.output)  # a usage error
    unknown = _run("--unit", "00000", "-o", str(small_ws / "x.xlsx"), "--workspace", str(small_ws))
    assert unknown.exit_code == 1 and "không có trong danh mục" in unknown.output


def test_the_demo_gives_every_expected_unit_its_folder(demo_template: Path) -> None:
    expected = _expected(demo_template)
    folders = {p.name for p in (demo_template / "inbox").iterdir() if p.is_dir()}
    assert folders == expected
    assert any(not os.listdir(demo_template / "inbox" / code) for code in expected)  # units that did not submit
