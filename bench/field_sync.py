"""The field terminal's sync, scripted, through a proxy that drops 30 % of the connections.

    .venv/bin/python bench/field_sync.py                    # SQLite, 200 cases
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/field_sync.py
    # options: --cases N, --drop 0.3, --seed 1, --workers 2

Issue 12's "Chaos" measure. On a database of its own (county.fresh_database) it makes a town
with one officer, starts the real server (gunicorn, as `gridcase serve` runs it) and
`chaos_proxy.py` in front of it, then plays a terminal that comes back online with a queue of
`--cases` cases of 2–3 photos each, speaking exactly the protocol (docs/field_protocol.md):

    sign in (device token) → for each queued case:
      POST /api/v1/cases/ with its client_id            (201, or 200 for a re-send)
      PUT  …/photos/<sha256>/ for each photo; resuming, GET …/attachments/ first and
           skip what is listed (every other resume re-sends blindly: the server replays)
      POST …/submit/ with Idempotency-Key <client_id>:submit and {"version": …}
                                                        (200; 409 → GET: not a draft = done)

Every request that fails — a connection cut, an answer cut short, a 5xx — is retried with
exponential back-off (and jitter); nothing is skipped. Then it reads the database: every case
there exactly once (by client_id), submitted, with each of its photos attached exactly once
and nothing else; no other case. Prints the numbers and exits 1 if anything is off.
Standard library only on the client side (urllib).
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from chaos_proxy import ChaosProxy, ProxyThread  # noqa: E402
from county import fresh_database  # noqa: E402

PASSWORD = "field-sync-1"
TIMEOUT = 15  # seconds a request may take before the client gives up on it


class Retry(Exception):
    """The request did not get a usable answer: try again."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- the data


def make_town() -> None:
    from gridcase.org.models import Grid, Role, Town, User, Village

    town = Town.objects.create(name="长塘镇", code="ct")
    village = Village.objects.create(town=town, name="东村")
    grid = Grid.objects.create(village=village, name="第一网格")
    officer = User.objects.create_user(
        username="officer", password=PASSWORD, town=town, display_name="王专管员"
    )
    Role.objects.create(user=officer, town=town, kind="officer", village=village, grid=grid)


