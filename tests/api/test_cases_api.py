"""Cases over HTTP: the workbench's filters, cursor pages, the detail, drafts; the calendar and
the organisation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gridcase.cases import filing, services
from tests.api.conftest import device_client
from tests.factories import complete_data, local, submitted_case

AT = local(2026, 10, 12, 9)


def _numbers(client, query=""):
    response = client.get(f"/api/v1/cases/?{query}")
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["results"]]


@pytest.fixture
def several(t):
    """Cases of 东村 and 西村 in several states, categories and lights (now: 14 Oct, 10:00)."""
    due_today = submitted_case(t, AT)  # accept by 14 Oct: yellow
    overdue = submitted_case(t, local(2026, 9, 28, 9), category="security_hazard")  # red
    services.case_accept(case=overdue, by=t.officer, at=local(2026, 9, 28, 10))
    fresh = submitted_case(t, local(2026, 10, 14, 9), major=True)  # accept by 16 Oct: green
    west = filing.case_create_draft(
        town=t.town,
        by=t.other_officer,
        data=complete_data(AT, category="livelihood_service", location="西村桥头"),
        at=AT,
    )
    filing.case_submit(case=west, by=t.other_officer, at=AT)
    return {"yellow": due_today, "red": overdue, "green": fresh, "west": west}


@pytest.mark.parametrize(
    "query,expected",
    [
        ("", ["green", "west", "red", "yellow"]),
        ("light=red", ["red"]),
        ("light=yellow", ["west", "yellow"]),
        ("light=green", ["green"]),
        ("state=handling", ["red"]),
        ("category=security_hazard", ["red"]),
        ("major=true", ["green"]),
        ("major=false", ["west", "red", "yellow"]),
        ("level=grid&state=pending", ["green", "west", "yellow"]),
        ("submitted_from=2026-10-12&submitted_to=2026-10-12", ["west", "yellow"]),
        ("submitted_to=2026-09-30", ["red"]),
        ("q=西村桥头", ["west"]),
        ("source=open311", []),
    ],
)
def test_the_workbenchs_filters(t, several, query, expected):
    # Created in the order yellow, red, green, west: newest first by id.
    order = {case.number: name for name, case in several.items()}
    by_id = sorted(several.values(), key=lambda c: -c.pk)
    got = [order[n] for n in _numbers(device_client(t.center_user), query)]
    assert got == [order[c.number] for c in by_id if order[c.number] in expected]


def test_village_and_officer_filters(t, several):
    client = device_client(t.center_user)
    assert _numbers(client, f"village={t.other_village.pk}") == [several["west"].number]
    assert set(_numbers(client, f"officer={t.officer.pk}")) == {
        several[k].number for k in ("yellow", "red", "green")
    }


def test_cursor_pages_walk_every_case_once(t):
    made = {submitted_case(t, AT + timedelta(minutes=i)).number for i in range(7)}
    client = device_client(t.center_user)
    seen, url = [], "/api/v1/cases/?page_size=3"
    while url:
        page = client.get(url).json()
        seen += [row["number"] for row in page["results"]]
        url = page["next"]
    assert len(seen) == 7 and set(seen) == made


def test_the_list_shows_lights_and_deadlines(t, several):
    rows = {
        row["number"]: row
        for row in device_client(t.center_user).get("/api/v1/cases/").json()["results"]
    }
    red = rows[several["red"].number]
    assert (red["light"], red["state"], red["state_label"]) == ("red", "handling", "办理中")
    assert rows[several["yellow"].number]["due"] == "2026-10-14"


def test_phone_numbers_are_whole_for_handlers_and_masked_for_others(t):
    case = submitted_case(t, AT)

    def phones(user):
        return [
            p["phone"]
            for p in device_client(user).get(f"/api/v1/cases/{case.number}/").json()["parties"]
        ]

    assert phones(t.officer) == ["13800138001", "0731-84561234"]
    assert phones(t.station_user) == ["13800138001", "0731-84561234"]
    assert phones(t.office_user) == ["138****8001", "073******1234"]
    assert phones(t.leader) == ["138****8001", "073******1234"]


def test_an_officer_writes_a_draft_completes_it_and_submits_it(t):
    client = device_client(t.officer)
    created = client.post(
        "/api/v1/cases/",
        {"category": "dispute", "title": "围墙纠纷", "location": "东村3组"},
        format="json",
    )
    assert created.status_code == 201
    number = created.json()["number"]
    assert created["Location"].endswith(f"/api/v1/cases/{number}/")
    assert created.json()["allowed_actions"] == ["edit", "attach", "submit", "void"]

    refused = client.post(f"/api/v1/cases/{number}/submit/", {}, format="json")
    assert refused.status_code == 400
    assert client.get(f"/api/v1/cases/{number}/").json()["location"] == "东村3组"  # nothing lost

    patch = complete_data(AT)
    patch["occurred_at"] = AT.isoformat()
    del patch["category"]
    assert client.patch(f"/api/v1/cases/{number}/", patch, format="json").status_code == 200
    submitted = client.post(f"/api/v1/cases/{number}/submit/", {}, format="json")
    assert submitted.status_code == 200, submitted.content
    body = submitted.json()
    assert (body["state"], body["accept_due"]) == ("pending", "2026-10-16")
    assert [e["action"] for e in body["timeline"]] == ["create", "edit", "submit"]


def test_an_officer_submits_and_accepts_their_draft_in_one_step(t):
    client = device_client(t.officer)
    draft = filing.case_create_draft(town=t.town, by=t.officer, data=complete_data(AT), at=AT)
    response = client.post(f"/api/v1/cases/{draft.number}/submit-and-accept/", {}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "handling"
    assert [e["action"] for e in body["timeline"]][-2:] == ["submit", "accept"]


def test_a_draft_goes_to_the_officers_own_village_unless_another_of_theirs_is_named(t):
    client = device_client(t.officer)
    assert client.post("/api/v1/cases/", {}, format="json").json()["village"]["name"] == "东村"
    response = client.post("/api/v1/cases/", {"village": t.other_village.pk}, format="json")
    assert response.status_code == 403
    assert response.json()["message"] == "您不是该行政村的网格专管员"


def test_only_officers_write_cases(t):
    response = device_client(t.center_user).post("/api/v1/cases/", {}, format="json")
    assert response.status_code == 403
    assert response.json()["message"] == "只有本镇的网格专管员可以录入事件"


def test_a_grid_places_the_draft_in_its_village_which_must_be_the_officers(t):
    from gridcase.org.models import Grid

    west_grid = Grid.objects.get(village=t.other_village)
    client = device_client(t.officer)
    response = client.post("/api/v1/cases/", {"grid": west_grid.pk}, format="json")
    assert response.status_code == 403
    assert response.json()["message"] == "您不是该行政村的网格专管员"
    mismatch = client.post(
        "/api/v1/cases/", {"village": t.village.pk, "grid": west_grid.pk}, format="json"
    )
    assert mismatch.status_code == 400
    assert "grid" in mismatch.json()["fields"]


def test_the_whole_flow_over_http(t):
    """Escalated by the grid and the village, dispatched, reported and closed by the center."""
    case = submitted_case(t, AT)
    steps = [
        (t.officer, "accept", {}),
        (t.officer, "escalate", {"note": "需村站协调"}),
        (t.station_user, "accept", {}),
        (t.station_user, "escalate", {"note": "村级无法处理"}),
        (t.center_user, "accept", {}),
        (t.center_user, "dispatch", {"department": t.department.pk}),
        (t.department_user, "accept", {}),
        (t.department_user, "report", {"result": "已责令整改"}),
        (t.center_user, "close", {"result": "已责令整改,双方认可"}),
    ]
    for user, action, body in steps:
        response = device_client(user).post(
            f"/api/v1/cases/{case.number}/{action}/", body, format="json"
        )
        assert response.status_code == 200, (action, response.content)
    final = response.json()
    assert (final["state"], final["closed_level"], final["local_outcome"]) == (
        "closed",
        "town",
        "escalated",
    )
    assert final["follow_up_due"] is not None


# ---------------------------------------------------------------- calendar and organisation


def test_the_deadline_counts_working_days_across_labour_day(t):
    body = (
        device_client(t.officer)
        .get("/api/v1/calendar/deadline/", {"from": "2026-04-30", "working_days": 2})
        .json()
    )
    assert body["deadline"] == "2026-05-07"
    assert body["deadline_end"] == "2026-05-08T00:00:00+08:00"


def test_the_days_say_why_a_day_works_or_not(t):
    body = (
        device_client(t.officer)
        .get("/api/v1/calendar/days/", {"from": "2026-05-01", "to": "2026-05-11"})
        .json()
    )
    kinds = {d["date"]: d["kind"] for d in body["days"]}
    assert kinds["2026-05-01"] == "holiday"
    assert kinds["2026-05-09"] == "make_up_workday"
    assert kinds["2026-05-11"] == "workday"
    assert body["working_days"] == 5  # 6, 7, 8, the make-up Saturday 9 and Monday 11 May


@pytest.mark.parametrize(
    "params,field",
    [
        ({"from": "2026-05-01", "to": "2027-05-02"}, "to"),
        ({"from": "2026-05-10", "to": "2026-05-01"}, "to"),
        ({"from": "9999-12-31", "to": "9999-12-31"}, "from"),
    ],
)
def test_bad_calendar_ranges_are_400(t, params, field):
    response = device_client(t.officer).get("/api/v1/calendar/days/", params)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_another_towns_calendar_and_organisation_are_not_found(t, other_town):
    client = device_client(t.officer)
    assert (
        client.get("/api/v1/calendar/days/?from=2026-05-01&to=2026-05-02&town=bs").status_code
        == 404
    )
    assert client.get("/api/v1/org/towns/bs/").status_code == 404
    assert client.get("/api/v1/org/villages/?town=bs").status_code == 404
    assert [t["code"] for t in client.get("/api/v1/org/towns/").json()] == ["ct"]
    assert {v["name"] for v in client.get("/api/v1/org/villages/").json()} == {"东村", "西村"}


def test_departments_are_listed_for_dispatching(t):
    units = device_client(t.center_user).get("/api/v1/org/units/?kind=department").json()
    assert {u["name"] for u in units} == {"长塘镇派出所", "长塘镇城建办"}
