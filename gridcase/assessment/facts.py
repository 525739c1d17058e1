"""From a town's case rows to the plain ``rules.CaseFact`` values the pay rules read.

Set-based: one query for every case the town's officers submitted in the period, one for the
accepted appeals that correct some of them. Local dates are counted in the town's time zone, so
a case submitted at 23:30 on 31 October (local) is an October case.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from gridcase.assessment.rules import CaseFact
from gridcase.cases import elements
from gridcase.cases.models import Case, LocalOutcome, State
from gridcase.core import clock
from gridcase.org.models import Town

from .models import Appeal

# The columns the facts are made of: read with .values(), never whole model instances.
FIELDS = (
    "id",
    "number",
    "officer_id",
    "category",
    "major",
    "state",
    "submitted_at",
    "missing_elements",
    "quality",
    "quality_note",
    "first_accept_due",
    "first_accepted_at",
    "local_due",
    "local_outcome",
    "local_outcome_at",
    "escalated_at",
    "closed_at",
    "closed_level",
    "result",
    "mediator",
    "mediation_result",
    "agreement_form",
    "agreement_terms",
)
_LABEL_OF_MESSAGE = {f"缺少{label}": label for label in elements.LABELS.values()}
_OVERRIDE_WORDS = {
    Appeal.Override.CONFORMING: "按质量合格计",
    Appeal.Override.ON_TIME: "按按时结案或上报计",
}


@dataclass(frozen=True)
class AppealNote:
    """An accepted appeal that corrects a case: what it changed, for the case's reason."""

    appeal_id: int
    override: str
    decided_on: date | None
    note: str

    def words(self) -> str:
        when = f" {self.decided_on}" if self.decided_on else ""
        text = f"申诉已采纳{when}: {_OVERRIDE_WORDS.get(self.override, self.override)}"
        return f"{text} ({self.note})" if self.note else text


@dataclass
class TownFacts:
    """The facts of one town's period, grouped for the rules."""

    # (officer_id, "YYYY-MM") -> that officer's cases submitted in that local month
    by_officer_month: dict[tuple[int, str], list[CaseFact]]
    # case number -> the accepted appeal that corrected it
    appeals: dict[str, AppealNote]

    def officers(self) -> set[int]:
        return {officer for officer, _ in self.by_officer_month}


def missing_names(raw: Iterable[Any]) -> list[str]:
    """Chinese names of missing elements from whatever the row holds (field keys, "缺少…"
    messages, or {"field", "message"} pairs from an importer)."""
    names: list[str] = []
    for item in raw or ():
        if isinstance(item, Mapping):
            item = item.get("field") or item.get("message") or ""
        elif isinstance(item, (list, tuple)) and item:
            item = item[0]
        text = str(item).strip()
        if not text:
            continue
        name = elements.LABELS.get(text) or _LABEL_OF_MESSAGE.get(text) or text
        if name not in names:
            names.append(name)
    return names


def _close_missing(row: Mapping[str, Any]) -> list[str]:
    """The close elements a case closed locally lacks (an imported one may; an entered one was
    checked by case_close). Parties are a submit element, so they are not needed here."""
    level = row["closed_level"] or "village"
    pairs = elements.missing_at_close(row, level)
    return [elements.LABELS.get(field, message) for field, message in pairs]


def fact_from_row(row: Mapping[str, Any], tz: str) -> CaseFact:
    """One case's fact from its row values (the FIELDS), dates in the town's zone ``tz``."""
    outcome: str | None = row["local_outcome"] or None
    outcome_at: datetime | None = row["local_outcome_at"]
    if outcome and outcome_at is None:
        # An imported row may lack the derived field; the plain timestamps say the same.
        outcome_at = row["closed_at"] if outcome == LocalOutcome.CLOSED else row["escalated_at"]
    if outcome_at is None:
        outcome = None
    missing = missing_names(row["missing_elements"])
    if outcome == LocalOutcome.CLOSED:
        # An importer may have named them already, perhaps with more words ("协议方式(书面/口头)").
        missing += [n for n in _close_missing(row) if not any(m.startswith(n) for m in missing)]
    accepted = row["first_accepted_at"]
    return CaseFact(
        case_no=row["number"],
        category=row["category"],
        major=bool(row["major"]),
        submitted_at=row["submitted_at"],
        voided=row["state"] == State.VOIDED,
        missing=tuple(missing),
        quality=row["quality"] or "",
        quality_note=row["quality_note"] or "",
        accept_due=row["first_accept_due"],
        accepted_on=clock.local_date(accepted, tz) if accepted else None,
        local_due=row["local_due"],
        outcome=outcome,
        outcome_on=clock.local_date(outcome_at, tz) if outcome_at else None,
    )


