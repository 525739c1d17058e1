"""What waits on a person's start page besides the queue (issue 14): the town center's cases a
department has reported on, to close from the report, and the governance office's pending
appeals, to decide.

Both start from the existing scope: the cases from `cases.selectors.visible_cases` (through
`web.selectors.queue_cases`) and the workflow table (`cases.selectors.allowed_actions`); the
appeals from the office's roles in force, as the appeals page's access does. Someone without
the role makes no query here.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from gridcase.assessment.models import Appeal, QuarterAssessment
from gridcase.cases.changes import case_values
from gridcase.cases.elements import missing_at_close
from gridcase.cases.models import Case, Level, State
from gridcase.cases.selectors import allowed_actions
from gridcase.org.models import Role, User
from gridcase.org.selectors import roles_in_force
from gridcase.web import selectors as q

# The panel lists the cases closest to their deadline; the rest wait in the queue's tabs.
REPORTED_SHOWN = 20


def _towns(user: User, kind: str) -> set[int]:
    return {role.town_id for role in roles_in_force(user) if role.kind == kind}


def reported_cases(user: User) -> tuple[list[Case], bool]:
    """The cases waiting at the town center after a department's report, that this person may
    close (the workflow table's `close`), earliest deadline first; and whether there are more
    than the panel shows."""
    towns = _towns(user, Role.Kind.TOWN_CENTER)
    if not towns:
        return [], False
    rows: QuerySet[Case] = (
        q.queue_cases(user)
        .filter(town_id__in=towns, state=State.REPORTED, level=Level.TOWN)
        .select_related("town")
        # The close's element check reads the parties (cases.changes.case_values).
        .prefetch_related("parties")
        .order_by("handle_due", "id")
    )
    cases = list(rows[: REPORTED_SHOWN + 1])
    more = len(cases) > REPORTED_SHOWN
    return [c for c in cases[:REPORTED_SHOWN] if "close" in allowed_actions(user, c)], more


def missing_to_close(case: Case) -> list[str]:
    """What closing with the department's report as the result would still lack: the close's
    own element check (cases.elements.missing_at_close, the one services.case_close makes), on
    the case as it is with its report as the result. Empty: the report is enough."""
    values = case_values(case) | {"result": case.result}
    return [message for _field, message in missing_at_close(values, case.level)]


def pending_appeals(user: User) -> list[Appeal]:
    """The pending appeals of the towns where this person is the governance office, of every
    quarter not yet finalised (a finalised quarter takes no decision: assessment.appeals),
    oldest first."""
    towns = _towns(user, Role.Kind.GOVERNANCE_OFFICE)
    if not towns:
        return []
    frozen = QuarterAssessment.objects.filter(
        town_id=OuterRef("town_id"), quarter=OuterRef("quarter")
    ).exclude(status=QuarterAssessment.Status.DRAFT)
    return list(
        Appeal.objects.filter(town_id__in=towns, status=Appeal.Status.PENDING)
        .exclude(Exists(frozen))
        .select_related("case", "filed_by", "decided_by", "town")
        .order_by("filed_at", "id")
    )
