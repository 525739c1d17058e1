import ipaddress
import os

import pytest

from tests.factories import make_town


@pytest.fixture
def t(db):
    """The test town 长塘镇 with one named user per role."""
    return make_town()


@pytest.fixture
def other_town(db):
    return make_town(name="白沙镇", code="bs", prefix="bs_")


def pytest_report_header(config):
    url = os.environ.get("DATABASE_URL", "")
    return f"database: {'PostgreSQL ' + url.split('@')[-1] if url else 'SQLite'}"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The default PBKDF2 costs half a second per user; tests make many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _webhooks_may_call_the_test_receivers(settings):
    # The tests' HTTP receivers listen on loopback, which a town's server refuses to call
    # unless GRIDCASE_WEBHOOK_ALLOW says so (tests/notify/test_destinations.py).
    settings.GRIDCASE_WEBHOOK_ALLOW = [
        ipaddress.ip_network("127.0.0.0/8"),
        ipaddress.ip_network("::1/128"),
    ]
