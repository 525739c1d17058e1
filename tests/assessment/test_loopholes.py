"""Loopholes an audit found in the pay rules (assessment.md, "Which cases count", 3 and 4),
each reproduced with real cases made through the services."""

from datetime import date

import pytest

from gridcase.assessment import facts
from gridcase.assessment.rules import case_status
from gridcase.cases import services
from gridcase.core.policy import default_policy
from tests.assessment.builders import submitted
from tests.factories import local

NOV = "2026-11"


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(local(2027, 3, 1, 9), tick=False)


def only_fact(t, month=NOV):
    [(_, [fact])] = facts.town_facts(t.town, [month]).by_officer_month.items()
    return fact


def test_a_late_escalation_stays_late_after_the_town_center_returns_it(t):
    # Due 11-09, escalated 11-12, returned by the town center 11-13, closed by the village
    # 11-16: late at its deadline, and nothing after that makes it an on-time case.
    case = submitted(t, local(2026, 11, 2, 9))
    services.case_accept(case=case, by=t.officer, at=local(2026, 11, 2, 10))
    assert case.local_due == date(2026, 11, 9)
    services.case_escalate(case=case, by=t.officer, note="需村站协调", at=local(2026, 11, 12, 9))
    services.case_accept(case=case, by=t.station_user, at=local(2026, 11, 12, 10))
    services.case_escalate(
        case=case, by=t.station_user, note="村级无法处理", at=local(2026, 11, 12, 11)
    )
    services.case_return(
        case=case, by=t.center_user, reason="村级可处理", at=local(2026, 11, 13, 9)
    )
    # The village still gets its new period to act in (the deadline its handlers see) ...
    assert case.handle_due == date(2026, 11, 20)
    services.case_close(
        case=case, by=t.station_user, data={"result": "村站已处理"}, at=local(2026, 11, 16, 9)
    )
    # ... but the assessment keeps the deadline the case first missed.
    fact = only_fact(t)
    assert fact.local_due == date(2026, 11, 9)
    status, reason = case_status(fact, default_policy(), date(2027, 3, 1))
    assert status == "late"
    assert "2026-11-09" in reason


def test_an_on_time_escalation_returned_still_gives_the_village_a_new_period(t):
    case = submitted(t, local(2026, 11, 2, 9))
    services.case_accept(case=case, by=t.officer, at=local(2026, 11, 2, 10))
    services.case_escalate(case=case, by=t.officer, note="需村站协调", at=local(2026, 11, 3, 9))
    services.case_accept(case=case, by=t.station_user, at=local(2026, 11, 3, 10))
    services.case_escalate(
        case=case, by=t.station_user, note="村级无法处理", at=local(2026, 11, 3, 11)
    )
    services.case_return(
        case=case, by=t.center_user, reason="村级可处理", at=local(2026, 11, 13, 9)
    )
    assert (case.local_due, case.handle_due) == (date(2026, 11, 20), date(2026, 11, 20))
    services.case_close(
        case=case, by=t.station_user, data={"result": "村站已处理"}, at=local(2026, 11, 16, 9)
    )
    status, _ = case_status(only_fact(t), default_policy(), date(2027, 3, 1))
    assert status == "counted"


def test_after_a_late_return_the_new_period_follows_the_case_between_grid_and_village(t):
    case = submitted(t, local(2026, 11, 2, 9))
    services.case_accept(case=case, by=t.officer, at=local(2026, 11, 2, 10))
    services.case_escalate(case=case, by=t.officer, note="需村站协调", at=local(2026, 11, 12, 9))
    services.case_accept(case=case, by=t.station_user, at=local(2026, 11, 12, 10))
    services.case_escalate(
        case=case, by=t.station_user, note="村级无法处理", at=local(2026, 11, 12, 11)
    )
    services.case_return(
        case=case, by=t.center_user, reason="村级可处理", at=local(2026, 11, 13, 9)
    )
    services.case_return(
        case=case, by=t.station_user, reason="请网格员处理", at=local(2026, 11, 13, 10)
    )
    assert (case.level, case.handle_due) == ("grid", date(2026, 11, 20))
    services.case_escalate(case=case, by=t.officer, note="仍需村站协调", at=local(2026, 11, 16, 9))
    services.case_accept(case=case, by=t.station_user, at=local(2026, 11, 16, 10))
    assert (case.level, case.handle_due, case.local_due) == (
        "village",
        date(2026, 11, 20),
        date(2026, 11, 9),
    )
