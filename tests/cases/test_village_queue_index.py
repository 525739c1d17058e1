"""An officer's and a station's tab counts read their village's open cases from the village's
queue index (cases 0024: town, village, state, level), never the whole village: SQLite keeps
no statistics and chose, by the count of equal columns, the duplicate check's (town, village,
category, submitted_at) when the queue index began with the village (150 ms at a million)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.plans import captured, sqlite_plan

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan"),
]


def plans_of_the_counts(client, user) -> list[str]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    counts = captured(queries, "COUNT(", '"cases_case"."village_id" =')
    assert counts, "no count of the village's cases"
    return [sqlite_plan(sql) for sql in counts]


@pytest.mark.parametrize("who", ["officer", "station_user"])
def test_a_villages_counts_read_its_queue_index(client, t, who):
    plans = plans_of_the_counts(client, getattr(t, who))
    # The follow-ups are counted from their own partial index, the tabs from the queue's.
    assert not [p for p in plans if "case_village_cat_time" in p], plans
    queue = "INDEX case_village_queue (town_id=? AND village_id=? AND state=?"
    assert [p for p in plans if queue in p], plans


def test_a_villages_follow_ups_under_a_category_are_counted_from_their_own_index(client, t):
    client.force_login(t.officer)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/cases/", {"category": "dispute"}).status_code == 200
    [count] = captured(queries, "COUNT(", '"cases_case"."followed_up_at" IS NULL')
    plan = sqlite_plan(count)
    assert "COVERING INDEX case_awaiting_follow_up_vil" in plan, plan
