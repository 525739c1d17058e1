"""The case page's "附近的未办结事件": the open cases near the case's point that the reader may
see (cases.selectors.cases_near). A tag, so that the case page takes it with one include line and
its view stays as it is."""

from __future__ import annotations

from typing import Any

from django import template

from gridcase.cases.models import Case
from gridcase.cases.selectors import NEAR_DAYS, NEAR_RADIUS_M, Near, cases_near

register = template.Library()


@register.simple_tag(takes_context=True)
def nearby_cases(context: Any, case: Case) -> list[Near]:
    """The open cases within NEAR_RADIUS_M of the case, submitted in the last NEAR_DAYS days,
    nearest first, the case itself left out; none without a point or a reader."""
    request = context.get("request")
    if request is None or case.latitude is None or case.longitude is None:
        return []
    return cases_near(
        case.town_id, float(case.latitude), float(case.longitude), user=request.user, exclude=case
    )


@register.simple_tag
def near_limits() -> dict[str, int]:
    return {"radius": NEAR_RADIUS_M, "days": NEAR_DAYS}
