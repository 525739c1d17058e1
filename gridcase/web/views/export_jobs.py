"""A large export run by the worker: its progress (polled by htmx), then the download link.
Only the person who asked sees the job or downloads its file; anyone else gets 404. A
payroll's file is given only while its town's assessment is still the person's to read (the
direct download's check, asked again); the case ledger was cut to their scope when written.
A job the worker's sweep ended (its worker died) shows as failed with the reason, and the page
stops polling."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from gridcase.ledger import export_jobs
from gridcase.ledger.models import ExportJob
from gridcase.web.views.assessment import downloads

Kind = ExportJob.Kind


def _job(request: HttpRequest, pk: int) -> ExportJob:
    job = get_object_or_404(ExportJob, pk=pk)
    if job.created_by_id != request.user.pk:
        raise Http404
    return job


def _context(job: ExportJob) -> dict:
    """What the page says around the job, by its kind: where it came from and its unit."""
    if job.kind == Kind.PAYROLL:
        back, back_label, section = downloads.payroll_job_page(job.params), _("返回考核"), "assess"
        done = _("已写入 %(done)s / %(total)s 名网格专管员")
    else:
        back, back_label, section = reverse("web:cases"), _("返回事件查询"), "cases"
        done = _("已写入 %(done)s / %(total)s 行")
    words = done % {"done": job.rows, "total": job.total} if job.total else ""
    if job.active and job.total and job.rows == job.total:
        words = _("已全部写入,正在保存文件")
    return {
        "job": job,
        "back": back,
        "back_label": back_label,
        "done_words": words,
        "nav_section": section,
    }


@login_required
def job(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "web/ledger/export_job.html", _context(_job(request, pk)))


@login_required
def status(request: HttpRequest, pk: int) -> HttpResponse:
    found = _job(request, pk)
    if not found.active and request.GET.get("was") == "active":
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "web/ledger/_export_status.html", _context(found))


@login_required
def download(request: HttpRequest, pk: int) -> FileResponse:
    found = _job(request, pk)
    if found.kind == Kind.PAYROLL:
        downloads.payroll_job_access(request.user, found.params)  # Http404 once the role ended
    path = export_jobs.path(found) if found.state == ExportJob.State.DONE else None
    if path is None:
        raise Http404
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115  (FileResponse closes it)
        as_attachment=True,
        filename=found.file_name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Cache-Control"] = "private, no-store"
    return response
