"""The in-app inbox: the person's notifications, newest first, unread in bold, each with a link
to its case; mark one or all read (POST); opening a case from here marks its messages read.

Everything is the person's own: the selectors and services of ``gridcase.notify`` filter by
user, so another person's item is 404 here.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_POST

from gridcase.notify import selectors, services
from gridcase.notify.models import InboxItem
from gridcase.org.selectors import roles_in_force

PAGE_SIZE = 30


def _list_url(request: HttpRequest) -> str:
    """Back to the list as it was (page and filter), from the form's hidden fields."""
    params = {}
    if request.POST.get("unread") == "1":
        params["unread"] = "1"
    page = request.POST.get("page", "")
    if page.isdigit() and page != "1":
        params["page"] = page
    url = reverse("inbox:index")
    return f"{url}?{urlencode(params)}" if params else url


@login_required
def index(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    items = selectors.inbox_for(request.user, unread_only=unread_only)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "item": item,
            "notification": item.notification,
            "unread": item.read_at is None,
            "open_url": reverse("inbox:open", args=[item.pk]),
            "has_target": bool(item.notification.case_id or item.notification.link),
        }
        for item in page.object_list
    ]
    context = {
        "nav_section": "inbox",
        "rows": rows,
        "page": page,
        "unread_only": unread_only,
        "page_number": page.number,
    }
    # Times in the person's town (the roles are cached on the user for the request).
    roles = roles_in_force(request.user)
    with timezone.override(roles[0].town.timezone if roles else settings.TIME_ZONE):
        return render(request, "web/inbox/index.html", context)


@login_required
@require_POST
def read(request: HttpRequest, pk: int) -> HttpResponse:
    if not InboxItem.objects.filter(pk=pk, user=request.user).exists():
        raise Http404("no such message")
    services.inbox_mark_read(user=request.user, item_ids=[pk])
    return redirect(_list_url(request))


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = services.inbox_mark_all_read(user=request.user)
    if count:
        messages.success(request, _t("已将 %(n)d 条消息标为已读。") % {"n": count})
    else:
        messages.info(request, _t("没有未读消息。"))
    return redirect(_list_url(request))


def _site_path(link: str) -> str | None:
    """The notification's link as a path of this site, or None when it points elsewhere."""
    base = settings.SITE_URL.rstrip("/")
    if base and link.startswith(base + "/"):
        link = link[len(base) :]
    if link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return link
    return None


@login_required
def open_item(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a message to its page: its link on this site (the case, or where to act on it,
    e.g. an appeal list), else its case. A message about a case reads all that case's."""
    try:
        item = InboxItem.objects.select_related("notification", "notification__case").get(
            pk=pk, user=request.user
        )
    except InboxItem.DoesNotExist:
        raise Http404("no such message") from None
    notification = item.notification
    if notification.case_id:
        services.inbox_mark_case_read(user=request.user, case_id=notification.case_id)
    services.inbox_mark_read(user=request.user, item_ids=[item.pk])
    target = _site_path(notification.link or "")
    if target:
        return redirect(target)
    if notification.case_id:
        return redirect("web:case_detail", number=notification.case.number)
    return redirect(reverse("inbox:index"))
