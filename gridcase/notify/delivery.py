"""Sending deliveries: claimed by compare-and-swap, retried with back-off, failed visibly.

At most once per channel, also with many workers: a worker first *claims* a delivery with
one conditional UPDATE (pending and due → sending, with its own token and a lease); only the
worker whose UPDATE changed the row sends. The result is written only under that token. A
worker that dies mid-send leaves a lease that expires; another worker may then reclaim it.
(A crash after the receiver got the message but before the row was marked sent is the one
case that can repeat a message: webhook receivers drop a repeated `id`.)

A failed attempt waits 1, 2, 4 … minutes (at most an hour) before the next; after
MAX_ATTEMPTS the delivery is failed and shown to the administrator, who can resend it.
A push that falls due in the quiet hours waits until they end (major cases excepted).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext as _

from gridcase.core import clock

from . import quiet
from .channels import ChannelError, Message, send
from .messages import CATEGORY_LABELS, deadline_of
from .models import Delivery, Notification

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=1)
# Longer than any send can take (HTTP timeout 10 s, SMTP 20 s).
LEASE = timedelta(minutes=5)


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 1, 2, 4, … minutes, at most an hour."""
    return min(FIRST_BACKOFF * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def claimable(now: datetime) -> Q:
    return Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Delivery.Status.SENDING, lease_until__lt=now
    )


def message_of(notification: Notification, delivery_id: int | None = None) -> Message:
    """What the channels send: in the project's language (Chinese), for the town's systems,
    whatever language the request that caused it was in."""
    with translation.override(settings.LANGUAGE_CODE):
        return _message_of(notification, delivery_id)


def _message_of(notification: Notification, delivery_id: int | None) -> Message:
    case = notification.case
    case_data = None
    if case is not None:
        label, due = deadline_of(case)
        case_data = {
            "number": case.number,
            "category": case.category,
            "category_label": str(CATEGORY_LABELS.get(case.category, case.category)),
            "major": case.major,
            "village": case.village.name,
            "level": case.level,
            "state": case.state,
            "deadline_label": label,
            "deadline": due.isoformat() if due else None,
        }
    return Message(
        uid=str(notification.uid),
        kind=notification.kind,
        kind_label=str(notification.get_kind_display()),
        town=notification.town.name,
        title=notification.title,
        body=notification.body,
        link=notification.link,
        major=notification.major,
        created_at=notification.created_at.isoformat(),
        case=case_data,
        data=notification.data or {},
        delivery_id=delivery_id,
    )


def deliver(delivery_id: int) -> str:
    """Try to send one delivery now. Returns what happened: sent, retry, failed, deferred,
    or skipped (not due, or another worker has it).

    In the project's language (Chinese): the message, and the error kept for the administrator
    (`last_error`, stored as written), also when a request sends it at once (tests, resend)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _deliver(delivery_id)


def _deliver(delivery_id: int) -> str:
    now = clock.now()
    delivery = (
        Delivery.objects.select_related(
            "channel", "notification__town", "notification__case__village"
        )
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None:
        return "skipped"
    notification = delivery.notification
    tz = notification.town.timezone
    if not notification.major and quiet.is_quiet(now, tz):
        # Not now: wait for the end of the quiet hours (without counting an attempt).
        Delivery.objects.filter(
            pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now
        ).update(next_attempt_at=quiet.quiet_ends(now, tz))
        return "deferred"
    token = uuid.uuid4().hex
    claimed = (
        Delivery.objects.filter(pk=delivery_id)
        .filter(claimable(now))
        .update(
            status=Delivery.Status.SENDING,
            claim_token=token,
            lease_until=now + LEASE,
            attempts=F("attempts") + 1,
        )
    )
    if claimed != 1:
        return "skipped"
    attempts = Delivery.objects.values_list("attempts", flat=True).get(pk=delivery_id)
    mine = Delivery.objects.filter(pk=delivery_id, claim_token=token)
    channel = delivery.channel
    try:
        if not channel.enabled:
            raise ChannelError(_("该渠道已停用"), permanent=True)
        send(
            kind=channel.kind,
            target=channel.target,
            secret=channel.secret,
            message=message_of(notification, delivery_id),
        )
    except ChannelError as exc:
        return _failed(mine, notification, attempts, exc, now)
    except Exception as exc:  # a bug in a channel must not leave the delivery claimed
        logger.exception("delivery %s crashed", delivery_id)
        return _failed(mine, notification, attempts, ChannelError(repr(exc)), now)
    done = mine.update(
        status=Delivery.Status.SENT,
        sent_at=clock.now(),
        last_error="",
        claim_token="",
        lease_until=None,
    )
    if done != 1:
        logger.warning("delivery %s was sent, but its lease had been taken over", delivery_id)
    return "sent"


def _failed(mine, notification: Notification, attempts: int, exc: ChannelError, now) -> str:
    error = (_("第%(n)s次:%(error)s") % {"n": attempts, "error": exc.message})[:2000]
    if exc.permanent or attempts >= MAX_ATTEMPTS:
        mine.update(
            status=Delivery.Status.FAILED, last_error=error, claim_token="", lease_until=None
        )
        logger.warning("delivery failed for good: %s", error)
        return "failed"
    retry_at = quiet.push_at(
        now + backoff(attempts), notification.town.timezone, major=notification.major
    )
    mine.update(
        status=Delivery.Status.PENDING,
        next_attempt_at=retry_at,
        last_error=error,
        claim_token="",
        lease_until=None,
    )
    return "retry"


def due_ids(limit: int = 200) -> list[int]:
    now = clock.now()
    return list(
        Delivery.objects.filter(claimable(now))
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def deliver_due(limit: int = 200) -> dict[str, int]:
    """The sweep: try every delivery that is due (or whose lease expired). Safe to run in
    several workers at once: each delivery is claimed by one of them."""
    outcomes: dict[str, int] = {}
    for delivery_id in due_ids(limit):
        outcome = deliver(delivery_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
