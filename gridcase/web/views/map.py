"""The town's map (一张图): the open cases in the person's scope, at their points, coloured by
their light, with the case list's filters, over the boundaries of the villages and grids.

The page is a frame (filters, an empty map, a static script); the script asks `points` for the
cases (compact JSON rows) with the same query string, so the filters and the scope are the
list's own: `selectors.map_cases` starts from `visible_cases`, `filters.apply_filters` is the
list's, and each light is `TownDay.case_light` (cases.deadlines), the one home of lights.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from gridcase.org.models import Village
from gridcase.org.selectors import towns_of
from gridcase.web import selectors as q
from gridcase.web.filters import Filters, apply_filters
from gridcase.web.forms import FilterForm
from gridcase.web.templatetags.workbench import LIGHT_LABELS

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
    query = request.GET.urlencode()
    points_url = reverse("web:map_points") + (f"?{query}" if query else "")
    return render(
        request,
        "web/map.html",
        {
            "nav_section": "map",
            "form": form,
            "points_url": points_url,
            "tiles": settings.GRIDCASE_MAP_TILES,
            "more_filters": form.is_bound and form.has_filters(exclude=("q",)),
        },
    )


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
    # Many cases share a town, state and deadline: each light is asked of TownDay once.
    lights: dict[tuple, str] = {}
    points = []
    for row in rows:
        key = (row.town_id, row.state, row.accept_due, row.handle_due)
        light = lights.get(key)
        if light is None:
            light = lights[key] = by_town[row.town_id].case_light(row) or ""
        points.append([float(row.latitude), float(row.longitude), row.number, row.title, light])
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
