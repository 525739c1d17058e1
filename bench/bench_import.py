"""Time the import of a county's quarter of case ledgers.

    .venv/bin/python bench/bench_import.py                     # SQLite, a temporary data dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/bench_import.py                 # PostgreSQL, database gridcase_bench

Builds the county (bench/county.py: 20 towns, 500 officers, 60,000 cases), then imports every
town's ledger with `import_ledger` — first into an empty database, then the same files again
(every row unchanged) — and prints seconds, rows per second and the peak memory of the
process. The database is its own and is removed at the end.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from county import build_county, fresh_database  # noqa: E402


def peak_rss_mb() -> float:
    # Linux reports ru_maxrss in KiB (macOS in bytes).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)


def server_cpu() -> float | None:
    """CPU seconds of this connection's PostgreSQL backend so far (same machine), else None."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed_imports(county) -> tuple[float, float, float | None, list]:
    from gridcase.ledger.services import import_ledger

    reports = []
    server = server_cpu()
    start, cpu = time.perf_counter(), time.process_time()
    for town in county.towns:
        report = import_ledger(path_or_file=town.path, town_name=town.name)
        if not report.ok:
            raise SystemExit("\n".join(report.lines()[:20]))
        reports.append(report)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    after = server_cpu()
    return (
        wall,
        cpu,
        (after - server if server is not None and after is not None else None),
        reports,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--towns", type=int, default=20)
    parser.add_argument("--officers", type=int, default=500)
    parser.add_argument("--cases", type=int, default=60000)
    parser.add_argument("--quarter", default="2026-Q3")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="gridcase-ledgers-") as out, fresh_database() as db:
        start = time.perf_counter()
        county = build_county(
            out,
            towns=args.towns,
            officers=args.officers,
            cases=args.cases,
            quarter=args.quarter,
            seed=args.seed,
        )
        built = time.perf_counter() - start
        rss_built = peak_rss_mb()
        first, first_cpu, first_server, reports = timed_imports(county)
        rss_first = peak_rss_mb()
        again, again_cpu, again_server, again_reports = timed_imports(county)

        from gridcase.cases.models import Case, TimelineEntry

        rows = county.cases
        largest = max(t.rows for t in county.towns)
        created = sum(r.created for r in reports)
        unchanged = sum(r.unchanged for r in again_reports)
        nonconforming = sum(r.nonconforming for r in reports)
        assert created == rows == Case.objects.count(), (created, rows)
        assert unchanged == rows, unchanged
        assert TimelineEntry.objects.count() == rows

        print(
            f"\n{db}: {len(county.towns)} towns, {county.officers} officers, {rows} cases "
            f"in {county.quarter} (largest town {largest}); {nonconforming} nonconforming\n"
        )
        heads = f"{'seconds':>9}{'cpu s':>8}{'server cpu s':>14}{'rows/s':>9}{'peak RSS MB':>13}"
        print(f"{'step':<32}{heads}")
        print(f"{'build county (org + CSV files)':<32}{built:>9.1f}{'':>31}{rss_built:>13.0f}")
        for label, wall, cpu, db_cpu, rss in (
            ("import, empty database", first, first_cpu, first_server, rss_first),
            ("import again (all unchanged)", again, again_cpu, again_server, peak_rss_mb()),
        ):
            db_text = f"{db_cpu:>14.1f}" if db_cpu is not None else f"{'-':>14}"
            print(f"{label:<32}{wall:>9.1f}{cpu:>8.1f}{db_text}{rows / wall:>9.0f}{rss:>13.0f}")
        print(
            "\ncpu s: this process (SQLite works inside it); server cpu s: the PostgreSQL backend."
            " Load average now "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work slows the seconds)."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
