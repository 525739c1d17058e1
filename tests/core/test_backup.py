"""Backups that restore: a backup taken while cases are being written restores, elsewhere, to
exactly the cases, timeline rows and files of its moment; a corrupted one is refused.

The commands work on `DATABASES["default"]`. On SQLite the tests point it at a real file
(pytest-django's test database lives in memory), so that the online backup API copies a file
in WAL mode while another thread writes to it. On PostgreSQL the source is the test database
and the restore goes into a second database, `<test db>_restore`, made and dropped here.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import stat
import tarfile
import threading
from contextlib import contextmanager
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from huey.contrib.djhuey import HUEY

from gridcase.cases import attachments, filing
from gridcase.cases.models import Attachment, Case, TimelineEntry
from gridcase.core.backup import postgres
from gridcase.core.backup.create import create_backup
from gridcase.core.backup.folder import BackupError, read_manifest, verify
from gridcase.core.backup.restore import data_in_place
from gridcase.core.backup.retention import backups_in, nightly, prune
from gridcase.core.tasks import is_backup_minute, nightly_backup_task
from tests.factories import complete_data, local, make_town

PNG = b"\x89PNG\r\n\x1a\n"

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def default_database(settings_dict: dict):
    """Point the app's default database at another one for the block: this thread's
    connection, and every connection another thread opens meanwhile."""
    saved_settings = connections.settings["default"]
    saved_connection = connections["default"]
    connections.settings["default"] = settings_dict
    connections["default"] = connections.create_connection("default")
    try:
        yield
    finally:
        connections["default"].close()
        connections["default"] = saved_connection
        connections.settings["default"] = saved_settings


def _sqlite_file_copy_of_test_db(path: Path) -> dict:
    """A file database with the test database's schema (copied, not migrated again: fast)."""
    path.parent.mkdir(parents=True)
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    return {**connection.settings_dict, "NAME": str(path)}


@pytest.fixture
def live(tmp_path, settings):
    """The source: a database the app writes to, with its attachments folder."""
    settings.MEDIA_ROOT = tmp_path / "live" / "media"
    if connection.vendor == "sqlite":
        with default_database(_sqlite_file_copy_of_test_db(tmp_path / "live" / "db.sqlite3")):
            yield tmp_path / "live"
    else:
        yield tmp_path / "live"


@contextmanager
def fresh_target(tmp_path: Path, settings):
    """A fresh data directory (SQLite file or a new PostgreSQL database, empty attachments)
    made the app's for the block."""
    root = tmp_path / "restored"
    root.mkdir()
    saved_media = settings.MEDIA_ROOT
    settings.MEDIA_ROOT = root / "media"
    if connection.vendor == "sqlite":
        target = {**connection.settings_dict, "NAME": str(root / "gridcase.sqlite3")}
        created = None
    else:
        created = f"{connection.settings_dict['NAME']}_restore"
        with connection.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')
            cur.execute(f'CREATE DATABASE "{created}"')
        target = {**connection.settings_dict, "NAME": created}
    try:
        with default_database(target):
            yield root
    finally:
        settings.MEDIA_ROOT = saved_media
        if created:
            with connection.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')


def write_case(t, i: int) -> Case:
    """One whole case per transaction (draft, submission, photo), so that a snapshot holds a
    case with all of its rows and its file, or nothing of it."""
    at = local(2026, 10, 12, 9)
    with transaction.atomic():
        case = filing.case_create_draft(
            town=t.town, by=t.officer, data=complete_data(at, location=f"东村{i}组"), at=at
        )
        case = filing.case_submit(case=case, by=t.officer, at=at)
        photo = PNG + f"现场照片 {i} ".encode() * (50 + i)
        attachments.case_attach(
            case=case, by=t.officer, upload=SimpleUploadedFile(f"现场{i}.png", photo), at=at
        )
    return case


class Writer(threading.Thread):
    """Writes cases through the services in a loop, on its own connection, until stopped."""

    def __init__(self, t):
        super().__init__(daemon=True)
        self.t, self.written, self.error = t, 0, None
        self.stop = threading.Event()
        self.progress = threading.Condition()

    def run(self):
        try:
            while not self.stop.is_set():
                write_case(self.t, self.written)
                with self.progress:
                    self.written += 1
                    self.progress.notify_all()
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.error = exc
            with self.progress:
                self.progress.notify_all()
        finally:
            connections.close_all()

    def wait_for(self, n: int) -> None:
        with self.progress:
            assert self.progress.wait_for(lambda: self.written >= n or self.error, timeout=60), (
                f"writer stuck at {self.written}"
            )
        assert self.error is None, self.error


