"""Duplicate suspects and padding signals in the API (integrity.md): the check on entry, the
period's report (the command's JSON), the office's confirm and dismiss; scope, bad input and
the number of queries."""

from __future__ import annotations

import json
import os
from datetime import timedelta

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, Phase, settings
from rest_framework.test import APIClient
from schemathesis import checks

from gridcase.api.models import ApiToken
from gridcase.assessment.models import SuspectPair
from gridcase.cases.models import TimelineEntry
from tests.assessment.test_integrity import AGAIN, ELSEWHERE, LAT, LON, T0, case_at

pytestmark = pytest.mark.django_db

CHECK = "/api/v1/cases/suspects-check/"
REPORT = "/api/v1/assessment/suspects/"


def decide_url(case, decision: str) -> str:
    return f"{REPORT}{case.number}/{decision}/"


@pytest.fixture
def pair(t):
    """A dispute entered on 10-10, and the same matter in other words two days later."""
    first = case_at(t, T0)
    second = case_at(t, T0 + timedelta(days=2), metres=40, data=AGAIN)
    return first, second


def entering(**extra) -> dict:
    """The draft of a third entry of the same matter, as the case form would send it."""
    return {
        **{k: v for k, v in AGAIN.items()},
        "category": "dispute",
        "latitude": str(LAT),
        "longitude": str(LON),
        "occurred_at": "2026-10-13T09:00:00+08:00",
        **extra,
    }


# ---------------------------------------------------------------- the check on entry


def test_the_check_on_entry_names_the_cases_the_entry_may_repeat(t, as_user, pair):
    first, second = pair
    response = as_user(t.officer).post(
        CHECK, entering(parties=[{"name": "王二", "phone": "138 0013 8001"}]), format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["window_days"] == 30 and body["distance_m"] == 300 and body["threshold"] == 0.6
    numbers = [s["number"] for s in body["suspects"]]
    assert set(numbers) == {first.number, second.number}
    best = body["suspects"][0]
    assert 0.6 <= best["score"] <= 1
    assert best["url"].endswith(f"/api/v1/cases/{best['number']}/")
    # The phone matched, compared unmasked, and is shown masked only.
    reasons = " ".join(r for s in body["suspects"] for r in s["reasons"])
    assert "138****8001" in reasons and "13800138001" not in response.content.decode()
    assert SuspectPair.objects.count() == 0  # it only warns: nothing is kept


def test_the_check_on_entry_is_quiet_for_another_matter_and_excludes_the_draft_itself(
    t, as_user, pair
):
    first, _second = pair
    client = as_user(t.officer)
    other = client.post(CHECK, entering(**{**ELSEWHERE, "parties": []}), format="json")
    assert other.status_code == 200 and other.json()["suspects"] == []
    itself = client.post(CHECK, entering(number=first.number), format="json")
    assert first.number not in [s["number"] for s in itself.json()["suspects"]]


def test_only_an_officer_of_the_town_may_check_an_entry(t, other_town, as_user, pair):
    for person in (t.leader, t.office_user, t.station_user):
        response = as_user(person).post(CHECK, entering(), format="json")
        assert response.status_code == 403, person.username
        assert response.json()["code"] == "not_allowed"
    # Naming a village of the town does not make a leader an officer.
    named = as_user(t.leader).post(CHECK, entering(village=t.village.pk), format="json")
    assert named.status_code == 403
    # Another town's officer reaches no village here, and sees none of its cases.
    stranger = as_user(other_town.officer)
    response = stranger.post(CHECK, entering(village=t.village.pk), format="json")
    assert response.status_code == 400 and "village" in response.json()["fields"]
    assert stranger.post(CHECK, entering(), format="json").json()["suspects"] == []
    assert APIClient().post(CHECK, entering(), format="json").status_code in (401, 403)


def test_the_check_costs_the_same_queries_for_one_suspect_or_many(t, as_user):
    client = as_user(t.officer)

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.post(CHECK, entering(), format="json")
            assert response.status_code == 200
        return len(captured), len(response.json()["suspects"])

    case_at(t, T0)
    client.post(CHECK, entering(), format="json")  # the token's first use of the day
    one, found = queries()
    for hours in (30, 40, 50):
        case_at(t, T0 + timedelta(hours=hours), metres=hours, data=AGAIN)
    many, found_many = queries()
    assert (found, found_many) == (1, 4)
    assert many == one


@pytest.mark.parametrize(
    "field,value",
    [
        ("latitude", "100"),
        ("longitude", "东经"),
        ("category", "没有这一类"),
        ("occurred_at", "昨天"),
        ("title", 42),
        ("parties", [{"name": "张三", "phone": "12345"}]),
        ("colour", "红"),
    ],
)
def test_bad_input_to_the_check_names_the_field_in_chinese(t, as_user, field, value):
    response = as_user(t.officer).post(CHECK, entering(**{field: value}), format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert any(name.startswith(field) for name in body["fields"]), body
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])


