"""Time as the pipeline sees it: aware datetimes everywhere, calendar days counted in Vietnam.

Arrivals and "now" are instants (UTC inside); deadlines are Vietnamese calendar days, which end
at 24:00 in Asia/Ho_Chi_Minh whatever zone the server or container runs in. Days read from
files are calendar days, parsed without ever making a naive datetime.
"""

from __future__ import annotations

import time as _time
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> datetime:
    return datetime.now(UTC)


def vn_today() -> date:
    """Today's calendar day in Vietnam, whatever zone the server runs in."""
    return vn_day(now())


def aware(moment: datetime) -> datetime:
    """`moment` itself; a naive one is refused, since its zone would be a guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"thời điểm {moment.isoformat()} không có múi giờ")
    return moment


def vn_day(moment: datetime) -> date:
    """The calendar day in Vietnam of an instant."""
    return aware(moment).astimezone(VN).date()


def vn_time(day: date, at: time = time()) -> datetime:
    """`at` o'clock in Vietnam on `day`, as an instant."""
    return datetime.combine(day, at, tzinfo=VN)


def end_of_vn_day(day: date) -> datetime:
    """The last instant of `day` in Vietnam: a deadline day ends here."""
    return vn_time(day, time.max)


def vn_wall(moment: datetime) -> datetime:
    """Vietnamese wall-clock time of an instant, without zone: what a workbook cell (which has no zone) shows."""
    return aware(moment).astimezone(VN).replace(tzinfo=None)


def parse_day(text: str, formats: Iterable[str] = ("%d/%m/%Y", "%Y-%m-%d")) -> date | None:
    """A calendar day written in one of `formats` (time parts are read and dropped); None if none fits."""
    for fmt in formats:
        try:
            return date(*_time.strptime(text.strip(), fmt)[:3])
        except ValueError:
            continue
    return None
