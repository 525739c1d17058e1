"""The Django admin is for administrators only.

Who may open it is decided by roles, not by `is_staff`: a person with an administrator role in
force today (in the town's time zone), or a superuser (for bootstrapping). Everyone else —
officer, station, center, department, office, leader — has the workbench, where every page is
scoped to their roles; the admin would show them rows the workbench refuses. A person signed
in without the right is sent to the workbench; a person not signed in signs in there.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .selectors import administered_town_ids


def may_use_admin(user) -> bool:
    """Whether the person may open the admin at all: a superuser, or an administrator today."""
    towns = administered_town_ids(user)
    return towns is None or bool(towns)


class GridcaseAdminSite(admin.AdminSite):
    site_header = "网格化管理事件系统 gridcase"
    site_title = "gridcase"
    index_title = "管理"

    def has_permission(self, request) -> bool:
        return may_use_admin(request.user)

    def login(self, request, extra_context=None):
        """One sign-in for everything (the workbench's, with its throttling); the admin's own
        form is never shown."""
        wanted = request.GET.get("next") or reverse("admin:index")
        if not url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            wanted = reverse("admin:index")
        if not request.user.is_authenticated:
            return redirect_to_login(wanted, reverse("web:login"))
        if self.has_permission(request):
            return redirect(wanted)
        messages.warning(request, _("管理后台仅供管理员使用,请在工作台办理。"))
        return redirect("web:home")