def rows() -> dict:
    """Everything the drill compares, read through the app's default database."""
    from django.core.files.storage import default_storage

    return {
        "cases": list(Case.objects.order_by("id").values()),
        "timeline": list(TimelineEntry.objects.order_by("id").values()),
        "files": {
            a.file.name: hashlib.sha256(default_storage.open(a.file.name).read()).hexdigest()
            for a in Attachment.objects.order_by("id")
        },
    }


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_a_backup_taken_while_cases_are_written_restores_exactly_its_moment(
    live, tmp_path, settings
):
    with time_machine.travel(local(2026, 10, 12, 10), tick=True):
        t = make_town()
        writer = Writer(t)
        writer.start()
        try:
            writer.wait_for(3)
            run("backup", "--output", str(tmp_path / "backups"), "--tar")
            after = writer.written
            writer.wait_for(after + 2)  # and it went on writing after the snapshot
        finally:
            writer.stop.set()
            writer.join(timeout=60)
        assert writer.error is None, writer.error
        source = rows()
        (made,) = backups_in(tmp_path / "backups")
        assert made.suffix == ".tar"
        with tarfile.open(made) as tar:
            manifest = json.load(tar.extractfile(f"{made.stem}/manifest.json"))

        with fresh_target(tmp_path, settings):
            out = run("restore", str(made))
            restored = rows()
            assert Case.objects.count() == manifest["tables"]["cases_case"]
            assert TimelineEntry.objects.count() == manifest["tables"]["cases_timelineentry"]
            assert Attachment.objects.count() == manifest["tables"]["cases_attachment"]

    assert "行数与清单一致" in out
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["created_at"].startswith("2026-10-12T02:")
    cases = restored["cases"]
    # A point in time under load: at least what was written before, and not what came after.
    assert 3 <= len(cases) < len(source["cases"])
    # Every case of the snapshot, identical, and none missing before the last one (one writer,
    # so the ids follow the commits).
    assert cases == source["cases"][: len(cases)]
    assert restored["timeline"] == source["timeline"][: len(restored["timeline"])]
    assert {r["case_id"] for r in restored["timeline"]} == {c["id"] for c in cases}
    # Every file: the restored bytes are the source's and the manifest's.
    assert len(restored["files"]) == len(cases)
    for name, digest in restored["files"].items():
        assert digest == source["files"][name]
        assert digest == manifest["attachments"][name]["sha256"]


def _corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("victim", ["attachment", "database"])
def test_a_corrupted_backup_is_refused_naming_the_file_and_nothing_is_restored(
    live, tmp_path, settings, victim
):
    t = make_town()
    write_case(t, 1)
    made = create_backup(output=tmp_path / "backups")
    manifest = read_manifest(made)
    if victim == "attachment":
        (name,) = manifest["attachments"]
        rel = f"media/{name}"
    else:
        rel = manifest["database"]["file"]
    _corrupt(made / rel)

    with fresh_target(tmp_path, settings) as root:
        with pytest.raises(CommandError) as err:
            run("restore", str(made))
        assert data_in_place() == []
        assert not (root / "media").exists()
    assert "备份已损坏" in str(err.value)
    assert rel in str(err.value)


@pytest.mark.django_db(transaction=False)
def test_restore_of_something_that_is_not_a_backup_says_so(tmp_path):
    (tmp_path / "notes.tar").write_text("not a tar")
    for path in (tmp_path / "gridcase-20261001T183000Z", tmp_path / "notes.tar"):
        with pytest.raises(CommandError) as err:
            run("restore", str(path))
        assert "找不到备份" in str(err.value)
    with pytest.raises(CommandError) as err:
        run("restore", str(tmp_path))
    assert "缺少 manifest.json" in str(err.value)


def test_restore_refuses_a_database_that_holds_data_unless_forced(live, tmp_path):
    t = make_town()
    write_case(t, 1)
    made = create_backup(output=tmp_path / "backups")
    write_case(t, 2)

    with pytest.raises(CommandError) as err:
        run("restore", str(made))
    assert "--force" in str(err.value)
    assert "cases_case" in str(err.value)
    assert Case.objects.count() == 2

    run("restore", str(made), "--force")
    assert Case.objects.count() == 1
    assert TimelineEntry.objects.count() == read_manifest(made)["tables"]["cases_timelineentry"]


def test_the_manifest_counts_every_table_and_hashes_every_file(live, tmp_path):
    t = make_town()
    write_case(t, 1)
    made = create_backup(output=tmp_path / "backups")
    manifest = read_manifest(made)

    assert manifest["tables"]["cases_case"] == 1
    assert manifest["tables"]["org_user"] == len(t.users)
    dump = made / manifest["database"]["file"]
    assert manifest["database"]["sha256"] == hashlib.sha256(dump.read_bytes()).hexdigest()
    (name,) = manifest["attachments"]
    assert name.endswith("现场1.png")
    assert (made / "media" / name).read_bytes() == (Path(live) / "media" / name).read_bytes()
    assert verify(made) == manifest
    # It holds every citizen's phone number: the service's user alone may read it.
    assert stat.S_IMODE(made.stat().st_mode) == 0o700
    archive = create_backup(output=tmp_path / "backups", archive=True)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600


