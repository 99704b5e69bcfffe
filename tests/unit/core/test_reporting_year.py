"""The reporting year follows the calendar when workspace.yaml names none (issue 14.1), and pins it when it does."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from core import clock
from core.config import ConfigError, WorkspaceConfig, cycle_year, load_config, write_config
from tests.support.messages import assert_vietnamese_line


@pytest.mark.parametrize(("today", "deadlines", "year"), [
    (date(2026, 11, 30), [(12, 15)], 2026),  # the season under way
    (date(2026, 12, 10), [(12, 15)], 2026),  # a deadline ahead
    (date(2026, 12, 15), [(12, 15)], 2026),  # the 2027 window opened today, but 2026's deadline is today
    (date(2026, 12, 15), [(12, 8)], 2027),  # every 2026 deadline passed: the 2027 window holds today
    (date(2026, 12, 16), [(12, 15)], 2027),
    (date(2027, 1, 5), [(12, 15)], 2027),
    (date(2026, 6, 1), [(11, 30), (12, 8)], 2026),
    (date(2026, 12, 14), [(11, 30)], 2026),  # the window itself still runs to 14/12
    (date(2026, 12, 20), [], 2027),  # no deadline configured: 15/12
])
def test_the_cycle_under_way(today: date, deadlines: list[tuple[int, int]], year: int) -> None:
    assert cycle_year(today, deadlines) == year


def _workspace(tmp_path: Path, text: str) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "workspace.yaml").write_text(text, encoding="utf-8")
    return ws


def test_without_a_year_the_workspace_follows_the_calendar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = _workspace(tmp_path, 'province: "40"\ndeadlines: {commune: "08/12", department: 15/12}\n')
    monkeypatch.setattr(clock, "vn_today", lambda: date(2026, 12, 10))
    config = load_config(ws)
    assert (config.year, config.year_pinned) == (2026, False)
    assert config.deadlines == {"commune": date(2026, 12, 8), "department": date(2026, 12, 15)}
    assert (config.report_window.start, config.report_window.end) == (date(2025, 12, 15), date(2026, 12, 14))
    monkeypatch.setattr(clock, "vn_today", lambda: date(2026, 12, 16))
    config = load_config(ws)
    assert config.year == 2027 and config.deadlines["commune"] == date(2027, 12, 8)
    write_config(ws, config)  # written back, the year still follows the calendar
    data = yaml.safe_load((ws / "workspace.yaml").read_text(encoding="utf-8"))
    assert "year" not in data and data["deadlines"] == {"commune": "08/12", "department": "15/12"}


def test_a_year_written_pins_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "vn_today", lambda: date(2026, 12, 10))
    config = load_config(_workspace(tmp_path, 'province: "12"\nyear: 2025\ndeadlines: {commune: "08/12", '
                                              "department: 2025-12-15}\n"))
    assert (config.year, config.year_pinned) == (2025, True)
    assert config.deadlines == {"commune": date(2025, 12, 8), "department": date(2025, 12, 15)}
    assert config.for_year(2026).deadlines["commune"] == date(2026, 12, 8)


@pytest.mark.parametrize(("text", "expected"), [
    ('province: "12"\ndeadlines: {commune: 2025-12-08}\n', ["không khai báo year", "ngày/tháng", "commune"]),
    ('province: "12"\nwindow: {start: 2025-01-01, end: 2025-06-30}\n', ["không khai báo year", "window"]),
    ('province: "12"\nyear: 2025\ndeadlines: {commune: "31/02"}\n', ["`deadlines` `commune`", "«31/02»"]),
])
def test_a_calendar_year_needs_recurring_deadlines(tmp_path: Path, text: str, expected: list[str]) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(_workspace(tmp_path, text))
    line = assert_vietnamese_line(str(err.value))
    for part in expected:
        assert part in line, line


def test_a_model_built_in_code_follows_the_calendar_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "vn_today", lambda: date(2026, 11, 30))
    assert WorkspaceConfig(province="40").year == 2026
    assert WorkspaceConfig(province="40", year=2025).year_pinned
