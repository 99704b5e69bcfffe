"""Vietnamese numbers against hand-written values (issue 16.11): the oracle is this table, typed by a person,
never the parser's own output. Exact equality: the parser works in decimal, so 85,5% is the float 0.855."""

from __future__ import annotations

import pytest

from extract.numbers import parse_number

NBSP, NARROW = "\u00a0", "\u202f"

READ = [
    # percent: hundredths
    ("85,5%", 0.855),
    ("85,5 %", 0.855),
    ("0,5%", 0.005),
    ("100%", 1.0),
    ("200%", 2.0),
    ("85.5%", 0.855),  # a dot before other than three digits can only be a decimal point
    ("-2,5%", -0.025),
    # dot thousands, comma decimals
    ("1.234,5", 1234.5),
    ("1.234.567", 1234567.0),
    ("1.234.567,89", 1234567.89),
    ("12.000", 12000.0),
    ("1.000", 1000.0),
    ("999.999", 999999.0),
    ("1,5", 1.5),
    ("0,125", 0.125),  # a leading 0 is never a thousands group
    ("1,2345", 1.2345),
    (",5", 0.5),
    # dot decimals that cannot be thousands
    ("0.5", 0.5),
    ("1.23", 1.23),
    ("0.500", 0.5),
    ("1234.567", 1234.567),
    (".5", 0.5),
    # spaces: around the number, and as thousands separators in groups of three
    (" 42 ", 42.0),
    ("\t42\n", 42.0),
    (f"{NBSP}1.250{NBSP}", 1250.0),
    ("1 234", 1234.0),
    (f"1{NBSP}234", 1234.0),
    (f"1{NARROW}234{NARROW}567", 1234567.0),
    (f"1{NARROW}234,5", 1234.5),
    # signs
    ("-12", -12.0),
    ("+7", 7.0),
    ("\u22121.234,5", -1234.5),  # U+2212 MINUS SIGN
    # numbers stored as text, and numbers
    ("0", 0.0),
    ("00012", 12.0),
    ("2025", 2025.0),
    (1234, 1234.0),
    (0.855, 0.855),
    (12.0, 12.0),
]
UNREADABLE = [
    "1.2.3",  # not groups of three
    "12.345.6",
    "1,234",  # Vietnamese 1.234 or English 1234: never guessed
    "12,000",
    "999,500",
    "1,234,567",  # English thousands
    "1,234.5",  # English decimals
    f"1{NARROW}234.5",  # a space group then a decimal dot
    "1 23",  # a space that does not group three digits
    "1 2 3",
    "- 5",
    "1\n234",
    "1e5",
    "nan",
    "inf",
    "%",
    "-",
    "\uff11\uff12",  # full-width digits
    "nhiều",
    "12 người",
    "1/2",
    float("nan"),
    float("inf"),
    True,
    None,
    "",
    f" {NBSP}{NARROW} ",
]


@pytest.mark.parametrize(("text", "expected"), READ, ids=[repr(t) for t, _ in READ])
def test_reads_the_vietnamese_way(text: object, expected: float) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", UNREADABLE, ids=[repr(t) for t in UNREADABLE])
def test_refuses_what_it_cannot_read_for_certain(text: object) -> None:
    assert parse_number(text) is None
