"""A month's results kept as columns (rules.CaseResults) read as the tuple of CaseResult
values they stand for: the same results, equal to and hashed as that tuple, made once, and
copied or pickled as a plain tuple. Pure: no database."""

import copy
import pickle
from dataclasses import replace
from datetime import date

import pytest

from gridcase.assessment import rules
from tests.assessment.test_rules import CHANGTANG, OCTOBER, case

TODAY = date(2026, 11, 20)


def _month(count=12):
    facts = [case(n) for n in range(1, count + 1)]
    facts.append(case(count + 1, outcome=None))  # pending or late: a result of its own
    kinded = [(fact.case_no, rules.Kind(fact)) for fact in facts]
    return facts, rules.assess_kinds(kinded, CHANGTANG, today=TODAY, month=OCTOBER)


def test_the_columns_are_the_results_each_case_would_have():
    facts, month = _month()
    assert isinstance(month.cases, rules.CaseResults)
    assert len(month.cases) == len(facts)
    made = month.cases.made()
    assert [c.case_no for c in made] == [f.case_no for f in facts]
    # The quota's cases, then those beyond it, as CaseResult's own constructor makes them.
    first = made[0]
    assert first == rules.CaseResult(
        case_no=facts[0].case_no,
        category=first.category,
        status="quota",
        amount=first.amount,
        reason=first.reason,
        outcome=first.outcome,
        uncapped=first.uncapped,
        words=first.words,
    )
    assert {c.status for c in made} >= {"quota", "excess"}
    # Two results sharing their judgement's fields do not share a number.
    assert made[0].case_no != made[1].case_no and made[0].status == made[1].status


def test_read_once_the_same_objects_every_time():
    _, month = _month()
    assert month.cases[0] is month.cases[0]
    assert list(month.cases) == list(month.cases.made())
    assert month.cases[1:3] == month.cases.made()[1:3]
    assert month.split is not None and month.split.of(month)


def test_equal_to_and_hashed_as_the_tuple():
    _, month = _month()
    as_tuple = replace(month, cases=tuple(month.cases))
    assert month == as_tuple and as_tuple == month
    assert hash(month) == hash(as_tuple)
    assert month.cases == tuple(month.cases) and tuple(month.cases) == month.cases
    assert month.cases != list(month.cases)  # as a tuple is not equal to a list
    _, other = _month(count=11)
    assert month.cases != other.cases


def test_copied_and_pickled_as_a_tuple():
    _, month = _month()
    for copied in (
        copy.deepcopy(month.cases),
        pickle.loads(pickle.dumps(month.cases)),
        copy.copy(month.cases),
    ):
        assert type(copied) is tuple and copied == month.cases


def test_an_empty_month_and_a_caller_list_that_changes():
    empty = rules.assess_kinds([], CHANGTANG, today=TODAY, month=OCTOBER)
    assert len(empty.cases) == 0 and empty.cases == () and list(empty.cases) == []
    facts = [case(1), case(2)]
    kinded = [(fact.case_no, rules.Kind(fact)) for fact in facts]
    month = rules.assess_kinds(kinded, CHANGTANG, today=TODAY, month=OCTOBER)
    kinded.clear()  # the results keep their own copy of the cases
    assert [c.case_no for c in month.cases] == [f.case_no for f in facts]


def test_a_number_for_each_shared_field():
    with pytest.raises(ValueError):
        rules.CaseResults((("A-1", rules.Kind(case(1))),), [])
