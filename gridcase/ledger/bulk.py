"""Many-row INSERT (a few hundred rows per statement) and UPDATE (one `executemany`).

`bulk_create` and `bulk_update` prepare every value of every object through the field's full
conversion chain and compile the SQL per batch; for a ledger of 60,000 cases with some fifty
columns that is most of the import's time. Here each column's adapter is chosen once from the
model's field, and the rows go to the database a few hundred per statement. Values are given
by attribute name (`village_id`); a column left out gets its field's default, and auto_now /
auto_now_add columns get `now`.
"""

from __future__ import annotations

import operator
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection, models

Adapter = Callable[[Any], Any]
# Rows per INSERT: one statement per few hundred rows, within the database's parameter limit.
ROWS_PER_STATEMENT = 500


def _max_params() -> int:
    if connection.vendor == "sqlite":
        # Django assumes SQLite's old default of 999; the library in use usually allows more.
        connection.ensure_connection()
        try:
            return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        except AttributeError:  # Python < 3.11's sqlite3
            return connection.features.max_query_params
    return connection.features.max_query_params or 65535  # PostgreSQL's protocol limit


def _sqlite_datetime(value: datetime | None) -> str | None:
    # What Django's SQLite backend stores (naive UTC, str()), without its per-value checks.
    if value is None:
        return None
    return str(value.astimezone(UTC).replace(tzinfo=None))


def _memo(adapt: Adapter) -> Adapter:
    """Dates and times repeat a lot in a ledger (a quarter has ninety days): convert each once."""
    seen: dict[Any, Any] = {}

    def adapted(value):
        try:
            return seen[value]
        except KeyError:
            seen[value] = result = adapt(value)
            return result

    return adapted


def _adapter(field: models.Field) -> Adapter | None:
    """The conversion a column's values need on this database; None when they need none."""
    ops = connection.ops
    sqlite = connection.vendor == "sqlite"
    if isinstance(field, models.DateTimeField):
        return _memo(_sqlite_datetime) if sqlite else None  # psycopg takes aware datetimes
    if isinstance(field, models.DateField):
        return _memo(ops.adapt_datefield_value) if sqlite else None
    if isinstance(field, models.DecimalField):
        return lambda v: ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)
    if isinstance(field, models.JSONField):
        return lambda v: None if v is None else ops.adapt_json_value(v, field.encoder)
    # Text, integers, booleans and foreign keys (given as ids) go to the driver as they are.
    return None


def _columns(model: type[models.Model], names: Sequence[str] | None):
    # A generated column (Case.cell) is the database's to compute: never written.
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key or f.generated)]
    if names is not None:
        fields = [f for f in fields if f.attname in names]
    adapters = [(i, a) for i, f in enumerate(fields) if (a := _adapter(f)) is not None]
    return fields, adapters


def _params(values: list[Any], adapters: list[tuple[int, Adapter]]) -> list[Any]:
    for i, adapt in adapters:
        values[i] = adapt(values[i])
    return values


def insert(model: type[models.Model], rows: Iterable[Mapping[str, Any]], *, now: datetime) -> int:
    """INSERT the rows; returns how many. The caller reads the new ids back if it needs them."""
    fields, adapters = _columns(model, None)
    # What a model instance would hold for a column not given: its default ("" for text).
    fixed = {
        f.attname: now
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        else f.get_default()
        for f in fields
    }
    names = [f.attname for f in fields]
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = ", ".join(qn(f.column) for f in fields)
    pick = operator.itemgetter(*names)
    values = (_params(list(pick(fixed | row)), adapters) for row in rows)
    if connection.vendor == "postgresql":
        return _copy(f"COPY {table} ({columns}) FROM STDIN", values)
    head = f"INSERT INTO {table} ({columns}) VALUES "
    one = "({})".format(", ".join(["%s"] * len(fields)))
    per_statement = max(1, min(ROWS_PER_STATEMENT, _max_params() // len(fields)))
    count = 0
    chunk: list[Any] = []
    with connection.cursor() as cursor:
        for params in values:
            chunk.extend(params)
            count += 1
            if count % per_statement == 0:
                cursor.execute(head + ", ".join([one] * per_statement), chunk)
                chunk = []
        if chunk:
            cursor.execute(head + ", ".join([one] * (len(chunk) // len(fields))), chunk)
    return count


def _copy(sql: str, values: Iterable[list[Any]]) -> int:
    """PostgreSQL: COPY the rows in; psycopg would otherwise merge every parameter of a long
    INSERT into its text on the client, which costs more than the insert itself."""
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for params in values:
            copy.write_row(params)
            count += 1
    return count


def update(
    model: type[models.Model],
    names: Sequence[str],
    rows: Iterable[tuple[int, int, Mapping[str, Any]]],
) -> int:
    """Compare-and-swap UPDATE of the named columns: each row is (pk, version read, values),
    and is changed only if its `version` is still the one read. Returns how many rows changed;
    fewer than given means someone else changed one meanwhile."""
    fields, adapters = _columns(model, names)
    qn = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s AND {} = %s".format(
        qn(model._meta.db_table),
        ", ".join(f"{qn(f.column)} = %s" for f in fields),
        qn(model._meta.pk.column),
        qn(model._meta.get_field("version").column),
    )
    names = [f.attname for f in fields]
    params = [
        _params([values[n] for n in names], adapters) + [pk, version]
        for pk, version, values in rows
    ]
    if not params:
        return 0
    changed = 0
    with connection.cursor() as cursor:
        # One statement each: executemany's rowcount is not the total on every driver.
        for one in params:
            cursor.execute(sql, one)
            changed += cursor.rowcount
    return changed
