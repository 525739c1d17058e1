"""Invariants of the pay rules, over many generated months and policies (hypothesis)."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from gridcase.assessment.rules import CaseFact, Kind, assess_kinds, assess_month, dates_read
from gridcase.core.policy import CATEGORIES, default_policy

CHANGTANG = default_policy()
MONTH_START = datetime(2026, 10, 1, tzinfo=UTC)
DUE = date(2026, 10, 20)

amounts = st.sampled_from([Decimal(x) for x in ("0", "5", "10", "12.35", "20", "25")])


@st.composite
def policies(draw):
    monthly_amount = draw(st.sampled_from([Decimal(100), Decimal(150), Decimal("99.50")]))
    return replace(
        CHANGTANG,
        categories=tuple(
            draw(st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=5, unique=True))
        ),
        late_acceptance_excludes=draw(st.booleans()),
        late_escalation_counts=draw(st.booleans()),
        monthly_amount=monthly_amount,
        per_missing=draw(amounts),
        max_deduction=draw(st.sampled_from([Decimal(0), Decimal(80), monthly_amount])),
        quota=draw(st.integers(0, 10)),
        nonconforming=draw(st.sampled_from(["deduct_each", "count_as_missing"])),
        per_closed=draw(amounts),
        per_escalated=draw(amounts),
        monthly_cap=draw(
            st.sampled_from([Decimal(0), Decimal(30), Decimal("45.50"), Decimal(200)])
        ),
        uncapped=tuple(
            draw(
                st.lists(
                    st.sampled_from([f"{c}:major" for c in CATEGORIES]), max_size=5, unique=True
                )
            )
        ),
        allocation=draw(st.sampled_from(["worker_favorable", "chronological"])),
    )


def days(n: int) -> timedelta:
    return timedelta(days=n)


@st.composite
def facts(draw, n: int, *, on_time_counted: bool = False):
    """Case number n of a month: anything at all, or one that counts for sure."""
    accept_due = DUE - days(5)
    if on_time_counted:
        category = draw(st.sampled_from(["dispute", "security_hazard", "livelihood_service"]))
        voided, missing = False, ()
        quality = draw(st.sampled_from(["", "conforming"]))
        outcome = draw(st.sampled_from(["closed", "escalated"]))
        accepted_on = accept_due - days(draw(st.integers(0, 3)))
        local_due = DUE
        outcome_on = DUE - days(draw(st.integers(0, 5)))
    else:
        category = draw(st.sampled_from(CATEGORIES))
        voided = draw(st.sampled_from([False, False, False, True]))
        missing = draw(st.sampled_from([(), (), ("当事人联系电话",), ("起因", "经过")]))
        quality = draw(st.sampled_from(["", "", "conforming", "nonconforming"]))
        outcome = draw(st.sampled_from(["closed", "escalated", None]))
        accepted_on = draw(st.sampled_from([None, *(accept_due + days(d) for d in range(-3, 4))]))
        local_due = draw(st.sampled_from([DUE, DUE, DUE, None]))
        outcome_on = DUE + days(draw(st.integers(-5, 3))) if outcome else None
    return CaseFact(
        case_no=f"P-{n:03d}",
        category=category,
        major=draw(st.booleans()),
        submitted_at=MONTH_START + timedelta(hours=draw(st.integers(0, 30 * 24))),
        voided=voided,
        missing=missing,
        quality=quality,
        quality_note="",
        accept_due=accept_due,
        accepted_on=accepted_on,
        local_due=local_due,
        outcome=outcome,
        outcome_on=outcome_on,
    )


@st.composite
def months(draw, max_size: int = 16):
    size = draw(st.integers(0, max_size))
    return [draw(facts(n)) for n in range(size)]


todays = st.sampled_from([DUE - days(2), DUE, DUE + days(1), DUE + days(30)])


@given(policies(), months(), todays)
def test_base_pay_is_between_its_floor_and_the_monthly_amount(policy, month, today):
    result = assess_month(month, policy, today=today, month="2026-10")
    assert policy.monthly_amount - policy.max_deduction <= result.base_pay <= policy.monthly_amount
    assert result.base_pay == policy.monthly_amount - result.deduction


@given(policies(), months(), todays)
def test_the_bonus_of_capped_cases_never_exceeds_the_cap(policy, month, today):
    result = assess_month(month, policy, today=today, month="2026-10")
    facts_by_no = {f.case_no: f for f in month}
    capped = sum(
        (
            c.amount
            for c in result.cases
            if c.status == "excess"
            and not policy.is_uncapped(c.category, facts_by_no[c.case_no].major)
        ),
        Decimal(0),
    )
    assert capped <= policy.monthly_cap


@given(policies(), months(), todays)
def test_the_case_amounts_add_up_to_the_bonus_and_the_total_to_base_plus_bonus(
    policy, month, today
):
    result = assess_month(month, policy, today=today, month="2026-10")
    assert sum((c.amount for c in result.cases), Decimal(0)) == result.bonus
    assert result.total == result.base_pay + result.bonus
    assert all(c.amount >= 0 for c in result.cases)
    assert all(c.amount == 0 for c in result.cases if c.status != "excess")
    for figure in (result.base_pay, result.deduction, result.bonus, result.total):
        assert figure == figure.quantize(Decimal("0.01"))


@given(policies(), months(), todays)
def test_the_counts_match_the_statuses(policy, month, today):
    result = assess_month(month, policy, today=today, month="2026-10")
    statuses = [c.status for c in result.cases]
    assert len(statuses) == len(month)
    assert result.counted == statuses.count("quota") + statuses.count("excess")
    assert statuses.count("quota") == min(result.counted, policy.quota)
    assert result.nonconforming == statuses.count("nonconforming")
    assert result.late == statuses.count("late")
    assert result.pending == statuses.count("pending")
    if result.pending:
        assert result.provisional
    assert [c.case_no for c in result.cases] == [
        f.case_no for f in sorted(month, key=lambda f: (f.submitted_at, f.case_no))
    ]


@given(policies(), months(), todays, st.data())
def test_one_more_on_time_counted_case_never_lowers_the_pay(policy, month, today, data):
    extra = data.draw(facts(len(month), on_time_counted=True))
    counting = tuple(dict.fromkeys((*policy.categories, extra.category)))
    policy = replace(policy, categories=counting)
    before = assess_month(month, policy, today=today, month="2026-10")
    after = assess_month([*month, extra], policy, today=today, month="2026-10")
    assert [c.status for c in after.cases if c.case_no == extra.case_no][0] in ("quota", "excess")
    assert after.total >= before.total


@given(policies(), months(), todays)
def test_the_favourable_split_pays_at_least_the_chronological_one(policy, month, today):
    favourable = assess_month(
        month, replace(policy, allocation="worker_favorable"), today=today, month="2026-10"
    )
    chronological = assess_month(
        month, replace(policy, allocation="chronological"), today=today, month="2026-10"
    )
    assert favourable.total >= chronological.total
    assert favourable.base_pay == chronological.base_pay


def brute_force_bonus(values, uncapped, excess, cap):
    capped = sum((values[i] for i in excess if not uncapped[i]), Decimal(0))
    free = sum((values[i] for i in excess if uncapped[i]), Decimal(0))
    return min(cap, capped) + free


@st.composite
def mostly_counted_months(draw, max_size: int = 12):
    size = draw(st.integers(0, max_size))
    return [draw(facts(n, on_time_counted=draw(st.integers(0, 3)) > 0)) for n in range(size)]


@settings(max_examples=300)
@given(policies(), mostly_counted_months(), st.integers(0, 6))
def test_the_favourable_split_is_the_best_and_earliest_of_all_splits(policy, month, quota):
    """Against every possible split: the most pay; among those, the earliest quota cases."""
    policy = replace(
        policy,
        allocation="worker_favorable",
        quota=quota,
        categories=("dispute", "security_hazard", "livelihood_service"),
    )
    result = assess_month(month, policy, today=DUE + days(30), month="2026-10")
    facts_by_no = {f.case_no: f for f in month}
    counted = [c for c in result.cases if c.status in ("quota", "excess")]
    values = [
        policy.per_closed if facts_by_no[c.case_no].outcome == "closed" else policy.per_escalated
        for c in counted
    ]
    uncapped = [policy.is_uncapped(c.category, facts_by_no[c.case_no].major) for c in counted]
    beyond = max(0, len(counted) - policy.quota)

    splits = [set(s) for s in combinations(range(len(counted)), beyond)]
    best = max(brute_force_bonus(values, uncapped, s, policy.monthly_cap) for s in splits)
    assert result.bonus == best

    chosen_quota = tuple(i for i, c in enumerate(counted) if c.status == "quota")
    best_quotas = [
        tuple(i for i in range(len(counted)) if i not in s)
        for s in splits
        if brute_force_bonus(values, uncapped, s, policy.monthly_cap) == best
    ]
    assert chosen_quota == min(best_quotas)


@given(policies(), months(), todays, st.data())
def test_cases_read_by_kind_are_assessed_as_their_own_facts(policy, month, today, data):
    # What facts.town_facts gives the rules: each case's number with a fact of its kind —
    # another case's, with another number and time — in submission order. The month must be
    # the one its own facts make, case by case, reasons and amounts included.
    ordered = sorted(month, key=lambda f: (f.submitted_at, f.case_no))
    others = [
        replace(
            fact,
            case_no=f"K-{data.draw(st.integers(0, 999))}",
            submitted_at=MONTH_START + timedelta(minutes=data.draw(st.integers(0, 10**5))),
        )
        for fact in ordered
    ]
    kinded = [(fact.case_no, Kind(other)) for fact, other in zip(ordered, others, strict=True)]
    by_kind = assess_kinds(kinded, policy, today=today, month="2026-10")
    assert by_kind == assess_month(month, policy, today=today, month="2026-10")
    assert [c.words for c in by_kind.cases] == [
        c.words for c in assess_month(month, policy, today=today, month="2026-10").cases
    ]


def near(day):
    """A day near ``day`` (often ``day`` itself), or none."""
    if day is None:
        return st.sampled_from([None, None, DUE - days(1), DUE, DUE + days(1)])
    return st.sampled_from([day, day, day - days(1), day + days(1), day + days(3), None])


def _dates(fact: CaseFact) -> tuple:
    return (fact.accept_due, fact.accepted_on, fact.local_due, fact.outcome_on)


@given(policies(), months(), todays, st.data())
def test_cases_alike_but_for_dates_the_rules_do_not_read_are_assessed_alike(
    policy, month, today, data
):
    # facts.town_facts gives the cases that differ only in dates the rules do not read
    # (dates_read) one fact, the first one's: the month must be the one their own facts make,
    # on any day, reasons and amounts included.
    ordered = sorted(month, key=lambda f: (f.submitted_at, f.case_no))
    others = []
    for fact in ordered:
        other = replace(
            fact,
            accept_due=data.draw(near(fact.accept_due)),
            accepted_on=data.draw(near(fact.accepted_on)),
            local_due=data.draw(near(fact.local_due)),
            outcome_on=data.draw(near(fact.outcome_on).filter(bool)) if fact.outcome else None,
        )
        alike = dates_read(*_dates(other)) == dates_read(*_dates(fact))
        others.append(other if alike else fact)
    kinded = [(fact.case_no, Kind(other)) for fact, other in zip(ordered, others, strict=True)]
    by_kind = assess_kinds(kinded, policy, today=today, month="2026-10")
    own = assess_month(month, policy, today=today, month="2026-10")
    assert by_kind == own
    assert [c.words for c in by_kind.cases] == [c.words for c in own.cases]


def test_dates_read_only_what_is_late_or_open_and_reads_texts_as_dates():
    due, before, after = DUE, DUE - days(3), DUE + days(2)
    # In time: the days are not read.
    assert dates_read(due, before, due, before) == dates_read(after, after, after, due)
    assert dates_read(None, None, None, before) == dates_read(due, None, due, due)
    # Late, or still open: they are.
    assert dates_read(due, after, due, after) != dates_read(due, after + days(1), due, after)
    assert dates_read(due, before, due, None) != dates_read(due, before, after, None)
    assert dates_read(due, None, None, None) != dates_read(after, None, None, None)
    # Acceptance by the outcome's day, as _late_acceptance reads it.
    assert dates_read(due, None, after, before) == dates_read(due, before, after, before)
    for four in [(due, before, due, after), (None, None, due, None), (due, None, None, None)]:
        texts = tuple(None if d is None else d.isoformat() for d in four)
        assert dates_read(*texts) == dates_read(*four)
