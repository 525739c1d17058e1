"""The case ledger (台账): the queue's current tab and filters as an XLSX in the customary layout.

The headers are the ones the ledger import reads (ledger/columns.py: 当事人及电话 is an alias of
当事人), so an export can be imported again; the customary columns come first, then the
columns the import needs to rebuild the mediation record. Phone numbers are masked unless
the person handles the case. Rows are read in keyset batches (one query for the cases and one
for their parties per batch, never one per row) into a write-only workbook on disk.
More than `GRIDCASE_EXPORT_JOB_ROWS` cases (a large town's ledger) are written by the worker
instead, with the same code, while the page shows the progress (views/export_jobs.py).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.db import close_old_connections, transaction
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from huey.contrib.djhuey import HUEY
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from gridcase.cases import selectors
from gridcase.cases.models import AgreementForm, Category, MediationResult, Party, Quality, State
from gridcase.cases.selectors import unindexed
from gridcase.core import clock, phones, spreadsheet
from gridcase.ledger import export_jobs
from gridcase.ledger.models import ExportJob
from gridcase.org.models import Grid, User, Village
from gridcase.org.selectors import roles_in_force
from gridcase.web import selectors as q
from gridcase.web.keyset import Order, keyset_page
from gridcase.web.tabs import OPEN_TABS, tab_q
from gridcase.web.views.queues import choose_tab, queue_context

logger = logging.getLogger(__name__)

BATCH = 1000

HEADERS = [
    ("序号", 6),
    ("事件编号", 16),
    ("行政村", 10),
    ("网格", 10),
    ("网格专管员", 10),
    ("事件类别", 12),
    ("是否重大", 8),
    ("发生时间", 17),
    ("发生地点", 20),
    ("人物", 16),
    ("起因", 24),
    ("经过", 30),
    ("当事人及电话", 28),
    ("上报时间", 17),
    ("受理时间", 17),
    ("上报上级时间", 17),
    ("结案时间", 17),
    ("处理结果", 30),
    ("调解情况", 30),
    ("状态", 10),
    ("质量评定", 8),
    # For a faithful re-import (ledger/columns.py names these):
    ("调解人", 10),
    ("调解结果", 10),
    ("协议方式", 8),
    ("协议内容", 30),
    ("不合格原因", 20),
    ("作废", 6),
    # The located point (WGS-84 degrees, numbers as stored) and its fix, re-imported as is.
    ("纬度", 11),
    ("经度", 11),
    ("定位精度", 8),
    ("模拟定位", 8),
]

# In order of submission (drafts, which have none, in order of entry): plain columns, so that
# each batch walks the index case(town, submitted_at) instead of sorting what is left.
EXPORT_ORDER = Order("submitted_at", False, "datetime")
DRAFTS_ORDER = Order("created_at", False, "datetime")


def export_order(tab: str) -> Order:
    """The export's order for a tab: submission, walked on its index for every case and the
    follow-ups; for the open tabs, the same order read from the queue's indexes instead.

    An open tab holds the open cases at my level, a few thousand whatever the town's size,
    and SQLite (no statistics) walked the town's every case in submission order testing each
    for them: the town center's overdue cases, one in a thousand, 1.7 s a batch at a million
    cases (issue 15). With the time unindexed (`cases.selectors.unindexed`, SQLite only) it
    reads the tab's cases from case(town, state, level, …) or case(town, village, state,
    level) and sorts them, the ids first (`keyset_page`), then the batch's rows."""
    if tab == "drafts":
        return DRAFTS_ORDER
    if tab in OPEN_TABS:
        return Order(unindexed("submitted_at"), False, "datetime")
    return EXPORT_ORDER


def _time(value, tz: str) -> str:
    if value is None:
        return ""
    return value.astimezone(clock.zone(tz)).strftime("%Y-%m-%d %H:%M")


class Labels:
    """The choice labels, translated once per export: a model's get_FOO_display translates
    every choice on every call, which cost more than reading the rows."""

    def __init__(self):
        def labels(choices):
            return {value: str(label) for value, label in choices}

        self.category = labels(Category.choices)
        self.state = labels(State.choices)
        self.quality = labels(Quality.choices)
        self.mediation = labels(MediationResult.choices)
        self.form = labels(AgreementForm.choices)


def ledger_row(
    n: int, case, parties: list[tuple[str, str]], *, full_phones: bool, labels: Labels | None = None
) -> list:
    """A case's row; `parties` its parties' (name, phone) in their order."""
    labels = labels or Labels()
    tz = case.town.timezone
    parties_text = ";".join(
        f"{name}:{phone if full_phones else phones.mask_phone(phone)}" for name, phone in parties
    )
    return [
        n,
        case.number,
        case.village.name,
        case.grid.name if case.grid else "",
        str(case.officer),
        labels.category.get(case.category, case.category),
        "是" if case.major else "否",
        _time(case.occurred_at, tz),
        case.location,
        case.persons,
        case.cause,
        case.course,
        parties_text,
        _time(case.submitted_at, tz),
        _time(case.first_accepted_at, tz),
        _time(case.escalated_at, tz),
        _time(case.closed_at, tz),
        case.result,
        case.render_mediation(),
        labels.state.get(case.state, case.state),
        labels.quality.get(case.quality, "") if case.quality else "",
        case.mediator,
        labels.mediation.get(case.mediation_result, "") if case.mediation_result else "",
        labels.form.get(case.agreement_form, "") if case.agreement_form else "",
        ";".join(case.agreement_terms or []),
        case.quality_note,
        "是" if case.state == "voided" else "否",
        case.latitude,
        case.longitude,
        case.location_accuracy,
        "是" if case.location_mock else "否",
    ]


