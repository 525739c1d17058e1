"""The town's map (一张图): the open cases in the person's scope, at their points, coloured by
their light, with the case list's filters, over the boundaries of the villages and grids; and
"附近": the open cases near the person's position or near a case (`near`, by
cases.selectors.cases_near, scoped by `visible_cases`).

The page is a frame (filters, an empty map, a static script); the script asks `points` for the
cases (compact JSON rows) with the same query string, so the filters and the scope are the
list's own: `selectors.map_cases` starts from `visible_cases`, `filters.apply_filters` is the
list's, and each light is `TownDay.case_light` (cases.deadlines), the one home of lights.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gridcase.cases.deadlines import TownDay
from gridcase.cases.selectors import NEAR_DAYS, NEAR_RADIUS_M, cases_near
from gridcase.core import coords
from gridcase.org.models import Village
from gridcase.org.selectors import towns_of
from gridcase.web import selectors as q
from gridcase.web.filters import Filters, apply_filters
from gridcase.web.forms import FilterForm
from gridcase.web.templatetags.workbench import LIGHT_LABELS
from gridcase.web.views.case_detail import get_case_or_404

# More points than this would make the browser slow and the map unreadable: the newest are
# drawn and the page asks for narrower filters.
MAX_POINTS = 20_000


def _form(request: HttpRequest) -> FilterForm:
    villages = Village.objects.filter(town_id__in=towns_of(request.user)).order_by("name")
    return FilterForm(request.GET or None, villages=villages)


def _filters(form: FilterForm) -> Filters:
    # As in the list: a wrong value is shown next to its field (on the page) and ignored.
    if not form.is_bound:
        return Filters()
    form.is_valid()
    return form.filters()


@login_required
def index(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    # ?near=NUMBER opens the map on that case's neighbourhood; it is no filter of the points.
    params = request.GET.copy()
    near_case = params.pop("near", [""])[-1].strip()
    query = params.urlencode()
    points_url = reverse("web:map_points") + (f"?{query}" if query else "")
    return render(
        request,
        "web/map.html",
        {
            "nav_section": "map",
            "form": form,
            "points_url": points_url,
            "near_case": near_case,
            "near_radius": NEAR_RADIUS_M,
            "near_days": NEAR_DAYS,
            "tiles": settings.GRIDCASE_MAP_TILES,
            "more_filters": form.is_bound and form.has_filters(exclude=("q",)),
            # map.js says how many cases it drew with these, %(n)s in place of the number:
            # one case and many take their own words (English: "1 open case").
            "count_one": _count_words(1),
            "count_many": _count_words(2),
        },
    )


def _count_words(n: int) -> str:
    """The words for n cases on the map, their placeholder left for map.js to fill."""
    return ngettext("共%(n)s件未办结事件", "共%(n)s件未办结事件", n)


def _lights(by_town: dict[int, TownDay]) -> Callable[[Any], str]:
    """Each case's light by its town's day; many cases share a town, state and deadline, so
    each light is asked of TownDay once."""
    lights: dict[tuple, str] = {}

    def light_of(row: Any) -> str:
        key = (row.town_id, row.state, row.accept_due, row.handle_due)
        light = lights.get(key)
        if light is None:
            light = lights[key] = by_town[row.town_id].case_light(row) or ""
        return light

    return light_of


@login_required
def points(request: HttpRequest) -> JsonResponse:
    """The cases as compact rows [latitude, longitude, number, title, light] (WGS-84), in one
    query. Not GeoJSON: 10,000 features' repeated keys tripled the size and the time to build
    and parse them; the map needs only these five values."""
    user = request.user
    days = q.user_days(user)
    by_town = {day.town_id: day for day in days}
    cases = apply_filters(q.map_cases(user), _filters(_form(request)), days)
    rows = list(
        cases.order_by("-submitted_at", "-pk").values_list(
            "town_id",
            "number",
            "title",
            "state",
            "accept_due",
            "handle_due",
            "latitude",
            "longitude",
            named=True,
        )[: MAX_POINTS + 1]
    )
    capped = len(rows) > MAX_POINTS
    rows = rows[:MAX_POINTS]
    light_of = _lights(by_town)
    points = [
        [float(row.latitude), float(row.longitude), row.number, row.title, light_of(row)]
        for row in rows
    ]
    message = ""
    if capped:
        message = _("超过%(n)s件事件，只显示最新的%(n)s件，请用筛选缩小范围。") % {"n": MAX_POINTS}
    elif not points:
        message = _("没有带坐标的未办结事件。")
    villages, grids = q.map_areas(user)
    return JsonResponse(
        {
            "points": points,
            # The boundaries under the cases: GeoJSON geometries (WGS-84, [longitude, latitude]).
            "villages": [{"name": name, "geometry": geometry} for name, geometry in villages],
            "grids": [
                {"name": f"{village}·{name}", "geometry": geometry}
                for village, name, geometry in grids
            ],
            "lights": {key: str(label) for key, label in LIGHT_LABELS.items()},
            "capped": capped,
            "message": message,
            # The case page's address, with the number in place of the placeholder.
            "case_url": reverse("web:case_detail", args=["NUMBER"]),
        },
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )


def _point(request: HttpRequest) -> tuple[float, float] | str:
    """(latitude, longitude) from the query (WGS-84, as the browser's geolocation gives it), or
    what is wrong with them, naming the field."""
    values = []
    for key, field, name in (("lat", "latitude", _("纬度")), ("lon", "longitude", _("经度"))):
        bound = coords.DEGREE_BOUNDS[field]
        raw = request.GET.get(key, "").strip()
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or abs(value) > bound:
            return _("%(field)s应为 -%(bound)s 到 %(bound)s 之间的数字(WGS-84)。") % {
                "field": name,
                "bound": bound,
            }
        values.append(value)
    return values[0], values[1]


@login_required
def near(request: HttpRequest) -> JsonResponse:
    """The open cases the person may see within 300 m of a point, submitted in the last 30
    days (cases.selectors.cases_near), nearest first: around ``?case=NUMBER`` (a case they
    may see, itself left out) or ``?lat=…&lon=…`` (their position). Rows as the points' with
    the distance: [latitude, longitude, number, title, light, metres]."""
    user = request.user
    number = request.GET.get("case", "").strip()
    if number:
        case = get_case_or_404(request, number)
        if case.latitude is None or case.longitude is None:
            return _refused(_("事件%(number)s没有坐标,无法查找附近的事件。") % {"number": number})
        lat, lon = float(case.latitude), float(case.longitude)
        found = cases_near(case.town_id, lat, lon, user=user, exclude=case)
    else:
        point = _point(request)
        if isinstance(point, str):
            return _refused(point)
        lat, lon = point
        found = []
        for town_id in sorted(towns_of(user)):
            found += cases_near(town_id, lat, lon, user=user)
        found.sort(key=lambda n: n.distance_m)
    light_of = _lights({day.town_id: day for day in q.user_days(user)})
    rows = [
        [
            float(n.case.latitude),  # type: ignore[arg-type]
            float(n.case.longitude),  # type: ignore[arg-type]
            n.case.number,
            n.case.title,
            light_of(n.case),
            round(n.distance_m),
        ]
        for n in found
    ]
    message = ngettext(
        "%(radius)s米内、近%(days)s天共%(n)s件未办结事件。",
        "%(radius)s米内、近%(days)s天共%(n)s件未办结事件。",
        len(rows),
    ) % {
        "radius": NEAR_RADIUS_M,
        "days": NEAR_DAYS,
        "n": len(rows),
    }
    return JsonResponse(
        {
            "center": [lat, lon],
            "radius_m": NEAR_RADIUS_M,
            "days": NEAR_DAYS,
            "case": number,
            "points": rows,
            "message": message,
            "lights": {key: str(label) for key, label in LIGHT_LABELS.items()},
            "case_url": reverse("web:case_detail", args=["NUMBER"]),
        },
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )


def _refused(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400, json_dumps_params={"ensure_ascii": False})
