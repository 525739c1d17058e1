"""The result to take away: the payroll workbook and the JSON of assessment.md.

A large period's payroll (more cases than `GRIDCASE_PAYROLL_JOB_CASES`: its workbook lists
every case, about a second of writing per 8,000) is written by the worker instead, while the
page shows the progress and then a download link for the person who asked
(views/export_jobs.py). The worker asks `reader_access` — the direct download's check — for
that person and town again when it runs, and the download view once more when the file is
taken, so someone whose role ended in between gets nothing.

The JSON stays direct: its cost is the assessment itself, which the period page has just
paid to show the same figures (measured for one town of 20,000 cases in a quarter on the
2-core machine: assessment 0.5 s, JSON 0.14 s, workbook 2.4 s idle and 8.9 s under a load
of 6). Neither download is on the audit trail: reading a result changes nothing.
"""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.db import close_old_connections, transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from huey.contrib.djhuey import HUEY

from gridcase.assessment import exports, facts
from gridcase.ledger import export_jobs
from gridcase.ledger.models import ExportJob
from gridcase.org.models import User

from .common import Access, months_of, period_result, reader_access

logger = logging.getLogger(__name__)

# The payroll's progress is written about this many times, whatever the number of officers.
PROGRESS_STEPS = 50
# The officers' sheets fill this much of the bar; saving the workbook takes the rest (measured
# at 20,000 cases under load: the sheets 5.2 s, the save 3.4 s).
SHEETS_SHARE = 60


def _filename(access: Access, period: str, ext: str) -> str:
    return f"{access.town.name}-考核-{period}.{ext}"


def _large(access: Access, period: str) -> bool:
    """More cases in the period than a request should write while the person waits (one
    cheap query over the cases the assessment reads)."""
    limit = export_jobs.background_payroll_cases()
    cases = facts.period_cases(access.town, months_of(period))
    return cases.order_by()[limit : limit + 1].exists()


@login_required
def payroll(request: HttpRequest, period: str) -> HttpResponse:
    """The payroll workbook (工资表 and one sheet per officer); a finalised quarter's comes
    from its snapshot, a draft one is marked provisional in its title."""
    access = reader_access(request)
    if _large(access, period):
        # A large town's period: the worker writes it while the page shows the progress.
        job, created = export_jobs.start(
            kind=ExportJob.Kind.PAYROLL,
            by=request.user,
            params=[["period", period], ["town", str(access.town.pk)]],
            file_name=_filename(access, period, "xlsx"),
        )
        if created:
            transaction.on_commit(lambda: export_payroll_task(job.pk))
        return redirect("web:export_job", pk=job.pk)
    result = period_result(access, period)
    response = HttpResponse(
        exports.render_xlsx(result),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(
        True, _filename(access, period, "xlsx")
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def result_json(request: HttpRequest, period: str) -> HttpResponse:
    """The result as the JSON of assessment.md, for machines."""
    access = reader_access(request)
    result = period_result(access, period)
    response = HttpResponse(exports.to_json(result), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, _filename(access, period, "json")
    )
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- the payroll as a job


def payroll_job_access(user: User, params: list[list[str]]) -> tuple[Access, str]:
    """The person's access to the job's town today and the period, by the direct download's
    own check (`reader_access`, Http404 when the role is gone)."""
    request = HttpRequest()
    request.method = "GET"
    request.GET = QueryDict(mutable=True)
    for name, value in params:
        request.GET.appendlist(name, value)
    request.user = user
    access = reader_access(request)
    period = request.GET.get("period", "")
    months_of(period)  # a period the pages know, or Http404
    return access, period


def payroll_job_page(params: list[list[str]]) -> str:
    """The period page the job was started from, its town named (the person may read
    several)."""
    found = dict(params)
    page = reverse("assess:period", args=[found.get("period", "")])
    return f"{page}?{urlencode({'town': found.get('town', '')})}"


def run_payroll_export(job_id: int) -> None:
    """The worker's side: the same figures and workbook as the direct download, for the
    person who asked (their access today), into the job's file."""
    job = export_jobs.begin(job_id)
    if job is not None:
        write_payroll_job(job)


def write_payroll_job(job: ExportJob) -> None:
    """A running job's workbook into its file, then done (or failed, with the reason)."""
    job_id = job.pk
    try:
        access, period = payroll_job_access(job.created_by, job.params)
        result = period_result(access, period)
        total = len(result.officers)
        export_jobs.report(job_id, 0, total)
        every = max(1, total // PROGRESS_STEPS)

        def progress(done: int) -> None:
            if done % every == 0 or done == total:
                export_jobs.report(job_id, done, total, share=SHEETS_SHARE)

        data = exports.render_xlsx(result, progress=progress)
        (export_jobs.export_dir() / job.stored_name).write_bytes(data)
    except Http404:
        export_jobs.fail(job_id, "您在该镇已没有查看考核的权限,未导出")
        return
    except Exception:
        logger.exception("payroll export job %s failed", job_id)
        export_jobs.fail(job_id, "导出时出错,请重试或联系管理员")
        return
    export_jobs.finish(job_id, total)


@HUEY.task(name="web.export_payroll")
def export_payroll_task(job_id: int) -> None:
    # As djhuey's db_task: a worker thread must not keep a broken or stale connection.
    if not HUEY.immediate:
        close_old_connections()
    try:
        run_payroll_export(job_id)
    finally:
        if not HUEY.immediate:
            close_old_connections()
