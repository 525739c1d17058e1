"""Quiet hours: nothing is pushed to phones or group robots at night, unless the case is major.

Every push channel (e-mail, WeCom, DingTalk, webhook) waits; the in-app inbox is not a push
and is written at once. A push that falls in the quiet hours is sent at their end, 07:00 in
the town's time zone. The hours can be changed with the setting GRIDCASE_QUIET_HOURS
(a pair of hours, start and end; equal hours switch quiet hours off).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings

from gridcase.core import clock

DEFAULT_QUIET_HOURS = (22, 7)


def _hours() -> tuple[int, int]:
    start, end = getattr(settings, "GRIDCASE_QUIET_HOURS", DEFAULT_QUIET_HOURS)
    return int(start), int(end)


def is_quiet(moment: datetime, tz: str) -> bool:
    start, end = _hours()
    if start == end:
        return False
    hour = moment.astimezone(clock.zone(tz)).hour
    if start > end:  # over midnight: 22:00–07:00
        return hour >= start or hour < end
    return start <= hour < end


def quiet_ends(moment: datetime, tz: str) -> datetime:
    """The end of the quiet hours that `moment` falls in (07:00 local), as an aware instant."""
    _, end = _hours()
    local = moment.astimezone(clock.zone(tz))
    day = local.date()
    if local.hour >= end:
        day += timedelta(days=1)
    return datetime.combine(day, time(end), tzinfo=clock.zone(tz))


def push_at(moment: datetime, tz: str, *, major: bool) -> datetime:
    """When a push planned for `moment` may go out: at once, or when the quiet hours end."""
    if major or not is_quiet(moment, tz):
        return moment
    return quiet_ends(moment, tz)
