"""One town filled with many cases, fast, for the benchmarks of reads that must not grow with
the town (the duplicate check on entry, the cases near a point).

``make_town`` creates the town, 12 villages and 40 officers; ``fill`` writes ``count`` submitted
cases at random places of an 8 × 8 km town and random times of ``days`` days, by the ledger's
bulk writer (many-row INSERT on SQLite, COPY on PostgreSQL; no services), then ANALYZEs.
``summary`` and ``explain`` print what the scripts measure. The same seed gives the same town.
"""

from __future__ import annotations

import math
import random
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

WORDS = "邻里纠纷噪音扰民围墙宅基地消防通道堵塞路灯损坏垃圾清运漏水赡养欠款"
CATEGORIES = ["dispute", "security_hazard", "livelihood_service", "other"]
# The town: 8 × 8 km at 28° N.
LAT0, LON0, LAT_SPAN, LON_SPAN = 28.10, 112.60, 0.072, 0.082


def closed(n: int, at: datetime) -> str:
    return "closed"


def make_town(rng: random.Random, name: str, code: str):
    from gridcase.org.models import Town, User, Village

    town = Town.objects.create(name=name, code=code)
    villages = [Village.objects.create(town=town, name=f"村{i}") for i in range(12)]
    officers = [
        User.objects.create_user(username=f"{code}{i}", password="x", town=town) for i in range(40)
    ]
    return town, villages, officers


def fill(
    rng: random.Random,
    town,
    villages,
    officers,
    count: int,
    start: datetime,
    days: int,
    prefix: str,
    state_of: Callable[[int, datetime], str] = closed,
) -> float:
    """``count`` submitted cases at random places of the town and times of ``days`` days, by
    the ledger's bulk writer (COPY on PostgreSQL); seconds taken. ``state_of(n, submitted_at)``
    gives each case's state (closed by default); it draws nothing from ``rng``, so the same
    seed places the same cases whatever their states."""
    from django.db import connection, transaction

    from gridcase.cases.models import Case
    from gridcase.ledger import bulk

    t0 = time.perf_counter()

    def rows():
        for n in range(count):
            at = start + timedelta(seconds=rng.randrange(days * 86400))
            title = "".join(rng.choice(WORDS) for _ in range(12))
            village = rng.choice(villages)
            yield {
                "town_id": town.pk,
                "number": f"{prefix}-{n:07d}",
                "category": rng.choice(CATEGORIES),
                "title": title,
                "location": f"{village.name}{rng.randrange(1, 20)}组",
                "cause": title,
                "latitude": Decimal(f"{LAT0 + rng.random() * LAT_SPAN:.6f}"),
                "longitude": Decimal(f"{LON0 + rng.random() * LON_SPAN:.6f}"),
                "village_id": village.pk,
                "officer_id": rng.choice(officers).pk,
                "state": state_of(n, at),
                "submitted_at": at,
                "occurred_at": at - timedelta(hours=rng.randrange(48)),
            }

    with transaction.atomic():
        bulk.insert(Case, rows(), now=start + timedelta(days=days))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case" if connection.vendor == "postgresql" else "ANALYZE")
    return time.perf_counter() - t0


def summary(label: str, timings: list[float], unit: str = "ms") -> str:
    timings = sorted(timings)
    p95 = timings[max(0, math.ceil(0.95 * len(timings)) - 1)]
    return (
        f"{label}: median {statistics.median(timings):.1f} {unit}, p95 {p95:.1f} {unit}, "
        f"max {timings[-1]:.1f} {unit}"
    )


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())
