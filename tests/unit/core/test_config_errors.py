"""workspace.yaml: every way it can be wrong is one Vietnamese line naming the key and the value; codes
written without quotes are read exactly as typed (issue 16.10, and issue 17's `contacts: {03613: …}`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import ConfigError, load_config
from tests.support.messages import assert_vietnamese_line

BASE = 'province: "12"\nyear: 2025\n'


def write(tmp_path: Path, text: str) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir(exist_ok=True)
    (ws / "workspace.yaml").write_text(text, encoding="utf-8")
    return ws


@pytest.mark.parametrize(("text", "expected"), [
    (BASE + "foo: 1\n", ["`foo`", "không phải là khóa hợp lệ"]),
    ('provice: "12"\nyear: 2025\n', ["`provice`", "có phải là `province`?", "`province`", "bắt buộc"]),
    (BASE + "lead_agency: [a, b]\n", ["`lead_agency`", "phải là một đoạn chữ", "một danh sách"]),
    ("year: 2025\n", ["`province`", "bắt buộc phải có"]),
    ('province: "1"\nyear: 2025\n', ["`province`", "mã tỉnh gồm 2 chữ số", "«1»"]),
    ("province: 1\nyear: 2025\n", ["`province`", "mã tỉnh gồm 2 chữ số", "đang ghi: 1)"]),
    ('province: "12"\nyear: hai nghìn\n', ["`year`", "số nguyên", "«hai nghìn»"]),
    ('province: "12"\nyear: 2023\n', ["`year`", "≥ 2024", "2023"]),
    (BASE + "hierarchy: 4\n", ["`hierarchy`", "«2» hoặc «3»", "4"]),
    (BASE + "window: {start: 2025-01-01}\n", ["`window` `end`", "bắt buộc"]),
    (BASE + "window: {start: 2025-06-01, end: 2025-01-01}\n", ["`window`", "ngày kết thúc (end) phải sau"]),
    (BASE + "deadlines: {commune: 2025-13-01}\n", ["`deadlines` `commune`", "YYYY-MM-DD", "«2025-13-01»"]),
    (BASE + "deadlines: {city: 2025-12-01}\n", ["`deadlines` `city` (tên khóa)", "«commune»"]),
    (BASE + "reporting_levels: [commune, city]\n", ["`reporting_levels` (mục thứ 2)", "«city»"]),
    (BASE + "agencies:\n  - {code: 12-A, name: A}\n  - {code: x y, name: B}\n",
     ["`agencies` (mục thứ 2) `code`", "«x y»", "chữ cái không dấu"]),
    (BASE + "agencies:\n  - {code: 12-A, nam: A}\n", ["`agencies` (mục thứ 1) `nam`", "có phải là `name`?"]),
    (BASE + "limits: {max_rows: 1.5}\n", ["`limits` `max_rows`", "số nguyên"]),
    (BASE + "smtp: {port: cổng}\n", ["`smtp` `port`", "«cổng»"]),
    (BASE + "smtp: 25\n", ["`smtp`", "bảng «khóa: giá trị»"]),
    (BASE + "recipients: lanhdao@example.gov.vn\n", ["`recipients`", "danh sách"]),
    (BASE + "contacts: {03613: khong-phai-email}\n", ["`contacts`", "email không hợp lệ", "03613"]),
    (BASE + "contacts: {x y: a@b.vn}\n", ["`contacts`", "mã đơn vị không hợp lệ: x y"]),
    (BASE + "merge_weights: {'00001': {'00002': 0.5}}\n", ["`merge_weights`", "tổng bằng 1"]),
    (BASE + 'province: "11"\n', ["«province» được ghi hai lần", "dòng 1 và dòng 3"]),
    (BASE + "contacts:\n  03613: a@b.vn\n  03613: c@d.vn\n", ["«03613» được ghi hai lần"]),
    (BASE + "lead_agency: a: b\n", ["dòng 3", "dấu «:»"]),
    (BASE + "agencies:\n\t- {code: A1, name: A}\n", ["dòng 4", "Tab"]),
    (BASE + "recipients: [a@b.vn\n", ["dòng", "«]»"]),
    (BASE + 'lead_agency: "Sở\n', ["ngoặc kép"]),
    ("- 12\n- 2025\n", ["bảng khóa: giá trị"]),
])
def test_invalid_config_is_one_vietnamese_line_naming_key_and_value(tmp_path: Path, text: str,
                                                                     expected: list[str]) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    line = assert_vietnamese_line(str(err.value))
    for part in expected:
        assert part in line, (part, line)


def test_workspace_that_is_not_a_readable_folder(tmp_path: Path) -> None:
    (tmp_path / "a_file").write_text("x")
    cases = {tmp_path / "a_file": "là một tệp, không phải thư mục", tmp_path / "missing": "Không tìm thấy thư mục",
             tmp_path: "không có"}  # a folder without workspace.yaml
    for path, expected in cases.items():
        with pytest.raises(ConfigError) as err:
            load_config(path)
        assert expected in assert_vietnamese_line(str(err.value))
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "workspace.yaml").write_bytes(b'province: "12"\nyear: 2025\nlead_agency: "S\xe1"\n')
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path / "ws")
    assert "UTF-8" in assert_vietnamese_line(str(err.value))
    (tmp_path / "ws2").mkdir()
    (tmp_path / "ws2" / "workspace.yaml").mkdir()
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path / "ws2")
    assert "là một thư mục" in assert_vietnamese_line(str(err.value))


@pytest.mark.parametrize(("text", "key", "expected"), [
    ("province: 11\nyear: 2025\n", "province", "11"),  # YAML reads an int: exactly the digits typed
    ("province: 01\nyear: 2025\n", "province", "01"),  # YAML 1.1 would read the octal 1
    ("province: 08\nyear: 2025\n", "province", "08"),
    ('province: "12"\nyear: "2025"\n', "year", 2025),
    (BASE + "contacts: {03613: a@b.vn, 00001: c@d.vn}\n", "contacts", {"03613": "a@b.vn", "00001": "c@d.vn"}),
    (BASE + "contacts: {3613: a@b.vn}\n", "contacts", {"3613": "a@b.vn"}),  # not the octal-read 1931, nor padded
    (BASE + "agencies: [{code: 105, name: A, kind: district_office, parent: 105}]\n", "agencies", ("105", "105")),
    (BASE + "agencies: [{code: 12.10, name: A}]\n", "agencies", ("12.10", "12")),  # not the float 12.1
    (BASE + "merge_weights: {00001: {00002: 0.25, 00003: 0.75}}\n", "merge_weights",
     {"00001": {"00002": 0.25, "00003": 0.75}}),
    (BASE + "limits: {max_file_mb: 2.50, max_rows: 1_000}\n", "limits", (2.5, 1000)),
])
def test_unquoted_codes_are_read_as_typed(tmp_path: Path, text: str, key: str, expected: object) -> None:
    """Every code is text; YAML reads 03613 as 1931 and 12.10 as 12.1, so a number that would not be written back
    the same way stays the text typed, and a plain number in a code field is exactly its digits."""
    try:
        config = load_config(write(tmp_path, text))
    except ConfigError as exc:  # pragma: no cover - the assertion below says which
        pytest.fail(f"rejected: {exc}")
    value = getattr(config, key)
    if key == "agencies":
        value = (value[0].code, value[0].parent or config.province)
    elif key == "limits":
        value = (value.max_file_mb, value.max_rows)
    assert value == expected
