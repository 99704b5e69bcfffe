"""The portal's measures: each indicator as a numerator and a denominator, from Form 06a columns and from
per-dossier SQL conditions. A code is produced only when the export carries the columns it needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from extract.portal import PortalColumns, load_portal_columns

Part = str | tuple[str, ...]  # a condition, or disjoint conditions summed


@dataclass(frozen=True)
class Measure:
    """An indicator as numerator/denominator, from Form 06a columns and/or per-dossier SQL.

    `numerator`/`denominator` name row values of an aggregated export (raw or derived, see
    `derive_aggregated`); `kind` says how periods combine. `sql` gives per-dossier conditions over
    the parsed dossier CTE and `needs` the dossier columns they read. A part given as several
    conditions is their sum: they are disjoint, and each is counted anyway for another measure, so
    a 10-million-row pass counts one condition fewer.
    """

    code: str
    label: str
    numerator: str
    denominator: str
    kind: Literal["flow", "last", "first"] = "flow"
    sql: tuple[Part, Part] | None = None
    needs: tuple[str, ...] = ()


_CHANNEL_OK = ("ch = 'online'", "ch = 'in_person'", "ch = 'post'")
_RESOLVED = ("early", "ontime", "late")  # resolved with a due date: before, on or after it
_PENDING = ("pend_in", "pend_over")  # pending with a due date: not yet past it, or past it
_RATED = "rt IN ('sat', 'unsat')"
MEASURES: tuple[Measure, ...] = (
    # Dossiers processed fully online: received online under a procedure offered toàn trình (Decision 1588's
    # "xử lý hoàn toàn trực tuyến"). An export without that split gives no figure, never the online share below.
    Measure("HOSO_TRUCTUYEN", "Hồ sơ tiếp nhận trực tuyến toàn trình / tổng hồ sơ tiếp nhận", "received_online_full",
            "received_new", sql=("ch = 'online' AND lvl = 'full'", _CHANNEL_OK), needs=("channel", "service_level")),
    Measure("PORTAL_TRUCTUYEN", "Hồ sơ tiếp nhận trực tuyến (mọi mức độ) / tổng hồ sơ tiếp nhận", "received_online",
            "received_new", sql=("ch = 'online'", _CHANNEL_OK), needs=("channel",)),
    Measure("TTHC_TOANTRINH", "TTHC cung cấp DVCTT toàn trình / tổng số TTHC", "procedures_full_online",
            "procedures_total", "last"),
    Measure("DINHDANH", "Hồ sơ trực tuyến có định danh điện tử / hồ sơ trực tuyến", "online_identified",
            "received_online", sql=("ch = 'online' AND ident = 'y'", "ch = 'online' AND ident IN ('y', 'n')"),
            needs=("channel", "online_identified")),
    Measure("HAILONG", "Lượt đánh giá hài lòng / tổng lượt đánh giá", "ratings_satisfied", "ratings_total",
            sql=("rt = 'sat'", _RATED), needs=("rating",)),
    Measure("HAILONG_DDXDDT", "Lượt hài lòng / lượt đánh giá (đất đai, xây dựng, đầu tư)", "ratings_ddxddt_satisfied",
            "ratings_ddxddt_total", sql=("rt = 'sat' AND in_ddx", f"{_RATED} AND in_ddx"), needs=("rating", "field")),
    Measure("YKIEN_TIEPTHU", "Phản ánh, kiến nghị trả lời đúng hạn / tiếp nhận", "petitions_on_time", "petitions_total"),
    Measure("PORTAL_TRUCTIEP", "Hồ sơ tiếp nhận trực tiếp / tổng hồ sơ tiếp nhận", "received_in_person", "received_new",
            sql=("ch = 'in_person'", _CHANNEL_OK), needs=("channel",)),
    Measure("PORTAL_BCCI", "Hồ sơ tiếp nhận qua BCCI / tổng hồ sơ tiếp nhận", "received_post", "received_new",
            sql=("ch = 'post'", _CHANNEL_OK), needs=("channel",)),
    Measure("PORTAL_KYTRUOC", "Hồ sơ kỳ trước chuyển qua / hồ sơ phải giải quyết", "carried_over", "received_in_hand",
            "first"),
    Measure("PORTAL_TRUOCHAN", "Hồ sơ giải quyết trước hạn / đã giải quyết", "resolved_early", "resolved_base",
            sql=("early", _RESOLVED), needs=("finished_at", "due_at")),
    Measure("PORTAL_DUNGHAN", "Hồ sơ giải quyết đúng hạn / đã giải quyết", "resolved_on_time", "resolved_base",
            sql=("ontime", _RESOLVED), needs=("finished_at", "due_at")),
    Measure("PORTAL_QUAHAN", "Hồ sơ giải quyết quá hạn / đã giải quyết", "resolved_late", "resolved_base",
            sql=("late", _RESOLVED), needs=("finished_at", "due_at")),
    Measure("PORTAL_GIAIQUYET_DUNGHAN", "Hồ sơ giải quyết trước và đúng hạn / đã giải quyết", "resolved_good",
            "resolved_base", sql=(("early", "ontime"), _RESOLVED), needs=("finished_at", "due_at")),
    Measure("PORTAL_DANGXL_TRONGHAN", "Hồ sơ đang giải quyết trong hạn / đang giải quyết", "pending_within",
            "pending_total", "last", sql=("pend_in", _PENDING), needs=("finished_at", "due_at")),
    Measure("PORTAL_DANGXL_QUAHAN", "Hồ sơ đang giải quyết quá hạn / đang giải quyết", "pending_overdue",
            "pending_total", "last", sql=("pend_over", _PENDING), needs=("finished_at", "due_at")),
    Measure("PORTAL_TTHC_MOTPHAN", "TTHC cung cấp DVCTT một phần / tổng số TTHC", "procedures_partial_online",
            "procedures_total", "last"),
    Measure("PORTAL_TTHC_PHATSINH", "TTHC có phát sinh hồ sơ / tổng số TTHC", "procedures_with_dossiers",
            "procedures_total", "last"),
    Measure("PORTAL_THANHTOAN_TT", "Hồ sơ thanh toán trực tuyến / hồ sơ có phí, lệ phí", "fee_paid_online", "fee_total",
            sql=("fee = 'y' AND paid = 'y'", "fee = 'y' AND paid IN ('y', 'n')"), needs=("fee_bearing", "paid_online")),
    Measure("HOSO_SOHOA", "Hồ sơ được số hóa / tổng hồ sơ tiếp nhận", "digitised", "received_new",
            sql=("digi = 'y'", "digi IN ('y', 'n')"), needs=("digitised",)),
)
MEASURE_BY_CODE = {m.code: m for m in MEASURES}

DERIVED_LABELS = {
    "received_new": "Số hồ sơ mới tiếp nhận trong kỳ",
    "received_in_hand": "Số hồ sơ phải giải quyết (mới tiếp nhận + kỳ trước chuyển qua)",
    "resolved_base": "Số hồ sơ đã giải quyết",
    "resolved_good": "Số hồ sơ giải quyết trước hạn và đúng hạn",
    "pending_total": "Số hồ sơ đang giải quyết",
}



def value_label(config: PortalColumns, key: str) -> str:
    return DERIVED_LABELS.get(key) or config.label(key)


_DERIVED_FROM = {"received_new": ("received_total",), "resolved_base": ("resolved_total",),
                 "resolved_good": ("resolved_early", "resolved_on_time"), "pending_total": ("pending_within",
                                                                                            "pending_overdue"),
                 "received_in_hand": ("received_total", "carried_over")}


def needs_text(code: str) -> str | None:
    """What an export must have for a measure, in Vietnamese: why a portal indicator has no figure."""
    m = MEASURE_BY_CODE.get(code)
    if m is None:
        return None
    config = load_portal_columns()
    raw = [k for key in (m.numerator, m.denominator) for k in _DERIVED_FROM.get(key, (key,))]
    aggregated = ", ".join(f"«{config.label(k)}»" for k in dict.fromkeys(raw))
    text = f"mẫu 06a cần cột {aggregated}"
    if m.sql:
        dossier = ", ".join(f"«{config.label(k)}»" for k in m.needs)
        text += f"; tệp chi tiết hồ sơ cần cột {dossier}"
    return text


def affected_measures(keys: tuple[str, ...] | set[str]) -> list[str]:
    return [m.code for m in MEASURES if m.numerator in keys or m.denominator in keys]


def measures_needing(columns: tuple[str, ...]) -> tuple[str, ...]:
    """The dossier measures computed from any of `columns`."""
    return tuple(m.code for m in MEASURES if m.sql and any(c in m.needs for c in columns))
