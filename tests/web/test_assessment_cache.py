"""The period's assessment kept under an exact key (web/dashboard_cache.py, issue 15): a
second view reads no case, and whatever changes the result between two views — a case closed,
an appeal decided, an adjustment — is on the next one; another town's change keeps this
town's entry; the entry is the town's, each person's view is cut from it afterwards."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridcase.assessment import appeals
from gridcase.assessment import quarter as life
from gridcase.assessment.adjustments import adjustment_add
from gridcase.assessment.models import QuarterAssessment
from gridcase.assessment.services import assess_period
from gridcase.cases import services as case_services
from gridcase.web import dashboard_cache
from tests.assessment.builders import CLOSE_PLAIN, closed_locally, submitted
from tests.factories import local

pytestmark = pytest.mark.django_db

Q4 = "2026-Q4"
Q4_MONTHS = ["2026-10", "2026-11", "2026-12"]
JSON = f"/assessment/{Q4}/result.json"


@pytest.fixture
def later(time_machine):
    time_machine.move_to(local(2026, 12, 20, 9), tick=False)


@pytest.fixture
def q4(t, later):
    flawed = closed_locally(t, local(2026, 10, 12, 9))
    closed_locally(t, local(2026, 11, 3, 9), by=t.other_officer)
    open_case = submitted(t, local(2026, 12, 1, 9))
    return flawed, open_case


def reads_cases(queries) -> bool:
    """Whether the assessment's facts were read (its one query of the period's cases; the
    padding signals, which the office's period page reads on each view, read other columns)."""
    return any(
        '"cases_case"."quality_note"' in q["sql"] and '"cases_case"."submitted_at" >=' in q["sql"]
        for q in queries
    )


def viewed(client, url=JSON):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, queries.captured_queries


def as_now(t) -> dict:
    return json.loads(json.dumps(assess_period(town=t.town, months=Q4_MONTHS).as_dict()))


def test_a_second_view_is_served_from_the_cache_with_the_same_figures(login, t, q4):
    office = login(t.office_user)
    first, queries = viewed(office)
    assert reads_cases(queries)
    second, kept = viewed(office)
    assert not reads_cases(kept) and len(kept) < len(queries)
    assert json.loads(second.content) == json.loads(first.content) == as_now(t)
    # The period page and a statement read the same entry; the office's page keeps its
    # padding signals too (their read of the period's cases: the time of each event).
    _page, queries = viewed(office, f"/assessment/{Q4}/")
    assert not reads_cases(queries)
    _page, queries = viewed(office, f"/assessment/{Q4}/")
    assert not any('"cases_case"."occurred_at"' in q["sql"] for q in queries)
    _page, queries = viewed(office, f"/assessment/{Q4}/officers/{t.officer.pk}/")
    assert not reads_cases(queries)


def test_a_case_closed_between_two_views_is_on_the_next(login, t, q4):
    _flawed, open_case = q4
    office = login(t.office_user)
    before = json.loads(viewed(office)[0].content)
    case_services.case_accept(case=open_case, by=t.officer, at=local(2026, 12, 1, 10))
    case_services.case_close(
        case=open_case, by=t.officer, data=CLOSE_PLAIN, at=local(2026, 12, 1, 11)
    )
    response, queries = viewed(office)
    after = json.loads(response.content)
    assert reads_cases(queries) and after != before and after == as_now(t)


def test_an_appeal_decided_between_two_views_is_on_the_next(login, t, q4):
    flawed, _open = q4
    case_services.case_review(case=flawed, by=t.office_user, quality="nonconforming", note="不清")
    appeal = appeals.appeal_file(case=flawed, by=t.officer, reason="描述清楚")
    office = login(t.office_user)
    before = json.loads(viewed(office)[0].content)
    assert not reads_cases(viewed(office)[1])
    appeals.appeal_decide(appeal=appeal, by=t.office_user, accept=True, note="采纳")
    after = json.loads(viewed(office)[0].content)
    assert after != before and after == as_now(t)


