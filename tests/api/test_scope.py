"""Role × endpoint: every caller against every case endpoint, with a case inside and outside
its scope. Outside → 404 (the case does not exist for them); inside but not theirs to act on
→ 403 with the workflow's reason; theirs → 2xx.

The tables below are written out by hand from domain.md (who sees what, who does what); they
are not computed from the code under test.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from gridcase.cases import attachments, filing, services
from gridcase.cases.models import Case
from tests.api.conftest import device_client, png, system_client
from tests.factories import CLOSE_DISPUTE, complete_data, local, make_town, submitted_case

AT = local(2026, 10, 12, 9)

PEOPLE = [
    "officer",
    "other_officer",
    "station_user",
    "other_station_user",
    "center_user",
    "department_user",
    "other_department_user",
    "office_user",
    "leader",
    "admin_user",
]
SYSTEMS = ["system_read", "system_write"]
CALLERS = ["anonymous", *PEOPLE, *SYSTEMS]

# Who sees a case of 东村 at each stage (domain.md, People and roles).
TOWN_WIDE = {"center_user", "office_user", "leader", "admin_user", *SYSTEMS}
VILLAGE = {"officer", "station_user"}
VISIBLE = {
    "draft": {"officer"},  # a draft is its officer's own note
    "grid_pending": VILLAGE | TOWN_WIDE,
    "grid_pending_attached": VILLAGE | TOWN_WIDE,
    "grid_handling": VILLAGE | TOWN_WIDE,
    "village_pending": VILLAGE | TOWN_WIDE,
    "town_handling": VILLAGE | TOWN_WIDE,
    "dept_handling": VILLAGE | TOWN_WIDE | {"department_user"},
    "dept_extension": VILLAGE | TOWN_WIDE | {"department_user"},
    "closed": VILLAGE | TOWN_WIDE,
}


def stage(t, name: str) -> Case:
    """A case of 东村 brought to the named stage through the services."""
    if name == "draft":
        return filing.case_create_draft(town=t.town, by=t.officer, data=complete_data(AT), at=AT)
    case = submitted_case(t, AT)
    if name == "grid_pending":
        return case
    if name == "grid_pending_attached":
        attachments.case_attach(case=case, by=t.officer, upload=png(), at=AT)
        return case
    services.case_accept(case=case, by=t.officer, at=AT)
    if name == "grid_handling":
        return case
    if name == "closed":
        return services.case_close(case=case, by=t.officer, data=CLOSE_DISPUTE, at=AT)
    services.case_escalate(case=case, by=t.officer, note="需村站协调", at=AT)
    if name == "village_pending":
        return case
    services.case_accept(case=case, by=t.station_user, at=AT)
    services.case_escalate(case=case, by=t.station_user, note="村级无法处理", at=AT)
    services.case_accept(case=case, by=t.center_user, at=AT)
    if name == "town_handling":
        return case
    services.case_dispatch(case=case, by=t.center_user, department=t.department, at=AT)
    services.case_accept(case=case, by=t.department_user, at=AT)
    if name == "dept_handling":
        return case
    services.case_request_extension(
        case=case, by=t.department_user, working_days=3, reason="需要调查取证", at=AT
    )
    return case


def _extension(case):
    return case.extensions.get().pk


def _attachment(case):
    return case.attachments.get().pk


# (name, method, path after /cases/{number}/, stage, body, success status, who succeeds)
ENDPOINTS = [
    ("detail", "get", "", "grid_pending", None, 200, "visible"),
    ("update_draft", "patch", "", "draft", {"title": "新标题"}, 200, {"officer"}),
    ("submit", "post", "submit/", "draft", {}, 200, {"officer"}),
    ("handle_on_spot", "post", "handle-on-spot/", "draft", CLOSE_DISPUTE, 200, {"officer"}),
    ("submit_and_accept", "post", "submit-and-accept/", "draft", {}, 200, {"officer"}),
    ("accept", "post", "accept/", "grid_pending", {}, 200, {"officer"}),
    ("accept_village", "post", "accept/", "village_pending", {}, 200, {"station_user"}),
    ("close", "post", "close/", "grid_handling", CLOSE_DISPUTE, 200, {"officer"}),
    ("escalate", "post", "escalate/", "grid_handling", {"note": "需协调"}, 200, {"officer"}),
    ("dispatch", "post", "dispatch/", "town_handling", "department", 200, {"center_user"}),
    ("report", "post", "report/", "dept_handling", {"result": "已处理"}, 200, {"department_user"}),
    (
        "return",
        "post",
        "return/",
        "town_handling",
        {"reason": "请村站先调解"},
        200,
        {"center_user"},
    ),
    (
        "return_department",
        "post",
        "return/",
        "dept_handling",
        {"reason": "不属本部门职责"},
        200,
        {"department_user"},
    ),
    (
        "void",
        "post",
        "void/",
        "grid_pending",
        {"reason": "重复录入"},
        200,
        {"officer", "center_user", "office_user"},
    ),
    (
        "urge",
        "post",
        "urge/",
        "grid_pending",
        {"note": "请尽快受理"},
        200,
        {"station_user", "center_user", "office_user", "leader"},
    ),
    ("extensions_list", "get", "extensions/", "dept_extension", None, 200, "visible"),
    (
        "request_extension",
        "post",
        "extensions/",
        "dept_handling",
        {"working_days": 3, "reason": "需要调查"},
        201,
        {"department_user"},
    ),
    (
        "request_extension_town",
        "post",
        "extensions/",
        "town_handling",
        {"working_days": 2, "reason": "需要协调"},
        201,
        {"center_user"},
    ),
    (
        "decide_extension",
        "post",
        "extensions/{extension}/decide/",
        "dept_extension",
        {"approve": True, "note": "同意"},
        200,
        {"center_user"},
    ),
    ("follow_ups_list", "get", "follow-ups/", "closed", None, 200, "visible"),
    (
        "follow_up",
        "post",
        "follow-ups/",
        "closed",
        {"visited_on": "2026-10-14", "method": "phone", "satisfied": True},
        201,
        {"officer", "station_user", "center_user"},
    ),
    ("review", "post", "review/", "closed", {"quality": "conforming"}, 200, {"office_user"}),
    ("attachments_list", "get", "attachments/", "grid_pending", None, 200, "visible"),
    (
        "attach",
        "post",
        "attachments/",
        "grid_pending",
        "upload",
        201,
        {"officer", "station_user", "center_user"},
    ),
    (
        "attachment_file",
        "get",
        "attachments/{attachment}/file/",
        "grid_pending_attached",
        None,
        200,
        "visible",
    ),
]


def expected_status(caller, method, stage_name, success, allowed, inside: bool) -> int:
    if caller == "anonymous":
        return 401
    if caller in SYSTEMS and method != "get":
        return 403  # a system token reads; it never acts on a case
    if not inside or caller not in VISIBLE[stage_name]:
        return 404
    allowed = VISIBLE[stage_name] if allowed == "visible" else allowed
    return success if caller in allowed else 403


def _clients(t):
    clients = {"anonymous": None}
    for name in PEOPLE:
        clients[name] = device_client(getattr(t, name))
    clients["system_read"] = system_client(t.town, "read")
    clients["system_write"] = system_client(t.town, "write")
    return clients


def _call(client, method, url, body, t):
    from rest_framework.test import APIClient

    client = client or APIClient()
    if body == "upload":
        return client.post(url, {"file": png()}, format="multipart")
    if body == "department":
        body = {"department": t.department.pk}
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, body, format="json")


@pytest.mark.parametrize(
    "name,method,path,stage_name,body,success,allowed",
    ENDPOINTS,
    ids=[e[0] for e in ENDPOINTS],
)
def test_every_caller_gets_404_outside_scope_403_without_the_right_and_2xx_with_it(
    db, name, method, path, stage_name, body, success, allowed
):
    t = make_town()
    bs = make_town(name="白沙镇", code="bs", prefix="bs_")
    clients = _clients(t)
    inside, outside = stage(t, stage_name), stage(bs, stage_name)

    actual, expected = {}, {}
    for where, case in (("inside", inside), ("outside", outside)):
        url = f"/api/v1/cases/{case.number}/" + path.format(
            extension=_extension(case) if "{extension}" in path else "",
            attachment=_attachment(case) if "{attachment}" in path else "",
        )
        for caller in CALLERS:
            # Each call starts from the same case: roll back whatever the last one changed.
            with transaction.atomic():
                response = _call(clients[caller], method, url, body, t)
                transaction.set_rollback(True)
            actual[(where, caller)] = response.status_code
            expected[(where, caller)] = expected_status(
                caller, method, stage_name, success, allowed, where == "inside"
            )
            if response.status_code >= 400 and response.get("Content-Type") == "application/json":
                body_json = response.json()
                assert set(body_json) == {"code", "message", "fields"}, (caller, body_json)
    assert actual == expected


def test_a_refused_action_says_why_in_the_workflows_words(db):
    t = make_town()
    case = stage(t, "grid_pending")
    response = device_client(t.station_user).post(
        f"/api/v1/cases/{case.number}/accept/", {}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"
    assert response.json()["message"] == "您的角色不能对网格的这件事件受理"


def test_an_incomplete_case_is_refused_with_every_missing_element(db):
    t = make_town()
    draft = filing.case_create_draft(
        town=t.town, by=t.officer, data={"category": "dispute", "location": "东村"}, at=AT
    )
    response = device_client(t.officer).post(
        f"/api/v1/cases/{draft.number}/submit/", {}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert {"occurred_at", "persons", "cause", "course", "parties"} <= set(body["fields"])
    assert "缺少起因" in body["message"]


def test_the_list_shows_each_caller_only_their_cases(db):
    t = make_town()
    bs = make_town(name="白沙镇", code="bs", prefix="bs_")
    east = submitted_case(t, AT)
    west = filing.case_create_draft(town=t.town, by=t.other_officer, data=complete_data(AT), at=AT)
    filing.case_submit(case=west, by=t.other_officer, at=AT)
    draft = filing.case_create_draft(town=t.town, by=t.officer, data={}, at=AT)
    foreign = submitted_case(bs, AT)
    clients = _clients(t)

    def numbers(caller):
        response = clients[caller].get("/api/v1/cases/")
        assert response.status_code == 200
        return {row["number"] for row in response.json()["results"]}

    assert numbers("officer") == {east.number, draft.number}
    assert numbers("other_officer") == {west.number}
    assert numbers("station_user") == {east.number}
    assert numbers("center_user") == {east.number, west.number}
    assert numbers("department_user") == set()
    assert numbers("system_read") == {east.number, west.number}
    assert foreign.number not in numbers("leader")


# Endpoints scoped by town: {town} is the caller's town ("ct") or another ("bs").
EVERYONE = set(PEOPLE) | set(SYSTEMS)
ASSESSORS = {"office_user", "leader", "admin_user"}  # the whole town's pay
PAY_READERS = ASSESSORS | {"officer", "other_officer"}  # officers: their own lines
TOWN_ENDPOINTS = [
    ("org_town", "/api/v1/org/towns/{town}/", EVERYONE),
    ("org_villages", "/api/v1/org/villages/?town={town}", EVERYONE),
    ("org_grids", "/api/v1/org/grids/?town={town}", EVERYONE),
    ("org_units", "/api/v1/org/units/?town={town}", EVERYONE),
    ("deadline", "/api/v1/calendar/deadline/?from=2026-10-14&working_days=2&town={town}", EVERYONE),
    ("days", "/api/v1/calendar/days/?from=2026-10-01&to=2026-10-31&town={town}", EVERYONE),
    ("result", "/api/v1/assessment/result/?month=2026-09&town={town}", PAY_READERS),
    ("quarter", "/api/v1/assessment/quarters/2026-Q3/?town={town}", ASSESSORS),
    ("appeals", "/api/v1/assessment/appeals/?town={town}", set(PEOPLE)),
]


@pytest.mark.parametrize("name,url,allowed", TOWN_ENDPOINTS, ids=[e[0] for e in TOWN_ENDPOINTS])
def test_town_endpoints_answer_for_the_callers_town_only(db, name, url, allowed):
    t = make_town()
    make_town(name="白沙镇", code="bs", prefix="bs_")
    clients = _clients(t)
    assessment = url.startswith("/api/v1/assessment/")
    actual, expected = {}, {}
    for town in ("ct", "bs"):
        for caller in CALLERS:
            response = _call(clients[caller], "get", url.format(town=town), None, t)
            actual[(town, caller)] = response.status_code
            if caller == "anonymous":
                expected[(town, caller)] = 401
            elif assessment and caller in SYSTEMS:
                expected[(town, caller)] = 403  # pay is for people
            elif town == "bs":
                expected[(town, caller)] = 404
            else:
                expected[(town, caller)] = 200 if caller in allowed else 403
    assert actual == expected
