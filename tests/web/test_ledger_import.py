"""Ledger import in the workbench: upload → check (dry run) → confirm → the worker imports."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gridcase.cases.models import Case
from gridcase.core.models import AuditEntry
from gridcase.ledger import jobs
from gridcase.ledger.models import ImportJob
from tests.ledger.conftest import csv_bytes, jsonl_bytes, row

pytestmark = pytest.mark.usefixtures("worker_in_process")

State = ImportJob.State


def upload_url(t) -> str:
    return reverse("web:ledger_upload", args=[t.town.pk])


def uploaded(content: bytes, name: str = "台账.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def post_upload(client, t, content: bytes, name="台账.csv", capture=None, **extra):
    with capture(execute=True):
        return client.post(upload_url(t), {"file": uploaded(content, name), **extra})


def the_job() -> ImportJob:
    return ImportJob.objects.get()


def stored_files(settings) -> list:
    folder = settings.DATA_DIR / "ledger-uploads"
    return list(folder.iterdir()) if folder.exists() else []


def test_happy_path_upload_preview_confirm_done_with_audit(
    t, login, settings, django_capture_on_commit_callbacks
):
    client = login(t.users["office_user"])
    page = client.get(upload_url(t))
    assert page.status_code == 200
    assert "台账导入" in page.content.decode()

    content = csv_bytes([row("W-001"), row("W-002"), row("W-003")], chinese=True, bom=True)
    response = post_upload(client, t, content, capture=django_capture_on_commit_callbacks)
    job = the_job()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:ledger_job", args=[job.pk])
    assert job.state == State.CHECKED
    assert Case.objects.count() == 0  # the check writes nothing
    assert len(stored_files(settings)) == 1  # kept for the import

    preview = client.get(response["Location"]).content.decode()
    assert "将新增" in preview
    assert "W-001" in preview and "W-003" in preview  # the first rows
    assert reverse("web:ledger_confirm", args=[job.pk]) in preview
    assert job.preview["created"] == 3

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(reverse("web:ledger_confirm", args=[job.pk]))
    assert confirmed.status_code == 302
    job.refresh_from_db()
    assert job.state == State.DONE
    assert job.progress == 100
    assert job.confirmed_by == t.users["office_user"]
    assert set(Case.objects.values_list("number", flat=True)) == {"W-001", "W-002", "W-003"}
    assert stored_files(settings) == []  # deleted when the job ended

    entry = AuditEntry.objects.get(action="ledger.import")
    assert entry.actor_id == t.users["office_user"].pk
    assert entry.town_id == t.town.pk
    assert entry.after["created"] == 3
    assert entry.after["file"] == "台账.csv"
    admin = Client()
    admin.force_login(t.users["admin_user"])
    trail = admin.get(reverse("manage:audit", args=[t.town.pk])).content.decode()
    assert "导入台账" in trail and "台账导入 台账.csv" in trail

    done = client.get(reverse("web:ledger_job", args=[job.pk])).content.decode()
    assert "导入完成" in done
    assert reverse("web:ledger_confirm", args=[job.pk]) not in done
    # A second confirmation is refused: nothing is imported twice.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("web:ledger_confirm", args=[job.pk]), follow=True)
    assert AuditEntry.objects.filter(action="ledger.import").count() == 1


def test_an_administrator_imports_jsonl(t, login, django_capture_on_commit_callbacks):
    client = login(t.users["admin_user"])
    post_upload(
        client,
        t,
        jsonl_bytes([row("J-1")]),
        name="ledger.jsonl",
        capture=django_capture_on_commit_callbacks,
    )
    job = the_job()
    assert job.state == State.CHECKED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("web:ledger_confirm", args=[job.pk]))
    assert Case.objects.filter(number="J-1").exists()


def test_one_bad_row_imports_nothing_and_names_the_row(
    t, login, settings, django_capture_on_commit_callbacks
):
    client = login(t.users["office_user"])
    rows = [row("B-1"), row("B-2", category="打架"), row("B-3")]
    content = csv_bytes(rows, chinese=True)
    post_upload(client, t, content, capture=django_capture_on_commit_callbacks)
    job = the_job()
    assert job.state == State.REFUSED
    assert Case.objects.count() == 0
    assert stored_files(settings) == []
    page = client.get(reverse("web:ledger_job", args=[job.pk])).content.decode()
    assert "第 3 行" in page  # the header is line 1
    assert "打架" in page  # the reason, in the command line's words
    assert "未导入任何事件" in page
    assert reverse("web:ledger_confirm", args=[job.pk]) not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("web:ledger_confirm", args=[job.pk]))
    assert Case.objects.count() == 0


def test_a_row_that_breaks_between_check_and_import_imports_nothing(
    t, login, settings, django_capture_on_commit_callbacks
):
    client = login(t.users["office_user"])
    post_upload(
        client,
        t,
        csv_bytes([row("R-1"), row("R-2")]),
        capture=django_capture_on_commit_callbacks,
    )
    job = the_job()
    assert job.state == State.CHECKED
    # The officer of the ledger leaves the town before the import is confirmed.
    t.users["officer"].roles.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("web:ledger_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == State.FAILED
    assert Case.objects.count() == 0
    assert not AuditEntry.objects.filter(action="ledger.import").exists()
    page = client.get(reverse("web:ledger_job", args=[job.pk])).content.decode()
    assert "第 2 行" in page and "第 3 行" in page
    assert stored_files(settings) == []


def test_an_unreadable_file_is_refused_with_the_reason(
    t, login, django_capture_on_commit_callbacks
):
    client = login(t.users["office_user"])
    post_upload(client, t, b"a,b\n1,2\n", capture=django_capture_on_commit_callbacks)
    job = the_job()
    assert job.state == State.REFUSED
    assert "找不到表头" in client.get(reverse("web:ledger_job", args=[job.pk])).content.decode()


@pytest.mark.parametrize("who", ["officer", "station_user", "center_user", "leader"])
def test_other_roles_of_the_town_get_404(t, login, who):
    client = login(t.users[who])
    assert client.get(upload_url(t)).status_code == 404
    assert client.get(reverse("web:ledger_import")).status_code == 404


def test_the_menu_shows_the_import_to_the_office_only(t, login):
    url = reverse("web:ledger_import")
    assert url in login(t.users["office_user"]).get(reverse("web:home")).content.decode()
    assert url not in login(t.users["officer"]).get(reverse("web:home")).content.decode()


def test_another_towns_office_gets_404_for_the_page_and_the_job(
    t, other_town, login, django_capture_on_commit_callbacks
):
    client = login(t.users["office_user"])
    post_upload(client, t, csv_bytes([row("S-1")]), capture=django_capture_on_commit_callbacks)
    job = the_job()

    stranger = Client()
    stranger.force_login(other_town.users["office_user"])
    assert stranger.get(upload_url(t)).status_code == 404
    assert stranger.get(reverse("web:ledger_job", args=[job.pk])).status_code == 404
    assert stranger.get(reverse("web:ledger_status", args=[job.pk])).status_code == 404
    assert stranger.post(reverse("web:ledger_confirm", args=[job.pk])).status_code == 404
    assert stranger.post(reverse("web:ledger_cancel", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.state == State.CHECKED
    # Their own town's page works; the index sends them there.
    index = stranger.get(reverse("web:ledger_import"))
    assert index["Location"] == reverse("web:ledger_upload", args=[other_town.town.pk])

    officer = Client()
    officer.force_login(t.users["officer"])
    assert officer.get(reverse("web:ledger_job", args=[job.pk])).status_code == 404


def test_an_ended_role_no_longer_opens_the_page(t, login):
    from datetime import timedelta

    from gridcase.core import clock

    user = t.users["office_user"]
    user.roles.update(active_until=clock.today(t.town.timezone) - timedelta(days=1))
    assert login(user).get(upload_url(t)).status_code == 404


def test_cancel_deletes_the_upload(t, login, settings, django_capture_on_commit_callbacks):
    client = login(t.users["office_user"])
    post_upload(client, t, csv_bytes([row("C-1")]), capture=django_capture_on_commit_callbacks)
    job = the_job()
    assert len(stored_files(settings)) == 1
    client.post(reverse("web:ledger_cancel", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == State.CANCELLED
    assert stored_files(settings) == []
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("web:ledger_confirm", args=[job.pk]))
    assert Case.objects.count() == 0


def test_the_upload_needs_the_csrf_token(t):
    client = Client(enforce_csrf_checks=True)
    client.force_login(t.users["office_user"])
    response = client.post(upload_url(t), {"file": uploaded(csv_bytes([row("X-1")]))})
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_a_file_over_the_limit_is_refused_naming_it(t, login, settings):
    settings.GRIDCASE_LEDGER_MAX_BYTES = 1024
    client = login(t.users["office_user"])
    content = csv_bytes([row(f"L-{i}") for i in range(20)])
    assert len(content) > 1024
    response = client.post(upload_url(t), {"file": uploaded(content, "三季度台账.csv")})
    assert response.status_code == 400
    page = response.content.decode()
    assert "文件“三季度台账.csv”过大" in page
    assert not ImportJob.objects.exists()
    assert stored_files(settings) == []


def test_a_file_that_is_not_a_ledger_by_name_is_refused(t, login):
    client = login(t.users["office_user"])
    response = client.post(upload_url(t), {"file": uploaded(b"\x89PNG....", "photo.png")})
    assert response.status_code == 400
    assert "文件“photo.png”不是台账" in response.content.decode()


def test_the_status_fragment_polls_while_active_and_refreshes_when_done(t, login):
    job = ImportJob.objects.create(
        town=t.town,
        created_by=t.users["office_user"],
        created_at=_now(),
        file_name="x.csv",
        state=State.RUNNING,
    )
    jobs.set_progress(job.pk, 42, 1000, 3000)
    client = login(t.users["office_user"])
    url = reverse("web:ledger_status", args=[job.pk])
    fragment = client.get(url + "?was=active").content.decode()
    assert 'hx-trigger="every 1s"' in fragment
    assert 'value="42"' in fragment and "1000 / 3000" in fragment
    ImportJob.objects.filter(pk=job.pk).update(state=State.DONE)
    done = client.get(url + "?was=active")
    assert done.status_code == 204 and done["HX-Refresh"] == "true"


def _now():
    from gridcase.core import clock

    return clock.now()


def test_a_3000_row_ledger_imports_through_the_page_without_a_query_per_row(
    t, login, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    client = login(t.users["office_user"])
    rows = [row(f"K-{i:05d}") for i in range(3000)]
    content = csv_bytes(rows, chinese=True)
    started = time.monotonic()
    # A few queries per batch of 1,000 rows (about 50 for each step when measured), never
    # one per row: 3,000 rows would be thousands.
    with django_assert_max_num_queries(80):
        post_upload(client, t, content, capture=django_capture_on_commit_callbacks)
    job = the_job()
    assert job.state == State.CHECKED, job.preview or job.error
    assert job.preview["created"] == 3000
    with (
        django_assert_max_num_queries(80),
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(reverse("web:ledger_confirm", args=[job.pk]))
    elapsed = time.monotonic() - started
    job.refresh_from_db()
    assert job.state == State.DONE, job.result or job.error
    assert Case.objects.count() == 3000
    assert elapsed < 60, f"3,000 rows took {elapsed:.1f} s"


def test_a_check_nobody_confirmed_for_a_day_is_dropped_at_the_next_upload(
    t, login, settings, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    client = login(t.users["office_user"])
    post_upload(client, t, csv_bytes([row("O-1")]), capture=django_capture_on_commit_callbacks)
    old = the_job()
    ImportJob.objects.filter(pk=old.pk).update(created_at=_now() - timedelta(days=2))
    post_upload(client, t, csv_bytes([row("O-2")]), capture=django_capture_on_commit_callbacks)
    old.refresh_from_db()
    assert old.state == State.CANCELLED and old.stored_name == ""
    assert len(stored_files(settings)) == 1  # the new upload's only


def test_an_xlsx_ledger_with_chinese_headers_imports(
    t, login, tmp_path, django_capture_on_commit_callbacks
):
    from openpyxl import Workbook

    from tests.ledger.conftest import CHINESE

    rows = [row("X-1"), row("X-2", quality="不合格", quality_note="未回访")]
    book = Workbook()
    sheet = book.active
    sheet.append(["长塘镇2026年三季度台账"])  # a title row above the header
    sheet.append([CHINESE[k] for k in rows[0]])
    for r in rows:
        sheet.append(list(r.values()))
    path = tmp_path / "三季度.xlsx"
    book.save(path)

    client = login(t.users["office_user"])
    post_upload(
        client, t, path.read_bytes(), name="三季度.xlsx", capture=django_capture_on_commit_callbacks
    )
    job = the_job()
    assert job.state == State.CHECKED, job.preview or job.error
    assert [r["line"] for r in job.preview["first_rows"]] == [3, 4]
    assert job.preview["nonconforming"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("web:ledger_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == State.DONE
    assert Case.objects.get(number="X-2").quality == "nonconforming"
