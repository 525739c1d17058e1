"""The in-app inbox: always on, written in the action's transaction (it is not a push)."""

from __future__ import annotations

from collections.abc import Iterable

from ..models import InboxItem, Notification


def write(notification: Notification, user_ids: Iterable[int]) -> list[InboxItem]:
    items = [
        InboxItem(notification=notification, user_id=uid, created_at=notification.created_at)
        for uid in sorted(set(user_ids))
    ]
    return InboxItem.objects.bulk_create(items)
