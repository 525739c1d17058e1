"""The run: every officer's pay for a period, every case explained — ``assess_period`` (one
town), ``assess_county`` (town by town) — from live facts or, for a finalised quarter, from its
frozen snapshot. It writes nothing.

The rest of the assessment's database work: policy versions in ``policy_versions.py``; the
quarter's life (finalise, approve, send back) in ``quarter.py``, appeals in ``appeals.py``,
corrections of an approved quarter in ``adjustments.py``; what they share (the period checked
in words, the role on the day, the event log) in ``common.py``.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from gridcase.assessment import rules
from gridcase.assessment.words import joined
from gridcase.cases.errors import CaseError
from gridcase.core import clock, compiled
from gridcase.core.policy import Policy
from gridcase.org.models import Role, Town, User
from gridcase.org.policies import histories_rows, history_query
from gridcase.org.selectors import officers_of_town

from . import facts as facts_mod
from .common import check_month, display_name, last_day, quarter_of_month, shown_name
from .explain import with_explanation, with_stored_explanations
from .models import Adjustment, QuarterAssessment
from .policy_versions import in_force_query, in_force_until, policies_in_force
from .results import AdjustmentLine, OfficerResult, PeriodResult, PolicyRef


def _period_name(months: list[str]) -> str:
    if len(months) == 1:
        return months[0]
    quarter = quarter_of_month(months[0])
    if months == clock.quarter_months(quarter):
        return quarter
    return f"{months[0]}..{months[-1]}"


def _whole_quarter(months: list[str]) -> bool:
    """Whether the months are a quarter's three: its adjustments are paid with it."""
    return months == clock.quarter_months(quarter_of_month(months[0]))


def _check_months(months: Iterable[str]) -> list[str]:
    months = [check_month(m) for m in months]
    if not months:
        raise CaseError("请指定考核月份", {"months": ["请指定考核月份"]})
    for earlier, later in zip(months, months[1:], strict=False):
        first = clock.parse_month(earlier)
        expected = clock.month_of(date(first.year + (first.month == 12), first.month % 12 + 1, 1))
        if later != expected:
            raise CaseError("考核月份应连续且按顺序排列", {"months": ["月份应连续"]})
    return months


# ---------------------------------------------------------------- the result


@dataclass(frozen=True)
class _Officer:
    user_id: int
    username: str
    name: str
    villages: tuple[str, ...]
    # (active_from, active_until) of each officer role in the town
    spans: tuple[tuple[date | None, date | None], ...]

    def active_in(self, month: str) -> bool:
        first, last = clock.parse_month(month), last_day(month)
        return any(
            (start is None or start <= last) and (end is None or end >= first)
            for start, end in self.spans
        )


def _officers(town: Town, first: date, last: date, with_cases: set[int]) -> list[_Officer]:
    """The officers active in [first, last] (in the usual order: village, user), then those
    who have cases or adjustments in the period but are no longer active."""
    found: dict[int, dict] = {}
    # Plain values, not a model instance per role, user and village (a province's quarter
    # reads 100,000 officers).
    roles = compiled.read(_officers_query(town, first, last))
    for user_id, username, shown, village, active_from, active_until in roles:
        entry = found.setdefault(
            user_id, {"user": (username, shown_name(shown, username)), "villages": [], "spans": []}
        )
        if village and village not in entry["villages"]:
            entry["villages"].append(village)
        entry["spans"].append((active_from, active_until))
    active_ids = set(found)
    missing = with_cases - active_ids
    if missing:
        # Officers who left (or whose account was closed) keep their month's pay: they appear
        # in the months where they have cases, with the village of one of their roles.
        roles = (
            Role.objects.filter(town_id=town.id, kind=Role.Kind.OFFICER, user_id__in=missing)
            .select_related("user", "village")
            .order_by("village__name", "user__username")
        )
        for role in roles:
            user = (role.user.username, display_name(role.user))
            entry = found.setdefault(role.user_id, {"user": user, "villages": [], "spans": []})
            if role.village and not entry["villages"]:
                entry["villages"].append(role.village.name)
        for user in User.objects.filter(pk__in=missing - set(found)).order_by("username"):
            found[user.pk] = {
                "user": (user.username, display_name(user)),
                "villages": [],
                "spans": [],
            }
    result = []
    for user_id, entry in found.items():
        username, name = entry["user"]
        spans = tuple(entry["spans"]) if user_id in active_ids else ()
        result.append(_Officer(user_id, username, name, tuple(entry["villages"]), spans))
    return result


def _officers_query(town: Town, first: date, last: date) -> compiled.Query:
    return compiled.query(_officer_roles, town.id, first, last)


def _officer_roles(town_id: int, first: date, last: date):
    return officers_of_town(town_id, first, last).values_list(
        "user_id",
        "user__username",
        "user__display_name",
        "village__name",
        "active_from",
        "active_until",
    )


