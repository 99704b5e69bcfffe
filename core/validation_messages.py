"""pydantic's validation errors told in Vietnamese, naming the key and the value found.

pydantic words its errors in English ("Extra inputs are not permitted", "Input should be a valid
string"); IT staff editing workspace.yaml get one Vietnamese line per problem instead, built from
the error's type and context, never from its English text.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

_DATE = "phải là một ngày dạng YYYY-MM-DD, ví dụ 2025-12-08"
_MAP = "phải là một bảng «khóa: giá trị» (các dòng thụt lề bên dưới, hoặc {khóa: giá trị})"
_PLAIN = {
    "missing": "bắt buộc phải có nhưng chưa được khai báo",
    "string_type": "phải là một đoạn chữ",
    "int_type": "phải là một số nguyên",
    "int_parsing": "phải là một số nguyên",
    "int_from_float": "phải là một số nguyên (không có phần thập phân)",
    "float_type": "phải là một số",
    "float_parsing": "phải là một số (dấu chấm ngăn phần thập phân, ví dụ 0.5)",
    "finite_number": "phải là một số hữu hạn",
    "bool_type": "phải là true hoặc false",
    "bool_parsing": "phải là true hoặc false",
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE + " (không kèm giờ)",
    "date_future": "phải là một ngày trong tương lai",
    "date_past": "phải là một ngày trong quá khứ",
    "list_type": "phải là một danh sách ([a, b] hoặc các dòng bắt đầu bằng «- »)",
    "dict_type": _MAP,
    "model_type": _MAP,
    "model_attributes_type": _MAP,
    "none_required": "phải để trống",
}


def describe_errors(err: ValidationError, pattern_hints: Mapping[str, str] | None = None,
                    model: type[BaseModel] | None = None) -> str:
    """Every problem of `err` on one line: "khóa `agencies` (mục thứ 2) `code`: …; khóa `year`: …".

    `pattern_hints` explains a regular expression in words; `model` (default: the one that failed)
    gives the known key names, to suggest one for a misspelt key.
    """
    known = _field_names(model) if model is not None else set()
    parts = []
    for e in err.errors(include_url=False):
        parts.append(f"{_where(e['loc'])}: {_reason(e, pattern_hints or {}, known)}")
    return "; ".join(parts)


def describe_value_error(err: ValidationError) -> str:
    """The first problem of `err` without its key: for a single value, such as a command-line option's."""
    first = err.errors(include_url=False)[0]
    return _reason(first, {}, set())


def _where(loc: Iterable[int | str]) -> str:
    path: list[str] = []
    for part in loc:
        if isinstance(part, int):
            path.append(f"(mục thứ {part + 1})")
        elif part == "[key]":
            path.append("(tên khóa)")
        else:
            path.append(f"`{part}`")
    return "khóa " + " ".join(path) if path else "toàn tệp"


def _shown(value: object) -> str:
    if isinstance(value, str):
        text = f"«{value}»"
    elif isinstance(value, dict | list):
        text = "một bảng" if isinstance(value, dict) else "một danh sách"
    else:
        text = str(value)
    return text if len(text) <= 80 else text[:77] + "…»"


def _reason(e: Any, hints: Mapping[str, str], known: set[str]) -> str:
    kind, ctx, value = e["type"], e.get("ctx") or {}, e.get("input")
    found = f" (đang ghi: {_shown(value)})"
    if kind == "missing":
        return _PLAIN[kind]
    if kind == "extra_forbidden":
        key = str(e["loc"][-1]) if e["loc"] else ""
        close = difflib.get_close_matches(key, sorted(known), n=1)
        suggestion = f" (có phải là `{close[0]}`?)" if close else ""
        return f"không phải là khóa hợp lệ (tên khóa viết sai hoặc đặt sai chỗ){suggestion}"
    if kind in ("value_error", "assertion_error"):
        return f"{ctx.get('error', 'giá trị không hợp lệ')}"
    if kind in _PLAIN:
        return _PLAIN[kind] + found
    if kind == "string_pattern_mismatch":
        return hints.get(ctx.get("pattern", ""), f"không đúng dạng quy định ({ctx.get('pattern')})") + found
    if kind in ("literal_error", "enum"):
        return f"phải là một trong các giá trị {_alternatives(str(ctx.get('expected', '')))}{found}"
    bounds = {"greater_than_equal": ("≥", "ge"), "greater_than": (">", "gt"), "less_than_equal": ("≤", "le"),
              "less_than": ("<", "lt")}
    if kind in bounds:
        sign, key = bounds[kind]
        return f"phải {sign} {ctx.get(key)}{found}"
    if kind in ("string_too_short", "too_short"):
        return f"phải có ít nhất {ctx.get('min_length')} {'ký tự' if kind.startswith('string') else 'mục'}{found}"
    if kind in ("string_too_long", "too_long"):
        return f"chỉ được có tối đa {ctx.get('max_length')} {'ký tự' if kind.startswith('string') else 'mục'}{found}"
    return f"giá trị không hợp lệ (mã lỗi kiểm tra: {kind}){found}"


def _alternatives(expected: str) -> str:
    """pydantic's "'a', 'b' or 'c'" as «a», «b» hoặc «c»."""
    items = [x.strip().strip("'\"") for x in expected.replace(" or ", ", ").split(",") if x.strip()]
    quoted = [f"«{x}»" for x in items]
    return ", ".join(quoted[:-1]) + f" hoặc {quoted[-1]}" if len(quoted) > 1 else "".join(quoted)


def _field_names(model: type[BaseModel]) -> set[str]:
    """Every key name a model and its nested models accept."""
    names: set[str] = set()
    seen: set[type[BaseModel]] = set()
    stack: list[type[BaseModel]] = [model]
    while stack:
        current = stack.pop()
        seen.add(current)
        for name, info in current.model_fields.items():
            names.add(name)
            stack += [arg for arg in _types(info.annotation)
                      if isinstance(arg, type) and issubclass(arg, BaseModel) and arg not in seen]
    return names


def _types(annotation: object) -> Iterable[object]:
    yield annotation
    for arg in getattr(annotation, "__args__", ()):
        yield from _types(arg)
