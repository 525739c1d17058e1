"""A case carries when its follow-up visit was recorded (`followed_up_at`), so that "awaiting a
follow-up" (models.AWAITING_FOLLOW_UP) is a range of a partial index: the service keeps it,
migration 0020 fills it for the follow-ups recorded before, and the queue's follow-up tab,
its count (now for the town-wide roles too) and the reminders read it instead of an
anti-join with the follow-ups table. (The ledger import writes no follow-ups: a ledger has
no visit column.)"""

from __future__ import annotations

import importlib
from datetime import date

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridcase.cases import services
from gridcase.cases.errors import CaseError
from gridcase.cases.models import AWAITING_FOLLOW_UP, Case, FollowUp
from tests.factories import CLOSE_DISPUTE, local, submitted_case

backfill = importlib.import_module("gridcase.cases.migrations.0020_case_followed_up_at")


@pytest.fixture
def frozen():
    """Wednesday 14 October 2026, 10:00 in Shanghai (as the queue's tests, tests/web)."""
    with time_machine.travel(local(2026, 10, 14, 10), tick=False):
        yield


@pytest.fixture
def login(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"

    def _login(user):
        client.force_login(user)
        return client

    return _login


def closed_dispute(t, hour: int = 9) -> Case:
    case = submitted_case(t, local(2026, 10, 12, hour))
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, hour, 10))
    services.case_close(
        case=case, by=t.officer, data=CLOSE_DISPUTE, at=local(2026, 10, 12, hour, 20)
    )
    case.refresh_from_db()
    assert case.follow_up_due is not None
    return case


def visit(t, case: Case, at, day: date = date(2026, 10, 13)) -> FollowUp:
    return services.case_follow_up(
        case=case, by=t.officer, visited_on=day, method="phone", satisfied=True, at=at
    )


def awaiting() -> set[int]:
    return set(Case.objects.filter(AWAITING_FOLLOW_UP).values_list("pk", flat=True))


def test_the_service_marks_the_case_in_the_same_write_and_keeps_the_first_time(t, frozen):
    case = closed_dispute(t)
    other = closed_dispute(t, hour=10)
    assert case.followed_up_at is None
    assert awaiting() == {case.pk, other.pk}

    first = local(2026, 10, 13, 15)
    visit(t, case, first)
    assert case.followed_up_at == first  # the instance the caller holds too
    case.refresh_from_db()
    assert case.followed_up_at == first
    assert awaiting() == {other.pk}

    visit(t, case, local(2026, 10, 14, 9), day=date(2026, 10, 14))  # a second visit
    case.refresh_from_db()
    assert case.followed_up_at == first
    assert FollowUp.objects.filter(case=case).count() == 2


def test_a_refused_follow_up_leaves_the_case_awaiting(t, frozen):
    case = closed_dispute(t)
    with pytest.raises(CaseError):
        services.case_follow_up(
            case=case, by=t.officer, visited_on=None, method="phone", satisfied=True
        )
    case.refresh_from_db()
    assert case.followed_up_at is None
    assert awaiting() == {case.pk}


def test_the_migration_marks_the_cases_followed_up_before_it(t, frozen):
    visited = closed_dispute(t)
    twice = closed_dispute(t, hour=10)
    waiting = closed_dispute(t, hour=11)
    visit(t, visited, local(2026, 10, 13, 15))
    visit(t, twice, local(2026, 10, 13, 16))
    visit(t, twice, local(2026, 10, 14, 9), day=date(2026, 10, 14))
    # As before the column: follow-ups recorded, the cases unmarked.
    Case.objects.update(followed_up_at=None)
    first_of_twice = FollowUp.objects.filter(case=twice).order_by("created_at")[0].created_at

    backfill.mark_followed_up(apps, None)

    def at(case):
        return Case.objects.get(pk=case.pk).followed_up_at

    assert at(visited) == FollowUp.objects.get(case=visited).created_at
    assert at(twice) == first_of_twice
    assert at(waiting) is None
    assert awaiting() == {waiting.pk}


def tab_numbers(response) -> list[str]:
    return [row["case"].number for row in response.context["rows"]]


def follow_up_count(response) -> int | None:
    found = {tab.key: count for tab, count in response.context["tabs"] if tab.counted}
    return found.get("follow_up")


def test_every_role_with_the_tab_counts_and_lists_the_waiting_cases(login, t, frozen):
    done = closed_dispute(t)
    waiting = closed_dispute(t, hour=10)
    visit(t, done, local(2026, 10, 13, 15))
    for user in (t.officer, t.station_user, t.center_user, t.office_user):
        response = login(user).get("/?tab=follow_up")
        assert follow_up_count(response) == 1, user  # the town-wide roles counted too
        assert waiting.number in tab_numbers(response)
        assert done.number not in tab_numbers(response)
    # Another village's station: neither listed nor counted.
    response = login(t.other_station_user).get("/?tab=follow_up")
    assert follow_up_count(response) == 0
    assert waiting.number not in tab_numbers(response)


@pytest.mark.parametrize("who", ["officer", "station_user", "center_user"])
def test_the_count_reads_the_column_not_the_follow_ups(login, t, frozen, who):
    closed_dispute(t)
    client = login(getattr(t, who))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/")
    assert follow_up_count(response) == 1
    sqls = [q["sql"] for q in ctx.captured_queries]
    assert not [s for s in sqls if "cases_followup" in s]
    counting = [s for s in sqls if "followed_up_at" in s and "COUNT(" in s.upper()]
    assert counting, "the follow-up count was not made"


def test_the_indexes_are_made_on_the_tabs_own_condition():
    conditions = {
        index.name: index.condition
        for index in Case._meta.indexes
        if index.name.startswith("case_awaiting_follow_up")
    }
    assert conditions == {
        "case_awaiting_follow_up_vil": AWAITING_FOLLOW_UP,
        "case_awaiting_follow_up_town": AWAITING_FOLLOW_UP,
    }


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan")
@pytest.mark.parametrize(
    ("who", "index"),
    [
        ("station_user", "case_awaiting_follow_up_vil"),
        ("center_user", "case_awaiting_follow_up_town"),
    ],
)
def test_sqlite_counts_from_the_partial_index(t, frozen, who, index):
    from gridcase.cases.selectors import visible_cases
    from gridcase.web.selectors import follow_up_area_q

    user = getattr(t, who)
    query = visible_cases(user).filter(follow_up_area_q(user), AWAITING_FOLLOW_UP)
    sql, params = query.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN SELECT COUNT(*) FROM ({sql})", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert f"COVERING INDEX {index}" in plan, plan  # the rows themselves never read
