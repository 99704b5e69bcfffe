"""The content-addressed archive: copied files, and portal exports shared by reflink or hard link without copying."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

import extract.inbox as inbox
from extract.inbox import archive_file

BYTES = b"Ma don vi,Ngay tiep nhan\n03386,02/01/2025\n" * 1000
SHA = hashlib.sha256(BYTES).hexdigest()


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "portal" / "HoSo.CSV"
    path.parent.mkdir()
    path.write_bytes(BYTES)
    return path


def _no_reflink(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on ext4: the clone ioctl is refused."""
    def refuse(*_: object) -> None:
        raise OSError(95, "Operation not supported")
    monkeypatch.setattr(inbox.fcntl, "ioctl", refuse)


def _read_only(path: Path) -> bool:
    return not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def test_same_filesystem_links_the_export_instead_of_copying(export: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _no_reflink(monkeypatch)
    sha, target = archive_file(export, tmp_path / "archive", link=True)
    assert sha == SHA and target == tmp_path / "archive" / SHA[:2] / f"{SHA}.csv"
    assert os.path.samefile(export, target)  # one inode: nothing was copied
    assert target.read_bytes() == BYTES and _read_only(target)
    assert list((tmp_path / "archive").iterdir()) == [target.parent]  # no temporary left behind
    assert archive_file(export, tmp_path / "archive", link=True) == (sha, target)  # a re-run finds it archived


def test_a_reflink_when_the_filesystem_clones(export: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The clone is the archive's own file (copy-on-write): the export keeps its inode and its mode."""
    def clone(dst: int, request: int, src: int) -> None:  # what FICLONE does, by hand
        assert request == inbox._FICLONE
        os.write(dst, os.pread(src, len(BYTES) + 1, 0))
    monkeypatch.setattr(inbox.fcntl, "ioctl", clone)
    mode = export.stat().st_mode
    sha, target = archive_file(export, tmp_path / "archive", link=True)
    assert sha == SHA and target.read_bytes() == BYTES and _read_only(target)
    assert not os.path.samefile(export, target) and export.stat().st_mode == mode


def test_another_filesystem_falls_back_to_a_copy(export: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _no_reflink(monkeypatch)

    def cross_device(*_: object) -> None:
        raise OSError(18, "Invalid cross-device link")
    monkeypatch.setattr(inbox.os, "link", cross_device)
    mode = export.stat().st_mode
    sha, target = archive_file(export, tmp_path / "archive", link=True)
    assert sha == SHA and target.read_bytes() == BYTES and _read_only(target)
    assert not os.path.samefile(export, target) and export.stat().st_mode == mode  # the export is left alone


def test_an_export_written_while_hashed_is_copied_and_hashed_as_copied(export: Path, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A hard link shares the inode: if it changes under the hash, the link is dropped for a copy of what is there."""
    _no_reflink(monkeypatch)
    real_hash = inbox._hash

    def hash_while_written(path: Path) -> str:
        os.chmod(export, 0o644)
        with export.open("ab") as f:
            f.write(b"03387,03/01/2025\n")
        return real_hash(path)
    monkeypatch.setattr(inbox, "_hash", hash_while_written)
    sha, target = archive_file(export, tmp_path / "archive", link=True)
    now = BYTES + b"03387,03/01/2025\n"
    assert sha == hashlib.sha256(now).hexdigest() and target.read_bytes() == now
    assert not os.path.samefile(export, target)


def test_unit_files_are_copied_and_stay_writable_by_us(export: Path, tmp_path: Path) -> None:
    sha, target = archive_file(export, tmp_path / "archive")
    assert sha == SHA and target.read_bytes() == BYTES and not os.path.samefile(export, target)
    assert not _read_only(target)
