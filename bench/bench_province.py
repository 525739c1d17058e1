"""The province's quarter: 2,000 towns, 100,000 officers, 6 million cases on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/bench_province.py --keep bench_province      # build once, keep
    DATABASE_URL=… .venv/bin/python bench/bench_province.py --keep bench_province --no-build
    # smaller: --towns 20 --officers 1000 --cases 60000

Builds the province (bench/county.py `build_province`: the county's rows read and written by
the import's own code, by COPY, towns written by one process per core) and times it; then, each
in a fresh process (so that the peak memory is the assessment's own):
1. the whole province's quarter assessed (`assessment.parallel.assess_towns`) with 1 and with
   2 processes (or --processes), the wall time and each worker's peak RSS;
2. per town, for a sample of towns: the assessment of the town (`assess_period` as a run asks
   it, `services.run_assessor`; once, the first time the process meets the town, after 50
   others) against a bare fetch of the same rows (the query `facts.period_cases` builds, read
   from the cursor and thrown away, and the period's reviews and confirmed duplicates; best of
   three), median and worst ratio.
Prints the load average at the start and the end of each step.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def stamp() -> str:
    return f"{time.strftime('%H:%M:%S', time.gmtime())} UTC, load {load()}"


# ---------------------------------------------------------------- measuring processes


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridcase.settings")
    import django

    django.setup()


def _worker_summary(result) -> dict:
    from gridcase.assessment.parallel import summary

    found = summary(result)
    found["pid"] = os.getpid()
    found["rss_mb"] = round(peak_rss_mb(), 1)
    found["cpu_s"] = round(time.process_time(), 2)  # the worker's so far
    return found


def _towns(built_only: bool) -> list:
    """Every town, or (a build cut short) only the towns that have cases."""
    from django.db.models import Exists, OuterRef

    from gridcase.cases.models import Case
    from gridcase.org.models import Town

    towns = Town.objects.order_by("name")
    if built_only:
        towns = towns.filter(Exists(Case.objects.filter(town=OuterRef("pk"))))
    return list(towns)


def measure_province(quarter: str, processes: int, built_only: bool) -> dict:
    _setup()
    from gridcase.assessment.parallel import assess_towns
    from gridcase.core import clock

    months = clock.quarter_months(quarter)
    chosen = _towns(built_only)
    start, cpu = time.perf_counter(), time.process_time()
    towns = officers = cases = 0
    rss: dict[int, float] = {}
    worker_cpu: dict[int, float] = {}
    found_in = assess_towns(months=months, towns=chosen, processes=processes, each=_worker_summary)
    for found in found_in:
        towns += 1
        officers += found["officers"]
        cases += found["cases"]
        rss[found["pid"]] = max(rss.get(found["pid"], 0), found["rss_mb"])
        worker_cpu[found["pid"]] = max(worker_cpu.get(found["pid"], 0), found["cpu_s"])
    seconds = time.perf_counter() - start
    return {
        "processes": processes,
        "seconds": round(seconds, 2),
        "parent_cpu": round(time.process_time() - cpu, 2),
        "towns": towns,
        "officers": officers,
        "cases": cases,
        "worker_peak_rss_mb": sorted(rss.values()),
        # CPU seconds of each worker (of this process with one): what an idle machine's clock
        # would show, the database server's work aside.
        "worker_cpu_s": sorted(worker_cpu.values()),
    }


WARM_TOWNS = 50  # assessed first, outside the sample: the process's memories as in a run


def measure_towns(quarter: str, sample: int, seed: int, built_only: bool) -> dict:
    """Per town: the assessment against a bare fetch of its rows.

    The fetch is the best of three (after one that warms the database's cache: both read the
    same pages). The assessment is timed once, the first time the process meets the town,
    after WARM_TOWNS other towns: as in a province's run, the kinds and judgements other
    towns left are remembered, not this town's own (a second assessment of the same town
    would find all of its kinds remembered, which no run does). With the cycle collector as
    a worker has it (parallel._collect): off, and a full collection now and then, whose share
    is added to each town (switched on between towns, it walked each town's surviving objects
    again and, every hundred towns or so, every object of the process's memories: 190 ms
    landing on one town)."""
    _setup()
    from django.db import connection

    from gridcase.assessment import facts
    from gridcase.assessment.repeats import confirmed_query, confirmed_repeats
    from gridcase.assessment.services import run_assessor
    from gridcase.core import clock, compiled

    months = clock.quarter_months(quarter)
    assess = run_assessor(months)  # as a worker assesses each town (parallel._start)
    towns = _towns(built_only)
    chosen = random.Random(seed).sample(towns, min(sample, len(towns)))
    others = [town for town in towns if town not in chosen][:WARM_TOWNS]

    def fetch(town) -> int:
        """The rows the facts are made of: the cases, and the office's reviews and the
        confirmed duplicates of the period (the last two in one round trip, as the
        assessment reads them with its other small queries: compiled.together)."""
        sql, params = facts.period_sql(town, months)
        n = 0
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            while chunk := cursor.fetchmany(2000):
                n += len(chunk)
        with compiled.together([facts.reviews_query(town, months), confirmed_query(town.id)]):
            facts.period_reviews(town, months)
            confirmed_repeats(town.id)
        return n

    def best(work, *args) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            work(*args)
            times.append(time.perf_counter() - start)
        return min(times)

    # As in a province's worker (parallel._start, _collect): the cycle collector off for the
    # whole run, and a full collection every COLLECT_EVERY towns that sets aside what survived
    # it. One after the warming towns, as a worker's last; one after the sample, timed, its
    # share added to each town's assessment (it walks what the sample's towns left).
    gc.disable()
    for town in others:
        assess(town)
    gc.collect()
    gc.freeze()
    rows = []
    cpu = time.process_time()
    for town in chosen:
        n = fetch(town)  # warm the cache: both read the same pages
        bare = best(fetch, town)
        start = time.perf_counter()
        assess(town)
        whole = time.perf_counter() - start
        rows.append({"town": town.name, "cases": n, "fetch": bare, "assess": whole})
    start = time.perf_counter()
    gc.collect()
    collection = time.perf_counter() - start
    for row in rows:
        row["assess"] += collection / len(rows)
    ratios = [r["assess"] / r["fetch"] for r in rows if r["fetch"]]
    by_size = sorted(rows, key=lambda r: r["cases"])
    tenths = [by_size[i * len(rows) // 10 : (i + 1) * len(rows) // 10] for i in range(10)]
    worst = max(rows, key=lambda r: r["assess"] / r["fetch"] if r["fetch"] else 0)
    return {
        "towns": len(rows),
        "cpu_s": round(time.process_time() - cpu, 2),
        "worst": {k: round(v, 4) if isinstance(v, float) else v for k, v in worst.items()},
        "collection_ms": round(collection * 1000, 1),
        "median_ratio": round(statistics.median(ratios), 2),
        # The median ratio of each tenth of the sample by size, the smallest towns first.
        "tenths": [
            round(statistics.median(r["assess"] / r["fetch"] for r in tenth), 2)
            for tenth in tenths
            if tenth
        ],
        "tenths_cases": [tenth[0]["cases"] for tenth in tenths if tenth],
        "worst_ratio": round(max(ratios), 2),
        "median_fetch_ms": round(statistics.median(r["fetch"] for r in rows) * 1000, 1),
        "median_assess_ms": round(statistics.median(r["assess"] for r in rows) * 1000, 1),
        "per_case_us": round(
            sum(r["assess"] for r in rows) / max(1, sum(r["cases"] for r in rows)) * 1e6, 1
        ),
        "fetch_per_case_us": round(
            sum(r["fetch"] for r in rows) / max(1, sum(r["cases"] for r in rows)) * 1e6, 1
        ),
    }


def _child(*args: str) -> dict:
    child = subprocess.run(
        [sys.executable, __file__, *args],
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        print(child.stderr, file=sys.stderr)
        raise SystemExit(child.returncode)
    return json.loads(child.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- the driver


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--towns", type=int, default=2000)
    parser.add_argument("--officers", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=6_000_000)
    parser.add_argument("--quarter", default="2026-Q3")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", metavar="NAME", help="keep the database NAME between runs")
    parser.add_argument("--no-build", action="store_true", help="the kept database is built")
    parser.add_argument("--build-only", action="store_true", help="build (and keep), no timing")
    parser.add_argument(
        "--search", action="store_true", help="fill the case search's n-grams too (slow)"
    )
    parser.add_argument("--processes", default="1,2", help="worker counts to time, e.g. 1,2")
    parser.add_argument("--sample", type=int, default=40, help="towns timed against a fetch")
    parser.add_argument(
        "--built-only", action="store_true", help="only the towns with cases (a build cut short)"
    )
    parser.add_argument(
        "--add-reviews",
        action="store_true",
        help="write the office's reviews into a province built before the build wrote them",
    )
    parser.add_argument("--measure", choices=["province", "towns"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.measure == "province":
        print(json.dumps(measure_province(args.quarter, int(args.processes), args.built_only)))
        return 0
    if args.measure == "towns":
        print(json.dumps(measure_towns(args.quarter, args.sample, args.seed, args.built_only)))
        return 0
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        parser.error("set DATABASE_URL to a PostgreSQL server: the province is PostgreSQL's")

    from county import add_office_reviews, build_province, fresh_database, kept_database

    name = args.keep or "bench_province"
    db = kept_database(name, ROOT / "var" / "bench" / name) if args.keep else fresh_database(name)
    with db:
        if not args.no_build:
            print(f"build: start {stamp()}", flush=True)

            def progress(done: int, total: int, cases: int) -> None:
                if done % 100 == 0 or done == total:
                    print(f"  {done}/{total} towns, {cases} cases, {stamp()}", flush=True)

            province = build_province(
                towns=args.towns,
                officers=args.officers,
                cases=args.cases,
                quarter=args.quarter,
                seed=args.seed,
                progress=progress,
                search=args.search,
            )
            print(
                f"build: {province.towns} towns, {province.officers} officers (organisation "
                f"{province.org_seconds:.0f} s); {province.cases} cases, {province.parties} "
                f"parties, {province.timeline} timeline rows in {province.seconds:.0f} s: "
                f"{province.cases / province.seconds:,.0f} cases/s, "
                f"{province.rows_per_second:,.0f} rows/s; largest town "
                f"{province.largest_town} cases; end {stamp()}",
                flush=True,
            )
            from django.db import connection

            start = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
            print(f"VACUUM ANALYZE {time.perf_counter() - start:.0f} s", flush=True)
        if args.add_reviews:
            from django.db import connection

            print(f"reviews: start {stamp()}", flush=True)
            start = time.perf_counter()
            written = add_office_reviews(seed=args.seed)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE cases_timelineentry")
                cursor.execute("VACUUM ANALYZE cases_case")
            print(f"  {written} reviews in {time.perf_counter() - start:.0f} s; end {stamp()}")
        if args.build_only:
            return 0
        common = ["--quarter", args.quarter, "--seed", str(args.seed)]
        if args.built_only:
            common.append("--built-only")
        for count in [int(n) for n in args.processes.split(",")]:
            print(f"province, {count} process(es): start {stamp()}", flush=True)
            found = _child("--measure", "province", "--processes", str(count), *common)
            print(f"  {json.dumps(found)}\n  end {stamp()}", flush=True)
        print(f"per town vs bare fetch: start {stamp()}", flush=True)
        found = _child("--measure", "towns", "--sample", str(args.sample), *common)
        print(f"  {json.dumps(found)}\n  end {stamp()}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
