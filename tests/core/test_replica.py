"""Where reads go when a replica is configured (issue 15): gridcase.core.replica.

These tests decide with the router and the middleware directly (the suite runs with one
database); bench/replica.py runs the same rules against a real streaming replica."""

from __future__ import annotations

import itertools

import multidb
import pytest
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from gridcase.api.models import ApiToken
from gridcase.cases.models import Case
from gridcase.core.replica import PageReplicaRouter, ReplicaMiddleware
from gridcase.org.models import User

COOKIE = "gridcase_primary"


@pytest.fixture
def replica(monkeypatch):
    """multidb believes in one replica named "replica" (the suite has no such connection: the
    router is asked, no query is run)."""
    monkeypatch.setattr(multidb, "replicas", itertools.repeat("replica"))
    with override_settings(
        MULTIDB_PINNING_COOKIE=COOKIE,
        MULTIDB_PINNING_SECONDS=10,
        MULTIDB_PINNING_COOKIE_HTTPONLY=True,
    ):
        yield PageReplicaRouter()


def serve(method: str, path: str, during=lambda: None, cookies=None) -> tuple[dict, HttpResponse]:
    """A request through the middleware; `during` runs as the view and returns what the
    router answered for reads of a case, a session, a person and a token."""
    request = getattr(RequestFactory(), method.lower())(path)
    request.COOKIES.update(cookies or {})
    seen: dict = {}

    def view(request):
        during()
        router = PageReplicaRouter()
        seen.update(
            case=router.db_for_read(Case),
            session=router.db_for_read(Session),
            user=router.db_for_read(User),
            token=router.db_for_read(ApiToken),
        )
        return HttpResponse("ok")

    response = ReplicaMiddleware(view)(request)
    return seen, response


@pytest.mark.django_db(transaction=True)
def test_a_page_read_goes_to_the_replica_but_the_sign_in_rows_do_not(replica):
    seen, response = serve("GET", "/cases/")
    assert seen == {"case": "replica", "session": "default", "user": "default", "token": "default"}
    assert COOKIE not in response.cookies


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "path", ["/api/v1/cases/", "/open311/v2/requests.json", "/accounts/login/"]
)
def test_the_api_and_the_sign_in_pages_read_from_the_primary(replica, path):
    seen, _ = serve("GET", path)
    assert seen["case"] == "default"


@pytest.mark.django_db(transaction=True)
def test_a_post_reads_from_the_primary_and_pins_the_browser(replica):
    seen, response = serve("POST", "/cases/A1/act/accept/")
    assert seen["case"] == "default"
    cookie = response.cookies[COOKIE]
    assert cookie["max-age"] == 10 and cookie["httponly"] and cookie["samesite"] == "Lax"
    # The next page, carrying the cookie, reads from the primary too; without it, the replica.
    assert serve("GET", "/cases/", cookies={COOKIE: "y"})[0]["case"] == "default"
    assert serve("GET", "/cases/")[0]["case"] == "replica"


@pytest.mark.django_db(transaction=True)
def test_a_page_that_writes_reads_its_own_write_and_pins(replica):
    def write():
        PageReplicaRouter().db_for_write(Case)  # what Django asks before an UPDATE

    seen, response = serve("GET", "/cases/A1/", during=write)
    assert seen["case"] == "default"
    assert COOKIE in response.cookies
    # The pin ends with the request: the thread's next page starts afresh.
    assert serve("GET", "/cases/")[0]["case"] == "replica"


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_stay_on_the_primary(replica):
    def in_transaction():
        with transaction.atomic():
            assert PageReplicaRouter().db_for_read(Case) == "default"

    serve("GET", "/cases/", during=in_transaction)


@pytest.mark.django_db(transaction=True)
def test_outside_a_request_everything_reads_from_the_primary(replica):
    # The worker and the commands read to decide what to write.
    assert replica.db_for_read(Case) == "default"
    assert replica.db_for_write(Case) == "default"
    assert replica.allow_migrate("default", "cases") and not replica.allow_migrate(
        "replica", "cases"
    )


def test_settings_add_the_replica_only_when_asked(monkeypatch, tmp_path):
    """DATABASE_REPLICA_URL adds the alias (a test mirror of the primary), the router and the
    middleware; without it nothing changes, and a replica of another engine is refused."""
    import subprocess
    import sys

    def settings_with(**env):
        code = (
            "import json, django; from django.conf import settings; django.setup();"
            "print(json.dumps([sorted(settings.DATABASES),"
            " getattr(settings, 'DATABASE_ROUTERS', []),"
            " [m for m in settings.MIDDLEWARE if 'replica' in m or 'sessions' in m],"
            " settings.DATABASES.get('replica', {}).get('TEST', {}).get('MIRROR'),"
            " [getattr(settings, 'MULTIDB_PINNING_' + k, None) for k in"
            " ('COOKIE', 'SECONDS', 'COOKIE_HTTPONLY')]]))"
        )
        base = {"DJANGO_SETTINGS_MODULE": "gridcase.settings", "PATH": "/usr/bin:/bin"}
        base["GRIDCASE_DATA_DIR"] = str(tmp_path)
        done = subprocess.run(
            [sys.executable, "-c", code], env=base | env, capture_output=True, text=True
        )
        return done

    import json

    primary = "postgres://postgres@127.0.0.1:5432/gc"
    plain = json.loads(settings_with(DATABASE_URL=primary).stdout)
    sessions = "django.contrib.sessions.middleware.SessionMiddleware"
    assert plain == [["default"], [], [sessions], None, [None, None, None]]
    replica_url = "postgres://postgres@127.0.0.1:5433/gc"
    with_replica = json.loads(
        settings_with(DATABASE_URL=primary, DATABASE_REPLICA_URL=replica_url).stdout
    )
    assert with_replica == [
        ["default", "replica"],
        ["gridcase.core.replica.PageReplicaRouter"],
        [
            "gridcase.core.replica.ReplicaMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
        ],
        "default",
        [COOKIE, 10, True],
    ]
    wrong = settings_with(DATABASE_URL=primary, DATABASE_REPLICA_URL="sqlite:///x.sqlite3")
    assert wrong.returncode != 0 and "same engine" in wrong.stderr
