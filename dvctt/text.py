"""Text helpers for Vietnamese as it really arrives: any Unicode form, with or without diacritics."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def fold(text: object) -> str:
    """Fold a label for matching: "Tổ  công nghệ số" and "To cong nghe so" both become "to cong nghe so".

    NFD-decomposes, drops combining marks, maps đ→d, lowercases and collapses punctuation and
    whitespace, so headers match whatever keyboard or OCR produced them.
    """
    if text is None:
        return ""
    decomposed = unicodedata.normalize("NFD", str(text))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D").lower()
    return _NON_WORD.sub(" ", stripped).strip()


def nfc(text: str) -> str:
    """Normalise to NFC so stored text compares equal whatever form the clerk's machine produced."""
    return unicodedata.normalize("NFC", text)
