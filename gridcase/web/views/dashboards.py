"""The dashboards of the leader, the governance office and the town center: cases by month and
category, on-time rates per level and village, overdue cases now, pay per village and quarter.

Each panel is a chart drawn in Python (`web.charts`, inline SVG: no JavaScript, no CDN) with
its numbers in a table beside it. The figures come from `web.dashboard_selectors` in a fixed
number of aggregate queries. Only town-wide roles (town center, governance office, leader,
administrator) see dashboards; everyone else gets 404.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from gridcase.cases.models import Category, Level
from gridcase.core import clock, times
from gridcase.org.models import Town
from gridcase.web import charts, dashboard_cache
from gridcase.web import dashboard_selectors as ds

MAX_MONTHS = 24

LEVEL_NAMES = {
    "local": _("网格+村(本级)"),
    "town": _("镇社会服务管理中心"),
    "department": _("部门"),
}
STATUS_NAMES = {"draft": _("暂定"), "finalised": _("已定稿"), "approved": _("已审批")}


class DashboardForm(forms.Form):
    """The town (when the person sees several) and the date range; GET, never an error page."""

    town = forms.TypedChoiceField(label=_("镇"), coerce=int, required=False)
    # <input type="date"> takes ISO dates whatever the language.
    date_from = forms.DateField(
        label=_("起始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=times.day_bounds(),  # year 1 or 9999 cannot be converted to UTC
    )
    date_to = forms.DateField(
        label=_("截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=times.day_bounds(),  # year 1 or 9999 cannot be converted to UTC
    )

    def __init__(self, *args, towns: list[Town], **kwargs):
        super().__init__(*args, **kwargs)
        self.towns = towns
        self.fields["town"].choices = [(t.pk, t.name) for t in towns]
        if len(towns) < 2:
            self.fields["town"].widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and first > last:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        elif first and last and len(ds.Period(first, last).months()) > MAX_MONTHS:
            self.add_error("date_from", _("时间范围最长 %(n)s 个月") % {"n": MAX_MONTHS})
        return data


def _town(request: HttpRequest, towns: list[Town]) -> Town:
    """The chosen town; one the person may not see is 404, like every other path."""
    wanted = request.GET.get("town")
    if not wanted:
        return towns[0]
    for town in towns:
        if str(town.pk) == wanted:
            return town
    raise Http404


def _period(form: DashboardForm, today: date) -> ds.Period:
    default = ds.default_period(today)
    if not form.is_bound or not form.is_valid():
        return default
    first = form.cleaned_data.get("date_from")
    last = form.cleaned_data.get("date_to")
    if first and not last:
        last = max(first, today)
    if last and not first:
        first = ds.default_period(last).first
    if not first:
        return default
    period = ds.Period(first, last)
    return period if len(period.months()) <= MAX_MONTHS else default


def _pct(rate: ds.Rate) -> str:
    return "—" if rate.percent is None else f"{rate.percent:g}%"


def _svg(markup: str) -> str:
    # Every text in the chart is escaped by web.charts.
    return mark_safe(markup)  # noqa: S308


# ---------------------------------------------------------------- the panels


def _cases_panel(town: Town, period: ds.Period, counts: dict) -> dict:
    months = period.months()
    categories = list(Category.choices)
    rows = []
    for month in months:
        values = [counts.get((month, code), 0) for code, _label in categories]
        rows.append({"label": month, "values": values, "total": sum(values)})
    totals = [sum(r["values"][i] for r in rows) for i in range(len(categories))]
    chart = charts.bar_chart(
        ident="chart-cases",
        title=_t("各月事件数(按类别)"),
        desc=_t("%(town)s %(first)s 至 %(last)s 每月上报的事件数,按类别堆叠")
        % {"town": town.name, "first": period.first, "last": period.last},
        labels=months,
        series=[
            charts.Series(str(label), [r["values"][i] for r in rows])
            for i, (_code, label) in enumerate(categories)
        ],
        y_label=_t("事件数(件)"),
        x_label=_t("月份"),
        stacked=True,
        empty=_t("所选时间内没有数据"),
    )
    return {
        "chart": _svg(chart),
        "categories": [label for _code, label in categories],
        "rows": rows,
        "totals": totals,
        "total": sum(totals),
    }


def _on_time_panel(town: Town, period: ds.Period, villages, data: ds.OnTime) -> dict:
    levels = [
        {"key": key, "label": LEVEL_NAMES[key], "rate": data.levels[key], "pct": _pct(rate)}
        for key, rate in data.levels.items()
    ]
    level_chart = charts.bar_chart(
        ident="chart-ontime-level",
        title=_t("各层级按时办结率"),
        labels=[str(row["label"]) for row in levels],
        series=[charts.Series(_t("按时率"), [row["rate"].percent for row in levels])],
        y_label=_t("按时率(%)"),
        x_label=_t("层级"),
        percent=True,
        width=480,
        empty=_t("所选时间内没有数据"),
    )
    village_rows = []
    for village in villages:
        rates = {key: data.village(key, village.pk) for key in ds.RATE_LEVELS}
        village_rows.append(
            {
                "village": village,
                "cells": [(rates[k], _pct(rates[k])) for k in ds.RATE_LEVELS],
            }
        )
    village_chart = charts.bar_chart(
        ident="chart-ontime-village",
        title=_t("各村按时办结率"),
        labels=[v.name for v in villages],
        series=[
            charts.Series(
                str(LEVEL_NAMES[key]), [data.village(key, v.pk).percent for v in villages]
            )
            for key in ("local", "town")
        ],
        y_label=_t("按时率(%)"),
        x_label=_t("行政村"),
        percent=True,
        width=720,
        empty=_t("所选时间内没有数据"),
    )
    months = period.months()
    trend = charts.line_chart(
        ident="chart-ontime-month",
        title=_t("按时办结率月度趋势"),
        labels=months,
        series=[
            charts.Series(str(LEVEL_NAMES[key]), [data.month(key, m).percent for m in months])
            for key in ds.RATE_LEVELS
        ],
        y_label=_t("按时率(%)"),
        x_label=_t("月份"),
        percent=True,
        empty=_t("所选时间内没有数据"),
    )
    month_rows = [
        {"label": m, "cells": [_pct(data.month(k, m)) for k in ds.RATE_LEVELS]} for m in months
    ]
    return {
        "levels": levels,
        "level_chart": _svg(level_chart),
        "village_rows": village_rows,
        "village_chart": _svg(village_chart),
        "trend": _svg(trend),
        "month_rows": month_rows,
        "level_names": [LEVEL_NAMES[k] for k in ds.RATE_LEVELS],
        "by_department": data.by_department,
    }


def _queue_link(**params) -> str:
    return reverse("web:cases") + "?" + urlencode({"tab": "all", "light": "red", **params})


def _overdue_panel(town: Town, villages, departments, data: ds.Overdue) -> dict:
    levels = list(Level.choices)
    rows = []
    for village in villages:
        cells = [
            (
                data.by_level_village.get((code, village.pk), 0),
                _queue_link(village=village.pk, level=code),
            )
            for code, _label in levels
        ]
        rows.append(
            {
                "village": village,
                "cells": cells,
                "total": sum(n for n, _ in cells),
                "link": _queue_link(village=village.pk),
            }
        )
    chart = charts.bar_chart(
        ident="chart-overdue",
        title=_t("当前超期事件(按村、按层级)"),
        desc=_t("截至 %(today)s 已超过期限仍未办结的事件") % {"today": data.today},
        labels=[v.name for v in villages],
        series=[
            charts.Series(
                str(label), [data.by_level_village.get((code, v.pk), 0) for v in villages]
            )
            for code, label in levels
        ],
        y_label=_t("超期事件(件)"),
        x_label=_t("行政村"),
        stacked=True,
        width=720,
        empty=_t("当前没有超期事件"),
    )
    return {
        "today": data.today,
        "levels": [label for _code, label in levels],
        "level_totals": [(data.level(code), _queue_link(level=code)) for code, _label in levels],
        "rows": rows,
        "total": data.total,
        "total_link": _queue_link(),
        "chart": _svg(chart),
        "departments": [
            {"unit": d, "overdue": data.by_department.get(d.pk, 0)} for d in departments
        ],
    }


def _pay_panel(town: Town, period: ds.Period, villages, quarters: list[ds.QuarterPay]) -> dict:
    names = [v.name for v in villages]
    for q in quarters:
        names += [name for name in q.by_village if name not in names]
    rows = [
        {
            "village": name,
            "cells": [q.by_village.get(name, ds.ZERO) for q in quarters],
            "total": sum((q.by_village.get(name, ds.ZERO) for q in quarters), ds.ZERO),
        }
        for name in names
    ]
    chart = charts.bar_chart(
        ident="chart-pay",
        title=_t("各村网格专管员季度报酬"),
        labels=names,
        series=[
            charts.Series(q.quarter, [q.by_village.get(name, ds.ZERO) for name in names])
            for q in quarters
        ],
        y_label=_t("报酬(元)"),
        x_label=_t("行政村"),
        width=720,
        empty=_t("所选时间内没有考核结果"),
    )
    return {
        "quarters": [
            {
                "quarter": q.quarter,
                "status": STATUS_NAMES.get(q.status, q.status),
                "status_key": q.status,
                "provisional": q.provisional,
                "total": q.total,
                "officers": q.officers,
            }
            for q in quarters
        ],
        "rows": rows,
        "total": sum((q.total for q in quarters), Decimal("0.00")),
        "chart": _svg(chart),
    }


def _setup(request: HttpRequest) -> dict:
    """The town, the form and the period shared by the dashboard and its pay panel."""
    towns = ds.dashboard_towns(request.user)
    if not towns:
        raise Http404
    town = _town(request, towns)
    today = clock.today(town.timezone)
    form = DashboardForm(request.GET or None, towns=towns, initial={"town": town.pk})
    period = _period(form, today)
    if not form.is_bound:
        form = DashboardForm(
            initial={"town": town.pk, "date_from": period.first, "date_to": period.last},
            towns=towns,
        )
    query = urlencode({"town": town.pk, "date_from": period.first, "date_to": period.last})
    return {
        "nav_section": "dashboards",
        "town": town,
        "towns": towns,
        "form": form,
        "period": period,
        "today": today,
        "query": query,
    }


def _refresh(request: HttpRequest) -> bool:
    """更新: the person asks for the figures computed now rather than kept (dashboard_cache)."""
    return request.GET.get("refresh") == "1"


@login_required
def index(request: HttpRequest) -> HttpResponse:
    ctx = _setup(request)
    town, period = ctx["town"], ctx["period"]
    villages = ds.villages_of(town)
    departments = ds.departments_of(town)
    fresh = dashboard_cache.town_figures(town, period, refresh=_refresh(request))
    dashboard_cache.note_viewed(town)  # the worker keeps this town's figures warm a while
    figures = fresh.value
    on_time = _on_time_panel(town, period, villages, figures.on_time)
    ctx |= {
        "fresh": fresh,
        "cases": _cases_panel(town, period, figures.cases),
        "on_time": on_time,
        "departments": [
            {
                "unit": d,
                "rate": on_time["by_department"].get(d.pk) or ds.Rate(),
                "pct": _pct(on_time["by_department"].get(d.pk) or ds.Rate()),
            }
            for d in departments
        ],
        "overdue": _overdue_panel(town, villages, departments, figures.overdue),
    }
    return render(request, "web/dash/index.html", ctx)


@login_required
def pay(request: HttpRequest) -> HttpResponse:
    """Pay per village and quarter: the assessment of each quarter (a finalised one from its
    snapshot, an open one computed now, which takes longer), so it is a page of its own that
    the dashboard loads after itself (htmx) or links to (without JavaScript)."""
    ctx = _setup(request)
    fresh = dashboard_cache.pay_figures(ctx["town"], ctx["period"], refresh=_refresh(request))
    dashboard_cache.note_viewed(ctx["town"])
    ctx["fresh_pay"] = fresh
    ctx["pay"] = _pay_panel(ctx["town"], ctx["period"], ds.villages_of(ctx["town"]), fresh.value)
    if getattr(request, "htmx", False):
        return render(request, "web/dash/_pay.html", ctx)
    return render(request, "web/dash/pay.html", ctx)
