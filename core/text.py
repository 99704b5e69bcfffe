"""Text helpers for Vietnamese as it really arrives: any Unicode form, with or without diacritics."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def fold(text: object) -> str:
    """See `_fold`; non-string cells (numbers, dates) are folded through their text."""
    if text is None:
        return ""
    return _fold(text if isinstance(text, str) else str(text))


@lru_cache(maxsize=1 << 16)
def _fold(text: str) -> str:
    """Fold a label for matching: "Tổ  công nghệ số" and "To cong nghe so" both become "to cong nghe so".

    NFD-decomposes, drops combining marks, maps đ→d, lowercases and collapses punctuation and
    whitespace, so headers match whatever keyboard or OCR produced them.
    """
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D").lower()
    return _NON_WORD.sub(" ", stripped).strip()


def nfc(text: str) -> str:
    """Normalise to NFC so stored text compares equal whatever form the clerk's machine produced."""
    return unicodedata.normalize("NFC", text)


def vn_count(n: int | float | None) -> str:
    """A whole number as Vietnamese write it: 1.234.567."""
    return f"{n:,.0f}".replace(",", ".") if n is not None else ""
