"""What every background job's row keeps, and how it ends: the one home of job bookkeeping.

A job (the ledger's import, a large export) is a row that the web request creates and the
worker moves on: its state, its progress in percent, when its current step began, when it
ended and why it failed, and the file it keeps in the data directory (an uploaded ledger, a
written export; never under a URL). What a job *does* is its own module's
(ledger/jobs.py, ledger/export_jobs.py and the exports' runners in the web layer); this module
knows only the row, so it sits in core where every layer may use it.

Every end is a conditional move ("from these states only", once): the worker that finishes,
the person who cancels and the sweep of jobs past their time limit may race, and the first
one wins. A job whose worker died (a killed process, a lost queue) would otherwise stay
"running" for ever: the worker's periodic sweep ends every job still active
`GRIDCASE_JOB_TIME_LIMIT_MINUTES` after its step began (`overdue`), each module with its own
words and its own clean-up.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path, PurePath
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import clock


class Job(models.Model):
    """The fields and the reading every job shares. A concrete job defines its `state`
    choices, `ACTIVE` (the states in which the worker still has something to do: the page
    polls) and `folder()` (where its files live)."""

    ACTIVE: ClassVar[frozenset[str]] = frozenset()

    created_at = models.DateTimeField(_("开始时间"))
    # When the job entered the step it is in: its creation, then (an import) its confirmation.
    # The time limit counts from here, not from the creation, which may be a day earlier.
    started_at = models.DateTimeField(_("本步开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    file_name = models.CharField(_("文件名"), max_length=200)
    # The file's name in folder(); "" once it is deleted.
    stored_name = models.CharField(max_length=100, blank=True)
    state = models.CharField(_("状态"), max_length=16)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)  # percent
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        abstract = True

    @property
    def active(self) -> bool:
        return self.state in self.ACTIVE

    @classmethod
    def folder(cls) -> Path:
        raise NotImplementedError

    def path(self) -> Path | None:
        """The job's file, if it still exists."""
        if not self.stored_name:
            return None
        found = self.folder() / self.stored_name
        return found if found.exists() else None


def time_limit() -> timedelta:
    return timedelta(minutes=settings.GRIDCASE_JOB_TIME_LIMIT_MINUTES)


def stored_name_for(file_name: str) -> str:
    """A fresh name for a job's file: unguessable, with the original's suffix."""
    return f"{uuid.uuid4().hex}{PurePath(file_name).suffix.lower()}"


def percent(done: int, total: int, share: int = 100) -> int:
    """Progress of `done` out of `total` filling `share` percent of the bar, short of 100
    until the job says it is done."""
    return min(99, share * done // total) if total else 0


def end(model: type[Job], pk: int, state: str, *, only_from: Iterable[str], **values: Any) -> bool:
    """Move the job from one of `only_from` to the ended `state`, once; True if this call
    did. `values` are other columns to write with it (error, result …)."""
    moved = model.objects.filter(pk=pk, state__in=list(only_from)).update(
        state=state, finished_at=clock.now(), **values
    )
    return bool(moved)


def delete_file(model: type[Job], pk: int) -> None:
    """Delete the job's file (if any) and forget its name."""
    stored = model.objects.filter(pk=pk).values_list("stored_name", flat=True).first()
    if stored:
        (model.folder() / stored).unlink(missing_ok=True)
        model.objects.filter(pk=pk).update(stored_name="")


def overdue(model: type[Job]) -> list[tuple[int, str]]:
    """(id, state) of the jobs still active longer than the time limit after their step
    began: their worker died or the queue lost them."""
    cutoff = clock.now() - time_limit()
    return list(
        model.objects.filter(state__in=list(model.ACTIVE), started_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", "state")
    )