# ---------------------------------------------------------------- the period's report


def command_json(**options) -> dict:
    from io import StringIO

    out = StringIO()
    call_command("suspects", format="json", stdout=out, **options)
    return json.loads(out.getvalue())


def test_the_report_is_the_commands_json_for_the_same_period(t, as_user, pair):
    first, second = pair
    client = as_user(t.office_user)
    response = client.get(REPORT, {"month": "2026-10"})
    assert response.status_code == 200, response.json()
    assert response.json() == command_json(town="长塘镇", month="2026-10")
    assert response.json()["pairs"][0]["case"] == second.number
    ranged = client.get(REPORT, {"town": "ct", "since": "2026-10-11", "until": "2026-10-14"})
    assert ranged.json() == command_json(since="2026-10-11", until="2026-10-14")
    assert ranged.json()["period"] == {"since": "2026-10-11", "until": "2026-10-14"}


def test_only_the_towns_office_reads_the_report(t, other_town, as_user, pair):
    for person in (t.officer, t.leader, t.admin_user, t.station_user):
        response = as_user(person).get(REPORT, {"month": "2026-10"})
        assert response.status_code == 403, person.username
        assert "综治办" in response.json()["message"]
    outsider = as_user(other_town.office_user)
    assert outsider.get(REPORT, {"town": "ct", "month": "2026-10"}).status_code == 404
    own = outsider.get(REPORT, {"month": "2026-10"})
    assert own.status_code == 200 and own.json()["town"] == "白沙镇" and own.json()["pairs"] == []
    assert APIClient().get(REPORT, {"month": "2026-10"}).status_code in (401, 403)


@pytest.mark.parametrize(
    "query,field",
    [
        ({"month": "2026-13"}, "month"),
        ({"month": "十月"}, "month"),
        ({}, "since"),
        ({"since": "2026-10-01"}, "until"),
        ({"since": "2026-10-31", "until": "2026-10-01"}, "until"),
        ({"since": "2025-01-01", "until": "2026-10-01"}, "until"),
        ({"since": "2026-10-01", "until": "10月31日"}, "until"),
        ({"month": "2026-10", "since": "2026-10-01", "until": "2026-10-02"}, "month"),
    ],
)
def test_a_bad_period_names_the_field(t, as_user, query, field):
    response = as_user(t.office_user).get(REPORT, query)
    assert response.status_code == 400
    assert field in response.json()["fields"], response.json()


