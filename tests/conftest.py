"""Shared fixtures: one demo workspace per session, copied when a test needs to change it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dvctt.demo import create_demo


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """A Lai Châu 2025 demo workspace with files written but not ingested."""
    ws = tmp_path_factory.mktemp("demo_template") / "ws"
    create_demo(ws, "12", 2025, run=False)
    return ws


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> Path:
    """The demo after the whole pipeline ran once (read-only for tests)."""
    from dvctt.pipeline import build_report

    ws = tmp_path_factory.mktemp("demo_run") / "ws"
    create_demo(ws, "12", 2025, run=True)
    build_report(ws)
    return ws


@pytest.fixture
def fresh_ws(demo_template, tmp_path) -> Path:
    """A private copy of the un-ingested demo workspace."""
    ws = tmp_path / "ws"
    shutil.copytree(demo_template, ws, symlinks=True)
    return ws


@pytest.fixture
def small_ws(tmp_path) -> Path:
    """An empty Lai Châu 2025 workspace (config only) for tests that drop their own files."""
    from core.config import write_config
    from dvctt.demo import demo_config

    ws = tmp_path / "small"
    ws.mkdir()
    write_config(ws, demo_config("12", 2025))
    return ws
