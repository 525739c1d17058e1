"""SQLite's query plans, for the tests that an index is read (SQLite keeps no statistics:
its choice of index is the code's to keep)."""

from __future__ import annotations

from django.db import connection


def sqlite_plan(sql: str, params=()) -> str:
    """The plan of a query, its lines joined by spaces."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " ".join(str(row[-1]) for row in cursor.fetchall())


def captured(queries, *parts: str) -> list[str]:
    """The SQL of the captured queries that hold every one of `parts`."""
    return [q["sql"] for q in queries.captured_queries if all(p in q["sql"] for p in parts)]
