"""How cases take part in what the layers below them do, through their signals."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from gridcase.org.models import Grid, Unit, Village

from .models import Case


def count_uses(sender: type[Model], *, row: Model, **kwargs: Any) -> list[tuple[str, int]]:
    """`org.signals.counting_uses`: a village, grid or department with cases stays."""
    if isinstance(row, Village):
        return [("事件 ", Case.objects.filter(village=row).count())]
    if isinstance(row, Grid):
        return [("事件 ", Case.objects.filter(grid=row).count())]
    if isinstance(row, Unit):
        return [("分流事件 ", Case.objects.filter(department=row).count())]
    return []
