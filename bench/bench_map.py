"""Time the town's map (一张图) in Chromium with 10,000 open cases.

    .venv/bin/python bench/bench_map.py                  # SQLite, 10,000 cases
    .venv/bin/python bench/bench_map.py --cases 20000 --runs 7
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_map.py

It builds a database of its own (bench/county.py `fresh_database`: SQLite in a temporary
directory, or `gridcase_bench_map` on the PostgreSQL server of DATABASE_URL), one town with ten
villages and a leader, and N open cases in bulk with points spread over about 10 × 10 km and
deadlines around today (red, yellow and green). It collects the static files, serves the site
with a threaded WSGI server on 127.0.0.1, signs the leader in and opens /map/ in Debian's
Chromium (Playwright), each run in a new browser context (nothing cached), and prints, as
medians over the runs:

- points: the server's time for /map/points.json (Django test client, no network);
- drawn: from the start of navigation until the markers are on the screen (map.js sets
  `data-drawn-ms` in the frame after drawing) — page, scripts, the JSON and the drawing;
- JSON arrived: from the start of navigation until the points are in (`data-fetched-ms`);
- drawing: from the JSON's arrival until drawn (`data-drawn-ms` − `data-fetched-ms`).

The target (issue 13): the 10,000 cases drawn in under 1 second. It also checks that every
request went to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from socketserver import ThreadingMixIn
from urllib.parse import urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.county import fresh_database  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]
# Somewhere in Hunan: the points are WGS-84 degrees.
LAT, LON = 28.10, 112.90


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def build_town(n: int, seed: int):
    """One town, ten villages, a leader, and n open cases with points, in bulk."""
    from django.db import transaction

    from gridcase.cases.models import Case
    from gridcase.core import clock
    from gridcase.org.models import Role, Town, User, Village

    rng = random.Random(seed)
    town = Town.objects.create(name="图测镇", code="tc")
    villages = [Village.objects.create(town=town, name=f"第{i + 1}村") for i in range(10)]
    leader = User.objects.create_user(username="leader", password="pw", town=town)
    Role.objects.create(user=leader, town=town, kind="leader")
    officer = User.objects.create_user(username="officer", password="pw", town=town)
    Role.objects.create(user=officer, town=town, kind="officer", village=villages[0])
    now = clock.now()
    today = clock.local_date(now, town.timezone)
    batch = []
    with transaction.atomic():
        for i in range(n):
            submitted = now - timedelta(minutes=rng.randint(60, 20 * 24 * 60))
            pending = rng.random() < 0.4
            due = today + timedelta(days=rng.randint(-6, 8))
            batch.append(
                Case(
                    town=town,
                    number=f"TC-{i:07d}",
                    category=rng.choice(["dispute", "security_hazard", "livelihood_service"]),
                    title=f"测量事件{i}",
                    occurred_at=submitted - timedelta(hours=1),
                    location="测量地点",
                    village=rng.choice(villages),
                    officer=officer,
                    source="imported",
                    state="pending" if pending else "handling",
                    level="grid",
                    submitted_at=submitted,
                    accept_due=due,
                    first_accept_due=due,
                    handle_due=None if pending else due,
                    latitude=Decimal(f"{LAT + rng.uniform(-0.045, 0.045):.6f}"),
                    longitude=Decimal(f"{LON + rng.uniform(-0.05, 0.05):.6f}"),
                )
            )
        Case.objects.bulk_create(batch, batch_size=2000)
    return leader


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    with fresh_database("gridcase_bench_map") as engine:
        from django.core.management import call_command
        from django.core.wsgi import get_wsgi_application
        from django.test import Client
        from playwright.sync_api import sync_playwright

        call_command("collectstatic", interactive=False, verbosity=0)
        leader = build_town(args.cases, args.seed)
        print(f"{engine}: {args.cases} open cases with points", flush=True)

        client = Client()
        client.force_login(leader)
        client.get("/map/points.json")  # warm up
        server_ms = []
        for _ in range(args.runs):
            start = time.perf_counter()
            response = client.get("/map/points.json")
            server_ms.append((time.perf_counter() - start) * 1000)
        assert len(response.json()["points"]) == min(args.cases, 20_000)
        size_kb = len(response.content) / 1024

        httpd = make_server("127.0.0.1", 0, get_wsgi_application(), ThreadingServer, QuietHandler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{httpd.server_port}"
        cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}

        drawn_ms, fetched_ms, drawing_ms, hosts = [], [], [], set()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for _ in range(args.runs):
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                context.add_cookies([cookie])
                page = context.new_page()
                page.on("request", lambda r: hosts.add(urlsplit(r.url).hostname))
                page.goto(f"{base}/map/")
                page.wait_for_selector("#town-map[data-markers]", timeout=60000)
                markers = page.get_attribute("#town-map", "data-markers")
                assert markers == str(min(args.cases, 20_000)), markers
                drawn = float(page.get_attribute("#town-map", "data-drawn-ms") or 0)
                fetched = float(page.get_attribute("#town-map", "data-fetched-ms") or 0)
                drawn_ms.append(drawn)
                fetched_ms.append(fetched)
                drawing_ms.append(drawn - fetched)
                context.close()
            browser.close()
        httpd.shutdown()

    print(f"points (server): {statistics.median(server_ms):7.0f} ms  ({size_kb:.0f} KiB JSON)")
    print(f"drawn (from navigation): {statistics.median(drawn_ms):7.0f} ms  — target < 1000 ms")
    print(f"JSON arrived (from navigation): {statistics.median(fetched_ms):7.0f} ms")
    print(f"drawing (after the JSON arrived): {statistics.median(drawing_ms):7.0f} ms")
    print(f"runs: {args.runs}; request hosts: {sorted(hosts)}")
    if hosts - {"127.0.0.1"}:
        print("a request left 127.0.0.1")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
