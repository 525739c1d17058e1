"""The slowest queries of a page, with their plans, on a database kept by bench_pages.py.

    DATABASE_URL=postgres://… .venv/bin/python bench/explain_pages.py --keep NAME \\
        officer "/cases/?tab=all" "/?tab=handling"

For each page, requested as the first person of the role (as bench_pages.py does), the
queries that took longer than --min-ms, each with `EXPLAIN (ANALYZE, BUFFERS)` on PostgreSQL
or `EXPLAIN QUERY PLAN` on SQLite.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.county import kept_database  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", required=True, metavar="NAME")
    parser.add_argument("--min-ms", type=float, default=5.0)
    parser.add_argument("role")
    parser.add_argument("urls", nargs="+")
    args = parser.parse_args()
    with kept_database(args.keep, Path("var/bench").resolve() / args.keep):
        from django.conf import settings
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from gridcase.demo.town import TOWN_NAME
        from gridcase.org.models import Role

        settings.ALLOWED_HOSTS = ["*"]
        # The measured town's person (the demo town's), as bench_pages.py takes.
        user = (
            Role.objects.filter(kind=args.role, town__name=TOWN_NAME)
            .select_related("user")
            .order_by("pk")
            .first()
            .user
        )
        client = Client()
        client.force_login(user)
        for url in args.urls:
            client.get(url, secure=True)
            with CaptureQueriesContext(connection) as ctx:
                client.get(url, secure=True)
            print(f"=== {url}: {len(ctx)} queries")
            for query in ctx.captured_queries:
                ms = float(query["time"]) * 1000
                if ms < args.min_ms:
                    continue
                print(f"--- {ms:.1f} ms\n{query['sql']}\n")
                with connection.cursor() as cursor:
                    if connection.vendor == "postgresql":
                        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                    else:
                        cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
                    for row in cursor.fetchall():
                        print("   ", " | ".join(str(v) for v in row))
                print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
