"""The GX submission suite, run for real on small hand-made batches and one 100,000-row batch."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence

import pandas as pd
import pytest

from core.records import CELL_COLUMNS, RATIO_COLUMNS, Finding
from expectations.submission import build_submission_suite, validate_submission_cells

INFO, TARGETS, ACTIVITIES = "Thông tin chung", "Chỉ tiêu", "Hoạt động"
KNOWN = {"CB_TRUYENTHONG", "CB_HOSO", "CB_CONGKHAI", "HD_TINBAI", "HD_HOINGHI"}
RULES = {"required_missing", "not_a_number", "percent_not_count", "yes_no_invalid", "not_whole_non_negative", "unknown_code",
         "meta_mismatch", "duplicate", "numerator_gt_denominator", "ratio_incomplete", "task_status_invalid",
         "unknown_task"}


def cell(file_id: str, sheet: str, ref: str, code: str, field: str, raw: str | None, value: float | None,
         *, required: bool = False, expected: str | None = None) -> dict:
    return dict(file_id=file_id, sheet=sheet, cell=ref, item_code=code, field=field, raw=raw, value=value,
                required=required, expected=expected)


def ratio(file_id: str, code: str, row: int, numerator: float | None, denominator: float | None) -> dict:
    return dict(file_id=file_id, sheet=TARGETS, item_code=code, numerator=numerator, denominator=denominator,
                numerator_cell=f"D{row}", denominator_cell=f"E{row}")


def clean_file(file_id: str, unit: str = "001") -> tuple[list[dict], list[dict]]:
    """What the reader emits for a correct workbook: meta, two ratios, a yes/no and two counts."""
    cells = [
        cell(file_id, INFO, "B3", "MA_DON_VI", "unit_code", unit, None, required=True, expected=unit),
        cell(file_id, INFO, "B6", "NAM_BAO_CAO", "year", "2025", 2025.0, required=True, expected="2025"),
        cell(file_id, TARGETS, "D5", "CB_TRUYENTHONG", "numerator", "8", 8.0),
        cell(file_id, TARGETS, "E5", "CB_TRUYENTHONG", "denominator", "10", 10.0),
        cell(file_id, TARGETS, "D6", "CB_HOSO", "numerator", "0", 0.0),
        cell(file_id, TARGETS, "E6", "CB_HOSO", "denominator", "0", 0.0),
        cell(file_id, TARGETS, "F7", "CB_CONGKHAI", "yes_no", "Có", 1.0),
        cell(file_id, ACTIVITIES, "E5", "HD_TINBAI", "count", "1.250", 1250.0),
        cell(file_id, ACTIVITIES, "E6", "HD_HOINGHI", "count", None, None),
    ]
    return cells, [ratio(file_id, "CB_TRUYENTHONG", 5, 8.0, 10.0), ratio(file_id, "CB_HOSO", 6, 0.0, 0.0)]


def edit(cells: list[dict], sheet: str, ref: str, **changes: object) -> list[dict]:
    return [c | changes if (c["sheet"], c["cell"]) == (sheet, ref) else c for c in cells]


def run(cells: list[dict], ratios: Sequence[dict] = (), known: set[str] = KNOWN) -> list[Finding]:
    return validate_submission_cells(pd.DataFrame(cells, columns=CELL_COLUMNS),
                                     pd.DataFrame(list(ratios), columns=RATIO_COLUMNS), known_codes=known)


def keys(findings: list[Finding]) -> list[tuple[str, str, str, str]]:
    return [(f.file_id, f.rule, f.sheet, f.cell) for f in findings]


# Every scenario below is one file of a single shared batch, validated in one GX call (as in
# production): it keeps the module fast and proves that one file's problems stay with that file.
Build = Callable[[str], tuple[list[dict], list[dict]]]
SCENARIOS: dict[str, Build] = {}


def scenario(build: Build) -> Build:
    """Register a file for the shared batch; its file_id is the function's name."""
    SCENARIOS[build.__name__] = build
    return build


@pytest.fixture(scope="module")
def batch() -> list[Finding]:
    cells: list[dict] = []
    ratios: list[dict] = []
    for name, build in SCENARIOS.items():
        c, r = build(name)
        cells += c
        ratios += r
    return run(cells, ratios)


def of(findings: list[Finding], file_id: str) -> list[Finding]:
    return [f for f in findings if f.file_id == file_id]


scenario(clean_file)


def test_clean_file_has_no_findings(batch: list[Finding]) -> None:
    assert of(batch, "clean_file") == []


