"""The boundaries of the town's villages and grids, drawn or corrected on a map.

The page is a map of the town's places and a form: the administrator picks a village or a
grid, draws a new polygon or moves the vertices of its boundary (web/boundaries.js, with the
vendored Leaflet-Geoman), and saves. Saving goes through `boundary_services.set_boundaries`,
the one write path with the checks (valid, not overlapping, grids inside their village), the
audit and the renewal of the town's `boundaries_version`. A refused save shows the checks'
Chinese messages and the drawing as it was sent, and changes nothing.

Coordinates are WGS-84, [longitude, latitude], as stored: the base layer (if any) must be a
WGS-84 one (the map's own tiles setting, `GRIDCASE_MAP_TILES`).
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from gridcase.core.errors import ServiceError
from gridcase.org.boundary_services import set_boundaries
from gridcase.org.checks import NotInScope
from gridcase.org.models import Grid, Town, Village

from .common import bound, manage_view, page

# The drawing comes back as GeoJSON text; a town's polygons are far below this (the service
# holds the number of points to `boundaries.MAX_POINTS`).
MAX_GEOMETRY_CHARS = 2_000_000


class BoundaryForm(forms.Form):
    place = forms.CharField(label=_("行政村或网格"), max_length=40)
    geometry = forms.CharField(label=_("边界"), required=False, max_length=MAX_GEOMETRY_CHARS)
    action = forms.ChoiceField(
        label=_("操作"), choices=[("save", _("保存边界")), ("clear", _("清除边界"))]
    )

    def clean_geometry(self) -> Any:
        text = self.cleaned_data["geometry"].strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("边界数据无法读取,请重新绘制后再保存")) from None


def _villages(town: Town) -> list[Village]:
    """The town's villages by name, each with its grids by name (two queries)."""
    return list(
        Village.objects.filter(town=town)
        .prefetch_related(Prefetch("grids", Grid.objects.order_by("name", "pk")))
        .order_by("name", "pk")
    )


def _place(villages: list[Village], key: str) -> Village | Grid:
    """The village ("village-<id>") or grid ("grid-<id>") of the town; any other is forged."""
    kind, _sep, pk = key.partition("-")
    for village in villages:
        if kind == "village" and str(village.pk) == pk:
            return village
        for grid in village.grids.all():
            if kind == "grid" and str(grid.pk) == pk:
                return grid
    raise NotInScope(f"place {key!r}")


def _key(place: Village | Grid) -> str:
    return f"{'grid' if isinstance(place, Grid) else 'village'}-{place.pk}"


def _label(place: Village | Grid) -> str:
    return str(place) if isinstance(place, Grid) else place.name


def _map_data(villages: list[Village]) -> dict[str, Any]:
    """What boundaries.js draws: every village and grid with its stored geometry (or null)."""
    return {
        "places": [
            {
                "key": _key(place),
                "kind": "grid" if isinstance(place, Grid) else "village",
                "label": _label(place),
                "geometry": place.boundary,
            }
            for village in villages
            for place in (village, *village.grids.all())
        ]
    }


def _groups(villages: list[Village]) -> list[dict[str, Any]]:
    """The choices of the page's list: per village, the village itself, then its grids."""
    groups = []
    for village in villages:
        options = []
        for place in (village, *village.grids.all()):
            if isinstance(place, Grid):
                text = str(place)
            else:
                text = _t("%(name)s(行政村)") % {"name": place.name}
            if place.boundary is None:
                text += _t("(未划定)")
            options.append({"key": _key(place), "text": text})
        groups.append({"name": village.name, "options": options})
    return groups


@manage_view
def boundaries(request: HttpRequest, town: Town) -> HttpResponse:
    villages = _villages(town)
    form = BoundaryForm(bound(request))
    problems: list[str] = []
    place_errors: list[str] = []
    selected = request.GET.get("place", "")
    draft: Any = None
    if request.method == "POST":
        selected = request.POST.get("place", "")
        draft = request.POST.get("geometry", "")
        if form.is_valid():
            place = _place(villages, form.cleaned_data["place"])
            clear = form.cleaned_data["action"] == "clear"
            geometry = None if clear else form.cleaned_data["geometry"]
            if geometry is None and not clear:
                problems = [_t("请先在地图上画出边界,或选择“清除边界”")]
            else:
                try:
                    if isinstance(place, Grid):
                        set_boundaries(by=request.user, town=town, grids={place: geometry})
                    else:
                        set_boundaries(by=request.user, town=town, villages={place: geometry})
                except ServiceError as exc:
                    problems = exc.fields.get("boundary") or [exc.message]
                else:
                    label = _label(place)
                    text = _t("已清除“%(name)s”的边界") if clear else _t("已保存“%(name)s”的边界")
                    messages.success(request, text % {"name": label})
                    url = reverse("manage:boundaries", args=[town.pk])
                    return redirect(f"{url}?place={_key(place)}")
        else:
            # The place's problem beside its list; the drawing's and the button's (drawn on the
            # map, pressed: no field to stand beside) on top, each naming what it is about.
            place_errors = list(form.errors.get("place", []))
            problems = [
                _t("%(field)s:%(problem)s") % {"field": form.fields[name].label, "problem": e}
                for name, errors in form.errors.items()
                if name != "place"
                for e in errors
            ]
    return page(
        request,
        town,
        "web/manage/boundaries.html",
        "boundaries",
        {
            "villages": villages,
            "groups": _groups(villages),
            "selected": selected,
            "problems": problems,
            "place_errors": place_errors,
            # The drawing as sent, so that a refused save keeps it on the map.
            "draft": draft or "",
            "map_data": _map_data(villages),
            "tiles": settings.GRIDCASE_MAP_TILES,
        },
        status=400 if problems or place_errors else 200,
    )
