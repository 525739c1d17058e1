"""The town's queue index covers the town-wide tabs' queries on both databases: its INCLUDE
columns (the deadlines, the officer) are key columns on SQLite, which has no INCLUDE
(core/indexes.py, CoveringIndex; cases 0027), so that the governance office's counts and
pages read a town's open cases from the index alone, not each row from the table."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.plans import sqlite_plan

pytestmark = pytest.mark.django_db


def index_sql() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'case_town_queue_cat'"
            )
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'case_town_queue_cat'")
        return cursor.fetchone()[0]


def test_the_included_columns_are_in_the_index_on_either_database():
    sql = index_sql().replace('"', "")
    if connection.vendor == "postgresql":
        assert (
            "(town_id, state, level, category) INCLUDE (accept_due, handle_due, id, officer_id)"
            in sql
        )
    else:
        assert "(town_id, state, level, category, accept_due, handle_due, officer_id)" in sql


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan")
@pytest.mark.parametrize("tab", ["handling", "overdue"])
def test_the_offices_tabs_read_the_town_from_the_index_alone(client, t, tab):
    client.force_login(t.office_user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/", {"tab": tab}).status_code == 200
    town_wide = [
        q["sql"]
        for q in queries.captured_queries
        if '"cases_case"."level" IN' in q["sql"] and '"cases_case"."village_id"' not in q["sql"]
    ]
    assert len(town_wide) >= 2, "the counts and the page's ids"
    for sql in town_wide:
        plan = sqlite_plan(sql)
        assert "COVERING INDEX case_town_queue_cat" in plan, plan
