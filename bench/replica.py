"""Read-only pages from a real streaming replica (issue 15): the routing, checked end to end.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/replica.py

Needs root on a machine with Debian's PostgreSQL (as the development machine and CI). It
makes a second cluster of the same version on port 5433 as a hot standby of the first
(`pg_createcluster`, then `pg_basebackup -R`: streaming replication), allowing replication
connections from 127.0.0.1 on the primary if they are not yet allowed; builds the demo town in
a database of its own on the primary (`gridcase_replica`) and runs Django with DATABASE_URL on
the primary and DATABASE_REPLICA_URL on the standby. Then, through Django's test client:

1. a page read by a signed-in person without the pinning cookie reads the cases from the
   replica (queries counted per connection), the session and the person from the primary;
2. with the standby's replay paused, the town center accepts a case (a POST): the next page,
   carrying the cookie the POST set, shows the case accepted (read from the primary); the
   same page without the cookie shows it still waiting (read from the standby) — the pin is
   what makes a person see their own change;
3. replay resumed, the page without the cookie shows it accepted;
4. the replica's lag: commit on the primary → replayed on the standby, 50 times.

The standby is dropped afterwards unless --keep. Prints what it checked and the lag
(SHOW_QUERIES=1 also prints the queries each page sent to the primary).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.county import fresh_database  # noqa: E402

CLUSTER = "replica"
PORT = 5433
DB = "gridcase_replica"


def sh(*cmd: str, check=True) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True)
    if check and done.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def version() -> str:
    return sorted(os.listdir("/etc/postgresql"))[-1]


HBA_LINES = (
    "\n# bench/replica.py: a standby on this machine\nhost replication all 127.0.0.1/32 trust\n"
)


def ensure_replication_allowed(primary) -> str | None:
    """The primary accepts replication connections from 127.0.0.1 (trust, as the machine's
    other connections). Returns the pg_hba.conf written to, if a rule had to be added."""
    rules = primary.execute(
        "SELECT count(*) FROM pg_hba_file_rules WHERE 'replication' = ANY(database)"
        " AND (address = '127.0.0.1' OR type = 'local')"
    ).fetchone()[0]
    if rules:
        return None
    hba = primary.execute("SHOW hba_file").fetchone()[0]
    with open(hba, "a") as f:
        f.write(HBA_LINES)
    primary.execute("SELECT pg_reload_conf()")
    print(f"replication connections from 127.0.0.1 allowed in {hba}")
    return hba


def restore_hba(primary, hba: str) -> None:
    """Takes back the rule `ensure_replication_allowed` added: the machine is left as found."""
    with open(hba) as f:
        text = f.read()
    with open(hba, "w") as f:
        f.write(text.replace(HBA_LINES, ""))
    primary.execute("SELECT pg_reload_conf()")
    print(f"replication rule removed from {hba}")


def make_standby() -> None:
    ver = version()
    listed = sh("pg_lsclusters", "--no-header")
    if re.search(rf"^{ver}\s+{CLUSTER}\s", listed, re.M):
        sh("pg_dropcluster", "--stop", ver, CLUSTER)
    sh("pg_createcluster", ver, CLUSTER, "-p", str(PORT))
    # Debian keeps a cluster's configuration apart from its data: the standby is reached as
    # the primary is (the primary's pg_hba.conf).
    sh("cp", f"/etc/postgresql/{ver}/main/pg_hba.conf", f"/etc/postgresql/{ver}/{CLUSTER}/")
    data = Path(f"/var/lib/postgresql/{ver}/{CLUSTER}")
    sh("find", str(data), "-mindepth", "1", "-delete")  # pg_basebackup fills the empty directory
    started = time.monotonic()
    sh(
        "runuser", "-u", "postgres", "--",
        "pg_basebackup", "-h", "127.0.0.1", "-p", "5432", "-U", "postgres",
        "-D", str(data), "-R", "-X", "stream", "-c", "fast",
    )  # fmt: skip
    print(f"standby {ver}/{CLUSTER} copied by pg_basebackup in {time.monotonic() - started:.1f} s")
    sh("pg_ctlcluster", ver, CLUSTER, "start")


def wait_replayed(primary, standby, timeout=60.0) -> float:
    """Seconds until the standby has replayed everything the primary has written so far."""
    target = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        caught_up = standby.execute(
            "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]
        ).fetchone()[0]
        if caught_up:
            return time.monotonic() - started
        time.sleep(0.002)
    raise SystemExit("the standby did not catch up within a minute")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the standby cluster running")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("DATABASE_URL must name the PostgreSQL server (the primary)")
    import psycopg

    parts = urlsplit(url)
    primary = psycopg.connect(host="127.0.0.1", port=5432, user="postgres", autocommit=True)
    added_hba = ensure_replication_allowed(primary)
    os.environ["DATABASE_REPLICA_URL"] = urlunsplit(
        parts._replace(netloc=f"postgres@127.0.0.1:{PORT}", path=f"/{DB}")
    )
    try:
        make_standby()
        with fresh_database(DB):
            check(primary)
    finally:
        if not args.keep:
            # With --keep the standby goes on replicating: its rule stays with it.
            sh("pg_dropcluster", "--stop", version(), CLUSTER, check=False)
            print("standby dropped")
            if added_hba:
                restore_hba(primary, added_hba)


def check(primary_admin) -> None:
    import psycopg
    from django.db import connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from gridcase.cases import filing, services
    from gridcase.cases.models import Case
    from gridcase.demo import town as demo
    from gridcase.org.models import Role, User

    primary = psycopg.connect(host="127.0.0.1", port=5432, user="postgres", dbname=DB)
    primary.autocommit = True
    standby = None
    for _ in range(300):  # the database the primary just created reaches the standby
        try:
            standby = psycopg.connect(
                host="127.0.0.1", port=PORT, user="postgres", dbname=DB, autocommit=True
            )
            break
        except psycopg.OperationalError:
            time.sleep(0.1)
    assert standby is not None, "the standby never saw the database"
    assert standby.execute("SELECT pg_is_in_recovery()").fetchone()[0], "not a standby"

    town = demo.build_demo(days=20, out=lambda line: None)
    officer = User.objects.get(username="officer01")
    center = User.objects.get(username="center1")
    case = filing.case_create_draft(
        town=town,
        by=officer,
        data={
            "category": "dispute",
            "title": "replica check",
            "occurred_at": demo_now(),
            "location": "东村3组",
            "persons": "张三、李四",
            "cause": "宅基地边界",
            "course": "两家因围墙位置争执",
            "parties": [
                {"name": "张三", "phone": "13800138001"},
                {"name": "李四", "phone": "13800138002"},
            ],
        },
    )
    filing.case_submit(case=case, by=officer)
    services.case_accept(case=case, by=officer)
    services.case_escalate(case=case, by=officer, note="需村里协调")
    station = (
        Role.objects.filter(town=town, kind="village_station", village=case.village).first().user
    )
    services.case_accept(case=case, by=station)
    services.case_escalate(case=case, by=station, note="需镇中心协调")
    wait_replayed(primary, standby)

    client = Client(HTTP_HOST="127.0.0.1")
    signed_in = client.post(
        "/accounts/login/", {"username": center.username, "password": demo.PASSWORD}
    )
    assert signed_in.status_code == 302, signed_in.status_code
    assert "gridcase_primary" in signed_in.cookies, "signing in pins the browser"
    page = f"/cases/{case.number}/"

    def read(pinned: bool) -> tuple[str, int, int]:
        if not pinned:
            client.cookies.pop("gridcase_primary", None)
        with (
            CaptureQueriesContext(connections["default"]) as on_primary,
            CaptureQueriesContext(connections["replica"]) as on_replica,
        ):
            response = client.get(page)
        assert response.status_code == 200, response.status_code
        if os.environ.get("SHOW_QUERIES"):
            for q in on_primary.captured_queries:
                print("   P", q["sql"][:150])
        state = re.search(r'badge-state">([^<]+)<', response.content.decode()).group(1)
        return state, len(on_primary), len(on_replica)

    client.cookies.pop("gridcase_primary", None)
    with (
        CaptureQueriesContext(connections["default"]) as on_primary,
        CaptureQueriesContext(connections["replica"]) as on_replica,
    ):
        queue = client.get("/cases/?tab=pending")
    assert queue.status_code == 200 and case.number in queue.content.decode()
    print(
        f"0. the center's queue, not pinned: {len(on_primary)} queries on the primary "
        f"(session, person), {len(on_replica)} on the replica"
    )
    assert len(on_primary) <= 2 < len(on_replica)
    # The first visit reads the center's news of the case (a write: served from the primary,
    # and pinned); from the second on, the page is a read.
    read(pinned=False)
    wait_replayed(primary, standby)
    state, n_primary, n_replica = read(pinned=False)
    print(
        f"1. the case page (its news read), not pinned: state {state}; {n_primary} queries "
        f"on the primary (session, person), {n_replica} on the replica"
    )
    assert state == "待受理" and n_primary <= 2 < n_replica

    standby.execute("SELECT pg_wal_replay_pause()")
    try:
        accepted = client.post(f"/cases/{case.number}/act/accept/", {"accept-note": ""})
        assert accepted.status_code == 302, accepted.status_code
        assert Case.objects.get(pk=case.pk).state == "handling"
        assert "gridcase_primary" in accepted.cookies
        pinned_state, p1, r1 = read(pinned=True)
        print(
            f"2. replay paused, accepted: with the cookie {pinned_state} "
            f"({p1} queries on the primary, {r1} on the replica)"
        )
        stale_state, p2, r2 = read(pinned=False)
        print(f"   without the cookie {stale_state} ({p2} on the primary, {r2} on the replica)")
        assert (pinned_state, r1) == ("办理中", 0)
        assert stale_state == "待受理" and r2 > 0
    finally:
        standby.execute("SELECT pg_wal_replay_resume()")
    wait_replayed(primary, standby)
    caught_up, _, _ = read(pinned=False)
    print(f"3. replay resumed: without the cookie {caught_up}")
    assert caught_up == "办理中"

    primary.execute("CREATE TABLE IF NOT EXISTS replica_lag (n int)")
    lags = []
    for n in range(50):
        primary.execute("INSERT INTO replica_lag VALUES (%s)", [n])
        lags.append(wait_replayed(primary, standby) * 1000)
        time.sleep(0.02)
    lags.sort()
    print(
        f"4. lag, commit on the primary → replayed on the standby, 50 commits: median "
        f"{statistics.median(lags):.1f} ms, p95 {lags[47]:.1f} ms, max {lags[-1]:.1f} ms "
        f"(pinned for {os.environ.get('GRIDCASE_REPLICA_PIN_SECONDS', '10')} s after a write)"
    )
    print(f"load average: {Path('/proc/loadavg').read_text().split()[:3]}")
    standby.close()
    primary.close()
    for conn in connections.all():
        conn.close()


def demo_now():
    from datetime import timedelta

    from gridcase.core import clock

    return clock.now() - timedelta(hours=2)


if __name__ == "__main__":
    main()
