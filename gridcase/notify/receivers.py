"""How notifications take part in what the layers below them do, through their signals.

(Case actions reach the outbox through `cases.signals.case_event`: see `outbox.on_case_event`.)
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from gridcase.org.models import Unit

from .models import ChannelConfig


def count_uses(sender: type[Model], *, row: Model, **kwargs: Any) -> list[tuple[str, int]]:
    """`org.signals.counting_uses`: a unit with notification channels stays."""
    if isinstance(row, Unit):
        return [("通知渠道 ", ChannelConfig.objects.filter(unit=row).count())]
    return []
