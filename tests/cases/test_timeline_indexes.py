"""The returns and the reviews have indexes of their own (cases 0022 and 0026, partial on the
action): "returned to me and not yet acted on" (web.selectors.RETURNED) reads the few returns
instead of the timeline's every row (at a million cases PostgreSQL scanned every month's
partition for them, 0.3 s of the town center's "returned" tab), and the assessment reads the
town's reviews of a period's cases from the reviews alone (assessment.facts.period_reviews)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridcase.cases.models import Case, TimelineEntry
from gridcase.core import partitions
from gridcase.web.selectors import RETURNED


@pytest.mark.parametrize(
    ("name", "fields", "action"),
    [
        ("timeline_returns", ["case", "to_level", "at"], "return"),
        ("timeline_town_reviews", ["town", "case", "at", "id"], "review"),
    ],
)
def test_the_indexes_hold_one_action_on_the_columns_their_readers_compare(name, fields, action):
    [index] = [i for i in TimelineEntry._meta.indexes if i.name == name]
    assert index.fields == fields
    assert str(index.condition) == f"(AND: ('action', '{action}'))"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan")
@pytest.mark.django_db
def test_sqlite_looks_each_case_up_in_the_returns_alone():
    sql, params = Case.objects.filter(RETURNED).values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "INDEX timeline_returns (case_id=? AND to_level=? AND at=?)" in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan")
@pytest.mark.django_db
def test_sqlite_reads_the_towns_reviews_from_the_reviews_alone(t):
    from gridcase.assessment import facts

    with CaptureQueriesContext(connection) as ctx:
        facts.period_reviews(t.town, ["2026-10"])
    [query] = ctx.captured_queries
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "INDEX timeline_town_reviews (town_id=?" in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's partitions")
@pytest.mark.parametrize(
    "definition",
    [
        "%(case_id, to_level, at) WHERE ((action)::text = 'return'::text)%",
        "%(town_id, case_id, at, id) WHERE ((action)::text = 'review'::text)%",
    ],
)
@pytest.mark.django_db
def test_every_partition_of_the_timeline_has_the_index(definition):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, bool_or(i.indexdef LIKE %s) FROM pg_inherits h"
            " JOIN pg_class c ON c.oid = h.inhrelid JOIN pg_class p ON p.oid = h.inhparent"
            " LEFT JOIN pg_indexes i ON i.tablename = c.relname"
            " WHERE p.relname = %s GROUP BY c.relname",
            [definition, "cases_timelineentry"],
        )
        found = dict(cursor.fetchall())
    assert partitions.is_partitioned(connection, "cases_timelineentry")
    assert found and all(found.values()), found
