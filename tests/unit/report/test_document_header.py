"""The parent body's line of the Báo cáo's header (Decree 30, Phụ lục I: common phrases may be abbreviated)."""

from __future__ import annotations

import pytest

from report.document import _parent_line


@pytest.mark.parametrize(("name", "printed"), [
    ("Ủy ban nhân dân tỉnh Nghệ An", "UBND TỈNH NGHỆ AN"),
    ("ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH", "UBND THÀNH PHỐ HỒ CHÍ MINH"),
    ("Uỷ ban nhân dân huyện Mỹ Tú", "UBND HUYỆN MỸ TÚ"),
    ("Bộ Khoa học và Công nghệ", "BỘ KHOA HỌC VÀ CÔNG NGHỆ"),
    ("[…]", "[…]"),
])
def test_parent_line(name: str, printed: str) -> None:
    assert _parent_line(name) == printed
