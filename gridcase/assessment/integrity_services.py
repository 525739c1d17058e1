"""Writes of the duplicate check (integrity.md): found pairs recorded as suspects, and the
governance office's decision on each.

Confirming makes the later case a ``duplicate`` of the earlier in the pay rules (it counts for
nothing and says which case it repeats); dismissing keeps the pair from being suggested again.
Either way the decision and the office's reason go on both cases' timelines and on the audit
trail, in one transaction with the change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction

from gridcase.cases.changes import record_event
from gridcase.cases.errors import CaseError, Conflict
from gridcase.cases.models import Case
from gridcase.core import audit, clock
from gridcase.org.models import Role, Town, User

from . import integrity
from .common import at_or_now, require_role, require_text
from .models import SuspectPair

OFFICE = {Role.Kind.GOVERNANCE_OFFICE}


def record_pairs(town: Town, pairs: Iterable[integrity.PeriodPair], at: datetime | None = None):
    """Keep the newly found pairs as ``suspected`` (a pair already kept, whatever its status,
    is left as it is: a dismissed pair stays dismissed)."""
    at = at_or_now(at)
    rows = [
        SuspectPair(
            town=town,
            case_id=pair.case_id,
            similar_to_id=pair.similar_to_id,
            score=Decimal(str(pair.suspicion.score)),
            reasons=list(pair.suspicion.reasons),
            found_at=at,
        )
        for pair in pairs
        if pair.status == SuspectPair.Status.SUSPECTED
    ]
    SuspectPair.objects.bulk_create(rows, ignore_conflicts=True)


def refresh_period(town: Town, since: date, until: date) -> list[integrity.PeriodPair]:
    """Find the period's pairs and keep the new ones: what the office's queue shows."""
    pairs = integrity.find_in_period(town, since, until)
    record_pairs(town, pairs)
    return pairs


def record_for_case(case: Case, at: datetime | None = None) -> int:
    """After a case is submitted: keep the suspects it raises (it is the later case)."""
    found = integrity.check_case(case, at=case.submitted_at)
    pairs = [
        integrity.PeriodPair(
            f.suspicion,
            case.pk if f.suspicion.case == case.number else f.other_id,
            f.other_id if f.suspicion.case == case.number else case.pk,
            SuspectPair.Status.SUSPECTED,
        )
        for f in found
    ]
    record_pairs(case.town, pairs, at)
    return len(pairs)


def _decide(pair: SuspectPair, by: User, status: str, note: str, at: datetime | None):
    at = at_or_now(at)
    town = pair.town
    require_role(
        by,
        town,
        OFFICE,
        "只有镇政法综治办可以确认或排除疑似重复",
        clock.local_date(at, town.timezone),
    )
    before = {"status": pair.status}
    with transaction.atomic():
        updated = SuspectPair.objects.filter(
            pk=pair.pk, version=pair.version, status=SuspectPair.Status.SUSPECTED
        ).update(
            status=status,
            decided_by=by,
            decided_at=at,
            decision_note=note,
            version=pair.version + 1,
        )
        if updated != 1:
            raise Conflict("该疑似重复刚刚已被他人处理,您的操作未执行。请刷新页面查看。")
        pair.refresh_from_db()
        later, earlier = pair.case, pair.similar_to
        if status == SuspectPair.Status.CONFIRMED:
            words = f"综治办确认 {later.number} 与 {earlier.number} 重复: {note}"
            action = "duplicate_confirmed"
        else:
            words = f"综治办排除 {later.number} 与 {earlier.number} 重复" + (
                f": {note}" if note else ""
            )
            action = "duplicate_dismissed"
        data = {"pair": pair.pk, "case": later.number, "similar_to": earlier.number}
        for case in (later, earlier):
            record_event(case=case, action=action, by=by, at=at, note=words, data=data)
        audit.record(
            town=town,
            by=by,
            action="duplicate.confirm"
            if status == SuspectPair.Status.CONFIRMED
            else "duplicate.dismiss",
            obj=("assessment.suspectpair", pair.pk, f"{later.number} ≈ {earlier.number}"),
            before=before,
            after={"status": status, "note": note},
            at=at,
        )
    return pair


def confirm(pair: SuspectPair, *, by: User, reason: str, at: datetime | None = None):
    """The office confirms: the later case becomes a duplicate of the earlier (with a reason)."""
    return _decide(
        pair, by, SuspectPair.Status.CONFIRMED, require_text(reason, "reason", "确认理由"), at
    )


def dismiss(pair: SuspectPair, *, by: User, reason: str = "", at: datetime | None = None):
    """The office dismisses: never suggested again for this pair."""
    return _decide(pair, by, SuspectPair.Status.DISMISSED, (reason or "").strip(), at)


def pair_for(town: Town, later: Case, earlier: Case, at: datetime | None = None) -> SuspectPair:
    """The kept pair of two cases (later first), keeping it now if the period's search found it
    but nobody had kept it yet: what the office decides on from the queue."""
    existing = SuspectPair.objects.filter(case=later, similar_to=earlier).first()
    if existing is not None:
        return existing
    found = integrity.compare_cases(later, earlier)
    if found is None or found.case != later.number:
        raise CaseError("这两起事件不构成疑似重复", {"pair": ["不是疑似重复"]})
    SuspectPair.objects.get_or_create(
        case=later,
        similar_to=earlier,
        defaults={
            "town": town,
            "score": Decimal(str(found.score)),
            "reasons": list(found.reasons),
            "found_at": at_or_now(at),
        },
    )
    return SuspectPair.objects.select_related("town", "case", "similar_to").get(
        case=later, similar_to=earlier
    )
