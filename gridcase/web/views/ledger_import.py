"""Ledger import (台账导入) in the workbench, for the governance office and administrators.

Upload a ledger for a town → the worker checks it (the command line's dry run) → the page
shows every row that cannot be read and what will be created or updated → confirm → the
worker imports it, all or nothing, while the page shows a progress bar (htmx polls the job's
status fragment; without JavaScript the page offers a refresh link). The engine and the jobs
are in gridcase.ledger (services.py, jobs.py, tasks.py).

Scope: a town only for those who hold the office's or an administrator's role there today;
any other town, and any job of another town, is a 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gridcase.core.errors import ServiceError
from gridcase.ledger import jobs, tasks
from gridcase.ledger.models import ImportJob
from gridcase.org.models import Town

RECENT = 10  # jobs listed on the upload page
PROBLEMS_SHOWN = 500  # rows listed on the page; the rest are counted


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("台账文件"))
    create_missing = forms.BooleanField(
        label=gettext_lazy("自动新建台账中不存在的行政村和网格专管员"), required=False
    )


def _town(request: HttpRequest, town_id: int) -> Town:
    if not jobs.may_import(request.user, town_id):
        raise Http404
    return get_object_or_404(Town, pk=town_id)


def _job(request: HttpRequest, pk: int) -> ImportJob:
    job = get_object_or_404(
        ImportJob.objects.select_related("town", "created_by", "confirmed_by"), pk=pk
    )
    if not jobs.may_import(request.user, job.town_id):
        raise Http404
    return job


@login_required
def index(request: HttpRequest) -> HttpResponse:
    towns = jobs.importer_towns(request.user)
    if not towns:
        raise Http404
    if len(towns) == 1:
        return redirect("web:ledger_upload", town_id=towns[0].pk)
    return render(
        request, "web/ledger/index.html", {"towns": towns, "nav_section": "ledger_import"}
    )


@login_required
def upload(request: HttpRequest, town_id: int) -> HttpResponse:
    town = _town(request, town_id)
    # Any POST is a form sent, even one without a field (an empty POST is falsy).
    sent = request.method == "POST"
    form = UploadForm(request.POST if sent else None, request.FILES if sent else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                job = jobs.start(
                    town=town,
                    by=request.user,
                    upload=form.cleaned_data["file"],
                    create_missing=form.cleaned_data["create_missing"],
                )
            except ServiceError as exc:
                form.add_error("file", exc.message)
            else:
                tasks.enqueue_check(job.pk)
                return redirect("web:ledger_job", pk=job.pk)
        status = 400
    recent = list(ImportJob.objects.filter(town=town).select_related("created_by")[:RECENT])
    return render(
        request,
        "web/ledger/upload.html",
        {
            "town": town,
            "form": form,
            "recent": recent,
            "max_mb": jobs.max_bytes() // 1024 // 1024,
            "nav_section": "ledger_import",
        },
        status=status,
    )


def _job_context(job: ImportJob) -> dict:
    percent, done, total = jobs.progress(job)
    report = job.result if job.state in (ImportJob.State.DONE, ImportJob.State.FAILED) else {}
    report = report or job.preview or {}
    problems = report.get("problems") or []
    # The command line's summary, less its note on --dry-run (the page says so in words).
    lines = [line for line in report.get("lines") or [] if not line.startswith("试运行")]
    return {
        "job": job,
        "percent": percent,
        "done_rows": done,
        "total_rows": total,
        "report": report,
        "lines": lines,
        "problems": problems[:PROBLEMS_SHOWN],
        "problems_more": max(0, len(problems) - PROBLEMS_SHOWN),
        "first_rows": report.get("first_rows") or [],
        "checked": job.state == ImportJob.State.CHECKED,
        "nav_section": "ledger_import",
    }


@login_required
def job(request: HttpRequest, pk: int) -> HttpResponse:
    found = _job(request, pk)
    return render(request, "web/ledger/job.html", _job_context(found))


@login_required
def status(request: HttpRequest, pk: int) -> HttpResponse:
    """The part of the job page that changes: polled by htmx while the worker runs. When the
    job stops being active the whole page is reloaded (HX-Refresh) to show the result."""
    found = _job(request, pk)
    if not found.active and request.GET.get("was") == "active":
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "web/ledger/_status.html", _job_context(found))


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    found = _job(request, pk)
    try:
        jobs.confirm(found, by=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        tasks.enqueue_run(found.pk)
    return redirect("web:ledger_job", pk=found.pk)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    found = _job(request, pk)
    try:
        jobs.cancel(found)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("web:ledger_job", pk=found.pk)
    messages.success(request, _("已取消,上传的文件已删除。"))
    return redirect("web:ledger_upload", town_id=found.town_id)
