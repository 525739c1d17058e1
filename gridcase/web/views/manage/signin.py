"""Failed sign-ins: who tried which account, from where, when; and the accounts locked now."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from gridcase.org import signin_failures
from gridcase.org.models import Town

from .common import done, manage_view, page

PAGE_SIZE = 50


def _way(path: str) -> str:
    if path.startswith("/api/"):
        return _("移动终端")
    if path.startswith("/admin/"):
        return _("管理后台")
    return _("网页工作台")


@manage_view
def sign_in_failures(request: HttpRequest, town: Town) -> HttpResponse:
    # A superuser also sees failures for names that are nobody's (they belong to no town).
    everyone = request.user.is_superuser
    paged = Paginator(signin_failures.failures(town, everyone=everyone), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for row in paged:
        row.way = _way(row.path_info)
    return page(
        request,
        town,
        "web/manage/sign_in_failures.html",
        "sign_in_failures",
        {
            "page_obj": paged,
            "rows": list(paged),
            "locks": signin_failures.locked_accounts(town),
            "everyone": everyone,
            "limit": settings.AXES_FAILURE_LIMIT,
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
    )


@manage_view
def unlock(request: HttpRequest, town: Town) -> HttpResponse:
    """POST: forget an account's counted failures; a name that is nobody's here is 404."""
    if request.method != "POST":
        return redirect("manage:sign_in_failures", town.pk)
    username = (request.POST.get("username") or "").strip()
    signin_failures.unlock_account(town=town, username=username)
    message = _("已解除 %(username)s 的登录锁定") % {"username": username}
    return done(request, message, "manage:sign_in_failures", town.pk)