def apply_override(fact: CaseFact, override: str) -> CaseFact:
    """The fact as an accepted appeal corrected it."""
    if override == Appeal.Override.CONFORMING:
        return replace(fact, missing=(), quality="conforming", quality_note="")
    if override == Appeal.Override.ON_TIME:
        changes: dict[str, Any] = {}
        if fact.outcome_on and fact.local_due and fact.outcome_on > fact.local_due:
            changes["outcome_on"] = fact.local_due
        if fact.accept_due and fact.accepted_on and fact.accepted_on > fact.accept_due:
            changes["accepted_on"] = fact.accept_due
        return replace(fact, **changes) if changes else fact
    return fact


def period_cases(town: Town, months: list[str]):
    """The town's cases submitted in the months (contiguous, in order): a queryset of dicts."""
    start, _ = clock.month_bounds(months[0], town.timezone)
    _, end = clock.month_bounds(months[-1], town.timezone)
    return Case.objects.filter(
        town_id=town.id, submitted_at__gte=start, submitted_at__lt=end
    ).values(*FIELDS)


def accepted_appeals(town: Town, months: list[str]) -> dict[int, AppealNote]:
    """case id -> the latest accepted appeal with a correction, for the period's cases."""
    start, _ = clock.month_bounds(months[0], town.timezone)
    _, end = clock.month_bounds(months[-1], town.timezone)
    rows = (
        Appeal.objects.filter(
            town_id=town.id,
            status=Appeal.Status.ACCEPTED,
            case__submitted_at__gte=start,
            case__submitted_at__lt=end,
        )
        .exclude(override="")
        .order_by("decided_at", "id")
        .values_list("id", "case_id", "override", "decided_at", "decision_note")
    )
    found: dict[int, AppealNote] = {}
    for appeal_id, case_id, override, decided_at, note in rows:
        decided_on = clock.local_date(decided_at, town.timezone) if decided_at else None
        found[case_id] = AppealNote(appeal_id, override, decided_on, note.strip())
    return found


def town_facts(town: Town, months: list[str]) -> TownFacts:
    """Every case the town's officers submitted in ``months``, as facts: two queries."""
    tz = town.timezone
    wanted = set(months)
    appeals = accepted_appeals(town, months)
    grouped: dict[tuple[int, str], list[CaseFact]] = defaultdict(list)
    notes: dict[str, AppealNote] = {}
    for row in period_cases(town, months).iterator(chunk_size=5000):
        month = clock.month_of(clock.local_date(row["submitted_at"], tz))
        if month not in wanted:
            continue
        fact = fact_from_row(row, tz)
        note = appeals.get(row["id"])
        if note is not None:
            fact = apply_override(fact, note.override)
            notes[fact.case_no] = note
        grouped[(row["officer_id"], month)].append(fact)
    return TownFacts(by_officer_month=dict(grouped), appeals=notes)


def case_fact(case: Case) -> CaseFact:
    """One case's fact, with the correction of an accepted appeal if there is one."""
    tz = case.town.timezone
    row = {name: getattr(case, name) for name in FIELDS if not name.endswith("_id")}
    row["id"], row["officer_id"] = case.pk, case.officer_id
    fact = fact_from_row(row, tz)
    appeal = (
        Appeal.objects.filter(case=case, status=Appeal.Status.ACCEPTED)
        .exclude(override="")
        .order_by("-decided_at", "-id")
        .values_list("override", flat=True)
        .first()
    )
    return apply_override(fact, appeal) if appeal else fact
