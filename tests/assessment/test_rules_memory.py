"""The judgements assess_month remembers (rules._JUDGED) are the ones it would make afresh:
for another policy, another day or another fact, it judges again. Pure: no database."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given

from gridcase.assessment import rules
from tests.assessment.test_rules import CHANGTANG, OCTOBER, case
from tests.assessment.test_rules_properties import months, policies, todays
from tests.threads import failures_at_once


def _statuses(facts, policy, today):
    result = rules.assess_month(facts, policy, today=today, month=OCTOBER)
    return [(c.status, c.reason) for c in result.cases]


def _afresh(facts, policy, today):
    rules._JUDGED.clear()
    return _statuses(facts, policy, today)


def test_a_remembered_judgement_is_the_one_made_afresh_for_each_policy_and_day():
    late_accepted = case(1, accepted_on=date(2026, 10, 14))  # accept_due 10-12
    open_case = case(2, outcome=None)
    excluding = replace(CHANGTANG, late_acceptance_excludes=True)
    other_categories = replace(CHANGTANG, categories=("security_hazard",))
    facts = [late_accepted, open_case]
    runs = [
        (CHANGTANG, date(2026, 11, 20)),
        (excluding, date(2026, 11, 20)),
        (other_categories, date(2026, 11, 20)),
        (CHANGTANG, date(2026, 10, 16)),  # before the deadline: the open case is pending
    ]
    remembered = [_statuses(facts, policy, today) for policy, today in runs]
    assert remembered == [_afresh(facts, policy, today) for policy, today in runs]
    # The runs differ, so the memory was not answering one for another.
    assert len({tuple(r) for r in remembered}) == len(runs)
    assert remembered[1][0][0] == "late"  # the town excludes late acceptances
    assert remembered[2][0][0] == "not_counted"
    assert remembered[3][1][0] == "pending"


def test_a_kind_keeps_its_last_judgement_only_for_the_memory_that_gave_it():
    # One kind (as a town's cases share it) read under each policy and day in turn, back and
    # forth: each time the month a fresh process makes of its own fact.
    facts = [case(1, accepted_on=date(2026, 10, 14)), case(2, outcome=None)]
    kinds = [rules.Kind(fact) for fact in facts]
    excluding = replace(CHANGTANG, late_acceptance_excludes=True)
    runs = [
        (CHANGTANG, date(2026, 11, 20)),
        (excluding, date(2026, 11, 20)),
        (CHANGTANG, date(2026, 10, 16)),
        (CHANGTANG, date(2026, 11, 20)),
    ]
    for policy, today in runs * 2:
        month = rules.assess_kinds(
            [(fact.case_no, kind) for fact, kind in zip(facts, kinds, strict=True)],
            policy,
            today=today,
            month=OCTOBER,
        )
        assert [(c.status, c.reason) for c in month.cases] == _afresh(facts, policy, today)
        assert all(kind.judged.judgement is not None for kind in kinds)


def test_the_memory_is_bounded(monkeypatch):
    monkeypatch.setattr(rules, "_JUDGED_MAX", 100)
    rules._JUDGED.clear()
    for n in range(rules._JUDGED_MAX + 10):
        rules.assess_month(
            [case(1, quality_note=str(n), quality="nonconforming")],
            CHANGTANG,
            today=date(2026, 11, 20),
            month=OCTOBER,
        )
    assert 0 < len(rules._JUDGED) <= rules._JUDGED_MAX


# --- the constructors without a frozen dataclass's __init__ ---------------------------------


def _fields(fact):
    return {name: getattr(fact, name) for name in rules.CaseFact.__dataclass_fields__}


def test_a_built_fact_is_the_fact_the_constructor_makes():
    for fact in (case(1), case(2, outcome=None), case(3, quality="nonconforming")):
        built = rules.CaseFact.built(_fields(fact))
        assert built == fact
        assert hash(built) == hash(fact)
        assert replace(built, case_no="X") == replace(fact, case_no="X")


def test_a_built_fact_with_a_wrong_value_is_refused_with_its_number():
    rules._CHECKED_KINDS.clear()
    good = _fields(case(1))
    rules.CaseFact.built(dict(good))  # this combination is now checked
    for field, value in (("quality", "good"), ("source", "fax"), ("outcome_on", None)):
        with pytest.raises(ValueError, match=f"{good['case_no']}.*{field}"):
            rules.CaseFact.built({**good, field: value})


def test_a_made_result_is_the_result_the_constructor_makes():
    args = ("N1", "dispute", "excess", Decimal("20.00"), "四.2", "closed", True, None)
    made = rules.CaseResult.made(*args)
    assert made == rules.CaseResult(*args)
    assert made.as_dict() == rules.CaseResult(*args).as_dict()
    assert (made.outcome, made.uncapped, made.shown) == ("closed", True, "四.2")


@given(policies(), months(max_size=24), todays)
def test_a_month_assessed_with_the_memories_is_the_month_assessed_afresh(policy, facts, today):
    """The judgements and the excess cases' words remembered from earlier months (any policy,
    any day) give the month that a fresh process would."""
    remembered = rules.assess_month(facts, policy, today=today, month=OCTOBER)
    rules._JUDGED.clear()
    rules._EXCESS_RESULTS.clear()
    afresh = rules.assess_month(facts, policy, today=today, month=OCTOBER)
    assert remembered == afresh
    assert [c.words for c in remembered.cases] == [c.words for c in afresh.cases]


def test_threads_filling_the_memory_at_once_do_not_trip_over_each_other(monkeypatch):
    # A web process's threads assess at once; when the memory is full one drops its older
    # half while the others look judgements up and add theirs.
    monkeypatch.setattr(rules, "_JUDGED_MAX", 8)
    rules._JUDGED.clear()

    def work(offset):
        for n in range(1500):
            note = str(offset * 10_000 + n)
            rules.assess_month(
                [case(1, quality_note=note, quality="nonconforming")],
                CHANGTANG,
                today=date(2026, 11, 20),
                month=OCTOBER,
            )

    assert failures_at_once(work) == []
    assert 0 < len(rules._JUDGED[next(iter(rules._JUDGED))]) <= rules._JUDGED_MAX


def _results(facts, kinds, policy, today):
    month = rules.assess_kinds(
        [(fact.case_no, kind) for fact, kind in zip(facts, kinds, strict=True)],
        policy,
        today=today,
        month=OCTOBER,
    )
    return [(c.status, str(c.amount), c.reason, c.uncapped) for c in month.cases]


def test_a_kind_keeps_what_its_results_share_only_for_the_policy_that_gave_it():
    # The same kinds read under two policies that judge alike but differ in which cases are
    # outside the cap: each time the results a fresh process gives (Kind.uncapped and
    # Kind.result are kept with the judgement, so the memory must tell the policies apart).
    major = [case(n, major=True) for n in range(1, 21)]
    kinds = [rules.Kind(fact) for fact in major]
    capped = replace(CHANGTANG, uncapped=())
    assert CHANGTANG.is_uncapped("dispute", True) and not capped.is_uncapped("dispute", True)
    today = date(2026, 11, 20)
    for policy in [CHANGTANG, capped, CHANGTANG, capped]:
        kept = _results(major, kinds, policy, today)
        rules._JUDGED.clear()
        fresh = _results(major, [rules.Kind(fact) for fact in major], policy, today)
        assert kept == fresh
    assert _results(major, kinds, CHANGTANG, today) != _results(major, kinds, capped, today)


def test_threads_under_two_policies_never_read_one_policys_results_for_the_other():
    # A web process's threads share the kinds (facts._KINDS): a kind's judgement and what its
    # results share are written and read in one piece (Kind.judged), so that a thread never
    # reads another policy's results with its own judgement.
    major = [case(n, major=True) for n in range(1, 21)]
    kinds = [rules.Kind(fact) for fact in major]
    capped = replace(CHANGTANG, uncapped=())
    today = date(2026, 11, 20)
    expected = {}
    for policy in (CHANGTANG, capped):
        rules._JUDGED.clear()
        expected[policy] = _results(major, [rules.Kind(fact) for fact in major], policy, today)
    assert expected[CHANGTANG] != expected[capped]

    def work(i):
        policy = (CHANGTANG, capped)[i % 2]
        for _ in range(300):
            found = _results(major, kinds, policy, today)
            assert found == expected[policy], i

    assert failures_at_once(work) == []
