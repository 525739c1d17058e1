"""gridcase's PostgreSQL connections run without JIT (settings._without_jit): compiling a
town's large queries cost more than it saved (1.76 s of a million-case town's quarter fetch)."""

import pytest
from django.db import connection

from gridcase import settings as gridcase_settings


@pytest.mark.parametrize(
    ("url", "options"),
    [
        ("postgres://u@h:5432/db", "-c jit=off"),
        ("postgres://u@h:5432/db?options=-c%20statement_timeout%3D5000", None),
        ("postgres://u@h:5432/db?options=-c%20jit%3Don", "-c jit=on"),
    ],
)
def test_a_postgresql_url_gets_jit_off_unless_it_says_otherwise(monkeypatch, url, options):
    monkeypatch.setenv("DATABASE_URL", url)
    found = gridcase_settings._database()["OPTIONS"]["options"]
    if options is None:
        assert found == "-c statement_timeout=5000 -c jit=off"
    else:
        assert found == options


def test_a_sqlite_database_has_no_such_option(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert "options" not in gridcase_settings._database()["OPTIONS"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's setting")
@pytest.mark.django_db
def test_the_connection_runs_without_jit():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
