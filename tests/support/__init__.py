"""Test support: independent oracles, workbook factories, real services (PostgreSQL, Airflow)."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples" / "portal"