def jpeg(rng: random.Random, size: int) -> bytes:
    """Bytes the server takes for a JPEG (its first bytes), distinct for every photo."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + rng.randbytes(size)


def queue(n: int, rng: random.Random) -> list[dict]:
    """What the terminal has queued offline: each case with its id, content and photos."""
    at = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    items = []
    for i in range(n):
        count = rng.randint(2, 3)
        items.append(
            {
                "client_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "body": {
                    "category": "livelihood_service",
                    "title": f"路灯不亮 {i}",
                    "occurred_at": at,
                    "location": f"东村{i % 9 + 1}组",
                    "persons": "村民",
                    "cause": "路灯损坏",
                    "course": "夜间无照明,群众反映",
                    "latitude": round(28.1 + rng.random() / 100, 6),
                    "longitude": round(112.9 + rng.random() / 100, 6),
                    "location_accuracy": round(rng.uniform(3, 30), 1),
                },
                "photos": [jpeg(rng, rng.randint(20_000, 60_000)) for _ in range(count)],
            }
        )
    return items


# ---------------------------------------------------------------- the client


class Terminal:
    def __init__(self, base: str, rng: random.Random):
        self.base = base
        self.rng = rng
        self.key = ""
        self.counts: Counter = Counter()

    def call(self, method: str, path: str, *, body=None, files=None, headers=None):
        """(status, json) for one request; Retry when no usable answer came."""
        data, heads = None, {"Connection": "close", **(headers or {})}
        if self.key:
            heads["Authorization"] = f"Token {self.key}"
        if files is not None:
            boundary = uuid.uuid4().hex
            name, content = files
            data = (
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                    f'filename="{name}"\r\nContent-Type: image/jpeg\r\n\r\n'
                ).encode()
                + content
                + f"\r\n--{boundary}--\r\n".encode()
            )
            heads["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif body is not None:
            data = json.dumps(body).encode()
            heads["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=heads)
        self.counts["requests"] += 1
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                raw = response.read()
                if not raw:  # the answer cut after its headers (no Content-Length to tell)
                    raise Retry("EmptyBody")
                return response.status, json.loads(raw), response.headers
        except urllib.error.HTTPError as error:
            try:
                payload = json.loads(error.read())
            except (ValueError, OSError, http.client.HTTPException) as exc:
                raise Retry(f"{error.code} cut short") from exc
            if error.code >= 500 or error.code == 429:
                raise Retry(str(error.code)) from None
            return error.code, payload, error.headers
        except (OSError, ValueError, http.client.HTTPException) as exc:
            # refused, reset, cut short (IncompleteRead, RemoteDisconnected), a broken JSON
            raise Retry(type(exc).__name__) from exc

    def retrying(self, what: str, step):
        """Run `step` until it does not raise Retry, with exponential back-off and jitter."""
        delay = 0.02
        for _attempt in range(60):
            try:
                return step()
            except Retry as exc:
                self.counts["retries"] += 1
                self.counts[f"retry:{what}:{str(exc).split()[0]}"] += 1
                time.sleep(delay * (0.5 + self.rng.random()))
                delay = min(delay * 2, 1.0)
        raise SystemExit(f"{what}: no answer after 60 tries")

    # -- the protocol

    def sign_in(self) -> None:
        def step():
            status, body, _h = self.call(
                "POST",
                "/api/v1/auth/token/",
                body={"username": "officer", "password": PASSWORD, "name": "平安通 bench"},
            )
            if status not in (200, 201):
                raise SystemExit(f"sign-in refused: {status} {body}")
            self.key = body["key"]

        self.retrying("sign_in", step)

    def send(self, item: dict) -> str:
        """One queued case, to the end: its number."""
        cid = item["client_id"]

        def create():
            status, body, headers = self.call(
                "POST", "/api/v1/cases/", body={**item["body"], "client_id": cid}
            )
            if status == 200 and headers.get("Idempotent-Replayed") == "true":
                self.counts["create_replayed"] += 1
            elif status != 201:
                raise SystemExit(f"create {cid}: {status} {body}")
            return body

        case = self.retrying("create", create)
        number, version = case["number"], case["version"]

        attempts = Counter()

        def photos():
            # A new case has none. Resuming, the terminal lists what the server has and sends
            # only the rest; every other resume here sends them all again blindly instead, to
            # exercise the server's replay (200) of a photo already attached as well.
            attempts["photos"] += 1
            have: set[str] = set()
            if attempts["photos"] > 1 and attempts["photos"] % 2 == 0:
                status, listed, _h = self.call("GET", f"/api/v1/cases/{number}/attachments/")
                if status != 200:
                    raise SystemExit(f"attachments of {number}: {status} {listed}")
                have = {a["sha256"] for a in listed}
            for i, photo in enumerate(item["photos"]):
                sha = hashlib.sha256(photo).hexdigest()
                if sha in have:
                    self.counts["photos_skipped_on_resume"] += 1
                    continue
                status, body, _h = self.call(
                    "PUT", f"/api/v1/cases/{number}/photos/{sha}/", files=(f"p{i}.jpg", photo)
                )
                if status == 200:
                    self.counts["photo_replayed"] += 1
                elif status != 201:
                    raise SystemExit(f"photo of {number}: {status} {body}")
                have.add(sha)

        self.retrying("photos", photos)

        def submit():
            status, body, headers = self.call(
                "POST",
                f"/api/v1/cases/{number}/submit/",
                body={"version": version},
                headers={"Idempotency-Key": f"{cid}:submit"},
            )
            if status == 200:
                if headers.get("Idempotent-Replayed") == "true":
                    self.counts["submit_replayed"] += 1
                return
            if status == 409:
                # An earlier submit of ours committed and its answer was lost: look at the case.
                self.counts["submit_409"] += 1
                status, body, _h = self.call("GET", f"/api/v1/cases/{number}/")
                if status == 200 and body["state"] != "draft":
                    return
            raise SystemExit(f"submit {number}: {status} {body}")

        self.retrying("submit", submit)
        return number


# ---------------------------------------------------------------- the check


def check(items: list[dict]) -> dict:
    from gridcase.cases.models import Attachment, Case, TimelineEntry

    expected = {
        uuid.UUID(item["client_id"]): sorted(hashlib.sha256(p).hexdigest() for p in item["photos"])
        for item in items
    }
    expected_all = [sha for shas in expected.values() for sha in shas]
    cases = list(Case.objects.all())
    by_id = Counter(c.client_id for c in cases)
    attached: dict = {}
    for client_id, sha in Attachment.objects.values_list("case__client_id", "sha256"):
        attached.setdefault(client_id, []).append(sha)
    lost = [cid for cid in expected if by_id[cid] == 0]
    duplicated = [cid for cid, n in by_id.items() if n > 1]
    strangers = [cid for cid in by_id if cid not in expected]
    not_submitted = [c.number for c in cases if c.state == "draft"]
    photo_problems = [
        cid for cid, shas in expected.items() if sorted(attached.get(cid, [])) != shas
    ]
    photos = sum(len(v) for v in attached.values())
    # The audit trail agrees: one create and one submit per case, one attach per photo.
    actions = Counter(
        TimelineEntry.objects.filter(action__in=("create", "submit", "attach")).values_list(
            "action", flat=True
        )
    )
    trail_ok = actions == Counter(create=len(items), submit=len(items), attach=len(expected_all))
    return {
        "cases_in_database": len(cases),
        "lost": len(lost),
        "duplicated": len(duplicated),
        "unexpected_cases": len(strangers),
        "not_submitted": len(not_submitted),
        "photos_in_database": photos,
        "photos_expected": sum(len(v) for v in expected.values()),
        "cases_with_photo_problems": len(photo_problems),
        "timeline": dict(actions),
        "ok": not (lost or duplicated or strangers or not_submitted or photo_problems) and trail_ok,
    }


# ---------------------------------------------------------------- the run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--drop", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="cases sent at once")
    args = parser.parse_args()

    with fresh_database("gridcase_bench_field") as database:
        make_town()
        from django.db import connections

        connections.close_all()
        from gridcase.demo.management.commands.serve import gunicorn_command

        port = free_port()
        command = gunicorn_command(addr=f"127.0.0.1:{port}", workers=2, threads=4, dev=False)
        command[command.index("--access-logfile") + 1] = "/dev/null"
        server = subprocess.Popen(command, env=dict(os.environ), stderr=subprocess.DEVNULL)
        try:
            wait_for(port)
            rng = random.Random(args.seed)
            items = queue(args.cases, rng)
            proxy = ChaosProxy("127.0.0.1", port, drop=args.drop, seed=args.seed)
            with ProxyThread(proxy) as running:
                base = f"http://127.0.0.1:{running.port}"
                started = time.perf_counter()
                first = Terminal(base, random.Random(args.seed))
                first.sign_in()
                terminals = []

                def run(chunk):
                    terminal = Terminal(base, random.Random(hash(chunk[0]["client_id"])))
                    terminal.key = first.key
                    terminals.append(terminal)
                    for item in chunk:
                        terminal.send(item)

                chunks = [items[i :: args.workers] for i in range(args.workers)]
                with ThreadPoolExecutor(args.workers) as pool:
                    list(pool.map(run, chunks))
                wall = time.perf_counter() - started
            counts = sum((t.counts for t in [first, *terminals]), Counter())
        finally:
            server.terminate()
            server.wait(20)
        result = check(items)
        report = {
            "database": database,
            "cases": args.cases,
            "photos": result["photos_expected"],
            "drop": args.drop,
            "wall_seconds": round(wall, 1),
            "connections": proxy.stats["connections"],
            "drops": {k: proxy.stats[k] for k in ("connect", "request", "committed", "response")},
            "committed_answers_lost": proxy.stats["committed_answers_lost"],
            "requests": counts["requests"],
            "retries": counts["retries"],
            "replayed": {
                k: counts[k]
                for k in ("create_replayed", "photo_replayed", "submit_replayed", "submit_409")
            },
            "photos_skipped_on_resume": counts["photos_skipped_on_resume"],
            "retries_by_step": {
                k.split(":", 1)[1]: v for k, v in sorted(counts.items()) if k.startswith("retry:")
            },
            "result": result,
        }
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0 if result["ok"] else 1


def wait_for(port: int) -> None:
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/me/", timeout=2):
                return
        except urllib.error.HTTPError:
            return  # 401: the server answers
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


if __name__ == "__main__":
    sys.exit(main())