def test_the_report_costs_the_same_queries_for_one_pair_or_many(t, as_user):
    client = as_user(t.office_user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(REPORT, {"month": "2026-10"}).status_code == 200
        return len(captured)

    case_at(t, T0)
    case_at(t, T0 + timedelta(days=2), metres=40, data=AGAIN)
    client.get(REPORT, {"month": "2026-10"})  # the token's first use of the day is recorded
    one = queries()
    for hours in (60, 70, 80):
        case_at(t, T0 + timedelta(hours=hours), metres=hours // 2, data=AGAIN)
    report = client.get(REPORT, {"month": "2026-10"}).json()
    assert len(report["pairs"]) >= 4
    assert queries() == one


# ---------------------------------------------------------------- the office's decisions


def test_the_office_confirms_and_the_later_case_pays_nothing(t, as_user, pair):
    first, second = pair
    client = as_user(t.office_user)
    response = client.post(
        decide_url(second, "confirm"),
        {"similar_to": first.number, "reason": "同一纠纷两次录入"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-confirm",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["case"] == second.number and body["similar_to"] == first.number
    assert body["status"] == "confirmed" and body["decision_note"] == "同一纠纷两次录入"
    assert body["decided_by"]["id"] == t.office_user.pk
    kept = SuspectPair.objects.get(case=second, similar_to=first)
    assert kept.status == "confirmed" and kept.decided_by == t.office_user
    for case in (first, second):
        assert TimelineEntry.objects.filter(case=case, action="duplicate_confirmed").exists()
    # The pay rules: the later case is a duplicate citing the earlier.
    result = client.get("/api/v1/assessment/result/", {"month": "2026-10"}).json()
    lines = {c["case_no"]: c for o in result["officers"] for m in o["months"] for c in m["cases"]}
    assert lines[second.number]["status"] == "duplicate"
    assert first.number in lines[second.number]["reason"]
    assert lines[first.number]["status"] != "duplicate"
    # The report says so, and a resend under the same key replays the answer.
    report = client.get(REPORT, {"month": "2026-10"}).json()
    assert report["pairs"][0]["status"] == "confirmed"
    again = client.post(
        decide_url(second, "confirm"),
        {"similar_to": first.number, "reason": "同一纠纷两次录入"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-confirm",
    )
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"


def test_a_decided_pair_cannot_be_decided_again(t, as_user, pair):
    first, second = pair
    client = as_user(t.office_user)
    dismissed = client.post(decide_url(second, "dismiss"), {"similar_to": first.number})
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
    assert dismissed.json()["decision_note"] == ""
    assert SuspectPair.objects.get(case=second).status == "dismissed"
    assert client.get(REPORT, {"month": "2026-10"}).json()["pairs"][0]["status"] == "dismissed"
    for decision in ("confirm", "dismiss"):
        response = client.post(
            decide_url(second, decision), {"similar_to": first.number, "reason": "再次处理"}
        )
        assert response.status_code == 409, decision
        assert response.json()["code"] == "conflict"
    assert SuspectPair.objects.get(case=second).status == "dismissed"


def test_bad_decisions_name_the_field_and_keep_nothing(t, other_town, as_user, pair):
    first, second = pair
    # Another category is never a suspect, whatever the office thinks.
    elsewhere = case_at(t, T0 + timedelta(days=1), category="security_hazard")
    client = as_user(t.office_user)
    cases = [
        ({"similar_to": first.number}, "reason"),  # confirming needs a reason
        ({"similar_to": first.number, "reason": "   "}, "reason"),
        ({"similar_to": elsewhere.number, "reason": "x"}, "similar_to"),  # no suspect
        ({"similar_to": second.number, "reason": "x"}, "similar_to"),  # itself
        ({"similar_to": "CT-2026-99999", "reason": "x"}, "similar_to"),
        ({"reason": "x"}, "similar_to"),
        ({"similar_to": first.number, "reason": "x", "score": 1}, "score"),
    ]
    for body, field in cases:
        response = client.post(decide_url(second, "confirm"), body, format="json")
        assert response.status_code == 400, body
        assert field in response.json()["fields"], (body, response.json())
    # The earlier case first is the pair the wrong way round.
    swapped = client.post(
        decide_url(first, "confirm"), {"similar_to": second.number, "reason": "x"}
    )
    assert swapped.status_code == 400 and "similar_to" in swapped.json()["fields"]
    assert SuspectPair.objects.count() == 0


def test_only_the_towns_office_decides(t, other_town, as_user, pair):
    first, second = pair
    body = {"similar_to": first.number, "reason": "同一件事"}
    for person in (t.officer, t.leader, t.admin_user, t.center_user):
        response = as_user(person).post(decide_url(second, "confirm"), body, format="json")
        assert response.status_code == 403, person.username
    # Outside the case's scope it does not exist.
    for person in (other_town.office_user, t.department_user):
        response = as_user(person).post(decide_url(second, "confirm"), body, format="json")
        assert response.status_code == 404, person.username
    assert APIClient().post(decide_url(second, "dismiss"), body).status_code in (401, 403)
    assert SuspectPair.objects.count() == 0


# ---------------------------------------------------------------- the schema


def test_the_schema_documents_every_new_operation(db):
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    operations = [
        paths["/api/v1/cases/suspects-check/"]["post"],
        paths["/api/v1/assessment/suspects/"]["get"],
        paths["/api/v1/assessment/suspects/{number}/confirm/"]["post"],
        paths["/api/v1/assessment/suspects/{number}/dismiss/"]["post"],
    ]
    for operation in operations:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in operation["summary"])
        assert operation["description"]
        assert "200" in operation["responses"] and "400" in operation["responses"]
    report = schema["components"]["schemas"]["SuspectsReport"]
    assert set(report["properties"]) == {"town", "period", "threshold", "pairs", "signals"}


# The general run (test_schemathesis.py) calls with a random pair; here the office calls the
# suspects' operations with a real pair in the path, checking the responses against the schema.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]
EXAMPLES = int(os.environ.get("GRIDCASE_FUZZ_EXAMPLES", "15"))
fuzzed = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application()).include(
    path_regex="suspects"
)


@pytest.fixture
def office_world(t, pair):
    first, second = pair
    _, key = ApiToken.issue(kind="device", user=t.office_user, name="fuzz", scope="write")
    # The test database lives in one transaction: the WSGI handler must not close it.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {"key": key, "number": second.number}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.skipif(os.environ.get("GRIDCASE_FUZZ") == "0", reason="GRIDCASE_FUZZ=0")
@fuzzed.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_office_fuzzing_the_new_operations_meets_no_500_and_only_the_schema(case, office_world):
    params = case.path_parameters or {}
    if "number" in params:
        params["number"] = office_world["number"]
    case.call_and_validate(headers={"Authorization": f"Token {office_world['key']}"}, checks=CHECKS)