@scenario
def required(fid: str) -> tuple[list[dict], list[dict]]:
    cells, ratios = clean_file(fid)
    cells = edit(cells, INFO, "B3", raw=None)
    return edit(cells, ACTIVITIES, "E6", required=True), ratios


def test_required_missing(batch: list[Finding]) -> None:
    findings = of(batch, "required")
    assert keys(findings) == [
        ("required", "required_missing", ACTIVITIES, "E6"),
        ("required", "required_missing", INFO, "B3"),
    ]
    assert findings[1].found == ""
    assert "«001»" in findings[1].fix  # tells the clerk what to type


@scenario
def unreadable(fid: str) -> tuple[list[dict], list[dict]]:
    cells, ratios = clean_file(fid)
    cells = edit(cells, ACTIVITIES, "E5", raw="12 tin", value=None)
    return edit(cells, TARGETS, "F7", raw="Chắc có", value=None), ratios


def test_not_a_number_and_yes_no_invalid(batch: list[Finding]) -> None:
    findings = of(batch, "unreadable")
    assert keys(findings) == [
        ("unreadable", "yes_no_invalid", TARGETS, "F7"),
        ("unreadable", "not_a_number", ACTIVITIES, "E5"),
    ]
    assert findings[0].found == "Chắc có" and findings[0].expected == "«Có» hoặc «Không»"
    assert findings[1].found == "12 tin" and "Không đọc được số" in findings[1].fix


@scenario
def not_whole(fid: str) -> tuple[list[dict], list[dict]]:
    cells, _ = clean_file(fid)
    cells = edit(cells, TARGETS, "D5", raw="85,5", value=85.5)
    cells = edit(cells, ACTIVITIES, "E5", raw="-1,5", value=-1.5)  # negative and fractional: reported once
    cells = edit(cells, ACTIVITIES, "E6", raw="3", value=3.0000000000001)  # float noise is still whole
    cells = edit(cells, TARGETS, "D6", raw="-2", value=-2.0)
    return cells, [ratio(fid, "CB_TRUYENTHONG", 5, 85.5, 100.0), ratio(fid, "CB_HOSO", 6, -2.0, 0.0)]


def test_not_whole_non_negative(batch: list[Finding]) -> None:
    findings = of(batch, "not_whole")
    assert keys(findings) == [
        ("not_whole", "not_whole_non_negative", TARGETS, "D5"),
        ("not_whole", "not_whole_non_negative", TARGETS, "D6"),
        ("not_whole", "not_whole_non_negative", ACTIVITIES, "E5"),
    ]
    assert "phần trăm" in findings[0].fix


@scenario
def percent(fid: str) -> tuple[list[dict], list[dict]]:
    """A percentage where a count goes: 100% would be read as the count 1, 85,5% as 0.855."""
    cells, _ = clean_file(fid)
    cells = edit(cells, TARGETS, "D5", raw="100%", value=1.0)
    cells = edit(cells, ACTIVITIES, "E5", raw="85,5 %", value=0.855)
    return cells, [ratio(fid, "CB_TRUYENTHONG", 5, 1.0, 10.0), ratio(fid, "CB_HOSO", 6, 0.0, 0.0)]


def test_a_percentage_is_not_a_count(batch: list[Finding]) -> None:
    findings = of(batch, "percent")
    assert keys(findings) == [
        ("percent", "percent_not_count", TARGETS, "D5"),
        ("percent", "percent_not_count", ACTIVITIES, "E5"),  # once: not also "not whole"
    ]
    assert findings[0].found == "100%" and "không kèm dấu %" in findings[0].fix and "Tử số" in findings[0].fix


@scenario
def unknown(fid: str) -> tuple[list[dict], list[dict]]:
    cells, ratios = clean_file(fid)
    cells = edit(cells, TARGETS, "D5", item_code="CB_LA")
    cells = edit(cells, TARGETS, "E5", item_code="CB_LA")
    return edit(cells, ACTIVITIES, "E5", item_code=None), ratios


def test_unknown_code_reports_each_value_cell(batch: list[Finding]) -> None:
    findings = of(batch, "unknown")
    assert keys(findings) == [
        ("unknown", "unknown_code", TARGETS, "D5"),
        ("unknown", "unknown_code", TARGETS, "E5"),
        ("unknown", "unknown_code", ACTIVITIES, "E5"),
    ]
    assert findings[0].found == "CB_LA"


@scenario
def wrong_meta(fid: str) -> tuple[list[dict], list[dict]]:
    cells, ratios = clean_file(fid)
    cells = edit(cells, INFO, "B3", raw="002")
    return edit(cells, INFO, "B6", raw="2024", value=2024.0), ratios


