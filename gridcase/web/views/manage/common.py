"""What every administration page shares: the town from the URL, the scope check, the menu."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridcase.core.errors import ServiceError
from gridcase.org.checks import NotInScope, administers
from gridcase.org.models import Town
from gridcase.org.selectors import administered_towns

# (section, URL name, label): the administration's own menu, in this order.
MENU = [
    ("overview", "manage:overview", _("概览")),
    ("villages", "manage:villages", _("行政村")),
    ("grids", "manage:grids", _("网格")),
    ("boundaries", "manage:boundaries", _("边界")),
    ("units", "manage:units", _("单位")),
    ("people", "manage:people", _("人员与角色")),
    ("calendar", "manage:calendar", _("日历调整")),
    ("policy", "manage:policy", _("考核策略")),
    ("channels", "manage:channels", _("通知渠道")),
    ("sign_in_failures", "manage:sign_in_failures", _("登录失败记录")),
    ("audit", "manage:audit", _("审计日志")),
]


def manage_view(view):
    """Resolve `town_id` to a town this person administers, else 404; rows of another town
    met on the way (`NotInScope`, from a form or a service) are 404 too."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, town_id: int, *args, **kwargs) -> HttpResponse:
        town = Town.objects.filter(pk=town_id).first()
        if town is None or not administers(request.user, town):
            raise Http404
        try:
            return view(request, town, *args, **kwargs)
        except NotInScope:
            raise Http404 from None

    return wrapper


def bound(request: HttpRequest):
    """A form's data: any POST, even one without a single field, is a form sent. (An empty
    POST is falsy, and `request.POST or None` would answer it with a fresh form, the missing
    fields unsaid.)"""
    return request.POST if request.method == "POST" else None


def page(request: HttpRequest, town: Town, template: str, section: str, ctx: dict, status=200):
    menu = [
        {"url": reverse(name, args=[town.pk]), "label": label, "current": key == section}
        for key, name, label in MENU
    ]
    towns = administered_towns(request.user) if request.user.is_superuser else []
    return render(
        request,
        template,
        {
            "nav_section": "manage",
            "town": town,
            "menu": menu,
            "section": section,
            "towns": towns,
            **ctx,
        },
        status=status,
    )


def done(request: HttpRequest, message: str, to: str, *args) -> HttpResponse:
    messages.success(request, message)
    return redirect(to, *args)


def refused(request: HttpRequest, exc: ServiceError, to: str, *args) -> HttpResponse:
    """A refused action with no form to show it beside (a delete, a revoke): say why."""
    messages.error(request, exc.message)
    return redirect(to, *args)
