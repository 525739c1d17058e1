"""Time the workbench's pages with the demo town, and again with many more cases.

    .venv/bin/python bench/bench_pages.py                 # the demo town (six months)
    .venv/bin/python bench/bench_pages.py --extra 200000  # plus 200,000 generated cases
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_pages.py --extra 1000000

It builds a fresh database of its own (SQLite in a temporary directory, or the database
`gridcase_bench_pages` on the PostgreSQL server of DATABASE_URL), runs `gridcase demo`,
optionally adds generated cases (bulk rows in the demo's villages, spread over two years, in
every state: the benchmark's data, not a workflow), then requests each page as each role
through Django's test client and prints the median and the 95th percentile in milliseconds,
with the number of SQL queries. The target is: every list page under 200 ms.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from datetime import timedelta
from html import unescape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.county import fresh_database, kept_database  # noqa: E402

NEXT = re.compile(r'href="\?([^"]*after=[^"]*)"')
CATEGORIES = (
    ["dispute"] * 7
    + ["security_hazard"] * 4
    + ["livelihood_service"] * 5
    + ["environment_campaign"] * 3
    + ["other"]
)
LEVELS = ["grid"] * 14 + ["village"] * 4 + ["town"] * 2


def _state(age_days: int, rng: random.Random) -> str:
    """Like a real town: recent cases are in progress, old ones closed (a few stuck or voided)."""
    roll = rng.random()
    if age_days <= 30:
        return "pending" if roll < 0.15 else "handling" if roll < 0.4 else "closed"
    return "closed" if roll < 0.95 else "voided" if roll < 0.99 else "handling"


def add_cases(extra: int, seed: int) -> None:
    """Generated cases in bulk: enough rows to show that the pages do not grow with the table.

    Spread over two years like a real town's: old cases closed (their disputes followed up),
    recent ones open; every category, level and village of the demo town.
    """
    from django.db import transaction

    from gridcase.cases.models import Case, FollowUp, Party
    from gridcase.core import clock
    from gridcase.demo.town import TOWN_NAME
    from gridcase.org.models import Grid, Role, Town

    rng = random.Random(seed)
    town = Town.objects.get(name=TOWN_NAME)
    officers = list(Role.objects.filter(town=town, kind="officer"))
    departments = list(town.units.filter(kind="department"))
    grids = {g.pk: g for g in Grid.objects.filter(village__town=town)}
    now = clock.now()
    today = clock.local_date(now, town.timezone)
    batch: list[Case] = []
    made = 0
    with transaction.atomic():
        for i in range(extra):
            role = rng.choice(officers)
            submitted = now - timedelta(minutes=rng.randint(60, 730 * 24 * 60))
            day = clock.local_date(submitted, town.timezone)
            age = (today - day).days
            state = _state(age, rng)
            category = rng.choice(CATEGORIES)
            level = rng.choice(LEVELS)
            dept = rng.choice(departments) if level == "town" and rng.random() < 0.3 else None
            closed = state == "closed"
            batch.append(
                Case(
                    town=town,
                    number=f"BX-{day.year}-{i:07d}",
                    category=category,
                    title=f"生成事件{i}",
                    occurred_at=submitted - timedelta(hours=2),
                    location=f"{role.village.name}{rng.randint(1, 12)}组",
                    persons="甲、乙",
                    cause="生成数据",
                    course="用于测量页面速度",
                    village_id=role.village_id,
                    grid=grids.get(role.grid_id),
                    officer_id=role.user_id,
                    source="imported",
                    state=state,
                    level="department" if dept else level,
                    department=dept,
                    submitted_at=submitted,
                    accept_due=day + timedelta(days=3),
                    handle_due=day + timedelta(days=9) if state != "pending" else None,
                    first_accept_due=day + timedelta(days=3),
                    closed_at=submitted + timedelta(days=3) if closed else None,
                    closed_level=level if closed else "",
                    follow_up_due=day + timedelta(days=17)
                    if closed and category == "dispute"
                    else None,
                )
            )
            if len(batch) == 5000:
                made += _flush(batch, Case, Party, FollowUp, rng, today)
                batch = []
        made += _flush(batch, Case, Party, FollowUp, rng, today)
    print(f"generated {made} extra cases", flush=True)


def _flush(batch, Case, Party, FollowUp, rng, today) -> int:
    from django.db.models.functions import Now

    if not batch:
        return 0
    created = Case.objects.bulk_create(batch)
    if created and created[0].pk is None:  # without RETURNING: read the ids back
        ids = dict(
            Case.objects.filter(number__in=[c.number for c in batch]).values_list("number", "pk")
        )
        for case in created:
            case.pk = ids[case.number]
    Party.objects.bulk_create(
        Party(case_id=c.pk, name=n, phone=p, position=j)
        for c in created
        for j, (n, p) in enumerate([("甲", "13800000001"), ("乙", "13800000002")])
    )
    # Most disputes closed more than three weeks ago have had their follow-up visit.
    visited = FollowUp.objects.bulk_create(
        FollowUp(
            case_id=c.pk,
            visited_on=c.follow_up_due,
            by_id=c.officer_id,
            method="phone",
            satisfied=True,
        )
        for c in created
        if c.follow_up_due and c.follow_up_due < today and rng.random() < 0.97
    )
    # As services.case_follow_up does: the case is no longer awaiting its visit.
    Case.objects.filter(pk__in=[f.case_id for f in visited]).update(followed_up_at=Now())
    return len(created)


def measure(client, url: str, runs: int) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = client.get(url, secure=True)  # warm caches (templates, the calendar library)
    if first.status_code != 200:
        raise SystemExit(f"{url}: HTTP {first.status_code}, expected 200")
    times = []
    queries = 0
    status = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url, secure=True)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            times.append((time.perf_counter() - start) * 1000)
        queries = len(ctx)
        status = response.status_code
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    return statistics.median(times), p95, queries, status


def measure_export(user, tab: str, runs: int) -> tuple[float, float, int]:
    """The ledger export's unit of work: its first batch (1,000 cases with their parties, in
    submission order), read as the download and the background job read every batch (the
    spreadsheet's writing, the same whatever the table's size, is left out)."""
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from gridcase.web.views.ledger_export import _export_of, iter_batches

    request = RequestFactory().get("/cases/export.xlsx", {"tab": tab})
    request.user = user
    times = []
    queries = 0
    for _ in range(runs + 1):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            _user, cases, order, _name = _export_of(request)
            next(iter_batches(user, cases, order), [])
            times.append((time.perf_counter() - start) * 1000)
        queries = len(ctx)
    times = sorted(times[1:])
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    return statistics.median(times), p95, queries


def leader_pages(town) -> list[str]:
    """The leader's dashboard and pay panel (from the cache after the first request, as the
    worker keeps them warm), the assessment's start page, this quarter's and last quarter's
    pages and an officer's statement."""
    from gridcase.core import clock, periods
    from gridcase.org.models import Role

    this = clock.quarter_of(clock.today(town.timezone))
    quarters = [this, periods.quarter_after(this, -1)]
    officer = Role.objects.filter(town=town, kind="officer").order_by("pk").first()
    pages = ["/dashboards/", "/dashboards/pay/", "/assessment/"]
    for quarter in quarters:
        pages.append(f"/assessment/{quarter}/")
        if officer:
            pages.append(f"/assessment/{quarter}/officers/{officer.user_id}/")
    return pages


