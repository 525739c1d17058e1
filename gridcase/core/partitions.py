"""Monthly partitions of the largest table on PostgreSQL (issue 15, past one machine).

The case timeline grows by several rows per case and is read by case (an index) or by a
period (the assessment, the exports): partitioned by month of `at`, a period's reads touch
only its months, and an old month can be detached and archived as one table. On SQLite
nothing of this applies: every function here does nothing there.

- Bounds are months in the server's time zone (TIME_ZONE, the towns' zone): a row's
  partition is the month it happened in where the town is.
- A DEFAULT partition takes whatever has no month of its own yet, so an insert never fails
  for want of a partition. The worker creates the coming months ahead every night
  (`ensure`, MONTHS_AHEAD), and an import of old cases creates the months of its rows before
  writing (`ensure_months`). A month whose rows already sit in the default partition is not
  created (PostgreSQL would refuse it): it is reported, and its rows stay correct, only
  unpruned.
- PostgreSQL requires every unique key of a partitioned table to include the partition key:
  the primary key becomes (id, at) and the chain's (town, seq) uniqueness becomes
  (town, seq, at). `id` stays unique by its identity sequence, and `seq` by the chain's head,
  locked while rows are appended (core/chain.py); `gridcase audit verify` finds any fork.

The cases themselves are not partitioned: a dozen tables refer to a case by its id, and
PostgreSQL allows a foreign key to a partitioned table only through a key that includes the
partition key, which would put a date into every reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper

# table → the timestamp column it is partitioned by
PARTITIONED = {"cases_timelineentry": "at"}
MONTHS_AHEAD = 3


# ---------------------------------------------------------------- pure


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """Every month from first's to last's, both included."""
    months, month = [], month_start(first)
    while month <= month_start(last):
        months.append(month)
        month = next_month(month)
    return months


def partition_name(table: str, month: date) -> str:
    return f"{table}_p{month:%Y%m}"


def bounds(month: date, zone: str) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, in the zone (aware datetimes)."""
    tz = ZoneInfo(zone)
    return (
        datetime(month.year, month.month, 1, tzinfo=tz),
        datetime(*next_month(month).timetuple()[:3], tzinfo=tz),
    )


# ---------------------------------------------------------------- PostgreSQL


@dataclass
class Ensured:
    created: list[str]
    refused: list[str]  # months whose rows are already in the default partition


def is_partitioned(connection: BaseDatabaseWrapper, table: str) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = %s AND c.relnamespace = current_schema()::regnamespace",
            [table],
        )
        return cursor.fetchone()[0] == 1


def existing(connection: BaseDatabaseWrapper, table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [table],
        )
        return {row[0] for row in cursor.fetchall()}


def ensure_months(connection: BaseDatabaseWrapper, months: list[date]) -> Ensured:
    """Create the partitions of these months for every partitioned table (PostgreSQL only;
    nothing elsewhere). Idempotent; each month in its own savepoint, so a month refused
    leaves the others made."""
    from django.db import transaction

    done = Ensured([], [])
    for table, column in PARTITIONED.items():
        if not is_partitioned(connection, table):
            continue
        have = existing(connection, table)
        for month in sorted(set(map(month_start, months))):
            name = partition_name(table, month)
            if name in have:
                continue
            start, end = bounds(month, settings.TIME_ZONE)
            default = f"{table}_default"
            with connection.cursor() as cursor:
                cursor.execute(
                    f'SELECT EXISTS (SELECT 1 FROM "{default}" WHERE "{column}" >= %s '
                    f'AND "{column}" < %s)',
                    [start, end],
                )
                if cursor.fetchone()[0]:
                    done.refused.append(name)
                    continue
                with transaction.atomic(using=connection.alias):
                    cursor.execute(
                        f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF "{table}" '
                        "FOR VALUES FROM (%s) TO (%s)",
                        [start, end],
                    )
            done.created.append(name)
    return done


def ensure(connection: BaseDatabaseWrapper, today: date, ahead: int = MONTHS_AHEAD) -> Ensured:
    """This month's partitions and the next `ahead` months' (the worker, every night)."""
    last = month_start(today)
    for _ in range(ahead):
        last = next_month(last)
    return ensure_months(connection, months_between(today, last))


def ensure_now(connection: BaseDatabaseWrapper) -> Ensured:
    """`ensure` from today, where the towns are (the worker's nightly task)."""
    from . import clock

    return ensure(connection, clock.today(settings.TIME_ZONE))


def partition_table(connection: BaseDatabaseWrapper, table: str, column: str, today: date):
    """Turn a plain table into one partitioned by month of `column` (a migration, once):
    the same columns, identity, checks, indexes and foreign keys, the rows copied, a
    partition for each month from its first row's to `MONTHS_AHEAD` after today, and a
    default partition. Unique keys gain the partition column (PostgreSQL requires it)."""
    new = f"{table}__partitioned"
    with connection.cursor() as cursor:
        cursor.execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')
        cursor.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f')",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint "
            "WHERE conrelid = %s::regclass)",
            [table, table],
        )
        indexes = cursor.fetchall()
        cursor.execute(f'SELECT min("{column}") FROM "{table}"')
        first = cursor.fetchone()[0]
        cursor.execute(
            f'CREATE TABLE "{new}" (LIKE "{table}" INCLUDING DEFAULTS INCLUDING IDENTITY '
            f'INCLUDING CONSTRAINTS INCLUDING STORAGE) PARTITION BY RANGE ("{column}")'
        )
        cursor.execute(f'CREATE TABLE "{table}_default" PARTITION OF "{new}" DEFAULT')
        zone = settings.TIME_ZONE
        start = first.astimezone(ZoneInfo(zone)).date() if first else today
        last = month_start(today)
        for _ in range(MONTHS_AHEAD):
            last = next_month(last)
        for month in months_between(start, last):
            low, high = bounds(month, zone)
            cursor.execute(
                f'CREATE TABLE "{partition_name(table, month)}" PARTITION OF "{new}" '
                "FOR VALUES FROM (%s) TO (%s)",
                [low, high],
            )
        cursor.execute(f'INSERT INTO "{new}" SELECT * FROM "{table}"')
        cursor.execute(
            "SELECT pg_get_serial_sequence(%s, 'id'), pg_get_serial_sequence(%s, 'id')",
            [table, new],
        )
        old_seq, new_seq = cursor.fetchone()
        cursor.execute(f"SELECT last_value, is_called FROM {old_seq}")
        last_value, is_called = cursor.fetchone()
        cursor.execute("SELECT setval(%s, %s, %s)", [new_seq, last_value, is_called])
        cursor.execute(f'DROP TABLE "{table}"')
        cursor.execute(f'ALTER TABLE "{new}" RENAME TO "{table}"')
        cursor.execute(
            f"ALTER SEQUENCE {new_seq} RENAME TO {connection.ops.quote_name(table + '_id_seq')}"
        )
        for name, kind, definition in constraints:
            if kind in ("p", "u"):
                # "PRIMARY KEY (id)" → "PRIMARY KEY (id, at)"
                definition = definition.replace(")", f', "{column}")', 1)
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        for _name, definition in indexes:
            cursor.execute(definition)
