"""What the assessment's services share: the month or quarter checked in the user's words, the
person's role on the day, required text, and the assessment's own event log.

Writes are keyword-only, one transaction each, with an audit row in the same transaction.
Errors are the case system's (``CaseError``, ``ActionNotAllowed``,
``Conflict``) so that pages, the API and the CLI show them the same way, in Chinese.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _t

from gridcase.cases.errors import ActionNotAllowed, CaseError
from gridcase.core import clock, limits, periods
from gridcase.org.models import Town, User
from gridcase.org.selectors import roles_in_force

from .models import AssessmentEvent


def at_or_now(at: datetime | None) -> datetime:
    return at or clock.now()


def check_month(month: str) -> str:
    if not periods.is_month(month):
        raise CaseError(
            f"月份格式应为 YYYY-MM, 如 2026-10: “{month}”", {"month": ["格式应为 YYYY-MM"]}
        )
    return month


def check_quarter(quarter: str) -> str:
    text = (quarter or "").strip().upper() if isinstance(quarter, str) else ""
    if not periods.is_quarter(text):
        raise CaseError(
            f"季度格式应为 YYYY-Qn, 如 2026-Q4: “{quarter}”", {"quarter": ["格式应为 YYYY-Qn"]}
        )
    return text


def quarter_of_month(month: str) -> str:
    return clock.quarter_of(clock.parse_month(month))


def last_day(month: str) -> date:
    first = clock.parse_month(month)
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def display_name(user: User) -> str:
    return shown_name(user.display_name, user.username)


def shown_name(display_name: str, username: str) -> str:
    """The name a person is shown by (``User.__str__``), from the two columns."""
    return display_name or username


def has_role(user: User, town: Town, kinds: set[str], on: date) -> bool:
    return any(r.town_id == town.id and r.kind in kinds for r in roles_in_force(user, on))


def require_role(user: User | None, town: Town, kinds: set[str], message: str, on: date):
    if user is None or not has_role(user, town, kinds, on):
        raise ActionNotAllowed(message)


def require_text(value: str, field: str, label: str, limit: int = limits.REASON) -> str:
    text = (value or "").strip()
    if not text:
        message = _t("请填写%(label)s") % {"label": label}
        raise CaseError(message, {field: [message]})
    if len(text) > limit:
        raise CaseError(
            _t("%(label)s过长(最多%(n)s字)") % {"label": label, "n": limit},
            {field: [_t("过长(最多%(n)s字)") % {"n": limit}]},
        )
    return text


def assessment_event(town: Town, quarter: str, at: datetime, by: User | None, action: str, **kw):
    return AssessmentEvent.objects.create(
        town=town, quarter=quarter, at=at, actor=by, action=action, **kw
    )
