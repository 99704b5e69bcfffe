"""Portal-derived indicators per unit for a date window, from the portal's own statistics.

These figures are independent of what units claim, so they are kept as numerator/denominator
facts (`unit_code, indicator_code, numerator, denominator, source_file`) that the report
recomputes ratios from. Indicator codes: the catalogue's HOSO_TRUCTUYEN, TTHC_TOANTRINH, DINHDANH,
HAILONG, HAILONG_DDXDDT, YKIEN_TIEPTHU, plus PORTAL_* measures for the reconciliation sheet
(see MEASURES). A code is produced only when the export carries the columns it needs.

Window semantics (inclusive on both ends):

* Aggregated (Form 06a) rows count when their whole period lies inside [window_start,
  window_end]. Rows entirely outside are ignored; a row straddling an edge cannot be split, so it
  is left out *and reported*. Flows (dossiers received, resolved, ratings, petitions, payments)
  are summed over the periods; stocks are taken from the latest period (procedures offered, and
  dossiers still in progress) or the earliest one (carried over from before the window).
* Dossier rows count when their **reception date** falls in the window. Everything about the
  dossier (channel, rating, payment, result) follows that one date, so every numerator is a
  subset of its denominator and the figures reconcile with "dossiers received" in Form 06a.
  A dossier is *resolved* when finished on or before window_end, *in progress* otherwise; early /
  on time / late compare the finishing date with the due date (same day = on time), and in
  progress is "overdue" when its due date is before window_end. Cancelled or withdrawn
  dossiers (status "hủy", "rút", "từ chối") count as received only.
* Dossier ratings: "Rất hài lòng"/"Hài lòng" or 4–5 stars are satisfied; "Không hài lòng",
  "Chưa hài lòng", "Bình thường" or 1–3 stars are not; blank is "not rated"; anything else is
  reported. HAILONG_DDXDDT uses dossiers whose field (lĩnh vực) names đất đai, xây dựng or đầu tư.
* Yes/no cells (fee-bearing, paid online, digitised, identified): blank means no.
* Dossier files cannot give TTHC_TOANTRINH or YKIEN_TIEPTHU (procedures and petitions are not
  dossiers); those come from aggregated exports only.

Validation never drops data silently: each failing row is reported with its row number and the
indicators it is left out of; a row is dropped whole only when it cannot be used at all (no unit,
unknown unit, no readable period or reception date, or the same unit and period twice). Unknown
agencies are also listed in `unknown_agencies`. At most MAX_PROBLEMS_PER_RULE rows are listed per
file and rule, followed by one line giving the full count. The table's "Tổng cộng" line (no code,
a name saying tổng/cộng) is the sum of the rows above and is skipped. Codes match the registry
exactly, case-insensitively, or with the leading zeros Excel drops ("3386" → "03386"). The rules
are plain data and SQL conditions kept with the other validation rules (`expectations.portal`).

The work is split by concern: the measures (`transform.portal_measures`), the aggregated exports
(`transform.portal_aggregated`), the dossier SQL (`transform.portal_dossiers`) and the results they
collect (`transform.portal_results`); this module is the entry point.

Dossier CSVs are read by DuckDB, never loaded into pandas: a clean file is read once, streamed on
all threads, with the categorical values learnt from its first rows (`transform.portal_dossiers`);
line numbers are fetched only for the rows shown in a problem. Memory stays bounded by DuckDB's
memory_limit (default 1 GB, env DVCTT_PORTAL_MEMORY_LIMIT) with spilling to a temporary directory.
A denominator can be 0 (e.g. a unit with no ratings); ratios must guard for it.
"""

from __future__ import annotations

from datetime import date

from extract.portal import PortalExport, load_portal_columns
from transform.portal_aggregated import process_aggregated, uncomputed
from transform.portal_dossiers import Duck, process_dossiers
from transform.portal_results import Collector, PortalProblem, PortalResult, UnitMatcher


def portal_measures(exports: list[PortalExport], window_start: date, window_end: date,
                    known_units: set[str]) -> PortalResult:
    """Compute the portal indicators per unit over [window_start, window_end] (inclusive)."""
    if window_end < window_start:
        raise ValueError("window_end trước window_start")
    config = load_portal_columns()
    matcher = UnitMatcher(known_units)
    out = Collector()
    for export in exports:  # header findings (ignored or duplicate columns, hidden sheets)
        out.problems.extend(PortalProblem(export.name, None, None, None, note, "file_note", False, export.sheet)
                            for note in export.notes)
    aggregated = [e for e in exports if e.shape == "aggregated"]
    for export in aggregated:
        if export.ignored and (missing := [m for m in uncomputed(export.columns) if not m.code.startswith("PORTAL_")]):
            out.problems.append(PortalProblem(
                export.name, None, None, None,
                f"Tệp không cho số liệu các chỉ tiêu {'; '.join(f'{m.code} ({m.label})' for m in missing)}, trong khi "
                f"có cột không nhận dạng được: {'; '.join(f'«{c}»' for c in export.ignored)}. Nếu cột nào trong đó "
                "chứa số liệu của các chỉ tiêu này, hãy bổ sung tên cột vào core/data/portal_columns.yaml.",
                "indicator_missing", False, export.sheet))
    if aggregated:
        process_aggregated(aggregated, window_start, window_end, matcher, config, out)
    dossier = [e for e in exports if e.shape == "dossier"]
    if dossier:
        with Duck() as con:
            for export in dossier:
                process_dossiers(con, export, window_start, window_end, matcher, config, out)
    for unit, shapes in sorted(out.sources.items()):
        if len(shapes) > 1:
            files = out.files_of(unit)
            out.problems.append(PortalProblem(
                "; ".join(files), None, None, unit,
                f"Đơn vị {unit} có cả số liệu tổng hợp (mẫu 06a) và số liệu chi tiết hồ sơ trong cùng khoảng "
                "báo cáo; hai nguồn đã được cộng dồn — kiểm tra để tránh tính trùng.", "mixed_sources", False))
    return out.result()
