import ipaddress
import os
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from tests.factories import make_town

# The property tests judge the code, not the machine: no deadline per example (hypothesis's
# 200 ms failed an example once on a 2-core machine busy with a database build beside the
# suite, an example that passes in some 20 ms).
hypothesis_settings.register_profile("gridcase", deadline=None)
hypothesis_settings.load_profile("gridcase")


@pytest.fixture
def t(db):
    """The test town 长塘镇 with one named user per role."""
    return make_town()


@pytest.fixture
def other_town(db):
    return make_town(name="白沙镇", code="bs", prefix="bs_")


def pytest_report_header(config):
    url = os.environ.get("DATABASE_URL", "")
    header = [f"database: {'PostgreSQL ' + url.split('@')[-1] if url else 'SQLite'}"]
    if _session_clock is not None:
        header.append(f"clock: starts at {_session_clock.isoformat()} (GRIDCASE_TEST_CLOCK)")
    return header


# GRIDCASE_TEST_CLOCK=HH:MM runs the whole session with the wall clock starting at that time
# of today in China (and ticking): `dev.py test` runs one pass at 03:30, inside the quiet
# hours, so that a test which reads the wall clock instead of freezing it fails every time,
# not only when CI happens to run at night.
_session_clock: datetime | None = None
_session_travel = None


def pytest_configure(config):
    global _session_clock, _session_travel
    raw = os.environ.get("GRIDCASE_TEST_CLOCK", "")
    if not raw:
        return
    try:
        at = time.fromisoformat(raw)
    except ValueError as exc:
        raise pytest.UsageError(f"GRIDCASE_TEST_CLOCK must be HH:MM, not {raw!r}") from exc
    china = ZoneInfo("Asia/Shanghai")
    _session_clock = datetime.combine(datetime.now(china).date(), at, tzinfo=china)
    _session_travel = time_machine.travel(_session_clock, tick=True)
    _session_travel.start()


def pytest_unconfigure(config):
    if _session_travel is not None:
        _session_travel.stop()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The default PBKDF2 costs half a second per user; tests make many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _pages_wait_for_their_figures(settings):
    # With Redis (CI), an assessment page shows the last figures kept while the worker computes
    # the current ones when computing them took longer than GRIDCASE_ASSESSMENT_WAIT_MS: on a
    # loaded machine a test town's may. Pages wait, whatever the machine's speed, unless a
    # test says otherwise (tests/web/test_assessment_kept.py sets 0: never waits).
    settings.GRIDCASE_ASSESSMENT_WAIT_MS = 3_600_000


@pytest.fixture(autouse=True)
def _webhooks_may_call_the_test_receivers(settings):
    # The tests' HTTP receivers listen on loopback, which a town's server refuses to call
    # unless GRIDCASE_WEBHOOK_ALLOW says so (tests/notify/test_destinations.py).
    settings.GRIDCASE_WEBHOOK_ALLOW = [
        ipaddress.ip_network("127.0.0.0/8"),
        ipaddress.ip_network("::1/128"),
    ]


@pytest.fixture
def worker_in_process(settings, tmp_path):
    """The worker's tasks (imports, exports) run at once, in the request that enqueues them;
    uploads and exports go to a temporary data directory."""
    from huey.contrib.djhuey import HUEY

    settings.DATA_DIR = tmp_path / "data"
    before = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = before


@pytest.fixture(autouse=True)
def _empty_cache():
    # The dashboard's figures are kept in Django's cache (Redis on CI) by town id and period:
    # a test's town reuses an earlier test's ids, so each test starts with an empty cache.
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _chinese_after_each_test():
    # A request with the English cookie activates English in this thread (the locale
    # middleware never deactivates): reset it so no test's outcome depends on the order.
    yield
    translation.activate(settings.LANGUAGE_CODE)


# --- append-only tables (audit): between transactional tests Django's `flush` empties every
# table; on SQLite that is a DELETE, which the append-only triggers refuse unless the
# connection's gridcase_may_erase() says 1. Only this test hook says so, only during flush
# (see gridcase/core/append_only.py).
@pytest.fixture(autouse=True, scope="session")
def _flush_may_erase_append_only_rows():
    from django.core.management.commands import flush
    from django.db import connections

    from gridcase.core import append_only

    original = flush.Command.handle

    def handle(self, **options):
        connection = connections[options.get("database") or "default"]
        if connection.vendor != "sqlite":
            return original(self, **options)
        connection.ensure_connection()
        raw = connection.connection
        raw.create_function(append_only.ERASE_FUNCTION, 0, lambda: 1)
        try:
            return original(self, **options)
        finally:
            raw.create_function(append_only.ERASE_FUNCTION, 0, append_only._never)

    flush.Command.handle = handle
    yield
    flush.Command.handle = original
