"""Many-row INSERT and UPDATE with one `executemany` each.

`bulk_create` and `bulk_update` prepare every value of every object through the field's full
conversion chain and compile the SQL per batch; for a ledger of 60,000 cases with some fifty
columns that is most of the import's time. Here each column's adapter is chosen once from the
model's field, the statement is written once, and the driver runs it for every row
(psycopg pipelines it; sqlite3 loops in C). Values are given by attribute name (`village_id`);
a column left out gets its field's default, and auto_now / auto_now_add columns get `now`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection, models

Adapter = Callable[[Any], Any]


def _sqlite_datetime(value: datetime | None) -> str | None:
    # What Django's SQLite backend stores (naive UTC, str()), without its per-value checks.
    if value is None:
        return None
    return str(value.astimezone(UTC).replace(tzinfo=None))


def _adapter(field: models.Field) -> Adapter | None:
    """The conversion a column's values need on this database; None when they need none."""
    ops = connection.ops
    sqlite = connection.vendor == "sqlite"
    if isinstance(field, models.DateTimeField):
        return _sqlite_datetime if sqlite else ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.DecimalField):
        return lambda v: ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)
    if isinstance(field, models.JSONField):
        return lambda v: None if v is None else ops.adapt_json_value(v, field.encoder)
    # Text, integers, booleans and foreign keys (given as ids) go to the driver as they are.
    return None


def _columns(model: type[models.Model], names: Sequence[str] | None):
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
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
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        qn(model._meta.db_table),
        ", ".join(qn(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    params = []
    for row in rows:
        merged = fixed | row
        params.append(_params([merged[name] for name in names], adapters))
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
    return len(params)


def update(
    model: type[models.Model], names: Sequence[str], rows: Iterable[tuple[int, Mapping[str, Any]]]
) -> int:
    """UPDATE the named columns of each (pk, values) row; returns how many rows were given."""
    fields, adapters = _columns(model, names)
    qn = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        qn(model._meta.db_table),
        ", ".join(f"{qn(f.column)} = %s" for f in fields),
        qn(model._meta.pk.column),
    )
    names = [f.attname for f in fields]
    params = [_params([values[n] for n in names], adapters) + [pk] for pk, values in rows]
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
    return len(params)
