"""Every read of cases, scoped by town and role.

A case outside a person's scope does not exist for them: `get_case` raises Case.DoesNotExist,
which pages and the API turn into 404.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from gridcase.org.models import Role, User
from gridcase.org.selectors import roles_in_force

from . import workflow
from .models import Case, ExtensionRequest, Quality, Source, TimelineEntry

TOWN_WIDE = {
    Role.Kind.TOWN_CENTER,
    Role.Kind.GOVERNANCE_OFFICE,
    Role.Kind.LEADER,
    Role.Kind.ADMINISTRATOR,
}


def scope_q(user: User) -> Q:
    """The cases a person may see: the union of what each of their roles sees."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    q = Q(pk__in=[])
    for role in roles_in_force(user):
        if role.kind in TOWN_WIDE:
            q |= Q(town_id=role.town_id)
        elif role.kind == Role.Kind.OFFICER:
            # An officer sees the cases of their village (their grid's, and the ones they entered).
            q |= Q(town_id=role.town_id, village_id=role.village_id)
        elif role.kind == Role.Kind.VILLAGE_STATION:
            q |= Q(town_id=role.town_id, village_id=role.village_id) & ~Q(state="draft")
        elif role.kind == Role.Kind.DEPARTMENT:
            # A department sees what was dispatched to it, also after it went back to the center.
            q |= Q(town_id=role.town_id, department_id=role.unit_id)
    # Drafts are the officer's own notes until submitted.
    return q & (~Q(state="draft") | Q(officer_id=user.pk))


def visible_cases(user: User) -> QuerySet[Case]:
    return Case.objects.filter(scope_q(user))


def get_case(user: User, **lookup) -> Case:
    """One case in the person's scope, with what the detail needs; DoesNotExist otherwise."""
    return (
        visible_cases(user)
        .select_related("town", "village", "grid", "officer", "department")
        .get(**lookup)
    )


def relations_to(user: User, case: Case) -> frozenset[str]:
    """How this person stands to this case: the relations the workflow table speaks of."""
    relations = set()
    for role in roles_in_force(user):
        if role.town_id != case.town_id:
            continue
        if role.kind == Role.Kind.OFFICER and role.village_id == case.village_id:
            if role.grid_id is None or case.grid_id in (None, role.grid_id):
                relations.add(workflow.OFFICER)
        elif role.kind == Role.Kind.VILLAGE_STATION and role.village_id == case.village_id:
            relations.add(workflow.STATION)
        elif role.kind == Role.Kind.DEPARTMENT and role.unit_id == case.department_id:
            relations.add(workflow.DEPARTMENT)
        elif role.kind in TOWN_WIDE:
            relations.add(role.kind)
    if case.officer_id == user.pk and any(
        r.kind == Role.Kind.OFFICER and r.town_id == case.town_id for r in roles_in_force(user)
    ):
        relations.add(workflow.OFFICER)
    return frozenset(relations)


def handles(user: User, case: Case) -> bool:
    """Whether the person handles the case, and so may see the parties' phone numbers."""
    return bool(
        relations_to(user, case)
        & {workflow.OFFICER, workflow.STATION, workflow.CENTER, workflow.DEPARTMENT}
    )


def pending_extension(
    case: Case, extensions: Iterable[ExtensionRequest] | None = None
) -> ExtensionRequest | None:
    """The extension request awaiting a decision at the case's level, if any. From the
    given requests when the caller has them loaded; otherwise one query."""
    if extensions is None:
        extensions = case.extensions.filter(
            status=ExtensionRequest.Status.PENDING, level=case.level
        )
    return next(
        (
            r
            for r in extensions
            if r.status == ExtensionRequest.Status.PENDING and r.level == case.level
        ),
        None,
    )


def office_review(case: Case) -> tuple[str, str] | None:
    """The governance office's latest quality review of the case, ``(quality, note)``, or
    None when the office has not reviewed it. Read from the timeline: the case's `quality`
    alone does not say who judged (an imported ledger's row sets it too)."""
    entry = (
        TimelineEntry.objects.filter(case_id=case.pk, action="review")
        .order_by("-at", "-id")
        .values_list("data", "note")
        .first()
    )
    if entry is None:
        return None
    data, note = entry
    return str((data or {}).get("quality") or ""), note or ""


def office_judged_nonconforming(case: Case) -> bool:
    """Whether the governance office has judged the case nonconforming. For an entered case
    only the office's review sets `quality` (no query); an imported case may be nonconforming
    by its ledger or the automatic check, so its timeline says whether the office judged."""
    if case.quality != Quality.NONCONFORMING:
        return False
    if case.source != Source.IMPORTED:
        return True
    review = office_review(case)
    return review is not None and review[0] == Quality.NONCONFORMING


VOID_AFTER_JUDGEMENT = "综治办已评定该事件质量不合格,只有综治办可以作废"


def judgement_refusal(action: str, case: Case, relations: frozenset[str]) -> str:
    """Why the office's judgement refuses this action to this person, or "".

    After the governance office judged a case nonconforming only the office voids it:
    otherwise the officer (or anyone who handles it) could void the case and so escape the
    deduction (assessment.md, "Voiding after a judgement"). The one home of that rule: the
    services (changes.require_action) and what the workbench and the API offer
    (allowed_actions) both ask here."""
    if action != "void" or workflow.OFFICE in relations:
        return ""
    return VOID_AFTER_JUDGEMENT if office_judged_nonconforming(case) else ""


def allowed_actions(
    user: User, case: Case, extensions: Iterable[ExtensionRequest] | None = None
) -> list[str]:
    """What this person may do with this case now: the workflow table's actions, less an
    extension decision with nothing to decide and a second request while one is pending
    (one request at a time; the services refuse both), and less a void the office's
    judgement refuses (judgement_refusal). The workbench and the API offer exactly these.
    `extensions`: the case's requests, when the caller has them loaded."""
    relations = relations_to(user, case)
    actions = workflow.allowed_actions(state=case.state, level=case.level, relations=relations)
    if "void" in actions and judgement_refusal("void", case, relations):
        actions.remove("void")
    if "decide_extension" in actions or "request_extension" in actions:
        pending = pending_extension(case, extensions)
        hidden = "request_extension" if pending is not None else "decide_extension"
        actions = [action for action in actions if action != hidden]
    return actions


def timeline(case: Case):
    return case.timeline.select_related("actor").order_by("at", "id")