def test_meta_mismatch(batch: list[Finding]) -> None:
    findings = of(batch, "wrong_meta")
    assert keys(findings) == [("wrong_meta", "meta_mismatch", INFO, "B3"), ("wrong_meta", "meta_mismatch", INFO, "B6")]
    unit, year = findings
    assert unit.found == "002" and "«001»" in unit.expected and "đơn vị khác" in unit.fix
    assert year.found == "2024" and year.expected == "Năm báo cáo 2025" and "2025" in year.fix


@scenario
def loose_meta(fid: str) -> tuple[list[dict], list[dict]]:
    cells, ratios = clean_file(fid)
    cells = edit(cells, INFO, "B3", raw=" 001 ")
    return edit(cells, INFO, "B6", raw="2025.0", value=2025.0), ratios


def test_meta_comparison_ignores_spaces_and_float_years(batch: list[Finding]) -> None:
    assert of(batch, "loose_meta") == []


@scenario
def repeated(fid: str) -> tuple[list[dict], list[dict]]:
    cells, ratios = clean_file(fid)
    return [
        *cells,
        cell(fid, ACTIVITIES, "E9", "HD_TINBAI", "count", "4", 4.0),
        cell(fid, ACTIVITIES, "E12", "HD_TINBAI", "count", None, None),
    ], ratios


def test_duplicate_reports_every_occurrence_after_the_first(batch: list[Finding]) -> None:
    findings = of(batch, "repeated")
    assert keys(findings) == [("repeated", "duplicate", ACTIVITIES, "E9"), ("repeated", "duplicate", ACTIVITIES, "E12")]
    assert all("E5" in f.fix for f in findings)


@scenario
def too_large(fid: str) -> tuple[list[dict], list[dict]]:
    cells, _ = clean_file(fid)
    cells = edit(cells, TARGETS, "D5", raw="12", value=12.0)
    return cells, [ratio(fid, "CB_TRUYENTHONG", 5, 12.0, 10.0), ratio(fid, "CB_HOSO", 6, 0.0, 0.0)]


def test_numerator_greater_than_denominator(batch: list[Finding]) -> None:
    findings = of(batch, "too_large")
    assert keys(findings) == [("too_large", "numerator_gt_denominator", TARGETS, "D5")]
    assert findings[0].found == "12" and "E5" in findings[0].fix


@scenario
def half_ratio(fid: str) -> tuple[list[dict], list[dict]]:
    cells, _ = clean_file(fid)
    cells = edit(cells, TARGETS, "D5", raw=None, value=None)
    cells = edit(cells, TARGETS, "E6", raw=None, value=None)
    cells += [cell(fid, TARGETS, "D8", "CB_CONGKHAI", "numerator", "x", None),
              cell(fid, TARGETS, "E8", "CB_CONGKHAI", "denominator", "y", None)]
    return cells, [ratio(fid, "CB_TRUYENTHONG", 5, None, 10.0), ratio(fid, "CB_HOSO", 6, 0.0, None),
                   ratio(fid, "CB_CONGKHAI", 8, None, None)]  # both unreadable: not_a_number, not incomplete


def test_ratio_incomplete_points_at_the_blank_cell(batch: list[Finding]) -> None:
    assert keys(of(batch, "half_ratio")) == [
        ("half_ratio", "ratio_incomplete", TARGETS, "D5"),
        ("half_ratio", "ratio_incomplete", TARGETS, "E6"),
        ("half_ratio", "not_a_number", TARGETS, "D8"),
        ("half_ratio", "not_a_number", TARGETS, "E8"),
    ]


@scenario
def good_before(fid: str) -> tuple[list[dict], list[dict]]:
    return clean_file(fid)


@scenario
def bad_between(fid: str) -> tuple[list[dict], list[dict]]:
    cells, ratios = clean_file(fid, unit="002")
    cells = edit(cells, INFO, "B3", raw="001")
    cells = edit(cells, TARGETS, "F7", raw="?", value=None)
    return [*cells, cell(fid, TARGETS, "F7", "CB_CONGKHAI", "yes_no", "Không", 0.0)], ratios


@scenario
def good_after(fid: str) -> tuple[list[dict], list[dict]]:
    return clean_file(fid, unit="003")


def test_bad_file_does_not_leak_into_good_files(batch: list[Finding]) -> None:
    assert of(batch, "good_before") == [] and of(batch, "good_after") == []
    assert keys(of(batch, "bad_between")) == [
        ("bad_between", "duplicate", TARGETS, "F7"),
        ("bad_between", "yes_no_invalid", TARGETS, "F7"),
        ("bad_between", "meta_mismatch", INFO, "B3"),
    ]


