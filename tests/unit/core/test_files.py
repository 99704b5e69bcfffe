"""Files we write get the mode any file the process creates gets (its umask), not a temporary file's 0600."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from extract.inbox import archive_file
from report.xlsx import atomic_write_bytes


@pytest.fixture(params=[0o022, 0o027])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    from core import files

    files._umask.cache_clear()
    before = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(before)
        files._umask.cache_clear()


def test_workbooks_and_the_archive_are_as_readable_as_a_plain_file(tmp_path: Path, umask: int) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("x")  # the oracle: what open() gives under this umask
    expected = plain.stat().st_mode & 0o777
    assert expected == {0o022: 0o644, 0o027: 0o640}[umask]
    written = atomic_write_bytes(tmp_path / "outbox" / "bao_cao.xlsx", b"workbook")
    source = tmp_path / "inbox" / "03386" / "bao_cao.xlsx"
    source.parent.mkdir(parents=True)
    source.write_bytes(b"unit file")
    _, archived = archive_file(source, tmp_path / "archive")
    assert written.stat().st_mode & 0o777 == expected
    assert archived.stat().st_mode & 0o777 == expected
