"""Difficulties grouped by theme: counted by units, a text in every theme it names, «Khác» when none."""

from __future__ import annotations

import pandas as pd

from transform.difficulties import OTHER, group_texts, themes_of

NETWORK, MONEY = "Hạ tầng mạng, thiết bị", "Kinh phí"


def test_keywords_match_without_diacritics_or_case() -> None:
    assert themes_of("INTERNET vung cao chua on dinh") == [NETWORK]
    assert themes_of("Thiếu kinh phí và đường truyền yếu") == [NETWORK, MONEY]  # the table's order
    assert themes_of("Thời tiết mưa bão kéo dài") == [OTHER]
    assert themes_of("Người dân thấy lợi ích") == [OTHER]  # "lỗi" is not "lợi": only «bị lỗi» is a keyword


def test_units_counted_once_per_theme() -> None:
    texts = pd.DataFrame({
        "unit_code": ["A", "A", "B", "C", "C"],
        "kind": ["kho_khan", "kho_khan", "kho_khan", "kho_khan", "kien_nghi"],
        "text": ["Mạng Internet chập chờn", "Thiết bị cũ", "Thiếu kinh phí", "Mưa bão", "Hỗ trợ kinh phí"],
    })
    got = group_texts(texts)
    rows = {(k, t): (u, n) for k, t, u, n in got.itertuples(index=False)}
    assert rows == {("kho_khan", NETWORK): (1, 2), ("kho_khan", MONEY): (1, 1), ("kho_khan", OTHER): (1, 1),
                    ("kien_nghi", MONEY): (1, 1)}
    assert list(got[got["kind"] == "kho_khan"]["theme"]) == [NETWORK, MONEY, OTHER]
