"""The returns have an index of their own (cases 0022, partial: action = 'return'): "returned to
me and not yet acted on" (web.selectors.RETURNED) reads the few returns from it instead of the
timeline's every row (at a million cases PostgreSQL scanned every month's partition for them,
0.3 s of the town center's "returned" tab)."""

from __future__ import annotations

import pytest
from django.db import connection

from gridcase.cases.models import Case, TimelineEntry
from gridcase.core import partitions
from gridcase.web.selectors import RETURNED


def test_the_index_holds_the_returns_on_the_columns_the_tab_compares():
    [index] = [i for i in TimelineEntry._meta.indexes if i.name == "timeline_returns"]
    assert index.fields == ["case", "to_level", "at"]
    assert str(index.condition) == "(AND: ('action', 'return'))"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan")
@pytest.mark.django_db
def test_sqlite_looks_each_case_up_in_the_returns_alone():
    sql, params = Case.objects.filter(RETURNED).values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "INDEX timeline_returns (case_id=? AND to_level=? AND at=?)" in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's partitions")
@pytest.mark.django_db
def test_every_partition_of_the_timeline_has_the_returns_index():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, bool_or(i.indexdef LIKE %s) FROM pg_inherits h"
            " JOIN pg_class c ON c.oid = h.inhrelid JOIN pg_class p ON p.oid = h.inhparent"
            " LEFT JOIN pg_indexes i ON i.tablename = c.relname"
            " WHERE p.relname = %s GROUP BY c.relname",
            [
                "%(case_id, to_level, at) WHERE ((action)::text = 'return'::text)%",
                "cases_timelineentry",
            ],
        )
        found = dict(cursor.fetchall())
    assert partitions.is_partitioned(connection, "cases_timelineentry")
    assert found and all(found.values()), found
