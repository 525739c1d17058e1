"""Every read of the notification app: the inbox, the unread count, failures for the admin."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from gridcase.org import selectors as org_selectors
from gridcase.org.models import User

from .models import ChannelConfig, Delivery, InboxItem, Notification


def inbox_for(user: User, *, unread_only: bool = False) -> QuerySet[InboxItem]:
    """The user's inbox, newest first, with the notification and its case (for the list)."""
    qs = InboxItem.objects.filter(user=user).select_related("notification", "notification__case")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_count(user: User) -> int:
    """The number in the header's bell: one indexed COUNT."""
    if not user.is_authenticated:
        return 0
    return InboxItem.objects.filter(user=user, read_at__isnull=True).count()


def _town_scope(qs: QuerySet, user: User, path: str) -> QuerySet:
    towns = org_selectors.administered_town_ids(user)
    if towns is None:
        return qs
    return qs.filter(**{f"{path}__in": towns})


def failed_deliveries(user: User) -> QuerySet[Delivery]:
    """Deliveries that failed for good, for the administrator to fix the channel and resend."""
    qs = Delivery.objects.filter(status=Delivery.Status.FAILED).select_related(
        "notification", "notification__town", "notification__case", "channel", "channel__unit"
    )
    return _town_scope(qs, user, "notification__town_id").order_by("-created_at", "-id")


def retrying_deliveries(user: User) -> QuerySet[Delivery]:
    """Deliveries that failed at least once and will be tried again (a channel in trouble)."""
    qs = Delivery.objects.filter(status=Delivery.Status.PENDING, attempts__gt=0).select_related(
        "notification", "notification__town", "channel", "channel__unit"
    )
    return _town_scope(qs, user, "notification__town_id").order_by("next_attempt_at", "id")


def undeliverable_notifications(user: User) -> QuerySet[Notification]:
    """Notifications that reached nobody: no person and no channel was configured for them."""
    qs = Notification.objects.exclude(
        Exists(InboxItem.objects.filter(notification=OuterRef("pk")))
    ).exclude(Exists(Delivery.objects.filter(notification=OuterRef("pk"))))
    qs = qs.exclude(kind="test").select_related("town", "case")
    return _town_scope(qs, user, "town_id").order_by("-created_at", "-id")


def channel_configs(user: User) -> QuerySet[ChannelConfig]:
    """The channels the administrator may configure, by unit. Never show `secret` in pages."""
    qs = ChannelConfig.objects.select_related("unit", "unit__town")
    return _town_scope(qs, user, "unit__town_id").order_by("unit__kind", "unit__name", "kind")


def deliveries_of(notification: Notification) -> QuerySet[Delivery]:
    return notification.deliveries.select_related("channel", "channel__unit").order_by("id")
