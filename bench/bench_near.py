"""Measure the cases near a point (cases.selectors.cases_near: radius 300 m, the last 30 days)
with a million cases in one town, and the duplicate check on entry on the same town (it shares
the cells; both indexes are there).

    .venv/bin/python bench/bench_near.py                                    # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/bench_near.py --db-name gridcase_bench_near  # PostgreSQL

The town is bench/one_town.py's (8 × 8 km, three years, four categories, the ledger's bulk
writer); the cases of the last 60 days are open three times in four (pending, handling,
reported), the others closed. Each probe is ``cases_near`` at a random point of the town, as
the map's "附近" asks it for a person: the candidates by the index (town, cell, submitted_at),
the exact distance, then the person's scope by id (two queries). Printed: the plan of the
candidates' query, then median, 95th percentile and maximum for a town-wide person (the town
center) and for an officer (their village), and for ``integrity.check_entry``. On PostgreSQL
the run has its own database (``--db-name``), dropped at the end.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import one_town  # noqa: E402
from one_town import CATEGORIES, LAT0, LAT_SPAN, LON0, LON_SPAN, WORDS  # noqa: E402

OPEN_STATES = ("pending", "handling", "reported")


def run(cases: int, probes: int, seed: int, db_name: str) -> None:
    from county import fresh_database

    with fresh_database(db_name) as engine:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from gridcase.assessment import integrity
        from gridcase.cases.selectors import cases_near
        from gridcase.org.models import Role, Unit, User

        rng = random.Random(seed)
        town, villages, officers = one_town.make_town(rng, "基准镇", "jz")
        start = datetime(2024, 1, 1, tzinfo=UTC)
        now = start + timedelta(days=3 * 365)
        recent = now - timedelta(days=60)

        def state_of(n: int, at: datetime) -> str:
            return OPEN_STATES[n % 4] if at >= recent and n % 4 < 3 else "closed"

        built = one_town.fill(
            rng, town, villages, officers, cases, start, 3 * 365, "JZ", state_of=state_of
        )
        print(f"{engine}: {cases} cases in one town (8 × 8 km, 3 years), built in {built:.0f} s")
        center_unit = Unit.objects.create(town=town, kind="town_center", name="中心")
        center = User.objects.create_user(username="jz_center", password="x", town=town)
        Role.objects.create(user=center, town=town, kind="town_center", unit=center_unit)
        officer = officers[0]
        Role.objects.create(user=officer, town=town, kind="officer", village=villages[0])

        def point() -> tuple[float, float]:
            return LAT0 + rng.random() * LAT_SPAN, LON0 + rng.random() * LON_SPAN

        with CaptureQueriesContext(connection) as queries:
            cases_near(town, *point(), user=center, at=now)
        print(f"{len(queries)} queries per probe; the candidates' plan:")
        sql = next(q["sql"] for q in queries.captured_queries if '"cell" IN' in q["sql"])
        print(one_town.explain(sql))
        for _ in range(5):  # warm the cache as a running server would have it
            cases_near(town, *point(), user=center, at=now)
        for label, user in (("town center", center), ("officer", officer)):
            timings, cpu, found = [], [], []
            for _ in range(probes):
                lat, lon = point()
                t, c = time.perf_counter(), time.process_time()
                near = cases_near(town, lat, lon, user=user, at=now)
                timings.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - c) * 1000)
                found.append(len(near))
            print(
                one_town.summary(f"cases near a point, {label}, {probes} probes", timings)
                + f" ({statistics.median(found):.0f} cases found at the median;"
                f" this process's CPU {statistics.median(cpu):.1f} ms at the median)"
            )

        def entry() -> dict[str, object]:
            lat, lon = point()
            return {
                "category": rng.choice(CATEGORIES[:3]),
                "title": "".join(rng.choice(WORDS) for _ in range(12)),
                "latitude": lat,
                "longitude": lon,
            }

        with CaptureQueriesContext(connection) as queries:
            integrity.check_entry(town, entry(), village_id=villages[0].pk, at=now)
        sql = next(q["sql"] for q in queries.captured_queries if '"cell" IN' in q["sql"])
        print("the duplicate check's candidates' plan (the same cells, its own index):")
        print(one_town.explain(sql))
        timings, cpu = [], []
        for _ in range(probes):
            values = entry()
            t, c = time.perf_counter(), time.process_time()
            integrity.check_entry(
                town, values, village_id=rng.choice(villages).pk, at=now - timedelta(days=1)
            )
            timings.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        print(
            one_town.summary(f"duplicate check on entry, same town, {probes} probes", timings)
            + f" (this process's CPU {statistics.median(cpu):.1f} ms at the median)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--probes", type=int, default=100)
    parser.add_argument(
        "--db-name",
        default="gridcase_bench_near",
        help="PostgreSQL: the database created (and dropped) for the run",
    )
    args = parser.parse_args()
    run(args.cases, args.probes, args.seed, args.db_name)


if __name__ == "__main__":
    main()