class _Known:
    """The villages, grids and officers the export's cases name, each read once per export:
    the towns' villages and grids at the start (a few hundred), an officer when first met.
    Joined to each case (select_related) they were three model objects more per row, built
    anew for every row: with the parties' objects two thirds of a batch's time (issue 15)."""

    def __init__(self, user):
        towns = [role.town_id for role in roles_in_force(user)]
        self.villages = Village.objects.filter(town_id__in=towns).in_bulk()
        self.grids = Grid.objects.filter(village__town_id__in=towns).in_bulk()
        self.officers: dict[int, User] = {}

    def attach(self, cases: list) -> None:
        missing = {c.officer_id for c in cases} - self.officers.keys()
        if missing:
            self.officers |= User.objects.in_bulk(missing)
        for case in cases:
            case.village = self.villages.get(case.village_id) or case.village
            if case.grid_id is not None:
                case.grid = self.grids.get(case.grid_id) or case.grid
            case.officer = self.officers[case.officer_id]


def _parties_of(cases: list) -> dict[int, list[tuple[str, str]]]:
    """Each case's parties' (name, phone), in their order: one query, plain tuples."""
    found: dict[int, list[tuple[str, str]]] = {case.pk: [] for case in cases}
    rows = (
        Party.objects.filter(case_id__in=list(found))
        .order_by("position", "id")
        .values_list("case_id", "name", "phone")
    )
    for case_id, name, phone in rows:
        found[case_id].append((name, phone))
    return found


def iter_batches(user, cases, order=EXPORT_ORDER):
    """The cases in submission order, BATCH at a time: each batch a list of (case, its
    parties), the case with its town, village, grid and officer (no query per row)."""
    cases = cases.select_related(None)
    known = _Known(user)
    after = ""
    while True:
        page = keyset_page(cases, order, after=after, size=BATCH)
        if page.rows:
            rows = q.attach_towns(user, page.rows)
            known.attach(rows)
            parties = _parties_of(rows)
            yield [(case, parties[case.pk]) for case in rows]
        if not page.next_cursor:
            return
        after = page.next_cursor


def write_ledger(
    user, cases, out, order=EXPORT_ORDER, progress: Callable[[int], None] | None = None
) -> int:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("事件台账"))
    for i, (_header, width) in enumerate(HEADERS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title, _width in HEADERS:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = bold
        cell.alignment = Alignment(horizontal="center")
        header.append(cell)
    ws.append(header)
    n = 0
    labels = Labels()
    for batch in iter_batches(user, cases, order):
        for case, parties in batch:
            n += 1
            full_phones = selectors.handles(user, case)
            values = ledger_row(n, case, parties, full_phones=full_phones, labels=labels)
            ws.append(spreadsheet.row(ws, values))
        if progress is not None:
            progress(n)
    wb.save(out)
    return n


def _export_of(request: HttpRequest):
    """The person, the cases of the queue's tab and filters, their order and the file name."""
    ctx = queue_context(request, default_tab="all")
    user, tabs, days = ctx["user"], ctx["tabs"], ctx["days"]
    tab = choose_tab(request, tabs, {}, "all")
    cases = ctx["scoped"].filter(tab_q(tab, user, days))
    stamp = clock.now().astimezone(clock.zone(days[0].tz if days else "Asia/Shanghai"))
    filename = f"事件台账-{stamp:%Y%m%d-%H%M}.xlsx"
    return user, cases, export_order(tab), filename


def _large(cases) -> bool:
    """More rows than a request should write while the person waits (one cheap query)."""
    limit = export_jobs.background_rows()
    return cases.order_by().values("pk")[limit : limit + 1].exists()


@login_required
def export(request: HttpRequest) -> HttpResponse:
    user, cases, order, filename = _export_of(request)
    if _large(cases):
        # A large town's ledger: the worker writes it while the page shows the progress.
        job, created = export_jobs.start(
            kind=ExportJob.Kind.CASES,
            by=user,
            params=[[k, v] for k, values in request.GET.lists() for v in values],
            file_name=filename,
        )
        if created:
            transaction.on_commit(lambda: export_cases_task(job.pk))
        return redirect("web:export_job", pk=job.pk)
    # FileResponse closes the file when the response is done (and the OS removes it).
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    write_ledger(user, cases, out, order)
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def run_cases_export(job_id: int) -> None:
    """The worker's side: the same cases and rows as the direct download, for the person who
    asked (their scope today), into the job's file."""
    job = export_jobs.begin(job_id)
    if job is None:
        return
    request = HttpRequest()
    request.method = "GET"
    request.GET = QueryDict(mutable=True)
    for name, value in job.params:
        request.GET.appendlist(name, value)
    request.user = job.created_by
    try:
        user, cases, order, _filename = _export_of(request)
        total = cases.count()
        export_jobs.report(job_id, 0, total)
        with open(export_jobs.export_dir() / job.stored_name, "wb") as out:
            rows = write_ledger(
                user, cases, out, order, progress=lambda n: export_jobs.report(job_id, n, total)
            )
    except Exception:
        logger.exception("export job %s failed", job_id)
        export_jobs.fail(job_id, "导出时出错,请重试或联系管理员")
        return
    export_jobs.finish(job_id, rows)


@HUEY.task(name="web.export_cases")
def export_cases_task(job_id: int) -> None:
    # As djhuey's db_task: a worker thread must not keep a broken or stale connection.
    if not HUEY.immediate:
        close_old_connections()
    try:
        run_cases_export(job_id)
    finally:
        if not HUEY.immediate:
            close_old_connections()
