"""The portal exports' validation rules, beside the unit submissions' GX suite (`expectations.submission`).

Two kinds, both plain data so the checks and the messages cannot drift apart: `PartRule`s over
one Form 06a row (parts never above their whole), and `DossierRule`s, SQL conditions over the
parsed dossier rows that `transform.portal_dossiers` counts and samples in its DuckDB passes.
A failing row is reported with its row number and the measures it is left out of.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.text import vn_count


@dataclass(frozen=True)
class PartRule:
    """`sum(parts) <= whole` (or `==` when `equal`). A failure makes `invalidates` unusable for the
    row (those indicators leave the row out); an empty `invalidates` is a warning only."""

    code: str
    parts: tuple[str, ...]
    whole: str
    equal: bool = False
    invalidates: tuple[str, ...] = ()


_RESOLVED = ("resolved_total", "resolved_early", "resolved_on_time", "resolved_late", "resolved_base", "resolved_good")
_CHANNELS = ("received_online", "received_in_person", "received_post", "received_new", "online_identified",
             "received_in_hand")
AGGREGATED_RULES: tuple[PartRule, ...] = (
    PartRule("resolved_sum", ("resolved_early", "resolved_on_time", "resolved_late"), "resolved_total", True,
             _RESOLVED),
    PartRule("online_le_total", ("received_online",), "received_new", invalidates=_CHANNELS),
    PartRule("online_full_le_online", ("received_online_full",), "received_online",
             invalidates=("received_online_full",)),
    PartRule("channels_le_total", ("received_online", "received_in_person", "received_post"), "received_new",
             invalidates=_CHANNELS),
    PartRule("identified_le_online", ("online_identified",), "received_online", invalidates=("online_identified",)),
    PartRule("satisfied_le_ratings", ("ratings_satisfied",), "ratings_total",
             invalidates=("ratings_satisfied", "ratings_total")),
    PartRule("ddxddt_satisfied_le_ratings", ("ratings_ddxddt_satisfied",), "ratings_ddxddt_total",
             invalidates=("ratings_ddxddt_satisfied", "ratings_ddxddt_total")),
    PartRule("ddxddt_le_ratings", ("ratings_ddxddt_total",), "ratings_total"),
    PartRule("petitions_on_time_le_total", ("petitions_on_time",), "petitions_total",
             invalidates=("petitions_on_time", "petitions_total")),
    PartRule("paid_le_fee", ("fee_paid_online",), "fee_total", invalidates=("fee_paid_online", "fee_total")),
    PartRule("procedures_online_le_total", ("procedures_full_online", "procedures_partial_online"), "procedures_total",
             invalidates=("procedures_full_online", "procedures_partial_online", "procedures_total")),
    PartRule("procedures_with_dossiers_le_total", ("procedures_with_dossiers",), "procedures_total",
             invalidates=("procedures_with_dossiers",)),
    PartRule("digitised_le_received", ("digitised",), "received_in_hand", invalidates=("digitised",)),
)


def check_aggregated_row(values: dict[str, int | None]) -> list[tuple[PartRule, str]]:
    """Apply AGGREGATED_RULES in order to one row of derived values; returns the failures with the
    figures compared. A failure's invalidated values are skipped by the rules after it, so one bad
    cell is reported once."""
    v = dict(values)
    failures = []
    for rule in AGGREGATED_RULES:
        parts, whole = [n for k in rule.parts if (n := v.get(k)) is not None], v.get(rule.whole)
        if whole is None or len(parts) < len(rule.parts):
            continue
        s = sum(parts)
        if (s != whole) if rule.equal else (s > whole):
            failures.append((rule, f"{vn_count(s)} {'≠' if rule.equal else '>'} {vn_count(whole)}"))
            for k in rule.invalidates:
                if k in v:
                    v[k] = None
    return failures


@dataclass(frozen=True)
class DossierRule:
    """A per-dossier check: SQL `condition` over the parsed rows, the raw `value` to show, the dossier
    columns it `needs`, and what a failing row is left out of: every measure (`drops_all`), or the
    measures computed from the columns in `drops_with` (none: a warning only)."""

    code: str
    condition: str
    value: str
    column: str
    message: str
    needs: tuple[str, ...] = ()
    drops_with: tuple[str, ...] = ()
    drops_all: bool = False


RECEIVED_UNREADABLE = "received_unreadable"  # the one rule whose rows are not `ok`: nothing can be counted
DOSSIER_RULES: tuple[DossierRule, ...] = (
    DossierRule(RECEIVED_UNREADABLE, "rd IS NULL", "r_raw", "received_at",
                "Ngày tiếp nhận trống hoặc không đọc được (dd/mm/yyyy [HH:MM[:SS]] hoặc yyyy-mm-dd)",
                drops_all=True),
    DossierRule("finished_unreadable", "ok AND f_raw IS NOT NULL AND fd IS NULL", "f_raw", "finished_at",
                "Ngày hoàn thành không đọc được", ("finished_at",), drops_with=("finished_at",)),
    DossierRule("finished_before_received", "ok AND fd < rd", "f_raw", "finished_at",
                "Ngày hoàn thành trước ngày tiếp nhận", ("finished_at",), drops_with=("finished_at",)),
    DossierRule("done_without_date", "ok AND f_raw IS NULL AND coalesce(st = 'done', false)", "status", "status",
                "Trạng thái đã giải quyết nhưng thiếu ngày hoàn thành", ("finished_at", "status"),
                drops_with=("finished_at",)),
    DossierRule("due_missing", "ok AND (res OR pend) AND NOT due_ok", "d_raw", "due_at",
                "Hạn xử lý trống, không đọc được hoặc trước ngày tiếp nhận", ("finished_at", "due_at"),
                drops_with=("due_at",)),
    DossierRule("channel_invalid", "ok AND ch = 'invalid'", "ch_raw", "channel",
                "Kênh tiếp nhận trống hoặc không nhận dạng được (trực tuyến / trực tiếp / BCCI)", ("channel",),
                drops_with=("channel",)),
    DossierRule("service_level_invalid", "ok AND lvl = 'invalid'", "lvl_raw", "service_level",
                "Mức độ DVC không nhận dạng được (toàn trình / một phần)", ("service_level",),
                drops_with=("service_level",)),
    DossierRule("rating_invalid", "ok AND rt = 'invalid'", "rt_raw", "rating",
                "Kết quả đánh giá không nhận dạng được (Rất hài lòng / Hài lòng / Không hài lòng hoặc 1–5)",
                ("rating",), drops_with=("rating",)),
    DossierRule("fee_invalid", "ok AND fee = 'invalid'", "fee_bearing", "fee_bearing",
                "Giá trị có/không về phí, lệ phí không nhận dạng được", ("fee_bearing",), drops_with=("fee_bearing",)),
    DossierRule("paid_invalid", "ok AND paid = 'invalid'", "paid_online", "paid_online",
                "Giá trị có/không về thanh toán trực tuyến không nhận dạng được", ("paid_online",),
                drops_with=("paid_online",)),
    DossierRule("digitised_invalid", "ok AND digi = 'invalid'", "digitised", "digitised",
                "Giá trị có/không về số hóa không nhận dạng được", ("digitised",), drops_with=("digitised",)),
    DossierRule("identified_invalid", "ok AND ident = 'invalid'", "online_identified", "online_identified",
                "Giá trị có/không về định danh điện tử không nhận dạng được", ("online_identified",),
                drops_with=("online_identified",)),
    DossierRule("extra_cells", "ok AND _overflow IS NOT NULL", "_overflow", "",
                "Dòng có nhiều ô hơn dòng tiêu đề (có thể lệch cột do dấu phân cách trong nội dung)"),
)

UNIT_MISSING = DossierRule("unit_missing", "ok AND coalesce(trim(unit_code), '') = ''", "NULL", "unit_code",
                            "Thiếu mã đơn vị", drops_all=True)