def _with_appeal_notes(month: rules.MonthResult, notes: dict) -> rules.MonthResult:
    if not notes:
        return month
    cases = []
    changed = False
    for case in month.cases:
        note = notes.get(case.case_no)
        if note is None:
            cases.append(case)
            continue
        changed = True
        # The appeal's note after the rules' reason (in words, for the reader's language).
        words = joined([case.shown, note.words()]) if case.reason else note.words()
        cases.append(replace(case, reason=words.zh, words=words))
    return replace(month, cases=tuple(cases)) if changed else month


def _adjustments(town: Town, quarter: str) -> dict[int, list[AdjustmentLine]]:
    lines: dict[int, list[AdjustmentLine]] = {}
    for officer_id, corrected, amount, reason in compiled.read(_adjustments_query(town, quarter)):
        lines.setdefault(officer_id, []).append(
            AdjustmentLine(corrected, Decimal(amount).quantize(Decimal("0.01")), reason)
        )
    return lines


def _adjustments_query(town: Town, quarter: str) -> compiled.Query:
    return compiled.query(_adjustment_rows, town.id, quarter)


def _adjustment_rows(town_id: int, quarter: str):
    return (
        Adjustment.objects.filter(town_id=town_id, applies_to=quarter)
        .order_by("created_at", "id")
        .values_list("officer_id", "quarter", "amount", "reason")
    )


def _towns_with_adjustments(quarter: str) -> set[int]:
    """The towns with adjustments paid in ``quarter``, in one query (for a run)."""
    rows = Adjustment.objects.filter(applies_to=quarter).order_by()
    return set(rows.values_list("town_id", flat=True).distinct())


@contextlib.contextmanager
def without_cycle_collection() -> Iterator[None]:
    """A town's assessment makes some ten objects per case (facts, judgements, results) and
    frees them by reference counting, but Python's cycle collector walks the young ones again
    and again as they are made: a quarter of the time. Paused for the town; left on if another
    thread had paused it (the one that paused it turns it back on)."""
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _live(
    town: Town, months: list[str], policy: Policy | None, today: date, adjustments: bool
) -> PeriodResult:
    with without_cycle_collection():
        return _live_result(town, months, policy, today, adjustments)


def _live_result(
    town: Town, months: list[str], policy: Policy | None, today: date, adjustments: bool
) -> PeriodResult:
    quarter = _period_name(months) if adjustments else ""
    first, last = clock.parse_month(months[0]), last_day(months[-1])
    # The small queries below in one round trip, before the cases' (facts.town_facts).
    small = [
        *([] if policy else [in_force_query(town, months)]),
        *facts_mod.others_queries(town, months),
        *([_adjustments_query(town, quarter)] if adjustments else []),
        _officers_query(town, first, last),
    ]
    with compiled.together(small):
        policies = {m: policy for m in months} if policy else policies_in_force(town, months)
        facts = facts_mod.town_facts(town, months, dates=False)
        extra = _adjustments(town, quarter) if adjustments else {}
        officers = _officers(town, first, last, facts.officers() | set(extra))
    results = []
    for officer in officers:
        month_results = []
        for month in months:
            cases = facts.kinded.get((officer.user_id, month))
            if cases is None and not officer.active_in(month):
                continue
            result = rules.assess_kinds(cases or [], policies[month], today=today, month=month)
            result = with_explanation(result, policies[month])
            if (officer.user_id, month) in facts.noted:
                result = _with_appeal_notes(result, facts.appeals)
            month_results.append(result)
        lines = tuple(extra.get(officer.user_id, ()))
        if month_results or lines:
            results.append(
                OfficerResult(
                    officer_id=officer.user_id,
                    username=officer.username,
                    officer=officer.name,
                    village="、".join(officer.villages),
                    months=tuple(month_results),
                    adjustments=lines,
                )
            )
    # A month not yet over may still receive cases: its figures are provisional too.
    provisional = today <= last_day(months[-1]) or any(
        m.provisional for o in results for m in o.months
    )
    last = policies[months[-1]]
    return PeriodResult(
        town_id=town.id,
        town=town.name,
        period=_period_name(months),
        months=tuple(months),
        policy=PolicyRef(last.code, last.name),
        month_policies={m: PolicyRef(p.code, p.name) for m, p in policies.items()},
        provisional=provisional,
        officers=tuple(results),
        what_if=policy is not None,
        as_of=today.isoformat(),
    )


def _merge(parts: list[PeriodResult], months: list[str], town: Town) -> PeriodResult:
    """Months from several sources (snapshots of finalised quarters, live figures) as one."""
    order: list[int] = []
    merged: dict[int, OfficerResult] = {}
    for part in parts:
        for o in part.officers:
            if o.officer_id not in merged:
                order.append(o.officer_id)
                merged[o.officer_id] = o
            else:
                merged[o.officer_id] = replace(
                    merged[o.officer_id], months=merged[o.officer_id].months + o.months
                )
    officers = tuple(
        replace(o, months=tuple(sorted(o.months, key=lambda m: m.month)))
        for o in (merged[i] for i in order)
    )
    policies = {}
    for part in parts:
        policies.update(part.month_policies)
    policies = {m: policies[m] for m in months}
    statuses = {p.status for p in parts}
    return PeriodResult(
        town_id=town.id,
        town=town.name,
        period=_period_name(months),
        months=tuple(months),
        policy=policies[months[-1]],
        month_policies=policies,
        provisional=any(p.provisional for p in parts),
        officers=officers,
        status=statuses.pop() if len(statuses) == 1 else "draft",
        as_of=max(p.as_of for p in parts),
    )


