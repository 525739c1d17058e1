"""Reads of the assessment for pages, the API and exports, scoped by role.

Who sees what (domain.md, People and roles): the governance office, the leader and the
administrator see the whole town's assessment; an officer sees their own pay statement only.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from django.db.models import QuerySet

from gridcase.cases.errors import ActionNotAllowed
from gridcase.core import clock
from gridcase.org.models import Role, Town, User
from gridcase.org.selectors import roles_in_force

from .models import Adjustment, Appeal, AssessmentEvent
from .results import PeriodResult

TOWN_WIDE = {Role.Kind.GOVERNANCE_OFFICE, Role.Kind.LEADER, Role.Kind.ADMINISTRATOR}


def sees_whole_town(user: User, town: Town, on: date | None = None) -> bool:
    on = on or clock.today(town.timezone)
    return any(r.town_id == town.id and r.kind in TOWN_WIDE for r in roles_in_force(user, on))


def visible_result(result: PeriodResult, user: User) -> PeriodResult:
    """The result as this person may see it: whole for the office, the leader and the
    administrator; an officer's own lines for an officer of the town; ActionNotAllowed else."""
    roles = [r for r in roles_in_force(user) if r.town_id == result.town_id]
    if any(r.kind in TOWN_WIDE for r in roles):
        return result
    if not any(r.kind == Role.Kind.OFFICER for r in roles):
        raise ActionNotAllowed("您的角色不能查看本镇的考核结果")
    return replace(result, officers=tuple(o for o in result.officers if o.officer_id == user.pk))


def appeals_of(
    *, town: Town, quarter: str | None = None, status: str | None = None
) -> QuerySet[Appeal]:
    rows = Appeal.objects.filter(town=town).select_related("case", "filed_by", "decided_by")
    if quarter:
        rows = rows.filter(quarter=quarter)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("filed_at", "id")


def adjustments_of(*, town: Town, quarter: str) -> QuerySet[Adjustment]:
    """Adjustments paid in ``quarter`` (whatever quarter they correct)."""
    return (
        Adjustment.objects.filter(town=town, applies_to=quarter)
        .select_related("officer", "created_by")
        .order_by("created_at", "id")
    )


def events_of(*, town: Town, quarter: str | None = None) -> QuerySet[AssessmentEvent]:
    rows = AssessmentEvent.objects.filter(town=town).select_related("actor")
    if quarter is not None:
        rows = rows.filter(quarter=quarter)
    return rows.order_by("at", "id")
