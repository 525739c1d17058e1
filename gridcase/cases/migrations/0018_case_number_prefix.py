"""An index for a search by case number (issue 15, `cases.search.number_q`): the cases whose
number begins with the query, any case of letters, read as a range of this index instead of
the n-gram index (whose grams of a number — ``bx``, ``202``, ``026`` — are in nearly every
case).

- PostgreSQL: on ``UPPER(number::text)`` — the very expression Django's ``istartswith``
  writes — with ``text_pattern_ops``, so that ``LIKE 'BX-2026-09%'`` is a range whatever the
  database's collation (the default operator class serves LIKE only under the C collation).
  ANALYZE then gives the planner the expression's statistics (a full number: one row), or it
  would guess and might walk the scope's index instead.
- SQLite: on ``number COLLATE NOCASE``: SQLite's LIKE (case-insensitive for ASCII) uses only
  such an index (its "LIKE optimization").

The unique (town, number) index serves neither: it is case-sensitive, in the database's
collation, and led by the town.
"""

from django.db import migrations

PG_FORWARD = [
    "CREATE INDEX IF NOT EXISTS case_number_prefix "
    "ON cases_case (UPPER(number::text) text_pattern_ops)",
    "ANALYZE cases_case",
]
SQLITE_FORWARD = [
    "CREATE INDEX IF NOT EXISTS case_number_prefix ON cases_case (number COLLATE NOCASE)",
]
BACKWARD = ["DROP INDEX IF EXISTS case_number_prefix"]


def _run(schema_editor, pg: list[str], sqlite: list[str]) -> None:
    connection = schema_editor.connection
    statements = {"postgresql": pg, "sqlite": sqlite}.get(connection.vendor, [])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def forward(apps, schema_editor) -> None:
    _run(schema_editor, PG_FORWARD, SQLITE_FORWARD)


def backward(apps, schema_editor) -> None:
    _run(schema_editor, BACKWARD, BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0017_case_queue_indexes"),
    ]

    operations = [migrations.RunPython(forward, backward)]
