"""Two people act on the same case at once: one succeeds, the other is told, nothing is lost."""

import os
import threading

import pytest
from django.db import connection, connections

from gridcase.cases import filing, services
from gridcase.cases.errors import Conflict
from gridcase.cases.models import Case, TimelineEntry
from tests.factories import local, make_town, submitted_case

needs_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL: set DATABASE_URL (two real connections with row locks)",
)


def _race(case_pk: int, users: list, act) -> list:
    """Each thread reads the case on its own connection, waits for the others, then acts."""
    barrier = threading.Barrier(len(users))
    outcomes = []

    def run(user):
        try:
            case = Case.objects.select_related("town").get(pk=case_pk)
            barrier.wait(timeout=10)
            act(case, user)
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_accepting_at_once_get_one_success_and_one_conflict():
    assert connection.vendor == "postgresql"
    t = make_town()
    case = submitted_case(t, local(2026, 10, 12, 9))
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 9))
    services.case_escalate(case=case, by=t.officer, note="上报", at=local(2026, 10, 12, 10))
    services.case_accept(case=case, by=t.station_user, at=local(2026, 10, 12, 11))
    services.case_escalate(case=case, by=t.station_user, note="上报", at=local(2026, 10, 12, 12))
    second_clerk = make_town_center_clerk(t)

    outcomes = _race(
        case.pk,
        [t.center_user, second_clerk],
        lambda c, u: services.case_accept(case=c, by=u, at=local(2026, 10, 13, 9)),
    )

    assert len(outcomes) == 2
    assert outcomes.count("ok") == 1
    assert any("已被他人处理" in o for o in outcomes)
    assert (
        TimelineEntry.objects.filter(case_id=case.pk, action="accept", to_level="town").count() == 1
    )
    assert Case.objects.get(pk=case.pk).state == "handling"


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_case_numbers_stay_unique_when_officers_create_at_once():
    t = make_town()
    numbers = []

    def create(case, user):
        made = filing.case_create_draft(town=t.town, by=user, data={"category": "other"})
        numbers.append(made.number)

    first = submitted_case(t, local(2026, 10, 12, 9))
    outcomes = _race(first.pk, [t.officer, t.other_officer, t.officer, t.other_officer], create)
    assert outcomes == ["ok"] * 4
    assert len(set(numbers)) == 4


def make_town_center_clerk(t):
    from tests.factories import make_user

    return make_user("center_two", t.town, "town_center", unit=t.center)
