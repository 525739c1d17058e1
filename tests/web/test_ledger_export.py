"""The ledger export: the customary layout, masked phones, batches, and a re-importable file."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gridcase.cases import services
from gridcase.ledger.services import import_ledger
from gridcase.web.views import ledger_export
from tests.factories import CLOSE_DISPUTE, local, submitted_case

pytestmark = pytest.mark.django_db

CUSTOMARY = [
    "序号",
    "事件编号",
    "行政村",
    "网格",
    "网格专管员",
    "事件类别",
    "是否重大",
    "发生时间",
    "发生地点",
    "人物",
    "起因",
    "经过",
    "当事人及电话",
    "上报时间",
    "受理时间",
    "上报上级时间",
    "结案时间",
    "处理结果",
    "调解情况",
    "状态",
    "质量评定",
]


def sheet(response) -> list[list]:
    data = b"".join(response.streaming_content)
    book = load_workbook(io.BytesIO(data), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


@pytest.fixture
def closed_case(t):
    case = submitted_case(t, local(2026, 10, 12, 9), title="围墙")
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 10))
    services.case_close(case=case, by=t.officer, data=CLOSE_DISPUTE, at=local(2026, 10, 13, 16))
    return case


def test_the_ledger_has_the_customary_columns_in_order(login, t, closed_case, frozen):
    response = login(t.center_user).get("/cases/export.xlsx?tab=all")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = sheet(response)
    assert rows[0][: len(CUSTOMARY)] == CUSTOMARY
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["序号"] == 1 and row["事件编号"] == closed_case.number
    assert (row["行政村"], row["网格"], row["事件类别"], row["是否重大"]) == (
        "东村",
        "第一网格",
        "矛盾纠纷",
        "否",
    )
    assert row["上报时间"] == "2026-10-12 09:00"  # local time, not UTC
    assert row["受理时间"] == "2026-10-12 10:00"
    assert row["结案时间"] == "2026-10-13 16:00"
    assert row["当事人及电话"] == "张三:13800138001;李四:0731-84561234"
    assert row["调解情况"].startswith("由王调解进行调解,双方当事人达成书面协议:1.")
    assert row["状态"] == "已结案"


def test_phones_are_masked_for_people_who_do_not_handle_the_case(login, t, closed_case, frozen):
    rows = sheet(login(t.office_user).get("/cases/export.xlsx?tab=all"))
    parties = dict(zip(rows[0], rows[1], strict=True))["当事人及电话"]
    assert parties == "张三:138****8001;李四:073******1234"


def test_the_export_follows_the_filters_and_the_scope(login, t, other_town, closed_case, frozen):
    submitted_case(t, local(2026, 10, 13, 9), category="security_hazard", parties=[])
    client = login(t.center_user)
    assert len(sheet(client.get("/cases/export.xlsx?tab=all"))) == 3
    assert len(sheet(client.get("/cases/export.xlsx?tab=all&category=security_hazard"))) == 2
    assert len(sheet(client.get("/cases/export.xlsx?tab=accept"))) == 1  # nothing at town level
    assert len(sheet(login(other_town.center_user).get("/cases/export.xlsx?tab=all"))) == 1


def test_an_export_can_be_imported_again(login, t, closed_case, frozen, tmp_path):
    submitted_case(t, local(2026, 10, 13, 9), category="security_hazard", parties=[])
    data = b"".join(login(t.center_user).get("/cases/export.xlsx?tab=all").streaming_content)
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(data)
    # Entered cases cannot be overwritten from a ledger, so read it into a new town.
    report = import_ledger(
        path_or_file=str(path), town_name="新镇", create_missing=True, dry_run=True
    )
    assert report.problems == []
    assert report.rows == 2
    assert set(report.ignored_columns) <= {"序号", "网格", "调解情况", "状态"}


def test_the_export_reads_in_batches_not_per_row(
    login, t, frozen, monkeypatch, django_assert_num_queries
):
    for day in (8, 9, 12, 13, 14):
        submitted_case(t, local(2026, 10, day, 9))
    monkeypatch.setattr(ledger_export, "BATCH", 2)
    client = login(t.center_user)
    client.get("/cases/export.xlsx?tab=all")
    # session, user, roles, calendar; whether it is large enough for the worker (issue 11:
    # a large town's export runs as a job); the towns' villages and grids; then 3 batches of
    # (cases, parties), the first with its officer (each officer read once an export)
    with django_assert_num_queries(5 + 2 + 3 * 2 + 1):
        rows = sheet(client.get("/cases/export.xlsx?tab=all"))
    assert [r[0] for r in rows[1:]] == [1, 2, 3, 4, 5]
    assert rows[1][13] < rows[-1][13]  # in order of submission


def test_an_open_tab_is_exported_in_batches_in_order_of_submission(
    login, t, frozen, monkeypatch, django_assert_num_queries
):
    # The open tabs' batches are read by ids from the queue's indexes (export_order), then
    # their rows: the same rows and order as every case's walk in submission order.
    for day in (14, 8, 13, 9, 12):
        submitted_case(t, local(2026, 10, day, 9), title=f"第{day}日")
    monkeypatch.setattr(ledger_export, "BATCH", 2)
    client = login(t.officer)
    client.get("/cases/export.xlsx?tab=accept")
    # session, user, roles, calendar, large or not, villages, grids; 3 batches of (ids,
    # cases, parties), the first with its officer
    with django_assert_num_queries(5 + 2 + 3 * 3 + 1):
        rows = sheet(client.get("/cases/export.xlsx?tab=accept"))
    submitted = [r[13] for r in rows[1:]]
    assert [r[0] for r in rows[1:]] == [1, 2, 3, 4, 5]
    assert submitted == sorted(submitted) and len(set(submitted)) == 5
    assert rows[1:] == sheet(client.get("/cases/export.xlsx?tab=all"))[1:]
    # Overdue: the cases past their acceptance deadline only, still in order of submission.
    overdue = sheet(client.get("/cases/export.xlsx?tab=overdue"))[1:]
    assert 0 < len(overdue) < 5
    assert [r[13] for r in overdue] == submitted[: len(overdue)]


def test_a_large_export_runs_in_the_worker_with_progress_then_a_download(
    login, t, other_town, frozen, settings, worker_in_process, django_capture_on_commit_callbacks
):
    from gridcase.ledger.models import ExportJob

    settings.GRIDCASE_EXPORT_JOB_ROWS = 3
    for day in (8, 9, 12, 13, 14):
        submitted_case(t, local(2026, 10, day, 9))
    client = login(t.center_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/cases/export.xlsx?tab=all")
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:export_job", args=[job.pk])
    job.refresh_from_db()
    assert job.state == ExportJob.State.DONE and job.rows == 5 and job.total == 5
    page = client.get(response["Location"]).content.decode()
    download = reverse("web:export_download", args=[job.pk])
    assert download in page
    rows = sheet(client.get(download))
    assert [r[0] for r in rows[1:]] == [1, 2, 3, 4, 5]
    # The file is in the data directory, not under a URL of its own; only its owner gets it.
    assert list((settings.DATA_DIR / "exports").iterdir())
    stranger = login(other_town.center_user)
    assert stranger.get(download).status_code == 404
    assert stranger.get(reverse("web:export_job", args=[job.pk])).status_code == 404


def test_the_export_status_polls_while_running(login, t, frozen):
    from gridcase.core import clock
    from gridcase.ledger.models import ExportJob

    job = ExportJob.objects.create(
        kind="cases",
        created_by=t.center_user,
        created_at=clock.now(),
        state=ExportJob.State.RUNNING,
        progress=40,
        rows=2000,
        total=5000,
        file_name="x.xlsx",
    )
    client = login(t.center_user)
    url = reverse("web:export_status", args=[job.pk]) + "?was=active"
    fragment = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in fragment and 'value="40"' in fragment
    assert "2000 / 5000" in fragment
    ExportJob.objects.filter(pk=job.pk).update(state=ExportJob.State.DONE)
    assert client.get(url)["HX-Refresh"] == "true"
