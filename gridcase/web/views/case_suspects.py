"""The check on entry (integrity.md): while an officer fills in a case, before submitting,
the form asks this view for likely duplicates nearby ("附近 30 天内有相似事件"), with links.
It only warns: nothing is blocked. Read-only, over the place-and-time index."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from gridcase.assessment import integrity
from gridcase.cases import filing
from gridcase.cases.errors import CaseError
from gridcase.core import clock, coords
from gridcase.org.policies import policy_for
from gridcase.org.selectors import roles_in_force

FIELDS = ("category", "title", "location", "persons", "cause", "course")


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if value == value else None  # NaN is no coordinate


def _moment(text: str, tz: str) -> datetime | None:
    moment = parse_datetime((text or "").strip().replace("T", " "))
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=clock.zone(tz))
    return moment


def form_parties(data) -> list[dict[str, str]]:
    """The parties of the case form's formset (parties-N-name / parties-N-phone)."""
    parties = []
    for key in data:
        if key.startswith("parties-") and key.endswith("-name"):
            prefix = key[: -len("name")]
            name = (data.get(key) or "").strip()
            phone = (data.get(prefix + "phone") or "").strip()
            if name or phone:
                parties.append({"name": name, "phone": phone})
    return parties


def _own_village(user, town) -> int | None:
    return next(
        (r.village_id for r in roles_in_force(user) if r.town_id == town.pk and r.village_id),
        None,
    )


@login_required
@require_POST
def check(request: HttpRequest) -> HttpResponse:
    try:
        town, village = filing.draft_place(request.user)
    except CaseError:
        return HttpResponse("")  # not an officer of one village: nothing to suggest here
    data = request.POST
    values: dict[str, object] = {name: (data.get(name) or "").strip() for name in FIELDS}
    lat, lon = _number(data.get("latitude", "")), _number(data.get("longitude", ""))
    if lat is not None and lon is not None and data.get("crs") in set(coords.System):
        # Typed in GCJ-02 or BD-09 (the form's 坐标系): compared in WGS-84, as stored.
        lat, lon = coords.to_wgs84(lat, lon, data["crs"])
    values["latitude"], values["longitude"] = lat, lon
    values["occurred_at"] = _moment(data.get("occurred_at", ""), town.timezone)
    found = integrity.check_entry(
        town,
        values,
        parties=form_parties(data),
        village_id=village.pk if village else _own_village(request.user, town),
        number=(data.get("number") or "").strip(),
    )
    policy = policy_for(town, clock.today(town.timezone))
    context = {"found": found[:5], "window_days": policy.duplicate_window_days}
    with timezone.override(town.timezone):
        return render(request, "web/_suspects_check.html", context)
