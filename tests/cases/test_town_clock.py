"""A town's clock (`TownClock`) built by hand, without a database: domain.md's deadline examples.

The calendar is written out here (Labour Day 2026: 1–5 May closed, Saturday 9 May a make-up
working day, as domain.md's example says) and the policy's deadlines are set here, so each
expected date below can be counted on a wall calendar.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

import pytest

from gridcase.cases import deadlines, workflow
from gridcase.cases.deadlines import TownClock, TownDay, due_kind, due_of
from gridcase.core.policy import default_policy
from gridcase.core.workdays import WorkCalendar
from gridcase.org.models import Town

# Nothing here touches the database: no `db` fixture, no django_db mark.
pytestmark: list = []

LABOUR_DAY_2026 = WorkCalendar(
    holidays=frozenset(date(2026, 5, d) for d in range(1, 6)),
    workdays=frozenset({date(2026, 5, 9)}),
)
# Accept within 2 working days, then close or escalate within 5 (the rules, 三(五)); the town
# center is given its own numbers to show that each level may have them.
DEADLINES = {"grid": (2, 5), "village": (2, 5), "town": (3, 7), "department": (2, 5)}


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def town() -> TownClock:
    policy = replace(default_policy(), level_deadlines=DEADLINES)
    return TownClock(tz="Asia/Shanghai", calendar=LABOUR_DAY_2026, policy=policy)


def test_a_case_submitted_on_the_last_day_of_april_is_accepted_by_the_seventh_of_may(town):
    # domain.md: "submitted Thu 30 Apr 2026 → accept by the end of Thu 7 May 2026".
    assert town.accept_due("grid", utc(2026, 4, 30, 2)) == date(2026, 5, 7)


def test_a_case_accepted_on_the_sixth_of_may_is_due_on_the_twelfth_counting_the_make_up_saturday(
    town,
):
    # domain.md: "Accepted Wed 6 May → close or escalate by the end of Tue 12 May".
    accepted = utc(2026, 5, 6, 2)
    assert town.handle_due("grid", accepted, accept_due=date(2026, 5, 7)) == date(2026, 5, 12)


def test_the_day_a_case_arrives_is_the_towns_day_not_utcs(town):
    # 23:30 on Wednesday 29 April in Shanghai: counted from Thursday 30 April.
    assert town.local(utc(2026, 4, 29, 15, 30)) == date(2026, 4, 29)
    assert town.accept_due("grid", utc(2026, 4, 29, 15, 30)) == date(2026, 5, 6)
    # Half an hour later it is Thursday there, though still Wednesday in UTC.
    assert town.local(utc(2026, 4, 29, 16, 0)) == date(2026, 4, 30)
    assert town.accept_due("grid", utc(2026, 4, 29, 16, 0)) == date(2026, 5, 7)


def test_a_late_acceptance_buys_no_time(town):
    # Due to be accepted by Thu 7 May, accepted Fri 8 May: handled by the 5th working day
    # after 7 May (8, 9, 11, 12, 13), not after 8 May (which would be the 14th).
    late = utc(2026, 5, 8, 2)
    assert town.handle_due("grid", late, accept_due=date(2026, 5, 7)) == date(2026, 5, 13)
    assert town.handle_due("grid", late, accept_due=None) == date(2026, 5, 14)


def test_an_early_acceptance_counts_from_the_day_it_was_accepted(town):
    early = utc(2026, 5, 6, 2)
    assert town.handle_due("grid", early, accept_due=date(2026, 5, 12)) == date(2026, 5, 12)


def test_each_level_counts_with_its_own_periods(town):
    received = utc(2026, 5, 6, 2)  # Wed 6 May
    assert town.accept_due("village", received) == date(2026, 5, 8)
    assert town.accept_due("town", received) == date(2026, 5, 9)  # the make-up Saturday
    assert town.fresh_handle_due("town", received) == date(2026, 5, 14)  # 7 working days


def test_a_fresh_handling_period_counts_in_full_from_the_given_day(town):
    # From Thu 30 Apr: 6, 7, 8, 9 and 11 May.
    assert town.fresh_handle_due("village", utc(2026, 4, 30, 2)) == date(2026, 5, 11)


def test_an_extension_adds_working_days_to_the_deadline(town):
    assert town.extend(date(2026, 4, 30), 1) == date(2026, 5, 6)
    assert town.extend(date(2026, 5, 8), 2) == date(2026, 5, 11)


def test_a_follow_up_is_due_ten_working_days_after_closing(town):
    assert town.policy.follow_up_working_days == 10  # domain.md: "default within 10 working days"
    # Closed Thu 30 Apr: 6, 7, 8, 9, 11, 12, 13, 14, 15, 18 May.
    assert town.follow_up_due(utc(2026, 4, 30, 2)) == date(2026, 5, 18)


def test_a_follow_up_period_is_the_policys(town):
    shorter = replace(town, policy=replace(town.policy, follow_up_working_days=3))
    # Closed Thu 30 Apr: 6, 7 and 8 May.
    assert shorter.follow_up_due(utc(2026, 4, 30, 2)) == date(2026, 5, 8)


@pytest.mark.parametrize(
    ("due", "today", "light"),
    [
        (None, date(2026, 5, 6), "green"),
        (date(2026, 5, 12), date(2026, 5, 6), "green"),
        (date(2026, 5, 12), date(2026, 5, 11), "yellow"),  # due on the next working day
        (date(2026, 5, 12), date(2026, 5, 12), "yellow"),  # due today
        (date(2026, 5, 12), date(2026, 5, 13), "red"),
        # Thursday 30 April: the next working day is Wednesday 6 May, across the holiday.
        (date(2026, 5, 6), date(2026, 4, 30), "yellow"),
        (date(2026, 5, 7), date(2026, 4, 30), "green"),
        # Friday 8 May: the make-up Saturday is the next working day, not Monday.
        (date(2026, 5, 11), date(2026, 5, 8), "green"),
        (date(2026, 5, 9), date(2026, 5, 8), "yellow"),
    ],
)
def test_the_light_turns_yellow_a_working_day_ahead_and_red_when_overdue(town, due, today, light):
    assert town.light(due, today) == light


def test_a_submit_sets_the_grids_acceptance_deadline_and_a_local_period_from_it(town):
    # Submitted Thu 30 Apr: accept by Thu 7 May; until accepted, the local period runs five
    # working days from that deadline (8, 9, 11, 12, 13 May).
    assert town.at_submit(utc(2026, 4, 30, 2)) == {
        "accept_due": date(2026, 5, 7),
        "first_accept_due": date(2026, 5, 7),
        "local_due": date(2026, 5, 13),
    }


@pytest.mark.parametrize(
    ("state", "due", "kind"),
    [
        ("draft", None, ""),
        ("pending", date(2026, 5, 7), "accept"),
        ("handling", date(2026, 5, 12), "handle"),
        ("reported", date(2026, 5, 12), "handle"),
        ("closed", None, ""),
        ("voided", None, ""),
    ],
)
def test_the_deadline_that_matters_is_acceptance_while_pending_and_handling_after(state, due, kind):
    assert due_of(state, date(2026, 5, 7), date(2026, 5, 12)) == due
    assert due_kind(state) == kind


def test_the_open_states_are_the_workflows():
    assert set(deadlines.OPEN) == set(workflow.OPEN)


@dataclass
class _Case:
    state: str
    accept_due: date | None = None
    handle_due: date | None = None


def _day(today: date) -> TownDay:
    return TownDay(town=Town(id=1, timezone="Asia/Shanghai"), today=today, calendar=LABOUR_DAY_2026)


def test_a_towns_day_lights_open_cases_only():
    day = _day(date(2026, 4, 30))
    assert day.next_working_day == date(2026, 5, 6)  # across the Labour Day holiday
    assert day.case_light(_Case("pending", accept_due=date(2026, 5, 6))) == "yellow"
    assert day.case_light(_Case("handling", handle_due=date(2026, 4, 29))) == "red"
    assert day.case_light(_Case("reported", handle_due=date(2026, 5, 7))) == "green"
    assert day.case_light(_Case("pending")) == "green"  # no deadline: nothing to warn of
    assert day.case_light(_Case("closed", handle_due=date(2026, 4, 29))) is None
    assert day.case_light(_Case("draft")) is None


def test_a_follow_ups_light_counts_like_a_cases_and_is_none_when_none_is_due():
    day = _day(date(2026, 5, 8))
    assert day.follow_up_light(date(2026, 5, 9)) == "yellow"  # the make-up Saturday
    assert day.follow_up_light(date(2026, 5, 7)) == "red"
    assert day.follow_up_light(date(2026, 5, 11)) == "green"
    assert day.follow_up_light(None) is None
