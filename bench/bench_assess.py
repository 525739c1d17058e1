"""Time the quarter's assessment of a whole county.

    .venv/bin/python bench/bench_assess.py           # SQLite, a temporary data dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/bench_assess.py       # PostgreSQL, own database (DB_NAME)

Builds the county (bench/county.py: 20 towns, 500 officers, 60,000 cases in 2026-Q3) and
imports its ledgers, then assesses the quarter for every town (`assess_county`, town by town)
in a fresh process, so that the peak memory reported is the assessment's own and not the
import's. Prints the seconds of each run, the queries, and the peak RSS after each town: it
stops growing once the largest town has been assessed. The database is removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

DB_NAME = "gridcase_bench_assess"


def peak_rss_mb() -> float:
    # Linux reports ru_maxrss in KiB (macOS in bytes).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)


# ---------------------------------------------------------------- the measuring process


def measure(quarter: str, repeat: int) -> dict:
    """Runs in its own process on the database the parent built: only the assessment."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridcase.settings")
    import django

    django.setup()
    from django.db import connection

    from gridcase.assessment.services import assess_county
    from gridcase.cases.models import Case
    from gridcase.core import clock
    from gridcase.org.models import Town

    months = clock.quarter_months(quarter)
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    towns = list(Town.objects.order_by("name"))
    sizes = dict(
        Case.objects.filter(town__in=towns)
        .values_list("town_id")
        .annotate(n=django.db.models.Count("id"))
        .values_list("town_id", "n")
    )
    start_rss = peak_rss_mb()
    runs, cpu, per_town = [], [], []
    for run in range(repeat):
        queries = 0
        officers = cases = 0
        total = 0
        start, start_cpu = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(count):
            for result in assess_county(months=months, towns=towns):
                officers += len(result.officers)
                cases += sum(len(m.cases) for o in result.officers for m in o.months)
                total += result.total
                if run == 0:
                    per_town.append(
                        {
                            "town": result.town,
                            "cases": sizes.get(result.town_id, 0),
                            "seconds": round(time.perf_counter() - start, 3),
                            "peak_rss_mb": round(peak_rss_mb(), 1),
                        }
                    )
        runs.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return {
        "towns": len(towns),
        "officers": officers,
        "cases": cases,
        "total_pay": str(total),
        "queries": queries,
        "runs": [round(r, 3) for r in runs],
        # CPU seconds of this process: what the wall clock shows on an idle machine.
        "cpu": [round(c, 3) for c in cpu],
        "rss_before_mb": round(start_rss, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "largest_town_cases": max(sizes.values(), default=0),
        "per_town": per_town,
    }


# ---------------------------------------------------------------- the driver


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--towns", type=int, default=20)
    parser.add_argument("--officers", type=int, default=500)
    parser.add_argument("--cases", type=int, default=60000)
    parser.add_argument("--quarter", default="2026-Q3")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the assessment")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.measure:  # the child process
        print(json.dumps(measure(args.quarter, args.repeat)))
        return 0

    from county import build_county, fresh_database, load_county

    with (
        tempfile.TemporaryDirectory(prefix="gridcase-ledgers-") as out,
        fresh_database(DB_NAME) as db,
    ):
        start = time.perf_counter()
        county = build_county(
            out,
            towns=args.towns,
            officers=args.officers,
            cases=args.cases,
            quarter=args.quarter,
            seed=args.seed,
        )
        load_county(county)
        setup = time.perf_counter() - start
        print(
            f"{db}: county of {len(county.towns)} towns, {county.officers} officers, "
            f"{county.cases} cases in {args.quarter} built and imported in {setup:.1f} s"
        )
        child = subprocess.run(
            [
                sys.executable,
                __file__,
                "--measure",
                "--quarter",
                args.quarter,
                "--repeat",
                str(args.repeat),
            ],
            env=os.environ.copy(),  # fresh_database pointed it at the bench database
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode != 0:
            print(child.stderr, file=sys.stderr)
            return child.returncode
        found = json.loads(child.stdout.strip().splitlines()[-1])

    runs = found["runs"]
    print(
        f"{db}: quarter's assessment of the county: {found['towns']} towns, "
        f"{found['officers']} officers, {found['cases']} cases, {found['queries']} queries"
    )
    print(
        f"  seconds per run: {', '.join(f'{r:.2f}' for r in runs)}  "
        f"(best {min(runs):.2f}, median {statistics.median(runs):.2f}; target < 5)"
    )
    print(
        f"  peak RSS of the assessing process: {found['peak_rss_mb']:.0f} MB "
        f"(after Django setup: {found['rss_before_mb']:.0f} MB); "
        f"largest town {found['largest_town_cases']} cases"
    )
    print(
        f"  CPU seconds of the assessing process: {', '.join(f'{c:.2f}' for c in found['cpu'])}"
        f"  (load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    print("  peak RSS after each town (first run):")
    for row in found["per_town"]:
        print(
            f"    {row['town']}  {row['cases']:>5} cases  "
            f"{row['seconds']:>6.2f} s  {row['peak_rss_mb']:>6.1f} MB"
        )
    print(f"  total pay of the county: {found['total_pay']} yuan")
    return 0 if min(runs) < 5 else 1


if __name__ == "__main__":
    sys.exit(main())