def assess_period(
    *,
    town: Town,
    months: list[str],
    policy: Policy | None = None,
    today: date | None = None,
    live: bool = False,
) -> PeriodResult:
    """Every officer's pay for the months (contiguous "YYYY-MM"), every case explained.

    Each month uses the policy version in force on its first day, unless ``policy`` is given
    (a what-if: nothing is stored). Months of a finalised quarter come from its snapshot unless
    ``policy`` or ``live`` is given. A full quarter also carries the adjustments of earlier
    quarters paid in it. ``today`` (the town's local date) decides what is late or pending.
    A handful of queries, however many cases and officers.
    """
    months = _check_months(months)
    today = today or clock.today(town.timezone)
    quarters = list(dict.fromkeys(quarter_of_month(m) for m in months))
    whole_quarter = _whole_quarter(months)
    frozen: dict[str, tuple[str, dict]] = {}
    if policy is None and not live:
        frozen = {
            quarter: (status, snapshot)
            for quarter, status, snapshot in compiled.rows(_frozen, town.id, tuple(quarters))
        }
    if not frozen:
        return _live(town, months, policy, today, adjustments=whole_quarter)
    parts = []
    live_months = [m for m in months if quarter_of_month(m) not in frozen]
    for quarter, (status, snapshot) in frozen.items():
        snap = PeriodResult.from_snapshot(snapshot, status=status)
        # A quarter finalised before the explanation existed: its months put into words.
        snap = with_stored_explanations(
            snap, lambda snap=snap: policies_in_force(town, list(snap.months))
        )
        wanted = [m for m in months if m in snap.months]
        parts.append(snap if whole_quarter else snap.restricted_to(wanted, period=quarter))
    if whole_quarter:
        return parts[0]
    if live_months:
        parts.append(_live(town, live_months, None, today, adjustments=False))
    return _merge(parts, months, town)


def _snapshotted(quarters: Iterable[str]):
    """The quarters of ``quarters`` read from their snapshot: finalised (or further), every
    town's."""
    return QuarterAssessment.objects.filter(quarter__in=quarters).exclude(
        status=QuarterAssessment.Status.DRAFT
    )


def _frozen(town_id: int, quarters: tuple[str, ...]):
    """The town's quarters of ``quarters`` that are finalised (or further): each one's
    status and snapshot."""
    return (
        _snapshotted(quarters).filter(town_id=town_id).values_list("quarter", "status", "snapshot")
    )


def run_assessor(months: list[str], today: date | None = None) -> Callable[[Town], PeriodResult]:
    """``assess_period`` of the months for one town after another, as a run of many towns
    (a county, a province) asks it: which towns have a quarter of the months finalised is
    asked once for the run, not once for each town. The others are assessed live straight
    away (``live=True``, the same result for a town without a snapshot): the query a town
    saves was a round trip of its own, some 0.3 ms of a small town's 20 (bench/README.md).
    What the run found when it began holds for it: a quarter finalised during the run is
    read live, as it was when the run began. So are the policy's versions, the appeals and
    the adjustments (``_run_answers``)."""
    months = _check_months(months)
    quarters = {quarter_of_month(m) for m in months}
    frozen = set(_snapshotted(quarters).order_by().values_list("town_id", flat=True))
    answers = _run_answers(months)

    def assess(town: Town) -> PeriodResult:
        live = town.id not in frozen
        with compiled.answered(answers(town)):
            return assess_period(town=town, months=months, today=today, live=live)

    return assess


def _run_answers(months: list[str]) -> Callable[[Town], dict[compiled.Query, list]]:
    """What a run of many towns reads once for all of them, as the answers to each town's
    own queries (``compiled.answered``): every town's policy versions, and which towns have
    an accepted appeal with a correction or an adjustment in the months (most have none: for
    them, the answer is no rows). Three queries for the run instead of three a town, each a
    small part of a small town's time beside its cases (bench/README.md). As with the
    finalised quarters (run_assessor), what the run found when it began holds for it."""
    until = in_force_until(months)
    versions = histories_rows(until)
    appealed = facts_mod.towns_with_appeals(months)
    whole, quarter = _whole_quarter(months), _period_name(months)
    adjusted = _towns_with_adjustments(quarter) if whole else set()

    def answers(town: Town) -> dict[compiled.Query, list]:
        known: dict[compiled.Query, list] = {history_query(town, until): versions.get(town.id, [])}
        if town.id not in appealed:
            known[facts_mod.appeals_query(town, months)] = []
        if whole and town.id not in adjusted:
            known[_adjustments_query(town, quarter)] = []
        return known

    return answers


def assess_county(
    *, months: list[str], today: date | None = None, towns: Iterable[Town] | None = None
) -> Iterator[PeriodResult]:
    """Each town's result in turn, so that memory is bounded by the largest town."""
    assess = run_assessor(months, today)
    for town in towns if towns is not None else Town.objects.order_by("name"):
        yield assess(town)
