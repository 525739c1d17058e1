"""Sign-in limits: how long a locked account or address waits, and what the person is told.

django-axes counts the failures (settings: the `AXES_*` block) through Django's
`authenticate(request=...)`, which both the workbench's sign-in and the API's device sign-in
call. This module is the project's side of it: the wait, in words, and the lockout page.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_credentials, get_failure_limit
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.utils.translation import gettext as _

from gridcase.core import clock

# The attribute a view sets on the request when it has answered a lockout itself (the API's
# 429 in its own error format), so that the middleware's lockout page does not replace it.
ANSWERED = "gridcase_lockout_answered"


class SignInHandler(AxesDatabaseHandler):
    """axes' database handler, with two changes.

    A successful sign-in clears only that account's count: axes would also clear every
    failure from the same address, so that anyone with one valid account could wipe the count
    against another account between guesses.

    An attempt refused because of a lock is recorded too (`locked_out`): axes leaves it out,
    but the administrator should see an attack that goes on against a locked account.
    """

    def reset_user_attempts(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is not None and getattr(request, "axes_locked_out", False):
            username = get_client_username(request, credentials)
            AccessFailureLog.objects.create(
                username=username,
                ip_address=request.axes_ip_address,
                user_agent=request.axes_user_agent,
                http_accept=request.axes_http_accept,
                path_info=request.axes_path_info,
                locked_out=True,
            )
            self.remove_out_of_limit_failure_logs(username=username)
        return super().user_login_failed(sender, credentials, request, **kwargs)


def lock_ends_at(
    attempts: Iterable[tuple[datetime, int]], *, limit: int, cool_off: timedelta
) -> datetime | None:
    """When a lock over these (last failure, failures) rows ends; None when there is none.

    axes counts the rows whose last failure is within the cool-off; the lock lasts while they
    add up to the limit, i.e. until the row that brings the newest rows to the limit ages out.
    """
    total = 0
    for at, failures in sorted(attempts, key=lambda row: row[0], reverse=True):
        total += failures
        if total >= limit:
            return at + cool_off
    return None


def lockout_wait(request, username: str | None) -> timedelta:
    """How long a locked-out client (by its account or by its address) must still wait."""
    AxesProxyHandler.update_request(request)
    credentials = get_credentials(username)
    limit = get_failure_limit(request, credentials)
    cool_off = get_cool_off(request)
    ends = [
        lock_ends_at(
            attempts.values_list("attempt_time", "failures_since_start"),
            limit=limit,
            cool_off=cool_off,
        )
        for attempts in SignInHandler().get_user_attempts(request, credentials)
    ]
    latest = max((end for end in ends if end is not None), default=None)
    wait = latest - clock.now() if latest is not None else timedelta(0)
    # Locked but nothing left to wait for: the lock has just run out; say the shortest wait.
    return wait if wait > timedelta(0) else timedelta(seconds=1)


def wait_seconds(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds()))


def wait_message(wait: timedelta) -> str:
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return _("登录失败次数过多,已暂时锁定。请 %(minutes)d 分钟后再试。") % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the sign-in page again, saying how long to wait (429)."""
    if getattr(request, ANSWERED, False) and original_response is not None:
        return original_response
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    wait = lockout_wait(request, username)
    form = AuthenticationForm(request, initial={"username": username})
    response = render(
        request,
        "registration/login.html",
        {
            "form": form,
            "next": request.POST.get("next", "") or request.GET.get("next", ""),
            "lockout_message": wait_message(wait),
        },
        status=429,
    )
    response["Retry-After"] = str(wait_seconds(wait))
    return response
