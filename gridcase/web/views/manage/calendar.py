"""The town's working calendar: the year as twelve month grids (holidays and make-up working
days marked), the town's overrides (add, delete), and the warning when next year's official
arrangement is missing."""

from __future__ import annotations

import calendar as pycalendar
from datetime import date
from functools import lru_cache

import holidays
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext as _t

from gridcase.core import clock
from gridcase.core.calendar import calendar_for, missing_arrangement_warning
from gridcase.core.errors import ServiceError
from gridcase.core.models import CalendarOverride
from gridcase.core.workdays import WorkCalendar
from gridcase.org import services
from gridcase.org.models import Town
from gridcase.web import forms_manage as fm

from .common import bound, done, manage_view, page, refused

# The column heads, Monday first (one character each in Chinese).
WEEKDAYS = [
    pgettext_lazy("weekday", "一"),
    pgettext_lazy("weekday", "二"),
    pgettext_lazy("weekday", "三"),
    pgettext_lazy("weekday", "四"),
    pgettext_lazy("weekday", "五"),
    pgettext_lazy("weekday", "六"),
    pgettext_lazy("weekday", "日"),
]


def _holiday_names(year: int) -> dict[date, str]:
    # The library names the holidays in either language.
    return _names(year, "en_US" if get_language() == "en" else "zh_CN")


@lru_cache(maxsize=16)
def _names(year: int, language: str) -> dict[date, str]:
    return dict(holidays.China(years=year, language=language).items())


def month_grid(
    year: int,
    month: int,
    cal: WorkCalendar,
    names: dict[date, str],
    overrides: dict[date, CalendarOverride],
    today: date,
) -> dict:
    """One month as weeks of seven cells (Monday first); None outside the month. Pure."""
    weeks = []
    for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        cells = []
        for day in week:
            if day.month != month:
                cells.append(None)
                continue
            working = cal.is_working_day(day)
            weekend = day.weekday() >= 5
            classes, mark, title = [], "", names.get(day, "")
            if weekend and working:
                classes.append("cal-makeup")
                mark = _t("班")
                title = title or _t("调休上班")
            elif not working and (day in cal.holidays or not weekend):
                classes.append("cal-holiday")
                mark = _t("休")
                title = title or _t("休息日")
            elif weekend:
                classes.append("cal-weekend")
            if day in overrides:
                classes.append("cal-override")
                note = overrides[day].note
                label = _t("本镇调整:%(note)s") % {"note": note} if note else _t("本镇调整")
                title = f"{title}({label})"
            if day == today:
                classes.append("cal-today")
            cells.append({"day": day, "classes": " ".join(classes), "mark": mark, "title": title})
        weeks.append(cells)
    return {"month": month, "weeks": weeks}


def _year_url(town: Town, year: int) -> str:
    return reverse("manage:calendar", args=[town.pk]) + f"?year={year}"


@manage_view
def calendar_page(request: HttpRequest, town: Town) -> HttpResponse:
    today = clock.today(town.timezone)
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 2000), today.year + 5)
    form = fm.CalendarOverrideForm(bound(request), town=town)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.calendar_override_add(by=request.user, town=town, **form.cleaned_data)
        except ServiceError as exc:
            fm.apply_error(form, exc)
        else:
            message = _t("已添加日历调整:%(day)s %(kind)s") % {
                "day": row.day,
                "kind": row.get_kind_display(),
            }
            return done(request, message, _year_url(town, row.day.year))
    cal = calendar_for(town.pk, year)
    rows = list(CalendarOverride.objects.filter(town=town, day__year=year).order_by("day")) + list(
        CalendarOverride.objects.filter(town__isnull=True, day__year=year).order_by("day")
    )
    own = {r.day: r for r in rows if r.town_id == town.pk}
    names = _holiday_names(year)
    return page(
        request,
        town,
        "web/manage/calendar.html",
        "calendar",
        {
            "year": year,
            "today": today,
            "form": form,
            "warning": missing_arrangement_warning(today, town.pk),
            "months": [month_grid(year, m, cal, names, own, today) for m in range(1, 13)],
            "weekdays": WEEKDAYS,
            "overrides": [r for r in rows if r.town_id == town.pk],
            "national": [r for r in rows if r.town_id is None],
        },
        status=400 if form.errors else 200,
    )


@manage_view
def calendar_delete(request: HttpRequest, town: Town, pk: int) -> HttpResponse:
    row = get_object_or_404(CalendarOverride, pk=pk, town=town)
    back = _year_url(town, row.day.year)
    if request.method != "POST":
        return done(request, _t("请使用删除按钮"), back)
    try:
        services.calendar_override_delete(by=request.user, town=town, override=row)
    except ServiceError as exc:
        return refused(request, exc, back)
    return done(request, _t("已删除 %(day)s 的日历调整") % {"day": row.day}, back)
