"""Measure the duplicate check (integrity.md): its quality on a labelled set, and the time of
the check on entry with many cases in one town.

    .venv/bin/python bench/bench_duplicates.py quality              # no database
    .venv/bin/python bench/bench_duplicates.py timing --cases 1000000   # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/bench_duplicates.py timing --cases 1000000  # PostgreSQL

``quality`` prints recall and precision at the policy's default threshold on the tuning and the
held-out parts of bench/duplicate_pairs.py, per kind of pair. ``timing`` fills one town with
cases spread over 8 × 8 km and three years (bulk inserts, no services), then times
``integrity.check_entry`` for new cases at random places: the median and the 95th percentile.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]


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


def timing(cases: int, probes: int, seed: int) -> None:
    from county import fresh_database

    with fresh_database("gridcase_bench_duplicates") as engine:
        from django.db import connection

        from gridcase.assessment import integrity
        from gridcase.cases.models import Case
        from gridcase.org.models import Town, User, Village

        rng = random.Random(seed)
        town = Town.objects.create(name="基准镇", code="jz")
        villages = [Village.objects.create(town=town, name=f"村{i}") for i in range(12)]
        officer = User.objects.create_user(username="bench", password="x", town=town)
        categories = ["dispute", "security_hazard", "livelihood_service", "other"]
        words = "邻里纠纷噪音扰民围墙宅基地消防通道堵塞路灯损坏垃圾清运漏水赡养欠款"
        start = datetime(2024, 1, 1, tzinfo=UTC)
        now = start + timedelta(days=3 * 365)
        t0 = time.perf_counter()
        batch = []
        for n in range(cases):
            at = start + timedelta(seconds=rng.randrange(3 * 365 * 86400))
            title = "".join(rng.choice(words) for _ in range(12))
            batch.append(
                Case(
                    town=town,
                    number=f"JZ-{n:07d}",
                    category=rng.choice(categories),
                    title=title,
                    location=f"{rng.choice(villages).name}{rng.randrange(1, 20)}组",
                    cause=title,
                    latitude=round(28.10 + rng.random() * 0.072, 6),
                    longitude=round(112.60 + rng.random() * 0.082, 6),
                    village=rng.choice(villages),
                    officer=officer,
                    state="closed",
                    submitted_at=at,
                    occurred_at=at - timedelta(hours=rng.randrange(48)),
                )
            )
            if len(batch) == 20000:
                Case.objects.bulk_create(batch)
                batch.clear()
        Case.objects.bulk_create(batch)
        if engine == "PostgreSQL":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE cases_case")
        else:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(f"{engine}: {cases} cases in one town, built in {time.perf_counter() - t0:.0f} s")

        timings = []
        found = 0
        for _ in range(probes):
            values = {
                "category": rng.choice(categories[:3]),
                "title": "".join(rng.choice(words) for _ in range(12)),
                "latitude": 28.10 + rng.random() * 0.072,
                "longitude": 112.60 + rng.random() * 0.082,
            }
            t = time.perf_counter()
            result = integrity.check_entry(
                town, values, village_id=rng.choice(villages).pk, at=now - timedelta(days=1)
            )
            timings.append((time.perf_counter() - t) * 1000)
            found += len(result)
        timings.sort()
        print(
            f"check on entry, {probes} probes: median {statistics.median(timings):.1f} ms, "
            f"p95 {timings[int(0.95 * len(timings)) - 1]:.1f} ms, max {timings[-1]:.1f} ms "
            f"({found} suspects found in all)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("quality", "timing"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--probes", type=int, default=200)
    args = parser.parse_args()
    if args.what == "quality":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridcase.settings")
        quality(args.seed)
    else:
        timing(args.cases, args.probes, args.seed)


if __name__ == "__main__":
    main()
