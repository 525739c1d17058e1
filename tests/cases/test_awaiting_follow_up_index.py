"""The follow-ups awaiting a visit are counted from their partial indexes even when the count
cannot be read from an index alone: under a search for a gram in most cases, tested on each row
(cases.search.COMMON), SQLite — no statistics — took the queue indexes' (town, [village,] state)
and read every closed case (cases 0028: the state and followed_up_at first)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridcase.cases import search
from tests.factories import local, submitted_case
from tests.plans import captured, sqlite_plan

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan"),
]


@pytest.mark.parametrize(
    ("who", "index"),
    [
        ("office_user", "case_awaiting_follow_up_town"),
        ("center_user", "case_awaiting_follow_up_town"),
        ("officer", "case_awaiting_follow_up_vil"),
        ("station_user", "case_awaiting_follow_up_vil"),
    ],
)
def test_the_follow_ups_under_a_common_search_are_counted_from_their_index(
    client, t, monkeypatch, who, index
):
    for hour in (9, 10):
        submitted_case(t, local(2026, 10, 9, hour), location="石桥")
    monkeypatch.setattr(search, "LISTED", 1)
    monkeypatch.setattr(search, "COMMON_SHARE", 10**9)  # 石桥 is in "most" cases
    client.force_login(getattr(t, who))
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/cases/", {"q": "石桥"}).status_code == 200
    [count] = captured(queries, "COUNT(", '"cases_case"."followed_up_at" IS NULL')
    assert "LIKE" in count and "MATCH" not in count  # the search tested on each row
    plan = sqlite_plan(count)
    assert f"INDEX {index} (town_id=?" in plan and "followed_up_at=?" in plan, plan
