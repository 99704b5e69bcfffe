"""A unit registry that cannot be read (registry.dir, file, merges) is one Vietnamese line naming the file and
what is wrong with it, a ConfigError (so a scheduler does not retry it), never a traceback (issue 16.10)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from core.config import ConfigError, WorkspaceConfig
from core.resources import MERGES_FILE, REGISTRY_FILE, data_file
from core.units import RegistryError, load_registry
from tests.support.messages import assert_vietnamese_line


def shipped(name: str) -> bytes:
    return data_file(f"units/{name}.gz").read_bytes()


def _plain(folder: Path) -> None:
    (folder / REGISTRY_FILE).write_bytes(gzip.decompress(shipped(REGISTRY_FILE)))
    (folder / f"{MERGES_FILE}.gz").write_bytes(shipped(MERGES_FILE))


def corrupt_json(folder: Path) -> None:
    _plain(folder)
    text = (folder / REGISTRY_FILE).read_text(encoding="utf-8")
    (folder / REGISTRY_FILE).write_text(text[:5000], encoding="utf-8")  # cut off mid-record


def corrupt_gzip(folder: Path) -> None:
    _plain(folder)
    packed = (folder / f"{MERGES_FILE}.gz").read_bytes()
    (folder / f"{MERGES_FILE}.gz").write_bytes(packed[: len(packed) // 2])  # truncated download


def not_gzip(folder: Path) -> None:
    _plain(folder)
    (folder / f"{MERGES_FILE}.gz").write_bytes(b"<html>404</html>")


def missing_file(folder: Path) -> None:
    _plain(folder)
    (folder / f"{MERGES_FILE}.gz").unlink()


def wrong_shape(folder: Path) -> None:
    _plain(folder)
    data = json.loads((folder / REGISTRY_FILE).read_text(encoding="utf-8"))
    del data["data"][0]["level2s"][0]["level3s"]
    (folder / REGISTRY_FILE).write_text(json.dumps(data), encoding="utf-8")


def not_an_object(folder: Path) -> None:
    _plain(folder)
    (folder / REGISTRY_FILE).write_text("[1, 2, 3]", encoding="utf-8")


def not_utf8(folder: Path) -> None:
    _plain(folder)
    (folder / REGISTRY_FILE).write_bytes(b'{"data": ["\xff"]}')


@pytest.mark.parametrize(("damage", "expected"), [
    (corrupt_json, ["không phải JSON hợp lệ", "dòng", REGISTRY_FILE]),
    (corrupt_gzip, ["gzip bị hỏng", f"{MERGES_FILE}.gz"]),
    (not_gzip, ["gzip bị hỏng", f"{MERGES_FILE}.gz"]),
    (missing_file, ["Không tìm thấy danh mục", MERGES_FILE]),
    (wrong_shape, ["không đúng cấu trúc", "«level3s»"]),
    (not_an_object, ["không đúng cấu trúc", "«data»"]),
    (not_utf8, ["UTF-8"]),
])
def test_damaged_registry_file(tmp_path: Path, damage: Callable[[Path], None], expected: list[str]) -> None:
    folder = tmp_path / "units"
    folder.mkdir()
    damage(folder)
    config = WorkspaceConfig.model_validate({"province": "12", "year": 2025, "registry": {"dir": str(folder)}})
    with pytest.raises(RegistryError) as err:
        load_registry(config)
    line = assert_vietnamese_line(str(err.value))
    for part in expected:
        assert part in line, (part, line)


def test_registry_folder_missing_or_a_file_or_an_unknown_shipped_name(tmp_path: Path) -> None:
    (tmp_path / "a_file").write_text("x")
    for registry, expected in (({"dir": str(tmp_path / "missing")}, "không tồn tại"),
                               ({"dir": str(tmp_path / "a_file")}, "là một tệp, không phải thư mục"),
                               ({"file": "dvhcvn-2024.json"}, "không kèm danh mục đơn vị «dvhcvn-2024.json»")):
        config = WorkspaceConfig.model_validate({"province": "12", "year": 2025, "registry": registry})
        with pytest.raises(ConfigError) as err:
            load_registry(config)
        assert expected in assert_vietnamese_line(str(err.value)), registry


def test_the_plain_copy_of_the_shipped_registry_still_loads(tmp_path: Path) -> None:
    """The same files, undamaged, give the same units: the checks above reject damage, not the format."""
    folder = tmp_path / "units"
    folder.mkdir()
    _plain(folder)
    config = WorkspaceConfig.model_validate({"province": "12", "year": 2025, "registry": {"dir": str(folder)}})
    shipped_units = load_registry(WorkspaceConfig.model_validate({"province": "12", "year": 2025})).units
    assert load_registry(config).units == shipped_units
