"""Every read of cases, scoped by town and role.

A case outside a person's scope does not exist for them: `get_case` raises Case.DoesNotExist,
which pages and the API turn into 404.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Expression, F, Func, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gridcase.core import clock, coords
from gridcase.org.models import Role, Town, Unit, User
from gridcase.org.selectors import roles_in_force

from . import cells, workflow
from .models import Case, ExtensionRequest, Quality, Source, State, TimelineEntry

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


@dataclass(frozen=True)
class OfficeJudgement:
    review: tuple[str, str] | None = None  # the latest review: (quality, note)
    major: bool | None = None  # 重大 as the latest review that judged it said; None: never
    duplicate: bool = False  # confirmed a duplicate of another case


JUDGEMENT_ACTIONS = ("review", "duplicate_confirmed")
JUDGEMENTS_PER_QUERY = 1000  # case ids in one IN (…): well within every database's limit
NO_JUDGEMENT = OfficeJudgement()


def office_judgements(numbers: Mapping[int, str]) -> dict[int, OfficeJudgement]:
    """The governance office's judgements of those of the cases it has judged, in a query per
    thousand cases (a ledger import asks for a whole ledger's): its latest quality review, the
    latest review's word on 重大 where one said, and whether it confirmed the case a duplicate
    of another (integrity.md). Read from the timeline: the case's `quality` alone does not
    say who judged (an imported ledger's row sets it too), and a confirmed duplicate is
    recorded there (integrity_services).
    ``numbers``: case id -> case number, of the cases asked about."""
    found: dict[int, OfficeJudgement] = {}
    ids = list(numbers)
    entries = (
        row
        for start in range(0, len(ids), JUDGEMENTS_PER_QUERY)
        for row in TimelineEntry.objects.filter(
            case_id__in=ids[start : start + JUDGEMENTS_PER_QUERY], action__in=JUDGEMENT_ACTIONS
        )
        .order_by("case_id", "-at", "-id")
        .values_list("case_id", "action", "data", "note")
    )
    for case_id, action, data, note in entries:
        data = data or {}
        judged = found.get(case_id, OfficeJudgement())
        if action == "review":  # the latest comes first
            if judged.review is None:
                judged = replace(judged, review=(str(data.get("quality") or ""), note or ""))
            if judged.major is None and data.get("major") is not None:
                judged = replace(judged, major=bool(data["major"]))
        elif action == "duplicate_confirmed" and data.get("case") == numbers[case_id]:
            # Recorded on both cases of the pair; the later one ("case") is the duplicate.
            judged = replace(judged, duplicate=True)
        found[case_id] = judged
    return found


def office_review(case: Case) -> tuple[str, str] | None:
    """The governance office's latest quality review of the case, ``(quality, note)``, or
    None when the office has not reviewed it (office_judgements, for one case)."""
    return office_judgements({case.pk: case.number}).get(case.pk, NO_JUDGEMENT).review


def office_judged_nonconforming(case: Case, judged: OfficeJudgement | None = None) -> bool:
    """Whether the governance office has judged the case nonconforming. For an entered case
    only the office's review sets `quality` (no query); an imported case's mark may be its
    ledger's or the automatic check's (and a re-import before the importer kept the office's
    judgement may have replaced the office's mark), so for it the timeline says whether the
    office judged (``judged``: read already by office_judgements)."""
    if case.source != Source.IMPORTED:
        return case.quality == Quality.NONCONFORMING
    review = (judged or office_judgements({case.pk: case.number}).get(case.pk, NO_JUDGEMENT)).review
    return review is not None and review[0] == Quality.NONCONFORMING


# Message ids: judgement_refusal says them in the reader's language.
VOID_AFTER_JUDGEMENT = gettext_noop("综治办已评定该事件质量不合格,只有综治办可以作废")
VOID_AFTER_DUPLICATE = gettext_noop("综治办已确认该事件与另一起事件重复,只有综治办可以作废")


def judgement_refusal(
    action: str, case: Case, relations: frozenset[str], judged: OfficeJudgement | None = None
) -> str:
    """Why the office's judgement refuses this action to this person (in the reader's language),
    or "".

    After the governance office judged a case nonconforming or a duplicate only the office
    voids it: otherwise the officer (or anyone who handles it) could void the case and so
    escape the deduction, or hide which case it repeats (assessment.md, "Voiding after a
    judgement"). The one home of that rule: the services (changes.require_action), what the
    workbench and the API offer (allowed_actions) and a ledger re-import (with no relation to
    the case: a ledger is not the office; ``judged`` read for the whole ledger by
    office_judgements) all ask here."""
    if action != "void" or workflow.OFFICE in relations:
        return ""
    if case.state == State.DRAFT:  # never handed in: the office judges submitted cases only
        return ""
    if judged is None:
        judged = office_judgements({case.pk: case.number}).get(case.pk, NO_JUDGEMENT)
    if office_judged_nonconforming(case, judged):
        return _(VOID_AFTER_JUDGEMENT)
    return _(VOID_AFTER_DUPLICATE) if judged.duplicate else ""


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


def next_steps(user: User, case: Case, allowed: Iterable[str]) -> list[workflow.Step]:
    """The one or two steps this person is expected to take next (workflow.expected_steps),
    of the actions they may take now (`allowed`: allowed_actions)."""
    return workflow.expected_steps(
        state=case.state, level=case.level, relations=relations_to(user, case), allowed=allowed
    )


def not_yet(user: User, case: Case) -> dict[str, str]:
    """What this person will be able to do with the case later, with why not now."""
    return workflow.not_yet(state=case.state, level=case.level, relations=relations_to(user, case))


# The actions that hand a case to another level, with what the receiving level reads first.
HANDOVERS = ("escalate", "return", "dispatch", "report")


def handover(case: Case, entries: Iterable[TimelineEntry]) -> TimelineEntry | None:
    """The timeline entry that brought the case to the level where it is now (an escalation,
    a return, a dispatch or a department's report), so that the level acting now reads the
    sender's reason without opening the timeline; None when the case started here. `entries`:
    the case's timeline in order (already loaded by the page)."""
    found = None
    for entry in entries:
        if entry.to_level != entry.from_level or entry.action in HANDOVERS:
            found = entry if entry.action in HANDOVERS and entry.to_level == case.level else None
    return found


def level_units(case: Case) -> dict[str, str]:
    """The names of the units behind the case's levels (its village's station, the town
    center, its department), so that the timeline names who, not only which level."""
    names = {}
    rows = Unit.objects.filter(town_id=case.town_id).filter(
        Q(kind=Unit.Kind.VILLAGE_STATION, village_id=case.village_id)
        | Q(kind=Unit.Kind.TOWN_CENTER)
    )
    for kind, name in rows.order_by("name").values_list("kind", "name"):
        level = "village" if kind == Unit.Kind.VILLAGE_STATION else "town"
        names.setdefault(level, name)
    return names


def timeline(case: Case):
    return case.timeline.select_related("actor").order_by("at", "id")


# --- cases near a point -----------------------------------------------------------------------

# The town's map and the case page show the cases within this many metres of a point, submitted
# in the last this many days (issue 13: "附近的未办结事件").
NEAR_RADIUS_M = 300
NEAR_DAYS = 30
# What a list of nearby cases shows (number, title, category, state, light, point): read only
# these, a tenth of a case's columns — the rest of a row was most of the time of a probe.
NEAR_FIELDS = (
    "id",
    "town_id",
    "number",
    "title",
    "category",
    "state",
    "level",
    "accept_due",
    "handle_due",
    "latitude",
    "longitude",
    "submitted_at",
)
# The nearest this many candidates are kept: more than any screen lists, a bound on the second
# read (``pk IN``) whatever the data.
_NEAR_CANDIDATES = 1000


def unindexed(field: str) -> Expression:
    """``field`` as an expression SQLite cannot read from an index (its unary plus, a no-op
    on any value); the field itself on PostgreSQL, whose planner weighs its statistics.
    For a query where SQLite, which keeps none, would take an index on ``field`` over a
    narrower one (integrity.candidates)."""
    if connection.vendor == "sqlite":
        return Func(F(field), template="+%(expressions)s", output_field=Case._meta.get_field(field))
    return F(field)


def near_q(latitude: float, longitude: float, metres: float) -> Q:
    """Cases whose point is in the box around (latitude, longitude) that holds every point
    within ``metres``: by the grid cells the box touches (cells.py), so that an index starting
    (town, [category,] cell, submitted_at) reads one short range per cell, then the box itself on
    the rows found. The exact distance is the caller's, on the few rows left. The one home of
    "near a point" in SQL: the duplicate check on entry asks it too."""
    lo_lat, hi_lat, lo_lon, hi_lon = cells.around(latitude, longitude, metres)
    ranges = cells.covering(lo_lat, hi_lat, lo_lon, hi_lon)
    if cells.cell_count(ranges) <= cells.MAX_LISTED_CELLS:
        by_cell = Q(cell__in=[c for first, last in ranges for c in range(first, last + 1)])
    else:  # a box of kilometres: one range of cells per row
        by_cell = Q(pk__in=[])
        for first, last in ranges:
            by_cell |= Q(cell__range=(first, last))
    return by_cell & Q(latitude__range=(lo_lat, hi_lat), longitude__range=(lo_lon, hi_lon))


@dataclass(frozen=True)
class Near:
    """A case near the point asked about, and how far from it (metres, great circle)."""

    case: Case
    distance_m: float


def cases_near(
    town: Town | int,
    latitude: float,
    longitude: float,
    radius_m: float = NEAR_RADIUS_M,
    days: int = NEAR_DAYS,
    *,
    user: User | None,
    open_only: bool = True,
    at: datetime | None = None,
    exclude: Case | None = None,
    limit: int | None = None,
) -> list[Near]:
    """The town's submitted cases (open ones only, by default) within ``radius_m`` metres of a
    point (WGS-84), submitted in the ``days`` days up to ``at`` (now), nearest first.

    ``user``: the person it is shown to — only the cases they may see (``visible_cases``);
    ``None`` only where no person is served. Two reads: the candidates by the index
    ``case_near_time`` (town, cell, submitted_at), kept by the exact distance
    (core.coords.distance_m); then those of them in the person's scope, by id, with what a list
    shows (``NEAR_FIELDS``; another field is one more query per case). Two, not one: the
    first is planned on the cells alone, whatever the person's roles (their OR of villages and
    units beside the cells would offer a planner the scope's own indexes, as the duplicate
    check's OR did to SQLite); the second is a lookup by primary key on both databases."""
    at = at or clock.now()
    states = workflow.OPEN if open_only else workflow.SUBMITTED
    town_id = town if isinstance(town, int) else town.pk
    candidates = Case.objects.filter(
        near_q(latitude, longitude, radius_m),
        town_id=town_id,
        submitted_at__range=(at - timedelta(days=days), at),
        state__in=states,
    )
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    distances = {}
    # Unordered: the order is the distance's, made here (Case's default order would sort them).
    for pk, lat, lon in candidates.order_by().values_list("pk", "latitude", "longitude"):
        metres = coords.distance_m(latitude, longitude, float(lat), float(lon))
        if metres <= radius_m:
            distances[pk] = metres
    if not distances:
        return []
    nearest = sorted(distances, key=lambda pk: (distances[pk], pk))[:_NEAR_CANDIDATES]
    scoped = visible_cases(user) if user is not None else Case.objects.all()
    found = scoped.filter(pk__in=nearest).only(*NEAR_FIELDS).order_by()
    near = sorted(
        (Near(case, distances[case.pk]) for case in found),
        key=lambda n: (n.distance_m, n.case.pk),
    )
    return near[:limit] if limit is not None else near
