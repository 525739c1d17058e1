"""Times a person can mean (core/times.py) at the API's doors: a case's occurrence (create and
edit), an Open311 report's attribute[occurred_at], a follow-up's date. The clock is frozen at
2026-10-14 10:00 in Shanghai (tests/api/conftest.py)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from gridcase.api.models import ApiToken
from gridcase.cases import services
from gridcase.cases.models import Case, FollowUp
from tests.api.conftest import device_client
from tests.api.test_tokens import session
from tests.factories import CLOSE_DISPUTE, local, submitted_case

REFUSED = [
    ("0006-10-14T08:30:00+08:00", "发生时间不能早于2000年1月1日"),
    ("0006-10-14T08:30", "发生时间不能早于2000年1月1日"),  # naive: Beijing time
    ("1999-12-31T23:59:00+08:00", "发生时间不能早于2000年1月1日"),
    ("2027-10-14T08:30:00+08:00", "发生时间不能晚于现在"),
    ("2026-10-14T10:11:00+08:00", "发生时间不能晚于现在"),
    # The ends of what Python can hold: DRF's own zone check overflowed on the naive year 1.
    ("0001-01-01T00:00", "发生时间不能早于2000年1月1日"),
    ("0001-01-01T00:00:00+08:00", "发生时间不能早于2000年1月1日"),
    ("9999-12-31T23:59:59-08:00", "发生时间不能晚于现在"),
]


@pytest.fixture
def officer(t):
    return device_client(t.officer)


@pytest.mark.parametrize(("value", "message"), REFUSED)
def test_a_draft_with_a_time_nobody_means_is_refused_naming_the_field(officer, value, message):
    response = officer.post("/api/v1/cases/", {"occurred_at": value}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["fields"]["occurred_at"] == [message]
    assert not Case.objects.exists()


@pytest.mark.parametrize(("value", "message"), REFUSED)
def test_an_edit_with_a_time_nobody_means_is_refused_naming_the_field(officer, value, message):
    number = officer.post("/api/v1/cases/", {"category": "other"}, format="json").json()["number"]
    response = officer.patch(f"/api/v1/cases/{number}/", {"occurred_at": value}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["fields"]["occurred_at"] == [message]
    assert Case.objects.get().occurred_at is None


@pytest.mark.parametrize(
    "value", ["2026-10-14T08:30:00+08:00", "2000-01-01T00:00:00+08:00", "2026-10-14T10:09"]
)
def test_a_time_a_person_can_mean_is_kept(officer, value):
    response = officer.post("/api/v1/cases/", {"occurred_at": value}, format="json")
    assert response.status_code == 201, response.content
    assert Case.objects.get().occurred_at is not None


# ---------------------------------------------------------------- Open311

REPORT = {
    "service_code": "livelihood_service",
    "address_string": "东村5组村道",
    "description": "村道上的路灯坏了三盏,晚上看不见路",
}


@pytest.fixture
def open311_post(t):
    key = ApiToken.issue(kind="system", town=t.town, name="市民热线", scope="write")[1]

    def post(occurred_at: str):
        body = dict(REPORT, api_key=key, **{"attribute[occurred_at]": occurred_at})
        return APIClient().post("/open311/v2/requests.json", body)

    return post


@pytest.mark.parametrize(("value", "message"), REFUSED)
def test_an_open311_report_with_a_time_nobody_means_is_refused(open311_post, value, message):
    response = open311_post(value)
    assert response.status_code == 400, response.content
    [error] = response.json()
    assert message in error["description"] and "attribute[occurred_at]" in error["description"]
    assert not Case.objects.exists()


def test_an_open311_report_with_a_time_a_person_can_mean_is_filed(open311_post):
    response = open311_post("2026-10-14T08:30:00+08:00")
    assert response.status_code == 201, response.content
    assert Case.objects.get().occurred_at == local(2026, 10, 14, 8, 30)


# ---------------------------------------------------------------- follow-ups


@pytest.fixture
def closed(t):
    case = submitted_case(t, local(2026, 10, 9, 9))
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 9, 10))
    services.case_close(case=case, by=t.officer, data=CLOSE_DISPUTE, at=local(2026, 10, 12, 11))
    return case


def _follow_up(client, case, day: str):
    url = f"/api/v1/cases/{case.number}/follow-ups/"
    return client.post(url, {"visited_on": day, "method": "phone"}, format="json")


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("1999-12-31", "回访日期不能早于2000年1月1日"),
        ("0006-10-13", "回访日期不能早于2000年1月1日"),
        ("2026-10-11", "回访日期不能早于结案日期(2026-10-12)"),
        ("2026-10-15", "回访日期不能晚于今天"),
        ("2027-10-13", "回访日期不能晚于今天"),
    ],
)
def test_a_follow_up_before_the_close_or_after_today_is_refused(officer, closed, day, message):
    response = _follow_up(officer, closed, day)
    assert response.status_code == 400, response.content
    assert response.json()["fields"]["visited_on"] == [message]
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize("day", ["2026-10-12", "2026-10-14"])
def test_a_follow_up_from_the_close_to_today_is_recorded(officer, closed, day):
    assert _follow_up(officer, closed, day).status_code == 201
    assert FollowUp.objects.get().visited_on.isoformat() == day


def test_a_case_still_being_handled_has_no_follow_up_yet(t, officer):
    # A follow-up visit comes after the close (cases/workflow.py): refused whatever the day.
    case = submitted_case(t, local(2026, 10, 12, 9))
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 10))
    response = _follow_up(officer, case, "2026-10-13")
    assert response.status_code == 403
    assert "不能回访" in response.json()["message"]
    assert not FollowUp.objects.exists()


# ---------------------------------------------------------------- no 500 at the ends of time


@pytest.mark.parametrize("value", ["0001-01-01T00:00", "9999-12-31T23:59:59-08:00"])
@pytest.mark.parametrize("name", ["start_date", "end_date"])
def test_an_open311_query_time_out_of_range_is_a_400_not_a_500(t, name, value):
    response = APIClient().get("/open311/v2/requests.json", {name: value})
    assert response.status_code == 400, response.content
    assert name in response.json()[0]["description"]


def test_a_token_expiry_out_of_range_is_a_400_not_a_500(t):
    body = {"name": "手机", "expires_at": "0001-01-01T00:00"}
    response = session(t.officer).post("/api/v1/tokens/", body, format="json")
    assert response.status_code == 400, response.content
    assert "expires_at" in response.json()["fields"]
