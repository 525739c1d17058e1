"""Failed sign-ins as an administrator reads them: who, from where, when, and who is locked;
and the administrator's unlocking of an account of their town.

The rows are django-axes': `AccessFailureLog` keeps every failure (up to a limit per account),
`AccessAttempt` the counts that decide a lock. A town's administrator sees the failures for
the accounts of their town; a superuser sees every failure, also for names that are nobody's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.db.models import QuerySet

from gridcase.core import clock
from gridcase.core.signin import lock_ends_at

from .models import Town, User
from .services import NotInScope


def _usernames(town: Town) -> QuerySet:
    return User.objects.filter(town=town).values("username")


def failures(town: Town, *, everyone: bool = False) -> QuerySet[AccessFailureLog]:
    """Failed sign-ins, newest first: the town's accounts', or all of them (`everyone`)."""
    rows = AccessFailureLog.objects.order_by("-attempt_time", "-pk")
    return rows if everyone else rows.filter(username__in=_usernames(town))


@dataclass(frozen=True)
class Lock:
    username: str
    display_name: str
    until: datetime


def locked_accounts(town: Town) -> list[Lock]:
    """The town's accounts locked now, with the time each lock ends."""
    now = clock.now()
    recent = AccessAttempt.objects.filter(
        username__in=_usernames(town), attempt_time__gte=now - settings.AXES_COOLOFF_TIME
    ).values_list("username", "attempt_time", "failures_since_start")
    by_account: dict[str, list[tuple[datetime, int]]] = {}
    for username, at, count in recent:
        by_account.setdefault(username, []).append((at, count))
    names = dict(
        User.objects.filter(town=town, username__in=by_account).values_list(
            "username", "display_name"
        )
    )
    locks = []
    for username, rows in by_account.items():
        until = lock_ends_at(
            rows, limit=settings.AXES_FAILURE_LIMIT, cool_off=settings.AXES_COOLOFF_TIME
        )
        if until is not None and until > now:
            locks.append(Lock(username, names.get(username) or username, until))
    return sorted(locks, key=lambda lock: lock.until)


def unlock_account(*, town: Town, username: str) -> int:
    """Forget the account's counted failures (say, after its password was reset), which also
    takes them off the count of the addresses they came from. The failure log stays."""
    if not User.objects.filter(town=town, username=username).exists():
        raise NotInScope(username)
    return AxesProxyHandler.reset_attempts(username=username)
