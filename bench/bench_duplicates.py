"""Measure the duplicate check (integrity.md): its quality on a labelled set, and the time of
the check on entry with many cases in one town.

    .venv/bin/python bench/bench_duplicates.py quality              # no database
    .venv/bin/python bench/bench_duplicates.py timing --cases 1000000   # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/bench_duplicates.py timing --cases 1000000  # PostgreSQL
    .venv/bin/python bench/bench_duplicates.py suspects --per-month 3000  # (either database)

``quality`` prints recall and precision at the policy's default threshold on the tuning and the
held-out parts of bench/duplicate_pairs.py, per kind of pair. ``timing`` fills one town with
cases spread over 8 × 8 km and three years (the ledger's bulk writer, no services), prints the
plan of the candidates' query, then times ``integrity.check_entry`` for new cases at random
places: the median, the 95th percentile and the maximum. ``suspects`` fills a town with
``--per-month`` cases a month for a year and a month (and a few repeats in the last month), then
times ``gridcase suspects --month`` of the last month (pairs and padding signals, JSON).
On PostgreSQL the run has its own database (``--db-name``), dropped at the end.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

# The town of many cases, shared with bench_near.py.
import one_town  # noqa: E402
from one_town import CATEGORIES, LAT0, LAT_SPAN, LON0, LON_SPAN, WORDS  # noqa: E402


def quality(seed: int) -> None:
    from duplicate_pairs import generate

    from gridcase.assessment.duplicates import Rules, suspect

    rules = Rules()
    pairs = generate(seed)
    for part in ("tuning", "held_out"):
        chosen = [p for p in pairs if p.part == part]
        tp = fp = fn = 0
        by_kind: Counter[tuple[str, bool]] = Counter()
        totals: Counter[str] = Counter()
        for pair in chosen:
            flagged = suspect(pair.a, pair.b, rules) is not None
            totals[pair.kind] += 1
            by_kind[(pair.kind, flagged)] += 1
            if flagged and pair.duplicate:
                tp += 1
            elif flagged:
                fp += 1
            elif pair.duplicate:
                fn += 1
        recall = tp / (tp + fn) if tp + fn else 0.0
        precision = tp / (tp + fp) if tp + fp else 0.0
        print(
            f"{part}: {len(chosen)} pairs ({tp + fn} duplicates), threshold {rules.threshold}: "
            f"recall {recall:.3f}, precision {precision:.3f}"
        )
        for kind in sorted(totals):
            print(f"  {kind:20} flagged {by_kind[(kind, True)]:4} of {totals[kind]}")


def timing(cases: int, probes: int, seed: int, db_name: str) -> None:
    from county import fresh_database

    with fresh_database(db_name) as engine:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from gridcase.assessment import integrity

        rng = random.Random(seed)
        town, villages, officers = one_town.make_town(rng, "基准镇", "jz")
        start = datetime(2024, 1, 1, tzinfo=UTC)
        now = start + timedelta(days=3 * 365)
        built = one_town.fill(rng, town, villages, officers, cases, start, 3 * 365, "JZ")
        print(f"{engine}: {cases} cases in one town (8 × 8 km, 3 years), built in {built:.0f} s")

        def probe():
            return {
                "category": rng.choice(CATEGORIES[:3]),
                "title": "".join(rng.choice(WORDS) for _ in range(12)),
                "latitude": LAT0 + rng.random() * LAT_SPAN,
                "longitude": LON0 + rng.random() * LON_SPAN,
            }

        with CaptureQueriesContext(connection) as queries:  # the plan of one probe's read
            integrity.check_entry(
                town, probe(), village_id=villages[0].pk, at=now - timedelta(days=1)
            )
        print(f"{len(queries)} queries per probe; the candidates' plan:")
        sql = next(q["sql"] for q in queries.captured_queries if '"cell" IN' in q["sql"])
        print(one_town.explain(sql))
        for _ in range(5):  # warm the cache as a running server would have it
            integrity.check_entry(town, probe(), village_id=villages[0].pk, at=now)
        timings = []
        found = 0
        for _ in range(probes):
            values = probe()
            t = time.perf_counter()
            result = integrity.check_entry(
                town, values, village_id=rng.choice(villages).pk, at=now - timedelta(days=1)
            )
            timings.append((time.perf_counter() - t) * 1000)
            found += len(result)
        timed = one_town.summary(f"check on entry, {probes} probes", timings)
        print(timed + f" ({found} suspects)")
        # The candidates' query alone (its SQL as run, run again), and how many rows it reads.
        alone, read = [], []
        for _ in range(probes):
            with CaptureQueriesContext(connection) as queries:
                integrity.check_entry(
                    town, probe(), village_id=rng.choice(villages).pk, at=now - timedelta(days=1)
                )
            sql = next(q["sql"] for q in queries.captured_queries if '"cell" IN' in q["sql"])
            with connection.cursor() as cursor:
                t = time.perf_counter()
                cursor.execute(sql)
                read.append(len(cursor.fetchall()))
                alone.append((time.perf_counter() - t) * 1000)
        print(
            one_town.summary("  of which the candidates' query", alone)
            + f" ({statistics.median(read):.0f} candidates at the median)"
        )


def suspects(per_month: int, months: int, runs: int, seed: int, db_name: str) -> None:
    """The month's ``gridcase suspects`` (pairs and signals) for a town of ``per_month`` cases
    a month, with ``months`` months before it (the volume signal reads a year)."""
    from county import fresh_database

    with fresh_database(db_name) as engine:
        from django.core.management import call_command

        from gridcase.cases.models import Case
        from gridcase.ledger import bulk

        rng = random.Random(seed)
        town, villages, officers = one_town.make_town(rng, "基准镇", "jz")
        tz = ZoneInfo(town.timezone)
        # ``months`` whole months, then the month measured (2026-10 by default).
        month_start = datetime(2026, 10, 1, tzinfo=tz)
        start = datetime(2026 - (months + 2) // 12, (10 - months - 1) % 12 + 1, 1, tzinfo=tz)
        end = datetime(2026, 11, 1, tzinfo=tz)
        days = (end - start).days
        count = round(per_month * days * 12 / 365)
        built = one_town.fill(rng, town, villages, officers, count, start, days, "JZ")
        # Some repeats in the last month: the same words a few metres away, days later.
        originals = list(
            Case.objects.filter(town=town, submitted_at__gte=month_start)
            .order_by("submitted_at")
            .values(
                "category", "title", "cause", "location", "latitude", "longitude",
                "village_id", "officer_id", "submitted_at", "occurred_at",
            )[:60]
        )  # fmt: skip
        bulk.insert(
            Case,
            (
                row
                | {
                    "town_id": town.pk,
                    "number": f"RE-{i:04d}",
                    "state": "closed",
                    "latitude": row["latitude"] + Decimal("0.0002"),
                    "submitted_at": row["submitted_at"] + timedelta(days=2),
                }
                for i, row in enumerate(originals)
            ),
            now=end,
        )
        total = Case.objects.filter(town=town).count()
        print(
            f"{engine}: {total} cases ({per_month} a month for {months + 1} months, "
            f"60 repeats in the last), built in {built:.0f} s"
        )
        month = f"{month_start:%Y-%m}"
        timings = []
        for _ in range(runs):
            out = io.StringIO()
            t = time.perf_counter()
            call_command("suspects", town=town.name, month=month, format="json", stdout=out)
            timings.append(time.perf_counter() - t)
        report = json.loads(out.getvalue())
        in_month = Case.objects.filter(
            town=town, submitted_at__gte=month_start, submitted_at__lt=end
        ).count()
        print(
            one_town.summary(f"gridcase suspects --month {month}, {runs} runs", timings, "s")
            + f" ({len(report['pairs'])} pairs, {len(report['signals'])} signals;"
            f" about {in_month} cases submitted in the month)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("quality", "timing", "suspects"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cases", type=int, default=1_000_000, help="timing: cases in the town")
    parser.add_argument("--probes", type=int, default=100)
    parser.add_argument("--per-month", type=int, default=3000, help="suspects: cases a month")
    parser.add_argument("--months", type=int, default=12, help="suspects: months before")
    parser.add_argument("--runs", type=int, default=5, help="suspects: times the command runs")
    parser.add_argument(
        "--db-name",
        default="gridcase_bench_duplicates",
        help="PostgreSQL: the database created (and dropped) for the run",
    )
    args = parser.parse_args()
    if args.what == "quality":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridcase.settings")
        quality(args.seed)
    elif args.what == "timing":
        timing(args.cases, args.probes, args.seed, args.db_name)
    else:
        suspects(args.per_month, args.months, args.runs, args.seed, args.db_name)


if __name__ == "__main__":
    main()