@scenario
def reading_order(fid: str) -> tuple[list[dict], list[dict]]:
    return [cell(fid, ACTIVITIES, ref, "HD_TINBAI", "count", "-1", -1.0) for ref in ("E10", "AA2", "E7", "B7")], []


def test_findings_are_sorted_by_file_sheet_then_cell_in_reading_order(batch: list[Finding]) -> None:
    assert [f.cell for f in of(batch, "reading_order") if f.rule == "not_whole_non_negative"] == [
        "AA2", "B7", "E7", "E10"]
    assert [(f.file_id, f.sheet) for f in batch] == sorted((f.file_id, f.sheet) for f in batch)


def test_empty_catalogue_makes_every_code_unknown() -> None:
    assert {f.rule for f in run(*clean_file("f"), known=set())} == {"unknown_code"}


@pytest.mark.parametrize("cells, ratios", [
    (pd.DataFrame(), pd.DataFrame()),
    (pd.DataFrame(columns=CELL_COLUMNS), pd.DataFrame(columns=RATIO_COLUMNS)),
])
def test_empty_input(cells: pd.DataFrame, ratios: pd.DataFrame) -> None:
    assert validate_submission_cells(cells, ratios, known_codes=KNOWN) == []


def test_ratios_without_cells() -> None:
    findings = validate_submission_cells(pd.DataFrame(columns=CELL_COLUMNS),
                                         pd.DataFrame([ratio("f", "CB_HOSO", 6, 5.0, None)]), known_codes=KNOWN)
    assert keys(findings) == [("f", "ratio_incomplete", TARGETS, "E6")]


def test_suite_names_every_rule() -> None:
    suite = build_submission_suite()
    assert {e.meta["rule"] for e in suite.expectations} == RULES


def test_only_the_suite_imports_gx() -> None:
    """GX costs seconds to import: the CLI, the reader, the report and the portal rules must not pull it in."""
    code = ("import sys, dvctt.cli, dvctt.pipeline, extract.reader, report.workbook, expectations.portal; "
            "assert 'great_expectations' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_large_batch_in_one_call() -> None:
    """2,000 files ≈ 100,000 rows; every 100th file has four problems, the others none."""
    cells: list[dict] = []
    ratios: list[dict] = []
    for n in range(2000):
        fid = f"u{n:04d}"
        c, r = clean_file(fid, unit=fid)
        c += [cell(fid, ACTIVITIES, f"E{row}", f"HD_X{row}", "count", "1", 1.0) for row in range(7, 48)]
        if n % 100 == 0:
            c = edit(c, INFO, "B3", raw="u9999")
            c = edit(c, ACTIVITIES, "E8", raw="-1", value=-1.0)
            c = edit(c, ACTIVITIES, "E9", item_code="HD_TINBAI")  # E5 already holds HD_TINBAI
            r = [ratio(fid, "CB_TRUYENTHONG", 5, 11.0, 10.0), r[1]]
        cells += c
        ratios += r
    known = KNOWN | {f"HD_X{row}" for row in range(7, 48)}
    findings = run(cells, ratios, known)
    assert len(cells) == 100_000
    assert len(findings) == 20 * 4
    bad = {f"u{n:04d}" for n in range(0, 2000, 100)}
    assert set(keys(findings)) == {
        (fid, rule, sheet, ref) for fid in bad for rule, sheet, ref in [
            ("meta_mismatch", INFO, "B3"), ("not_whole_non_negative", ACTIVITIES, "E8"),
            ("duplicate", ACTIVITIES, "E9"), ("numerator_gt_denominator", TARGETS, "D5")]
    }


def test_a_validated_batch_is_not_kept_by_gx() -> None:
    """GX's execution engine holds the batch it validated; a national batch (850,000 rows) must not outlive intake."""
    import gc
    import weakref

    cells = pd.DataFrame([{"file_id": "f", "sheet": "s", "cell": f"D{r}", "item_code": "X", "field": "count", "raw": "1",
                           "value": 1.0, "required": True, "expected": None} for r in range(5, 50)], columns=CELL_COLUMNS)
    validate_submission_cells(cells, pd.DataFrame(columns=RATIO_COLUMNS), known_codes={"X"})
    gc.collect()
    from great_expectations.execution_engine.pandas_batch_data import PandasBatchData

    # type(), not isinstance(): isinstance reads __class__, which makes some lazy modules other tests imported
    # (Airflow's) import what they stand for
    assert [weakref.ref(o) for o in gc.get_objects() if issubclass(type(o), PandasBatchData)] == []
