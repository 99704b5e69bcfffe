"""YAML read the way a person typed it: codes keep their digits, a key is never given twice.

YAML 1.1 (PyYAML) reads `03613` as the octal number 1931, `1:30` as 90 and `12.10` as 12.1, so an
unquoted unit code in workspace.yaml silently became another code. Here a scalar becomes a number
only when the number reads back as exactly the same text (`12`, `2025`, `0.5`); anything else stays
the text that was written, and pydantic turns text into a number where a number is expected. A key
written twice in one mapping, which YAML resolves by keeping the last one, is an error.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import SafeConstructor

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 2.5x faster


class YamlError(ValueError):
    """A YAML text that cannot be read; the message is Vietnamese and names the line."""


class _Loader(_Base):  # type: ignore[valid-type,misc]
    pass


def _exact_int(loader: SafeConstructor, node: yaml.ScalarNode) -> object:
    value = loader.construct_yaml_int(node)
    return value if str(value) == node.value else node.value


def _exact_float(loader: SafeConstructor, node: yaml.ScalarNode) -> object:
    value = loader.construct_yaml_float(node)
    return value if repr(value) == node.value else node.value


def _timestamp(loader: SafeConstructor, node: yaml.ScalarNode) -> object:
    """A date that does not exist (2025-13-01) stays text, so validation names the key instead of a crash."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return node.value


def _mapping(loader: SafeConstructor, node: yaml.MappingNode) -> dict[Any, Any]:
    first: dict[str, int] = {}
    for key, _ in node.value:
        if isinstance(key, yaml.ScalarNode):
            if key.value in first:
                raise YamlError(f"khóa «{key.value}» được ghi hai lần (dòng {first[key.value]} và dòng "
                                f"{key.start_mark.line + 1}); hãy giữ lại một dòng")
            first[key.value] = key.start_mark.line + 1
    return loader.construct_mapping(node)


_Loader.add_constructor("tag:yaml.org,2002:int", _exact_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _exact_float)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
_Loader.add_constructor("tag:yaml.org,2002:map", _mapping)

_TAB = "có ký tự Tab; YAML chỉ dùng dấu cách để thụt lề"
# libyaml's and PyYAML's problem texts (English) → what to tell the person editing the file.
_PROBLEMS = (
    ("mapping values are not allowed", "dấu «:» không đúng chỗ (một giá trị có dấu hai chấm phải đặt trong ngoặc "
                                       "kép, hoặc dòng trên thiếu dấu «:»)"),
    ("found character '\\t'", _TAB),
    ("tab character", _TAB),
    ("found character that cannot start any token", "có ký tự không được phép ở đầu giá trị (ví dụ Tab, @ hoặc `); "
                                                    "hãy đặt giá trị trong ngoặc kép và thụt lề bằng dấu cách"),
    ("could not find expected ':'", "thiếu dấu «:» sau tên khóa"),
    ("did not find expected key", "thụt lề không thẳng hàng với các khóa cùng cấp"),
    ("did not find expected '-' indicator", "thụt lề không thẳng hàng với các mục «-» của danh sách"),
    ("did not find expected ',' or ']'", "danh sách [..] thiếu dấu «,» hoặc dấu «]»"),
    ("did not find expected ',' or '}'", "bảng {..} thiếu dấu «,» hoặc dấu «}»"),
    ("found unexpected end of stream", "tệp kết thúc giữa chừng (thiếu dấu ngoặc kép hoặc dấu ngoặc đóng)"),
    ("found undefined alias", "dùng bí danh (*tên) chưa được khai báo"),
    ("could not determine a constructor", "dùng thẻ kiểu (!!…) không được hỗ trợ"),
    ("expected <block end>", "thụt lề không thẳng hàng"),
)


def read_yaml(text: str) -> object:
    """The YAML document in `text`; a YamlError in Vietnamese, naming line and column, when it cannot be read."""
    try:
        return yaml.load(text, Loader=_Loader)
    except YamlError:
        raise
    except yaml.MarkedYAMLError as exc:
        problem = exc.problem or ""
        reason = next((vi for en, vi in _PROBLEMS if en in problem), "cú pháp YAML không hợp lệ")
        mark = exc.problem_mark
        where = f" ở dòng {mark.line + 1}, cột {mark.column + 1}" if mark is not None else ""
        raise YamlError(f"sai cú pháp YAML{where}: {reason}") from exc
    except yaml.YAMLError as exc:
        raise YamlError("sai cú pháp YAML") from exc
