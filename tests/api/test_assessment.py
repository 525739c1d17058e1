"""The assessment over HTTP: who sees which result, and the quarter's life (finalise, approve,
send back), appeals and adjustments — refused here exactly as the services refuse them."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from gridcase.assessment.models import Appeal, QuarterAssessment
from tests.api.conftest import device_client, system_client
from tests.assessment.builders import closed_locally
from tests.factories import local

# Now is 14 Oct 2026 (conftest): the third quarter is over and its deadlines have passed.
Q3 = "2026-Q3"


@pytest.fixture
def cases(t):
    mine = closed_locally(t, local(2026, 7, 6, 9))
    theirs = closed_locally(t, local(2026, 7, 7, 9), by=t.other_officer)
    return mine, theirs


def _result(client, **params):
    return client.get("/api/v1/assessment/result/", params)


def test_the_office_sees_every_officer_and_an_officer_only_themself(t, cases):
    office = _result(device_client(t.office_user), month="2026-07")
    assert office.status_code == 200
    body = office.json()
    assert body["period"] == "2026-07"
    assert body["policy"]["code"] == "changtang-2016"
    assert [o["officer"] for o in body["officers"]] == ["officer", "other_officer"]
    [month] = body["officers"][0]["months"]
    assert month["cases"][0]["case_no"] == cases[0].number
    assert month["total"] == "30.00"  # one counted case, seven short: 100 − 7 × 10

    own = _result(device_client(t.officer), month="2026-07").json()
    assert [o["officer_id"] for o in own["officers"]] == [t.officer.pk]


def test_a_quarter_is_assessed_month_by_month(t, cases):
    body = _result(device_client(t.leader), quarter=Q3).json()
    assert body["period"] == Q3
    assert [m["month"] for m in body["officers"][0]["months"]] == [
        "2026-07",
        "2026-08",
        "2026-09",
    ]


@pytest.mark.parametrize("who", ["station_user", "center_user", "department_user"])
def test_roles_without_the_assessment_are_refused(t, cases, who):
    response = _result(device_client(getattr(t, who)), month="2026-07")
    assert response.status_code == 403
    assert response.json()["message"] == "您的角色不能查看本镇的考核结果"


def test_a_system_token_never_sees_pay(t, cases):
    response = _result(system_client(t.town, "read"), month="2026-07")
    assert response.status_code == 403


@pytest.mark.parametrize(
    "params,field",
    [({}, "month"), ({"month": "2026-13"}, "month"), ({"quarter": "2026-Q5"}, "quarter")],
)
def test_a_bad_period_is_400(t, params, field):
    response = _result(device_client(t.office_user), **params)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_another_towns_result_is_not_found(t, other_town):
    response = _result(device_client(t.office_user), month="2026-07", town="bs")
    assert response.status_code == 404


def test_a_statement_is_an_officers_own_or_the_offices(t, cases):
    url = f"/api/v1/assessment/statements/{t.officer.pk}/?month=2026-07"
    mine = device_client(t.officer).get(url)
    assert mine.status_code == 200
    assert mine.json()["officer_id"] == t.officer.pk
    assert device_client(t.office_user).get(url).status_code == 200
    assert device_client(t.other_officer).get(url).status_code == 404


def test_the_quarters_life_finalise_approve(t, cases):
    office, leader = device_client(t.office_user), device_client(t.leader)
    url = f"/api/v1/assessment/quarters/{Q3}/"
    assert office.get(url).json()["status"] == "draft"

    refused = leader.post(url + "finalise/", {}, format="json")
    assert refused.status_code == 403
    assert refused.json()["message"] == "只有镇政法综治办可以定稿季度考核"

    finalised = office.post(url + "finalise/", {}, format="json")
    assert finalised.status_code == 200, finalised.content
    assert (finalised.json()["status"], finalised.json()["finalised_by"]["id"]) == (
        "finalised",
        t.office_user.pk,
    )
    again = office.post(url + "finalise/", {}, format="json")
    assert again.status_code == 409

    assert office.post(url + "approve/", {}, format="json").status_code == 403
    approved = leader.post(url + "approve/", {"note": "同意"}, format="json")
    assert approved.json()["status"] == "approved"
    assert QuarterAssessment.objects.get().status == "approved"


def test_a_quarter_whose_deadlines_have_not_passed_cannot_be_finalised(t):
    closed_locally(t, local(2026, 10, 12, 9))
    response = device_client(t.office_user).post(
        "/api/v1/assessment/quarters/2026-Q4/finalise/", {}, format="json"
    )
    assert response.status_code == 400
    assert "现在还不能定稿" in response.json()["message"]


def test_the_leader_sends_a_finalised_quarter_back_with_a_reason(t, cases):
    device_client(t.office_user).post(
        f"/api/v1/assessment/quarters/{Q3}/finalise/", {}, format="json"
    )
    leader = device_client(t.leader)
    url = f"/api/v1/assessment/quarters/{Q3}/reopen/"
    without = leader.post(url, {}, format="json")
    assert without.status_code == 400
    assert without.json()["fields"] == {"reason": ["请填写退回原因"]}
    assert leader.post(url, {"reason": "七月数据有误"}, format="json").json()["status"] == "draft"


def test_an_officer_appeals_and_the_office_decides(t, cases):
    mine, theirs = cases
    officer = device_client(t.officer)
    filed = officer.post(
        f"/api/v1/cases/{mine.number}/appeals/", {"reason": "已按时结案"}, format="json"
    )
    assert filed.status_code == 201, filed.content
    appeal_id = filed.json()["id"]
    # Another village's officer does not even see the case.
    refused = officer.post(
        f"/api/v1/cases/{theirs.number}/appeals/", {"reason": "x"}, format="json"
    )
    assert refused.status_code == 404
    # The station sees the case but it is not theirs to appeal.
    station = device_client(t.station_user).post(
        f"/api/v1/cases/{mine.number}/appeals/", {"reason": "x"}, format="json"
    )
    assert station.status_code == 403

    office = device_client(t.office_user)
    assert [a["id"] for a in office.get("/api/v1/assessment/appeals/").json()] == [appeal_id]
    assert device_client(t.other_officer).get("/api/v1/assessment/appeals/").json() == []
    decided = office.post(
        f"/api/v1/assessment/appeals/{appeal_id}/decide/",
        {"accept": False, "note": "材料不足"},
        format="json",
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "rejected"
    assert Appeal.objects.get().decided_by == t.office_user
    assert mine.timeline.filter(action__in=["appeal", "appeal_decided"]).count() == 2


def test_a_rejection_without_a_reason_is_400(t, cases):
    appeal = device_client(t.officer).post(
        f"/api/v1/cases/{cases[0].number}/appeals/", {"reason": "已按时结案"}, format="json"
    )
    response = device_client(t.office_user).post(
        f"/api/v1/assessment/appeals/{appeal.json()['id']}/decide/",
        {"accept": False},
        format="json",
    )
    assert response.status_code == 400
    assert "note" in response.json()["fields"]


def test_another_towns_appeal_is_not_found(t, other_town):
    theirs = closed_locally(other_town, local(2026, 7, 6, 9))
    appeal = device_client(other_town.officer).post(
        f"/api/v1/cases/{theirs.number}/appeals/", {"reason": "x"}, format="json"
    )
    response = device_client(t.office_user).post(
        f"/api/v1/assessment/appeals/{appeal.json()['id']}/decide/",
        {"accept": True},
        format="json",
    )
    assert response.status_code == 404


def test_the_payroll_is_a_workbook_for_the_office(t, cases):
    response = device_client(t.office_user).get(f"/api/v1/assessment/quarters/{Q3}/payroll/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[0] == "工资表"
    assert (
        device_client(t.officer).get(f"/api/v1/assessment/quarters/{Q3}/payroll/").status_code
        == 403
    )


def test_an_adjustment_needs_an_approved_quarter(t, cases):
    office = device_client(t.office_user)
    url = f"/api/v1/assessment/quarters/{Q3}/adjustments/"
    body = {"officer": t.officer.pk, "amount": "10.00", "reason": "七月漏计一件"}
    early = office.post(url, body, format="json")
    assert early.status_code == 400
    assert "调整只用于已审批的季度" in early.json()["message"]
    office.post(f"/api/v1/assessment/quarters/{Q3}/finalise/", {}, format="json")
    device_client(t.leader).post(f"/api/v1/assessment/quarters/{Q3}/approve/", {}, format="json")
    added = office.post(url, body, format="json")
    assert added.status_code == 201, added.content
    assert added.json()["applies_to"] == "2026-Q4"
    listed = office.get("/api/v1/assessment/quarters/2026-Q4/adjustments/").json()
    assert [a["amount"] for a in listed] == ["10.00"]