def test_an_adjustment_between_two_views_is_on_the_next(login, t, q4, time_machine):
    time_machine.move_to(local(2027, 3, 1, 9), tick=False)
    life.quarter_finalise(town=t.town, quarter=Q4, by=t.office_user)
    life.quarter_approve(town=t.town, quarter=Q4, by=t.leader, note="")
    office = login(t.office_user)
    url = "/assessment/2027-Q1/result.json"
    before = json.loads(viewed(office, url)[0].content)
    assert not reads_cases(viewed(office, url)[1])
    adjustment_add(
        town=t.town,
        officer=t.officer,
        quarter=Q4,
        amount="-10",
        reason="重复录入",
        by=t.office_user,
    )
    after = json.loads(viewed(office, url)[0].content)
    assert after != before
    mine = next(o for o in after["officers"] if o["officer"] == t.officer.display_name)
    assert mine["adjustments"] == [{"quarter": Q4, "amount": "-10.00", "reason": "重复录入"}]


def test_another_towns_change_keeps_this_towns_entry(login, t, other_town, q4):
    office = login(t.office_user)
    viewed(office)
    submitted(other_town, local(2026, 12, 2, 9))
    _response, queries = viewed(office)
    assert not reads_cases(queries)


def test_the_entry_is_the_towns_and_each_person_sees_their_own_part(login, t, q4):
    dashboard_cache._RECENT.clear()  # this process's copies of earlier tests' entries
    login(t.office_user).get(JSON)  # kept by the office's view
    officer = login(t.officer)
    page, queries = viewed(officer, f"/assessment/{Q4}/officers/{t.officer.pk}/")
    assert not reads_cases(queries)  # the same entry: it holds no person
    assert t.officer.display_name in page.content.decode()
    assert officer.get(f"/assessment/{Q4}/officers/{t.other_officer.pk}/").status_code == 404
    assert officer.get(JSON).status_code == 404
    # No key names a person: only towns, periods, days and stamps.
    # One entry, of the town: its key names the town, the months, the day and the stamp.
    (key,) = [k for k in dashboard_cache._RECENT if ":assess:" in k]
    _dash, _v, _kind, town, months, day, stamp = key.split(":")
    assert (town, months, day) == (str(t.town.pk), ",".join(Q4_MONTHS), "2026-12-20")


def test_clearing_the_cache_clears_each_processs_copy(login, t, q4):
    office = login(t.office_user)
    viewed(office)
    cache.clear()
    _response, queries = viewed(office)
    assert reads_cases(queries)


def reads_quarter_counts(queries) -> bool:
    """Whether quarter.quarter_facts' aggregate over the recent quarters' cases was run."""
    return any('MAX("cases_case"."local_due")' in q["sql"] for q in queries)


def test_the_recent_quarters_counts_are_kept_and_a_new_case_is_on_the_next_view(login, t, q4):
    client = login(t.office_user)
    first, queries = viewed(client, "/assessment/")
    assert reads_quarter_counts(queries)
    again, queries = viewed(client, "/assessment/")
    assert not reads_quarter_counts(queries)
    assert again.context["rows"] == first.context["rows"]
    before = {row["quarter"]: row["cases"] for row in first.context["rows"]}
    submitted(t, local(2026, 12, 2, 9))
    after, queries = viewed(client, "/assessment/")
    assert reads_quarter_counts(queries)
    assert {row["quarter"]: row["cases"] for row in after.context["rows"]} == {
        **before,
        Q4: before[Q4] + 1,
    }


def test_the_counts_are_kept_for_a_finalised_quarter_too(t, q4):
    recent = ["2026-Q4", "2026-Q3"]
    QuarterAssessment.objects.create(
        town=t.town, quarter="2026-Q3", status=QuarterAssessment.Status.FINALISED
    )
    kept = dashboard_cache.quarter_facts(t.town, recent)
    with CaptureQueriesContext(connection) as queries:
        assert dashboard_cache.quarter_facts(t.town, recent) == kept
    assert not reads_quarter_counts(queries.captured_queries)
    assert kept.value == life.quarter_facts(t.town, recent)