# ---------------------------------------------------------------- retention and the night


def _fake_backups(directory: Path, stamps: list[str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for i, stamp in enumerate(stamps):
        if i % 2:
            (directory / f"gridcase-{stamp}.tar").write_bytes(b"")
        else:
            (directory / f"gridcase-{stamp}").mkdir()


@pytest.mark.django_db(transaction=False)
def test_retention_keeps_the_newest_n_and_nothing_else_is_touched(tmp_path):
    stamps = ["20261001T183000Z", "20261002T183000Z", "20261003T183000Z", "20261004T183000Z"]
    _fake_backups(tmp_path, stamps)
    (tmp_path / "gridcase-20261004T183000Z-2").mkdir()
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / ".gridcase-20261005T183000Z.partial").mkdir()

    gone = prune(tmp_path, 2)

    assert [p.name for p in gone] == [
        "gridcase-20261001T183000Z",
        "gridcase-20261002T183000Z.tar",
        "gridcase-20261003T183000Z",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".gridcase-20261005T183000Z.partial",
        "gridcase-20261004T183000Z-2",
        "gridcase-20261004T183000Z.tar",
        "notes.txt",
    ]


def test_the_nightly_backup_keeps_the_newest_n(live, tmp_path, settings):
    settings.GRIDCASE_BACKUP_DIR = tmp_path / "backups"
    settings.GRIDCASE_BACKUP_KEEP = 2
    _fake_backups(tmp_path / "backups", ["20261009T183000Z", "20261010T183000Z"])
    make_town()

    with time_machine.travel(datetime(2026, 10, 11, 18, 30, tzinfo=UTC), tick=False):
        nightly_backup_task.call_local()

    names = [p.name for p in backups_in(tmp_path / "backups")]
    assert names == ["gridcase-20261010T183000Z.tar", "gridcase-20261011T183000Z"]
    assert verify(tmp_path / "backups" / names[-1])["tables"]["org_town"] == 1


def test_the_nightly_backup_is_off_when_keep_is_zero(live, tmp_path, settings):
    settings.GRIDCASE_BACKUP_DIR = tmp_path / "backups"
    settings.GRIDCASE_BACKUP_KEEP = 0
    with time_machine.travel(datetime(2026, 10, 11, 18, 30, tzinfo=UTC), tick=False):
        assert nightly() is None
    assert not (tmp_path / "backups").exists()


def test_a_second_scheduler_the_same_night_does_not_back_up_again(live, tmp_path, settings):
    settings.GRIDCASE_BACKUP_DIR = tmp_path / "backups"
    with time_machine.travel(datetime(2026, 10, 11, 18, 30, tzinfo=UTC), tick=False):
        assert nightly() is not None
    with time_machine.travel(datetime(2026, 10, 11, 18, 31, tzinfo=UTC), tick=False):
        assert nightly() is None
    assert len(backups_in(tmp_path / "backups")) == 1


@pytest.mark.django_db(transaction=False)
def test_the_worker_backs_up_at_half_past_two_server_time():
    assert HUEY.utc  # Huey hands its periodic tasks naive UTC
    assert is_backup_minute(datetime(2026, 10, 11, 18, 30))  # 02:30 in Shanghai
    assert not is_backup_minute(datetime(2026, 10, 11, 18, 31))
    assert not is_backup_minute(datetime(2026, 10, 11, 2, 30))
    due = HUEY.read_periodic(datetime(2026, 10, 11, 18, 30))
    assert "core.nightly_backup" in [task.name for task in due]


# ---------------------------------------------------------------- PostgreSQL's tools


@pytest.mark.django_db(transaction=False)
def test_without_pg_dump_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setenv("PATH", "")
    with pytest.raises(BackupError) as err:
        postgres.pg_tool("pg_dump")
    assert "找不到 pg_dump" in err.value.message
    assert "postgresql-client" in err.value.message


@pytest.mark.django_db(transaction=False)
def test_a_pg_dump_older_than_the_server_is_refused(tmp_path):
    fake = tmp_path / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 13.4'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    with pytest.raises(BackupError) as err:
        postgres.check_versions(str(fake), 15)
    assert "(13)" in err.value.message
    assert "postgresql-client-15" in err.value.message
    assert postgres.check_versions(str(fake), 13) == 13
