"""Validate every cell of a whole intake batch with one Great Expectations suite.

Cost grows with rows, not with files: one ephemeral GX context per process, one suite built
once, one concatenated DataFrame validated once per batch (12,000 files ≈ 700,000 rows). The
suite is the single place the rules live; this module only prepares helper columns, then maps
every unexpected row index GX reports back to a clerk-facing Finding (file, sheet, cell).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Hashable, Iterator
from functools import cache
from typing import Any

import pandas as pd

from core import layout as L
from core.layout import TASK_STATUSES
from core.records import CELL_COLUMNS, RATIO_COLUMNS, Finding, Submission
from expectations.gx_loading import prepare_gx_import

prepare_gx_import()  # quiet, and without the scipy/altair imports GX would make for expectations we never use

import great_expectations as gx  # noqa: E402
from great_expectations.core.batch_definition import BatchDefinition  # noqa: E402
from great_expectations.core.expectation_validation_result import ExpectationValidationResult  # noqa: E402
from great_expectations.data_context.types.base import (  # noqa: E402
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from great_expectations.expectations.row_conditions import Column  # noqa: E402

NUMERIC_FIELDS = ["numerator", "denominator", "count", "year"]
CODED_FIELDS = ["numerator", "denominator", "yes_no", "count"]
META_FIELDS = ["unit_code", "year"]
# Ratio rows share the validation frame with cell rows; this `field` value tells them apart.
RATIO = "ratio"
DUPLICATE_KEY = ["file_id", "item_code", "field"]
# "1,234": a decimal comma or an English thousands separator, which `extract.numbers` refuses to guess.
_COMMA_THOUSANDS = re.compile(r"^[+-]?[1-9][0-9]{0,2}(,[0-9]{3})+%?$")
# Excel stores numbers as binary floats; 12.000000000001 from a formula is still a whole count.
WHOLE_TOLERANCE = 1e-9

FRAME_COLUMNS = [*CELL_COLUMNS, "numerator", "denominator", "denominator_cell"]
TEXT_COLUMNS = ["file_id", "sheet", "cell", "item_code", "field", "raw", "expected", "denominator_cell"]
NUMBER_COLUMNS = ["value", "numerator", "denominator"]

TASK_FIELD = "task_status"
FIELD_LABELS = {
    TASK_FIELD: "tình trạng nhiệm vụ",
    "numerator": "tử số",
    "denominator": "mẫu số",
    "count": "số lượng",
    "year": "năm báo cáo",
    "yes_no": "Có/Không",
    "unit_code": "mã đơn vị",
}

Row = dict[Hashable, Any]  # a frame row, as `to_dict("records")` gives it
Message = tuple[str, str, str]  # found, expected, fix


def build_submission_suite() -> gx.ExpectationSuite:
    """The rules every submitted cell must pass; `meta.rule` is the Finding code each one raises.

    `meta.cell_column` names the column holding the A1 reference to report (default `cell`).
    Unknown codes use the suite parameters `known_codes` and `known_tasks`, so the suite never changes with the
    catalogue or the plan.
    """
    e = gx.expectations
    field = Column("field")
    filled = Column("raw").is_not_null()
    numeric = field.is_in(NUMERIC_FIELDS)
    counted = numeric & (Column("percent") == False)  # noqa: E712 (a percentage is reported as such, once)
    ratio = field == RATIO
    suite = gx.ExpectationSuite(name="dvctt_submission_cells")
    for expectation in (
        e.ExpectColumnValuesToNotBeNull(
            column="raw", row_condition=Column("required") == True,  # noqa: E712 (builds a GX condition)
            description="Required cells are filled.", meta={"rule": "required_missing"}),
        e.ExpectColumnValuesToNotBeNull(
            column="value", row_condition=counted & filled,
            description="Filled numeric cells hold a readable number.", meta={"rule": "not_a_number"}),
        e.ExpectColumnValuesToNotBeNull(
            column="value", row_condition=(field == "yes_no") & filled,
            description="Filled yes/no cells say Có or Không.", meta={"rule": "yes_no_invalid"}),
        e.ExpectColumnValuesToBeInSet(
            column="percent", value_set=[False], row_condition=numeric & filled,
            description="Counts are not written as percentages (100% would otherwise be read as the count 1).",
            meta={"rule": "percent_not_count"}),
        e.ExpectColumnValuesToBeBetween(
            column="value", min_value=0, row_condition=counted,
            description="Numbers are not negative.", meta={"rule": "not_whole_non_negative"}),
        e.ExpectColumnValuesToBeBetween(
            column="value_fraction", min_value=0, max_value=WHOLE_TOLERANCE, row_condition=counted,
            description="Numbers are whole (value_fraction = |value - round(value)|).",
            meta={"rule": "not_whole_non_negative"}),
        e.ExpectColumnValuesToBeInSet(
            column="item_code", value_set={"$PARAMETER": "known_codes"}, row_condition=field.is_in(CODED_FIELDS),
            description="Indicator and activity codes are in this year's catalogue.", meta={"rule": "unknown_code"}),
        e.ExpectColumnValuesToNotBeNull(
            column="value", row_condition=(field == TASK_FIELD) & filled,
            description="A filled task status is one of the plan's statuses.", meta={"rule": "task_status_invalid"}),
        e.ExpectColumnValuesToBeInSet(
            column="item_code", value_set={"$PARAMETER": "known_tasks"}, row_condition=field == TASK_FIELD,
            description="Task codes are the plan's (workspace tasks).", meta={"rule": "unknown_task"}),
        e.ExpectColumnPairValuesToBeEqual(
            column_A="meta_found", column_B="meta_expected",
            row_condition=field.is_in(META_FIELDS) & filled & Column("meta_expected").is_not_null(),
            description="The unit code and report year are the ones this file was submitted for.",
            meta={"rule": "meta_mismatch"}),
        e.ExpectCompoundColumnsToBeUnique(
            column_list=DUPLICATE_KEY, row_condition=field != RATIO,
            description="Each code and field appears once per file.", meta={"rule": "duplicate"}),
        e.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="denominator", column_B="numerator", or_equal=True, ignore_row_if="either_value_is_missing",
            row_condition=ratio, description="A ratio's numerator does not exceed its denominator.",
            meta={"rule": "numerator_gt_denominator"}),
        e.ExpectColumnValuesToNotBeNull(
            column="numerator", row_condition=ratio & Column("denominator").is_not_null(),
            description="A ratio with a denominator has a numerator.", meta={"rule": "ratio_incomplete"}),
        e.ExpectColumnValuesToNotBeNull(
            column="denominator", row_condition=ratio & Column("numerator").is_not_null(),
            description="A ratio with a numerator has a denominator.",
            meta={"rule": "ratio_incomplete", "cell_column": "denominator_cell"}),
    ):
        suite.add_expectation(expectation)
    return suite


def no_figures(sub: Submission) -> Finding | None:
    """The error for a file with not one figure filled in (a blank template, or only its identity or texts): it says
    nothing, so it is rejected, never counted as reported and never replacing an earlier version. A rule on the
    whole file, which the cell suite cannot express; it names what is empty and how to fill it."""
    if any(c["raw"] is not None for c in sub.cells if c["field"] in (*CODED_FIELDS, TASK_FIELD)):
        return None  # a lead agency may report only its tasks' progress
    sheets = {c["field"]: c["sheet"] for c in sub.cells}
    targets, activities = sheets.get("numerator", sheets.get("yes_no", L.SHEET_TARGETS)), sheets.get("count")
    if len(set(sheets.values())) == 1:  # a flat file (CSV): one table
        targets = next(iter(sheets.values()))
        empty = "Các cột Tử số, Mẫu số, Có/Không và Số lượng đều để trống"
    else:
        empty = (f"Trang «{targets}» (cột Tử số, Mẫu số, Có/Không) và trang «{activities or L.SHEET_ACTIVITIES}» "
                 "(cột Số lượng) đều để trống")
    rest = "chỉ có nội dung khó khăn, kiến nghị" if sub.texts else "chỉ có thông tin chung của đơn vị"
    return Finding(sub.file_id, "error", "no_figures", targets, "", "",
                   "Có số liệu: ít nhất một ô Tử số, Mẫu số, Có/Không hoặc Số lượng được điền",
                   f"Tệp chưa điền số liệu: {empty}, {rest}. Tệp không được ghi nhận là đã nộp và không thay cho bản "
                   "đã nộp trước. Hãy điền số liệu của đơn vị vào biểu mẫu (ghi 0 nếu số liệu bằng 0; ô để trống nghĩa "
                   "là không có số liệu), lưu lại rồi nộp lại.")


def validate_submission_cells(cells: pd.DataFrame, ratios: pd.DataFrame, *, known_codes: set[str],
                              known_tasks: Collection[str] = ()) -> list[Finding]:
    """Validate a whole batch in one GX run; return every problem, sorted by file, sheet, cell, rule.

    Cells are ordered the way a clerk reads a sheet: by row, then column (D7 before D10).
    """
    frame = _validation_frame(cells, ratios)
    if frame.empty:
        return []
    batch_definition, suite = _gx_runtime()
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
    try:
        outcome = batch.validate(
            suite,
            result_format={"result_format": "COMPLETE", "return_unexpected_index_query": False},
            expectation_parameters={"known_codes": sorted(known_codes), "known_tasks": sorted(known_tasks)},
        )
    finally:  # GX's execution engine keeps the batch and its data: a national batch (850,000 rows) would outlive intake
        manager = batch.data.execution_engine.batch_manager
        manager.reset_batch_cache()
        manager.batch_data_cache.clear()
    findings = {f for result in outcome.results for f in _findings(result, frame)}
    return sorted(findings, key=_sort_key)


@cache
def _gx_runtime() -> tuple[BatchDefinition, gx.ExpectationSuite]:
    """One in-memory context, data asset and suite per process, reused by every batch."""
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    asset = context.data_sources.add_pandas("dvctt_intake").add_dataframe_asset("submission_cells")
    return asset.add_batch_definition_whole_dataframe("batch"), build_submission_suite()


def _validation_frame(cells: pd.DataFrame, ratios: pd.DataFrame) -> pd.DataFrame:
    """Stack cells and ratio rows into one frame (RangeIndex = GX's unexpected index) with helper columns."""
    parts = [cells.reindex(columns=CELL_COLUMNS)] if len(cells) else []
    if len(ratios):
        ratio_rows = ratios.reindex(columns=RATIO_COLUMNS).rename(columns={"numerator_cell": "cell"})
        parts.append(ratio_rows.assign(field=RATIO))
    if not parts:
        return pd.DataFrame()
    frame = pd.concat(parts, ignore_index=True).reindex(columns=FRAME_COLUMNS)
    frame["item_code"] = frame["item_code"].fillna("")  # a row without a code is an unknown code, not skipped
    frame["required"] = frame["required"].eq(True)
    for name in NUMBER_COLUMNS:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    frame["value_fraction"] = (frame["value"] - frame["value"].round()).abs()
    frame["percent"] = frame["raw"].astype("string").str.rstrip().str.endswith("%").fillna(False).astype(bool)
    meta = frame["field"].isin(META_FIELDS)
    frame["meta_found"] = _meta_text(frame["raw"], frame["field"], meta)
    frame["meta_expected"] = _meta_text(frame["expected"], frame["field"], meta)
    for name in TEXT_COLUMNS:
        # GX re-filters the whole frame (DataFrame.query) several times per expectation; copying
        # category codes instead of string objects makes a 700,000-row batch about 3x cheaper.
        frame[name] = frame[name].astype("category")
    return frame


def _meta_text(texts: pd.Series, fields: pd.Series, meta: pd.Series) -> pd.Series:
    """Meta values as compared: stripped; a whole-number year as an integer ("2025.0" == "2025")."""
    canonical = [None if pd.isna(text) else _canonical(str(text).strip(), field)
                 for text, field in zip(texts[meta], fields[meta], strict=True)]
    return pd.Series(canonical, index=texts.index[meta], dtype=object).reindex(texts.index)


def _canonical(text: str, field: str) -> str:
    if field != "year":
        return text
    try:
        number = float(text)
    except ValueError:
        return text
    return str(int(number)) if number.is_integer() else text


def _findings(result: ExpectationValidationResult, frame: pd.DataFrame) -> Iterator[Finding]:
    """Turn one expectation's unexpected rows into Findings; refuse to lose rows silently."""
    config = result.expectation_config
    if config is None:
        raise RuntimeError("GX returned a validation result without its expectation")
    error = _gx_error(result.exception_info)
    if error is not None:
        raise RuntimeError(f"GX could not evaluate {config.type} ({config.meta['rule']}): {error}")
    if result.success:
        return
    rule = config.meta["rule"]
    indices = result.result.get("unexpected_index_list")
    if indices is None or len(indices) != result.result.get("unexpected_count"):
        raise RuntimeError(f"GX did not return every failing row for {config.type} ({rule})")
    rows = frame.loc[sorted(indices)]
    cell_column: str = config.meta.get("cell_column", "cell")
    rows = rows.assign(at=rows[cell_column])
    if rule == "duplicate":
        rows = _repeats(rows)
    records = rows.astype(object).where(rows.notna(), None).to_dict("records")
    for row in records:
        found, expected, fix = MESSAGES[rule](row)
        yield Finding(row["file_id"], "error", rule, row["sheet"], row["at"], found, expected, fix)


def _gx_error(info: dict[str, Any]) -> str | None:
    """GX reports a failure either at the top level or, for metric errors, per metric id."""
    for entry in (info, *(v for v in info.values() if isinstance(v, dict))):
        if entry.get("raised_exception"):
            return str(entry.get("exception_message"))
    return None


def _repeats(rows: pd.DataFrame) -> pd.DataFrame:
    """GX flags every member of a duplicated key; the first one read stays, the others are reported."""
    groups = rows.groupby(DUPLICATE_KEY, sort=False, dropna=False, observed=True)
    rows = rows.assign(first_cell=groups["cell"].transform("first"), first_sheet=groups["sheet"].transform("first"))
    return rows[rows.duplicated(DUPLICATE_KEY, keep="first")]


_A1 = re.compile(r"^([A-Z]*)(\d*)$")


def _sort_key(f: Finding) -> tuple:
    match = _A1.match(f.cell.upper())
    letters, digits = (match.group(1), match.group(2)) if match else (f.cell, "")
    return (f.file_id, f.sheet, int(digits or 0), len(letters), letters, f.rule, f.found, f.expected, f.fix)


def _num(x: float) -> str:
    """A number the Vietnamese way: 1.234,5."""
    return f"{x:,.4f}".rstrip("0").rstrip(".").translate(str.maketrans(",.", ".,"))


def _label(row: Row) -> str:
    return FIELD_LABELS.get(row["field"], row["field"] or "")


def _required_missing(row: Row) -> Message:
    what = f"«{row['expected']}»" if row["expected"] else _label(row)
    return ("", f"Ô bắt buộc phải điền ({_label(row)})",
            f"Ô {row['at']} đang để trống. Hãy điền {what} vào ô này, lưu lại rồi nộp lại tệp.")


def _not_a_number(row: Row) -> Message:
    if row["field"] == "year":
        return (row["raw"], "Năm báo cáo ghi bằng số, ví dụ 2025",
                f"Không đọc được số năm trong ô {row['at']} (đang ghi «{row['raw']}»). "
                "Chỉ ghi 4 chữ số của năm báo cáo.")
    blank = ("Ô này bắt buộc phải có số." if row["required"]
             else "Nếu không có số liệu thì để trống ô, không ghi chữ.")
    if _COMMA_THOUSANDS.match(str(row["raw"]).strip()):  # extract.numbers reads neither way
        return (row["raw"], "Một con số, ví dụ 1250 hoặc 1.250",
                f"Không rõ số trong ô {row['at']}: «{row['raw']}» có thể là số thập phân (dấu phẩy ngăn phần thập "
                f"phân) hoặc số có dấu phẩy phân cách hàng nghìn. Nếu là số nguyên, hãy ghi không có dấu phẩy "
                f"({str(row['raw']).replace(',', '').strip()}) hoặc dùng dấu chấm phân cách hàng nghìn.")
    return (row["raw"], "Một con số, ví dụ 1250 hoặc 1.250",
            f"Không đọc được số trong ô {row['at']} (đang ghi «{row['raw']}»). Chỉ ghi chữ số "
            f"(có thể dùng dấu chấm phân cách hàng nghìn), không kèm chữ hay đơn vị tính. {blank}")


def _percent_not_count(row: Row) -> Message:
    return (row["raw"], "Số lượng đếm được, không phải tỷ lệ phần trăm",
            f"Ô {row['at']} đang ghi «{row['raw']}», một tỷ lệ phần trăm. {_label(row).capitalize()} là số lượng "
            "đếm được (ví dụ số người, số hồ sơ); hệ thống tự tính tỷ lệ từ tử số và mẫu số. Hãy ghi số lượng, "
            "không kèm dấu %.")


def _yes_no_invalid(row: Row) -> Message:
    return (row["raw"], "«Có» hoặc «Không»",
            f"Ô {row['at']} đang ghi «{row['raw']}». Chỉ ghi «Có» hoặc «Không» (chọn trong danh sách của ô); "
            "nếu chưa có thông tin thì để trống.")


def _not_whole_non_negative(row: Row) -> Message:
    advice = {
        "numerator": "Tử số là số lượng đếm được (ví dụ số hồ sơ), không ghi tỷ lệ phần trăm; hệ thống tự tính tỷ lệ.",
        "denominator": "Mẫu số là số lượng đếm được (ví dụ tổng số hồ sơ), không ghi tỷ lệ phần trăm.",
        "count": "Ghi số lượng đếm được, không có phần thập phân, không ghi số âm.",
        "year": "Ghi năm báo cáo bằng 4 chữ số.",
    }[row["field"]]
    return (row["raw"] or "", "Số nguyên không âm: 0, 1, 2, …", f"Ô {row['at']} đang ghi «{row['raw']}». {advice}")


def _unknown_code(row: Row) -> Message:
    return (row["item_code"], "Mã chỉ tiêu/hoạt động có trong danh mục của biểu mẫu năm nay",
            f"Mã «{row['item_code']}» ở dòng có ô {row['at']} không có trong danh mục. Hãy sửa lại đúng mã như "
            "biểu mẫu (không tự đổi mã, không tự thêm dòng); nếu là dòng thừa thì xoá cả dòng đó.")


def _task_status_invalid(row: Row) -> Message:
    choices = "«" + "», «".join(TASK_STATUSES.values()) + "»"
    return (row["raw"], f"Một trong các tình trạng {choices}",
            f"Ô {row['at']} (nhiệm vụ {row['item_code']}) đang ghi «{row['raw']}». Hãy chọn tình trạng trong danh sách "
            "của ô; nếu chưa có thông tin thì để trống.")


def _unknown_task(row: Row) -> Message:
    return (row["item_code"], "Mã nhiệm vụ có trong kế hoạch",
            f"Mã nhiệm vụ «{row['item_code']}» ở dòng có ô {row['at']} không có trong bảng nhiệm vụ của kế hoạch. Hãy "
            "dùng biểu mẫu mới nhất của đơn vị, không tự thêm hay đổi mã nhiệm vụ.")


def _meta_mismatch(row: Row) -> Message:
    found, want, at = row["raw"], row["meta_expected"], row["at"]
    if row["field"] == "unit_code":
        return (found, f"Mã đơn vị «{want}» (đơn vị nộp tệp)",
                f"Tệp ghi mã đơn vị «{found}», tức là báo cáo của một đơn vị khác. Mỗi đơn vị chỉ được nộp báo cáo "
                f"của chính mình: nếu đây là báo cáo của đơn vị mình thì sửa ô {at} thành «{want}»; nếu nộp nhầm tệp "
                "của đơn vị khác thì hãy nộp lại đúng tệp của đơn vị mình.")
    return (found, f"Năm báo cáo {want}",
            f"Tệp ghi năm báo cáo «{found}», không phải năm {want} đang tổng hợp. Hãy sửa ô {at} thành {want}; "
            f"nếu dùng lại tệp của năm khác, hãy kiểm tra và cập nhật toàn bộ số liệu cho năm {want}.")


def _duplicate(row: Row) -> Message:
    first = row["first_cell"]
    if row["first_sheet"] != row["sheet"]:
        first += f" (trang «{row['first_sheet']}»)"
    return (row["raw"] or "", "Mỗi mã chỉ ghi một lần trong tệp",
            f"Mã «{row['item_code']}» ({_label(row)}) đã có ở ô {first}; ô {row['at']} lặp lại cùng mã. "
            "Hãy xoá dòng lặp lại hoặc gộp số liệu vào một dòng.")


def _numerator_gt_denominator(row: Row) -> Message:
    num, den = _num(row["numerator"]), _num(row["denominator"])
    return (num, f"Tử số không lớn hơn mẫu số ({den})",
            f"Ở chỉ tiêu {row['item_code']}, tử số {num} (ô {row['at']}) lớn hơn mẫu số {den} "
            f"(ô {row['denominator_cell']}). Tử số là một phần của mẫu số (ví dụ: số hồ sơ nộp trực tuyến trong "
            "tổng số hồ sơ); hãy kiểm tra và sửa lại hai ô này.")


def _ratio_incomplete(row: Row) -> Message:
    if row["numerator"] is None:
        missing, present, other_cell = "tử số", "mẫu số", row["denominator_cell"]
    else:
        missing, present, other_cell = "mẫu số", "tử số", row["cell"]
    return ("", "Có số ở cả tử số và mẫu số",
            f"Chỉ tiêu {row['item_code']} đã có {present} ở ô {other_cell} nhưng {missing} ở ô {row['at']} đang "
            "trống hoặc không đọc được. Hãy điền đủ cả hai ô; nếu đơn vị không có số liệu cho chỉ tiêu này "
            "thì để trống cả hai.")


MESSAGES: dict[str, Callable[[Row], Message]] = {
    "required_missing": _required_missing,
    "not_a_number": _not_a_number,
    "percent_not_count": _percent_not_count,
    "yes_no_invalid": _yes_no_invalid,
    "not_whole_non_negative": _not_whole_non_negative,
    "unknown_code": _unknown_code,
    "task_status_invalid": _task_status_invalid,
    "unknown_task": _unknown_task,
    "meta_mismatch": _meta_mismatch,
    "duplicate": _duplicate,
    "numerator_gt_denominator": _numerator_gt_denominator,
    "ratio_incomplete": _ratio_incomplete,
}
