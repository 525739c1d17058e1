"""The queue: each person's cases, with tabs, filters, search and keyset pages. The start page
(web.views.start) shows it under what waits for one click; 事件查询 shows it on its own."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from gridcase.cases.deadlines import TownDay, due_kind, due_of, town_day
from gridcase.cases.models import Category, Level, State
from gridcase.org.models import Village
from gridcase.org.selectors import role_kinds, towns_of
from gridcase.web import nav
from gridcase.web import selectors as q
from gridcase.web.filters import Filters, apply_filters
from gridcase.web.forms import FilterForm
from gridcase.web.keyset import keyset_page, order_for
from gridcase.web.tabs import Tab, tab_counts, tab_q, tabs_for
from gridcase.web.templatetags.workbench import LIGHT_LABELS

PAGE_SIZE = 30


def queue_context(request: HttpRequest, *, default_tab: str | None) -> dict:
    """Everything the queue page and the ledger export share: tab, filters, the queryset."""
    user = request.user
    days = q.user_days(user)
    villages = Village.objects.filter(town_id__in=towns_of(user)).order_by("name")
    form = FilterForm(request.GET or None, villages=villages)
    # A wrong value (an impossible date) is shown next to its field and otherwise ignored.
    filters = form.filters() if form.is_bound and (form.is_valid() or True) else Filters()
    tabs = tabs_for(user)
    scoped = apply_filters(q.queue_cases(user), filters, days)
    return {
        "user": user,
        "days": days,
        "form": form,
        "filters": filters,
        "tabs": tabs,
        "scoped": scoped,
        "default_tab": default_tab,
    }


def choose_tab(request: HttpRequest, tabs: list[Tab], counts: dict, default: str | None) -> str:
    keys = [tab.key for tab in tabs]
    wanted = request.GET.get("tab") or default
    if wanted in keys:
        return wanted
    # Land on the first tab with work in it; with nothing to do, on every case.
    for tab in tabs:
        if tab.counted and counts.get(tab.key):
            return tab.key
    return "all"


def queue_page(
    request: HttpRequest,
    *,
    default_tab: str | None,
    nav_section: str,
    template: str = "web/queue.html",
    extra: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    """The queue page; the start page (web.views.start) renders it with its panels above."""
    ctx = queue_context(request, default_tab=default_tab)
    user, tabs, days = ctx["user"], ctx["tabs"], ctx["days"]
    counts = tab_counts(user, ctx["scoped"], tabs, days)
    tab = choose_tab(request, tabs, counts, default_tab)
    order = order_for(tab)
    page = keyset_page(
        ctx["scoped"].filter(tab_q(tab, user, days)),
        order,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        size=PAGE_SIZE,
    )
    rows = list_rows(q.attach_towns(user, page.rows), days, follow_up=tab == "follow_up")
    return render(
        request,
        template,
        {
            "nav_section": nav_section,
            "tabs": [(t, counts.get(t.key)) for t in tabs],
            "tab": tab,
            "form": ctx["form"],
            "rows": rows,
            "page": page,
            "filtered": ctx["form"].is_bound and ctx["form"].has_filters(),
            "more_filters": ctx["form"].is_bound and ctx["form"].has_filters(exclude=("q",)),
            "can_enter": "officer" in role_kinds(user),
            **(extra or {}),
        },
        status=status,
    )


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def list_rows(cases, days: list[TownDay], *, follow_up: bool = False) -> list[dict]:
    """What a list row shows, with the choice labels translated once per request (a model's
    get_FOO_display translates every choice on every call: thirty rows made that the page's
    main cost)."""
    categories, states, levels = (
        _labels(Category.choices),
        _labels(State.choices),
        _labels(Level.choices),
    )
    light_labels = {k: str(v) for k, v in LIGHT_LABELS.items()}
    by_town = {day.town_id: day for day in days}
    rows = []
    for case in cases:
        day = by_town.get(case.town_id) or town_day(case.town)
        if follow_up:
            light = day.follow_up_light(case.follow_up_due) or ""
        else:
            light = day.case_light(case) or ""
        due = due_of(case.state, case.accept_due, case.handle_due)
        rows.append(
            {
                "case": case,
                "url": reverse("web:case_detail", args=[case.number]),
                "light": light,
                "light_label": light_labels.get(light, ""),
                "category": categories.get(case.category, case.category),
                "state": states.get(case.state, case.state),
                "level": levels.get(case.level, case.level),
                "due_kind": due_kind(case.state),
                "due": due,
                # Late cases say by how much: counted in working days, as deadlines are.
                "late": day.working_days_late(due) if light == "red" and not follow_up else 0,
            }
        )
    return rows


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Each role's own start page (web.nav.START_PAGES): where signing in and the brand lead."""
    return redirect(nav.start_url(request.user))


@login_required
def cases(request: HttpRequest) -> HttpResponse:
    return queue_page(request, default_tab="all", nav_section="cases")
