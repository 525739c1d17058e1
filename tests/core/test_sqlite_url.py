"""A SQLite database named by DATABASE_URL gets WAL, a busy timeout and IMMEDIATE transactions,
like the embedded default: concurrent writers queue instead of failing "database is locked"."""

import threading

import pytest
from django.db import connections, transaction

from gridcase import settings as gridcase_settings
from gridcase.org.models import Town

ALIAS = "sqlite_by_url"
WRITERS = 20


@pytest.fixture
def database_by_url(tmp_path, monkeypatch, django_db_blocker):
    """A file SQLite database reached through DATABASE_URL, configured by the settings' own
    function, with the towns' table in it."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'by-url.sqlite3'}")
    monkeypatch.delenv("GRIDCASE_TEST_DB_NAME", raising=False)
    db = gridcase_settings._database()
    default = connections.settings["default"]
    configured = connections.configure_settings({"default": default, ALIAS: db})
    connections.settings[ALIAS] = configured[ALIAS]
    with django_db_blocker.unblock():
        with connections[ALIAS].schema_editor() as editor:
            editor.create_model(Town)
        yield db
        connections[ALIAS].close()
    del connections[ALIAS]
    del connections.settings[ALIAS]


def test_a_sqlite_url_gets_the_embedded_defaults_options(database_by_url):
    options = database_by_url["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 20
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"


def test_options_in_the_url_win(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}?timeout=60")
    options = gridcase_settings._database()["OPTIONS"]
    assert options["timeout"] == 60
    assert options["transaction_mode"] == "IMMEDIATE"


def test_a_postgres_url_gets_no_sqlite_options(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://gridcase@127.0.0.1:5432/gridcase")
    db = gridcase_settings._database()
    assert "transaction_mode" not in db.get("OPTIONS", {})


def test_twenty_concurrent_writers_all_complete(database_by_url):
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def write(i: int) -> None:
        try:
            start.wait()
            # Read, then write, in one transaction, as services do (compare-and-swap): with
            # deferred transactions the read's snapshot is stale once another writer commits,
            # and the write fails at once with "database is locked".
            with transaction.atomic(using=ALIAS):
                Town.objects.using(ALIAS).filter(code__startswith="t").count()
                Town.objects.using(ALIAS).create(name=f"第{i}镇", code=f"t{i}")
        except BaseException as exc:  # noqa: BLE001 - every failure is the finding
            errors.append(exc)
        finally:
            connections[ALIAS].close()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert Town.objects.using(ALIAS).count() == WRITERS
