"""Append-only tables, enforced by the database: triggers refuse UPDATE and DELETE.

The models already refuse `save()` of an existing row and `delete()`; the triggers also stop
a raw `UPDATE`/`DELETE`, a queryset's `.update()`/`.delete()` and a cascade. Someone with
full database access can still drop a trigger: that is what the hash chain is for
(`gridcase audit verify`).

- SQLite: `BEFORE UPDATE` and `BEFORE DELETE` triggers that `RAISE(ABORT)`. The DELETE
  trigger asks the SQL function `gridcase_may_erase()`, which gridcase registers on every
  connection as the constant 0 (and which a connection without it does not know, so the
  DELETE fails there too). Only the test suite re-registers it as 1 while Django's `flush`
  empties the tables between transactional tests (`tests/conftest.py`): on SQLite `flush`
  is a plain `DELETE FROM`. No code of the application changes it.
- PostgreSQL: one plpgsql function raising an exception, called by a `BEFORE UPDATE OR
  DELETE … FOR EACH ROW` trigger. `flush` uses TRUNCATE there, which row triggers do not see.

The triggers are created by the migrations of the tables' apps and checked again after every
`migrate` (`ensure_all`): on SQLite, Django rebuilds a table to alter it, which drops its
triggers.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from .chain import chained_models

ERASE_FUNCTION = "gridcase_may_erase"
PG_FUNCTION = "gridcase_refuse_change"


def _sqlite_sql(table: str) -> list[str]:
    return [
        f'CREATE TRIGGER IF NOT EXISTS "{table}_no_update" BEFORE UPDATE ON "{table}" '
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused (只可追加,不可修改)'); "
        "END",
        f'CREATE TRIGGER IF NOT EXISTS "{table}_no_delete" BEFORE DELETE ON "{table}" '
        f"WHEN {ERASE_FUNCTION}() IS NOT 1 "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused (只可追加,不可删除)'); "
        "END",
    ]


PG_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused (只可追加,不可修改或删除)', TG_TABLE_NAME, TG_OP;
END
$$
"""


def _pg_sql(table: str) -> list[str]:
    return [
        PG_FUNCTION_SQL,
        f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}"',
        f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
        f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()",
    ]


def install(connection: BaseDatabaseWrapper, table: str) -> None:
    """Create (or re-create) the triggers of one table; idempotent."""
    if connection.vendor == "sqlite":
        statements = _sqlite_sql(table)
    elif connection.vendor == "postgresql":
        statements = _pg_sql(table)
    else:  # pragma: no cover - gridcase runs on these two only
        raise RuntimeError(f"append-only triggers are not written for {connection.vendor}")
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def uninstall(connection: BaseDatabaseWrapper, table: str) -> None:
    """Drop the triggers (a migration's reverse)."""
    if connection.vendor == "sqlite":
        statements = [
            f'DROP TRIGGER IF EXISTS "{table}_no_update"',
            f'DROP TRIGGER IF EXISTS "{table}_no_delete"',
        ]
    else:
        statements = [f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}"']
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def installed(connection: BaseDatabaseWrapper, table: str) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s)",
                [f"{table}_no_update", f"{table}_no_delete"],
            )
            return cursor.fetchone()[0] == 2
        cursor.execute(
            # tgparentid: a partitioned table's trigger is cloned onto each partition.
            "SELECT count(*) FROM pg_trigger WHERE tgname = %s AND NOT tgisinternal"
            " AND tgparentid = 0",
            [f"{table}_append_only"],
        )
        return cursor.fetchone()[0] == 1


def tables() -> list[str]:
    """Every append-only table: the chained models'."""
    return [m._meta.db_table for m in chained_models()]


def ensure_all(connection: BaseDatabaseWrapper) -> None:
    existing = set(connection.introspection.table_names())
    for table in tables():
        if table in existing and not installed(connection, table):
            install(connection, table)


def register_functions(sender, connection: BaseDatabaseWrapper, **kwargs) -> None:
    """`connection_created`: SQLite's triggers call gridcase_may_erase(); it is always 0."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(ERASE_FUNCTION, 0, _never)


def _never() -> int:
    return 0


def migration_operation(table: str):
    """A RunPython that installs the table's triggers (and drops them when reversed)."""
    from django.db import migrations

    def forward(apps, schema_editor):
        install(schema_editor.connection, table)

    def backward(apps, schema_editor):
        uninstall(schema_editor.connection, table)

    return migrations.RunPython(forward, backward)
