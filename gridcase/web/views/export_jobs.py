"""A large export run by the worker: its progress (polled by htmx), then the download link.
Only the person who asked sees the job or downloads its file; anyone else gets 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from gridcase.ledger import export_jobs
from gridcase.ledger.models import ExportJob


def _job(request: HttpRequest, pk: int) -> ExportJob:
    job = get_object_or_404(ExportJob, pk=pk)
    if job.created_by_id != request.user.pk:
        raise Http404
    return job


@login_required
def job(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "web/ledger/export_job.html", {"job": _job(request, pk)})


@login_required
def status(request: HttpRequest, pk: int) -> HttpResponse:
    found = _job(request, pk)
    if not found.active and request.GET.get("was") == "active":
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "web/ledger/_export_status.html", {"job": found})


@login_required
def download(request: HttpRequest, pk: int) -> FileResponse:
    found = _job(request, pk)
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