def measure_refill(town, runs: int) -> dict[str, tuple[float, float, int]]:
    """What the cache's refill costs (the worker's, or the first look of ten minutes): one
    town's dashboard figures and its pay panel computed anew, the default period."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gridcase.core import clock
    from gridcase.web import dashboard_cache
    from gridcase.web import dashboard_selectors as ds

    period = ds.default_period(clock.today(town.timezone))
    found = {}
    for label, compute in (
        ("dashboard refill (figures computed)", dashboard_cache.town_figures),
        ("pay panel refill (figures computed)", dashboard_cache.pay_figures),
    ):
        times, queries = [], 0
        for _ in range(runs):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                compute(town, period, refresh=True)
                times.append((time.perf_counter() - start) * 1000)
            queries = len(ctx)
        times.sort()
        found[label] = (statistics.median(times), times[-1], queries)
    return found


def after_change(user, town, runs: int) -> None:
    """The assessment's pages viewed just after a change of the town's data (a case's
    `updated_at` moved to now: what every case action does to the stamp), as the governance
    office: the view that follows the change, the worker's computation of what it asked for
    (the tasks taken from the queue and run here, timed), and the view after it. With REDIS_URL
    the first view shows the last figures with their time (web/dashboard_cache.latest); without
    it, it computes them."""
    from django.test import Client
    from huey.contrib.djhuey import HUEY

    from gridcase.cases.models import Case
    from gridcase.core import clock
    from gridcase.web import dashboard_cache

    client = Client()
    client.force_login(user)
    print(f"\nafter a change (shared cache with the worker: {dashboard_cache.shared()})")
    print(f"{'page':<44} {'view ms':>9} {'shown':>8} {'worker s':>9} {'next ms':>8}")
    HUEY.flush()  # nothing of an earlier run left in the queue
    for url in [p for p in leader_pages(town) if p.startswith("/assessment/")]:
        client.get(url, secure=True)  # its figures kept before the change
        for _ in range(runs):
            case = Case.objects.filter(town=town).order_by("-submitted_at").first()
            Case.objects.filter(pk=case.pk).update(updated_at=clock.now())
            start = time.perf_counter()
            response = client.get(url, secure=True)
            view = (time.perf_counter() - start) * 1000
            # The page's note of earlier figures (web/assess/_kept.html).
            shown = "earlier" if 'id="kept-since"' in response.content.decode() else "current"
            start = time.perf_counter()
            while (task := HUEY.dequeue()) is not None:
                HUEY.execute(task)
            worker = time.perf_counter() - start
            start = time.perf_counter()
            again = client.get(url, secure=True)
            following = (time.perf_counter() - start) * 1000
            assert 'id="kept-since"' not in again.content.decode(), url
            print(f"{url:<44} {view:9.0f} {shown:>8} {worker:9.1f} {following:8.0f}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=182, help="days of demo cases (default 182)")
    parser.add_argument("--extra", type=int, default=0, help="generated cases to add")
    parser.add_argument("--runs", type=int, default=15, help="requests per page")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--keep",
        metavar="NAME",
        default="",
        help="keep the database between runs: the PostgreSQL database NAME, or SQLite in "
        "var/bench/NAME; built (demo and --extra) only when it holds no case yet",
    )
    parser.add_argument(
        "--only", default="", help="measure only the roles listed (comma-separated kinds)"
    )
    parser.add_argument("--no-search", action="store_true", help="leave the searches out")
    parser.add_argument("--match", default="", help="measure only the pages matching this regex")
    parser.add_argument(
        "--sql",
        action="store_true",
        help="PostgreSQL: the server makes the --extra cases (bench/bulk_pg.py), not bulk_create",
    )
    parser.add_argument(
        "--other-towns",
        type=int,
        default=0,
        metavar="K",
        help="PostgreSQL: K more towns of --per-town cases each (ten million: 9 × 1,000,000)",
    )
    parser.add_argument("--per-town", type=int, default=1_000_000)
    parser.add_argument("--build-only", action="store_true", help="build, then measure nothing")
    parser.add_argument(
        "--after-change",
        action="store_true",
        help="measure only the assessment's pages just after a change (see after_change)",
    )
    args = parser.parse_args()

    database = (
        kept_database(args.keep, Path("var/bench").resolve() / args.keep)
        if args.keep
        else fresh_database("gridcase_bench_pages")
    )
    with database as engine:
        from django.conf import settings
        from django.test import Client

        from gridcase.cases.models import Case
        from gridcase.cases.selectors import visible_cases
        from gridcase.core import clock
        from gridcase.demo import town as demo
        from gridcase.org.models import Role, Town
        from gridcase.web.tabs import tabs_for

        settings.ALLOWED_HOSTS = ["*"]
        from django.db import connection

        built = args.keep and Case.objects.exists()
        if not built:
            started = time.perf_counter()
            demo.build_demo(days=args.days, seed=args.seed, out=lambda *a: None)
            print(f"demo built in {time.perf_counter() - started:.0f} s", flush=True)
            if args.extra and not args.sql:
                started = time.perf_counter()
                add_cases(args.extra, args.seed)
                print(f"extra cases in {time.perf_counter() - started:.0f} s", flush=True)
        others = 0
        if args.extra and args.sql:  # topped up to --extra, slice by slice (a kept database)
            from bench.bulk_pg import add_cases_sql
            from gridcase.org.models import Town

            town = Town.objects.get(name=demo.TOWN_NAME)
            have = Case.objects.filter(town=town, number__startswith="BX-").count()
            if have < args.extra:
                started = time.perf_counter()
                add_cases_sql(town, args.extra - have)
                print(f"extra cases in {time.perf_counter() - started:.0f} s", flush=True)
                others = 1
        if args.other_towns:
            from bench.bulk_pg import other_towns
            from gridcase.org.models import Town

            have = Case.objects.exclude(town__name=demo.TOWN_NAME).count()
            if have < args.other_towns * args.per_town:
                started = time.perf_counter()
                other_towns(args.other_towns, args.per_town)
                print(f"other towns in {time.perf_counter() - started:.0f} s", flush=True)
                others = 1
        if connection.vendor == "postgresql" and (not built or others):
            # Statistics for the planner and the visibility map, as autovacuum would after a
            # bulk load (without the map, no count is answered from an index alone).
            # (SQLite keeps none unless someone runs ANALYZE; its averages without histograms
            # made it scan the table for the open cases, so it is measured as installed.)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        total = Case.objects.count()
        print(f"{engine}: {total} cases\n", flush=True)
        if args.build_only:
            return 0

        users = {}
        demo_town = Town.objects.get(name=demo.TOWN_NAME)
        for kind in (
            "officer",
            "village_station",
            "town_center",
            "department",
            "governance_office",
            "leader",
        ):
            # The measured town's people (the demo town's), whatever other towns there are.
            role = (
                Role.objects.filter(kind=kind, town=demo_town)
                .select_related("user")
                .order_by("pk")
                .first()
            )
            if role and (not args.only or kind in args.only.split(",")):
                users[kind] = role.user
        sample = (
            Case.objects.filter(town=demo_town)
            .exclude(state="draft")
            .order_by("-submitted_at")
            .first()
        )

        if args.after_change:
            after_change(users["governance_office"], demo_town, args.runs)
            return 0
        print(f"{'role':<18} {'page':<44} {'median':>8} {'p95':>8} {'queries':>8}  status")
        worst = 0.0
        for kind, user in users.items():
            client = Client()
            client.force_login(user)
            if kind == "leader":
                pages = leader_pages(demo_town)
                if args.match:
                    pages = [p for p in pages if re.search(args.match, p)]
                for url in pages:
                    median, p95, queries, status = measure(client, url, args.runs)
                    label = url if len(url) <= 44 else url[:41] + "..."
                    print(
                        f"{kind:<18} {label:<44} {median:8.1f} {p95:8.1f} {queries:8d}  {status}",
                        flush=True,
                    )
                if not args.match or re.search(args.match, "refill"):
                    for label, (median, p95, queries) in measure_refill(demo_town, 3).items():
                        print(
                            f"{kind:<18} {label:<44} {median:8.1f} {p95:8.1f} {queries:8d}  -",
                            flush=True,
                        )
                continue
            pages = [
                "/",
                *(f"/?tab={tab.key}" for tab in tabs_for(user) if tab.key != "all"),
                "/cases/",
                "/cases/?category=dispute",
                # The search: one and two Chinese characters, a number, a phone, a word of
                # the text (the generated cases' parties are 甲 and 乙; the demo's have names).
                "/cases/?q=张",
                "/cases/?q=甲",
                "/cases/?q=调解",
                "/cases/?q=王芳",
                "/cases/?q=漏水",
                f"/cases/?q={sample.number}" if sample else "/cases/?q=2026",
                "/cases/?q=13800000001",
            ]
            if args.no_search:
                pages = [p for p in pages if "q=" not in p]
            if args.match:
                pages = [p for p in pages if re.search(args.match, p)]
            # A deep page: follow "next" twenty times from the first page of every case.
            url, deep = "/cases/?tab=all", None
            for _ in range(20):
                html = client.get(url, secure=True).content.decode()
                found = NEXT.search(html)
                if not found:
                    break
                deep = url = "/cases/?" + unescape(found.group(1))
            if deep:
                pages.append(deep)
            if kind == "officer":
                pages.append("/cases/new/")
            # The case page (it reads the case's timeline, partitioned by month on
            # PostgreSQL): the newest case the person sees, and one of two years ago.
            mine = visible_cases(user).exclude(state="draft")
            for case in (
                mine.order_by("-submitted_at").first(),
                mine.filter(submitted_at__lt=clock.now() - timedelta(days=700))
                .order_by("-submitted_at")
                .first(),
            ):
                if case:
                    pages.append(f"/cases/{case.number}/")
            for url in pages:
                median, p95, queries, status = measure(client, url, args.runs)
                is_list = url == "/" or url.startswith(("/?", "/cases/?"))
                if is_list:
                    worst = max(worst, median)
                label = url if len(url) <= 44 else url[:41] + "..."
                print(
                    f"{kind:<18} {label:<44} {median:8.1f} {p95:8.1f} {queries:8d}  {status}",
                    flush=True,
                )
            for tab in (
                ("all", "overdue") if not args.match or re.search(args.match, "export") else ()
            ):
                median, p95, queries = measure_export(user, tab, args.runs)
                label = f"export batch (1,000 rows) tab={tab}"
                print(
                    f"{kind:<18} {label:<44} {median:8.1f} {p95:8.1f} {queries:8d}  -",
                    flush=True,
                )
        print(f"\nslowest list page (median): {worst:.1f} ms — target < 150 ms p95")
    return 0


if __name__ == "__main__":
    sys.exit(main())
