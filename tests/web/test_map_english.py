"""The town map's words in English: the page's texts for map.js (its data- attributes) and what
points.json and near.json say (their messages, the lights, a refusal), with no Chinese of
their own (the town's and cases' names are data, and the test town's are Chinese)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings

from tests.factories import submitted_case
from tests.web.conftest import NOW
from tests.web.test_english_pages import CJK
from tests.web.test_map_near import LAT, LON, placed

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client, t):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(t.officer)
    return client


def test_the_map_page_gives_map_js_its_words_in_english(english, t, frozen):
    html = english.get("/map/").content.decode()
    start = html.index('id="town-map"')
    div = html[start : html.index("</div>", start)]
    assert 'data-count-one="%(n)s open case"' in div
    assert not CJK.search(div), div
    start = html.index('id="near-cases"')
    assert not CJK.search(html[start : html.index("</section>", start)])


def test_points_and_near_say_their_messages_in_english(english, t, frozen):
    empty = english.get("/map/points.json").json()
    assert empty["message"] and not CJK.search(empty["message"])
    assert empty["lights"] and not any(CJK.search(w) for w in empty["lights"].values())
    placed(t, 1)
    near = english.get(f"/map/near.json?lat={LAT}&lon={LON}").json()
    assert near["message"] == "1 open case within 300 m in the last 30 days."
    assert not any(CJK.search(w) for w in near["lights"].values())


@pytest.mark.parametrize("query", ["?lat=nan&lon=112.9", "?lat=28.1&lon=-180.5"])
def test_a_bad_position_is_refused_in_english(english, t, frozen, query):
    response = english.get("/map/near.json" + query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert "WGS-84" in error and not CJK.search(error)


def test_a_case_without_a_point_is_refused_in_english(english, t, frozen):
    case = submitted_case(t, NOW - timedelta(days=1))
    response = english.get(f"/map/near.json?case={case.number}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert case.number in error and not CJK.search(error)
