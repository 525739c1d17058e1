"""Local time of a town: every date the users see is counted in the town's time zone."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.utils import timezone

from . import periods


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


_replayed: ContextVar[datetime | None] = ContextVar("replayed_now", default=None)


def now() -> datetime:
    """The current instant, aware (patched by time-machine in tests; see `replaying`)."""
    return _replayed.get() or timezone.now()


@contextmanager
def replaying(moment: datetime) -> Iterator[None]:
    """Inside this block, `now()` is `moment`: for replaying past actions (the demo town),
    so that what they cause (notifications, their times) is dated as they would have been."""
    token = _replayed.set(moment)
    try:
        yield
    finally:
        _replayed.reset(token)


def local_date(moment: datetime, tz: str) -> date:
    return moment.astimezone(zone(tz)).date()


def today(tz: str) -> date:
    return local_date(now(), tz)


def start_of_day(day: date, tz: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone(tz))


def end_of_day(day: date, tz: str) -> datetime:
    """The first instant after `day` in the town: a deadline 'by the end of day' is before this."""
    return start_of_day(day + timedelta(days=1), tz)


def month_bounds(month: str, tz: str) -> tuple[datetime, datetime]:
    """[start, end) of a 'YYYY-MM' month in the town's time zone, as aware datetimes."""
    first = parse_month(month)
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return start_of_day(first, tz), start_of_day(nxt, tz)


def parse_month(month: str) -> date:
    try:
        if not periods.is_month(month):
            raise ValueError
        return date(int(month[:4]), int(month[5:]), 1)
    except ValueError as exc:
        raise ValueError(f"月份格式应为 YYYY-MM: {month!r}") from exc


def quarter_months(quarter: str) -> list[str]:
    """'2026-Q4' -> ['2026-10', '2026-11', '2026-12']."""
    text = quarter.upper() if isinstance(quarter, str) else ""
    if not periods.is_quarter(text):
        raise ValueError(f"季度格式应为 YYYY-Qn: {quarter!r}")
    year, n = text[:4], int(text[-1])
    return [f"{year}-{m:02d}" for m in range(3 * n - 2, 3 * n + 1)]


def month_of(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
