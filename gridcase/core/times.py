"""Which times a person can mean: the one home of that rule.

A browser's date-time field, mistyped, sends year 0006 as readily as 2026; a ledger's cell can
say 1900 or next year. Such a time is a typo, not a case: it would sort first or last in every
list, count in no month, and an aware datetime of year 1 cannot even be converted to UTC for
storage. So a time a person or a file supplies (an occurrence, a submission, an acceptance, a
close) is refused where it enters — the workbench's forms, the services behind the API and
Open311, the ledger import — when it is

- before 2000-01-01 in the town's time zone (no town kept its cases in a system before), or
- more than ten minutes after now (a phone's clock a few minutes fast is not a mistake).

A day (a follow-up visit's date) is refused before the day it follows (the case's close, or its
submission while it is still open) and after today in the town.

The times the clock sets (the services' `at`) are not checked: they are the clock's.

The functions return the Chinese sentence naming the field (like `core/text.py`'s), for the
services (`cases/validation.py`, behind the workbench, the API and Open311), the API's input
field (`api/serializers/cases.py`, `MomentField`) and the ledger import (`ledger/rows.py`);
`check_time` and this module's `MomentField` raise it for the workbench's forms in the person's
language.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from typing import Final

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from . import clock

EARLIEST_DAY: Final = date(2000, 1, 1)  # counted in the town's time zone
# The last day a search may name (a list's date filter): far enough, and far from the end of
# Python's calendar, where the start of a day in the town cannot be converted to UTC.
LATEST_DAY: Final = date(2099, 12, 31)
FUTURE_SLACK: Final = timedelta(minutes=10)

TOO_EARLY = gettext_noop("%(label)s不能早于2000年1月1日")
TOO_LATE = gettext_noop("%(label)s不能晚于现在")
DAY_TOO_EARLY = gettext_noop("%(label)s不能早于%(since)s(%(day)s)")
DAY_TOO_LATE = gettext_noop("%(label)s不能晚于今天")


def _zone(tz: str | tzinfo) -> tzinfo:
    return clock.zone(tz) if isinstance(tz, str) else tz


def earliest(tz: str | tzinfo) -> datetime:
    """The first instant a time may name: the start of 2000-01-01 in the town."""
    return datetime.combine(EARLIEST_DAY, time.min, tzinfo=_zone(tz))


def latest(now: datetime) -> datetime:
    """The last instant a time may name: now, and a few minutes of a fast clock."""
    return now + FUTURE_SLACK


def time_problem(value: datetime, *, now: datetime, tz: str | tzinfo) -> str | None:
    """The refused rule's message template (TOO_EARLY or TOO_LATE, untranslated), or None when a
    person can mean `value`. A naive `value` is read in the town's zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=_zone(tz))
    # Aware datetimes compare by their UTC instants without converting (year 1 cannot be).
    if value < earliest(tz):
        return TOO_EARLY
    if value > latest(now):
        return TOO_LATE
    return None


def time_message(value: datetime, *, now: datetime, tz: str | tzinfo, label: str) -> str | None:
    """The Chinese sentence naming `label` when `value` is refused, or None."""
    problem = time_problem(value, now=now, tz=tz)
    return problem % {"label": label} if problem else None


def check_time(value: datetime, *, now: datetime, tz: str | tzinfo, label: str) -> None:
    """The validator: ValidationError (code "time_range") naming `label`, in the active
    language, when `value` is refused."""
    problem = time_problem(value, now=now, tz=tz)
    if problem:
        raise ValidationError(_(problem) % {"label": label}, code="time_range")


def day_problem(day: date, *, since: date | None, today: date) -> str | None:
    """The refused rule's message template (TOO_EARLY, DAY_TOO_EARLY or DAY_TOO_LATE,
    untranslated) when `day` is before 2000, before `since` (what it follows) or after `today`;
    None when it is a day a person can mean."""
    if day < EARLIEST_DAY:
        return TOO_EARLY
    if since is not None and day < since:
        return DAY_TOO_EARLY
    if day > today:
        return DAY_TOO_LATE
    return None


def day_message(
    day: date, *, since: date | None, since_label: str, today: date, label: str
) -> str | None:
    """The Chinese sentence naming `label` when `day` is refused (day_problem; `since` named
    `since_label`), or None."""
    problem = day_problem(day, since=since, today=today)
    if problem is None:
        return None
    return problem % {
        "label": label,
        "since": since_label,
        "day": since.isoformat() if since is not None else "",
    }


def day_bounds() -> list[MinValueValidator | MaxValueValidator]:
    """The validators of a day a search may name (EARLIEST_DAY to LATEST_DAY)."""
    return [MinValueValidator(EARLIEST_DAY), MaxValueValidator(LATEST_DAY)]


class MomentField(forms.DateTimeField):
    """A form's date-time a person types, under the rule (in the active time zone, which the
    workbench sets to the town's). The browser is told the lower bound too (`min`), so that a
    year 0006 is caught while typing; the upper bound moves with the clock and is left to the
    server."""

    def widget_attrs(self, widget: forms.Widget) -> dict[str, str]:
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.DateTimeInput) and widget.input_type == "datetime-local":
            attrs["min"] = f"{EARLIEST_DAY.isoformat()}T00:00"
        return attrs

    def validate(self, value: datetime | None) -> None:
        super().validate(value)
        if value is not None:
            tz = timezone.get_current_timezone()
            check_time(value, now=clock.now(), tz=tz, label=str(self.label or _("时间")))
