"""What every message for a person must be: one line, Vietnamese, never a traceback or pydantic's English."""

from __future__ import annotations

import re

VIETNAMESE = re.compile("[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.IGNORECASE)
# English a user must never see: Python's and pydantic's, click's, the drivers'.
ENGLISH = ("Traceback", "Extra inputs are not permitted", "Input should be", "Field required", "String should match",
           "validation error", "[Errno", "No such file", "Permission denied", "Is a directory", "Invalid value",
           "No such option", "No such command", "Missing option", "Try '", "does not exist", "Value error",
           "Expecting value", "Not a gzipped file", "password authentication", "Can't load plugin", "KeyError",
           "Could not parse", "unexpected extra", "errors.pydantic.dev", "Usage:")


def assert_vietnamese_line(text: str) -> str:
    """`text` (a message, or a whole stderr) is one line of Vietnamese with none of the English above; returns it."""
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got {len(lines)}:\n{text}"
    line = lines[0]
    assert VIETNAMESE.search(line), f"not Vietnamese: {line}"
    found = [e for e in ENGLISH if e.lower() in line.lower()]
    assert not found, f"English {found} in: {line}"
    return line
