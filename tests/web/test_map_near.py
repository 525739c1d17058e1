"""附近: the open cases near a point on the map (`/map/near.json`, around the person's position or
a case) and on the case page (web/case/_nearby.html) — the selector's answer, scoped to what
the person may see, bad input refused in words."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from gridcase.cases import filing, services
from tests.factories import CLOSE_DISPUTE, complete_data, make_town
from tests.web.conftest import NOW

pytestmark = pytest.mark.django_db

LAT, LON = Decimal("28.100000"), Decimal("112.900000")
# About 111 m of latitude.
STEP = Decimal("0.001000")


def placed(t, n=0, *, by=None, days_ago=1, title=None):
    """An open case ``n`` × 111 m north of the point."""
    by = by or t.officer
    at = NOW - timedelta(days=days_ago)
    data = complete_data(at, latitude=LAT + n * STEP, longitude=LON, title=title or f"路灯损坏{n}")
    case = filing.case_create_draft(town=t.town, by=by, data=data, at=at)
    return filing.case_submit(case=case, by=by, at=at)


def nearby_section(client, number: str) -> str:
    html = client.get(f"/cases/{number}/").content.decode()
    start = html.find('id="nearby"')
    return html[start : html.index("</section>", start)] if start >= 0 else ""


def near(client, query: str):
    return client.get("/map/near.json" + query)


def test_near_a_position_lists_the_open_cases_nearest_first_with_distance_and_light(
    login, t, frozen
):
    first, second = placed(t, 1), placed(t, 2)
    placed(t, 3)  # 333 m: beyond the radius
    old = placed(t, 0, days_ago=31)  # beyond the 30 days
    data = near(login(t.center_user), f"?lat={LAT}&lon={LON}").json()
    assert [p[2] for p in data["points"]] == [first.number, second.number]
    assert data["points"][0][:4] == [28.101, 112.9, first.number, first.title]
    assert data["points"][0][4] in {"red", "yellow", "green"}
    assert data["points"][0][5] == 111 and data["points"][1][5] == 222
    assert data["center"] == [28.1, 112.9] and data["radius_m"] == 300 and data["days"] == 30
    assert data["message"] == "300米内、近30天共2件未办结事件。"
    assert old.number not in {p[2] for p in data["points"]}


def test_near_a_case_leaves_the_case_out(login, t, frozen):
    here, other = placed(t, 0), placed(t, 1)
    data = near(login(t.officer), f"?case={here.number}").json()
    assert [p[2] for p in data["points"]] == [other.number]
    assert data["case"] == here.number


def test_only_the_cases_the_person_may_see(login, t, frozen):
    east = placed(t, 1)
    west = placed(t, 2, by=t.other_officer)
    query = f"?lat={LAT}&lon={LON}"
    assert [p[2] for p in near(login(t.officer), query).json()["points"]] == [east.number]
    assert [p[2] for p in near(login(t.other_officer), query).json()["points"]] == [west.number]
    assert [p[2] for p in near(login(t.leader), query).json()["points"]] == [
        east.number,
        west.number,
    ]
    other = make_town("石门镇", "sm", prefix="sm_")
    assert near(login(other.leader), query).json()["points"] == []
    # A case outside the scope is not there at all: 404, as on every path.
    assert near(login(t.other_officer), f"?case={east.number}").status_code == 404
    assert near(login(other.leader), f"?case={east.number}").status_code == 404


def test_a_closed_case_is_not_near(login, t, frozen):
    closed = placed(t, 1)
    services.case_accept(case=closed, by=t.officer, at=NOW - timedelta(hours=5))
    services.case_close(case=closed, by=t.officer, data=CLOSE_DISPUTE, at=NOW - timedelta(hours=4))
    assert near(login(t.leader), f"?lat={LAT}&lon={LON}").json()["points"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "纬度"),
        ("?lat=abc&lon=112.9", "纬度"),
        ("?lat=91&lon=112.9", "纬度"),
        ("?lat=nan&lon=112.9", "纬度"),
        ("?lat=28.1", "经度"),
        ("?lat=28.1&lon=-180.5", "经度"),
        ("?lat=28.1&lon=inf", "经度"),
    ],
)
def test_a_bad_position_is_refused_naming_the_field(login, t, frozen, query, field):
    response = near(login(t.officer), query)
    assert response.status_code == 400
    assert response.json()["error"].startswith(field) and "WGS-84" in response.json()["error"]


def test_a_case_without_a_point_is_refused_in_words(login, t, frozen):
    from tests.factories import submitted_case

    case = submitted_case(t, NOW - timedelta(days=1))
    response = near(login(t.officer), f"?case={case.number}")
    assert response.status_code == 400
    assert response.json()["error"] == f"事件{case.number}没有坐标,无法查找附近的事件。"


def test_signed_out_near_sends_to_the_sign_in(client, t):
    response = near(client, f"?lat={LAT}&lon={LON}")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_map_page_has_the_near_control_and_takes_a_case(login, t, frozen):
    html = login(t.officer).get("/map/?near=CT-1&light=red").content.decode()
    assert 'id="map-near"' in html and ">附近<" in html
    assert 'data-near="/map/near.json" data-near-case="CT-1"' in html
    assert "附近的未办结事件(300米内,近30天)" in html
    # ?near is the neighbourhood, not a filter of the points.
    assert 'data-points="/map/points.json?light=red"' in html


def test_the_case_page_lists_the_open_cases_near_it_that_the_reader_may_see(login, t, frozen):
    here = placed(t, 0)
    east = placed(t, 1, title="井盖缺失")
    west = placed(t, 2, by=t.other_officer, title="占道经营")
    placed(t, 4)  # 444 m
    html = nearby_section(login(t.leader), here.number)
    assert "附近的未办结事件(300米内,近30天) (2)" in html
    assert east.number in html and "井盖缺失" in html and "约111米" in html
    assert west.number in html and "约222米" in html
    assert f'href="/map/?near={here.number}"' in html
    html = nearby_section(login(t.officer), here.number)
    assert east.number in html and west.number not in html and "占道经营" not in html


def test_the_case_page_says_when_nothing_is_near_and_a_case_without_a_point_has_no_list(
    login, t, frozen
):
    from tests.factories import submitted_case

    alone = placed(t, 0)
    assert "附近没有其他未办结的事件。" in nearby_section(login(t.officer), alone.number)
    unplaced = submitted_case(t, NOW - timedelta(days=1))
    html = login(t.officer).get(f"/cases/{unplaced.number}/").content.decode()
    assert 'id="nearby"' not in html


def test_near_and_the_case_page_take_the_same_queries_for_1_case_nearby_or_6(login, t, frozen):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    here = placed(t, 0)
    client = login(t.leader)
    placed(t, 1)
    with CaptureQueriesContext(connection) as near_few:
        assert len(near(client, f"?case={here.number}").json()["points"]) == 1
    with CaptureQueriesContext(connection) as page_few:
        assert "(1)" in nearby_section(client, here.number)
    for n in range(5):
        placed(t, 1, title=f"噪音扰民{n}")
    with CaptureQueriesContext(connection) as near_more:
        assert len(near(client, f"?case={here.number}").json()["points"]) == 6
    with CaptureQueriesContext(connection) as page_more:
        assert "(6)" in nearby_section(client, here.number)
    assert len(near_more) == len(near_few)
    assert len(page_more) == len(page_few)
