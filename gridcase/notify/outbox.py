"""The outbox: notifications are written in the same transaction as the action that causes them.

`emit()` is the one way to notify. It keeps the text's message id and arguments (worded in each
reader's language when shown) and the text in Chinese (what the channels send), writes the
`Notification`,
an `InboxItem` per person and a `Delivery` per enabled push channel of each unit told, all in
the caller's transaction: if the action rolls back, so does its notification. After commit
the due deliveries are handed to the worker; if that fails (the queue is down), the worker's
periodic sweep finds them anyway (`delivery.deliver_due`), so nothing is lost.

Case actions reach the outbox through `gridcase.cases.signals.case_event`, which every case
service sends inside its transaction; `on_case_event` (connected in `NotifyConfig.ready`)
decides who is told. The assessment's quarter and appeal decisions go through
`assessment_news`; other parts of the system may call `emit()` directly:

    from gridcase.notify import outbox, recipients

    finder = recipients.Finder(town, today)
    outbox.emit(town=town, kind="quarter_ready", recipients=finder.leaders() | finder.office(),
                context={"quarter": "2026-Q4", "link": "/assessment/2026-Q4/"})

Call it inside your service's `transaction.atomic()` block.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation

from gridcase.cases.models import Case, ExtensionRequest, Level, Quality
from gridcase.core import clock
from gridcase.org.models import Town, User
from gridcase.org.selectors import in_force_user_ids

from . import messages, quiet
from .channels import inbox
from .models import ChannelConfig, Delivery, Notification
from .recipients import Finder, Recipients

logger = logging.getLogger(__name__)

# Puts one delivery on the worker's queue. `tasks` sits above the outbox (tasks → schedule →
# outbox) and binds it in NotifyConfig.ready; unbound, deliveries wait for the sweep.
_queue: Callable[[int], None] | None = None


def use_queue(put: Callable[[int], None]) -> None:
    """Where `enqueue` hands due deliveries after commit (the worker's queue)."""
    global _queue
    _queue = put


def emit(
    *,
    town: Town,
    kind: str,
    recipients: Recipients,
    case: Case | None = None,
    context: Mapping[str, Any] | None = None,
    major: bool | None = None,
) -> Notification:
    """Write one notification for `recipients` in the current transaction.

    kind: a `Notification.Kind` value. context: values for the text (see `messages.render`:
    note, by, quarter, decision, link; or your own `title` and `lines`). major: pushed even in
    quiet hours (default: the case's mark). Returns the Notification; its deliveries are sent
    after commit.
    """
    if kind not in Notification.Kind.values:
        raise ValueError(f"unknown notification kind: {kind!r}")
    context = dict(context or {})
    now = clock.now()
    args = messages.arguments(kind, town_name=town.name, case=case, context=context)
    # The channels send the text in the project's language, whoever's request made it.
    with translation.override(settings.LANGUAGE_CODE):
        rendered = messages.render(kind, args)
    is_major = bool(case.major) if major is None and case is not None else bool(major)
    notification = Notification.objects.create(
        town=town,
        kind=kind,
        case=case,
        message=kind,
        args=args,
        title=rendered.title,
        body=rendered.body,
        link=rendered.link,
        major=is_major,
        data=messages.jsonable(context),
        created_at=now,
    )
    # Whoever was named, only people holding a role in the town today are told: a person
    # whose roles have ended (or a disabled one) receives nothing, whichever rule named them.
    told = in_force_user_ids(town.pk, recipients.users, clock.local_date(now, town.timezone))
    inbox.write(notification, told)
    channels = ChannelConfig.objects.filter(
        unit_id__in=recipients.units, unit__town=town, enabled=True
    ).only("id")
    push_at = quiet.push_at(now, town.timezone, major=is_major)
    deliveries = Delivery.objects.bulk_create(
        Delivery(notification=notification, channel=ch, next_attempt_at=push_at, created_at=now)
        for ch in channels
    )
    if not told and not deliveries:
        logger.warning(
            "notification %s (%s, %s) has nobody to tell: no people or channels configured",
            notification.pk,
            kind,
            case.number if case else town.name,
        )
    due_now = [d.pk for d in deliveries if d.next_attempt_at <= now]
    if due_now:
        transaction.on_commit(lambda: enqueue(due_now), robust=True)
    return notification


def enqueue(delivery_ids: list[int]) -> None:
    """Hand deliveries to the worker. A failure here loses nothing: the sweep finds them."""
    try:
        if _queue is None:
            raise RuntimeError("no queue bound (NotifyConfig.ready binds the worker's)")
        for delivery_id in delivery_ids:
            _queue(delivery_id)
    except Exception:  # the queue is down: the periodic sweep will send them
        logger.warning("could not enqueue deliveries %s; the sweep will send them", delivery_ids)


# ---------------------------------------------------------------- case actions


def _name(user: User | None) -> str:
    if user is None:
        return ""
    return user.display_name or user.username


def recipients_for_action(
    action: str, case: Case, entry, by: User | None, data: Mapping[str, Any], finder
) -> tuple[str, Recipients, dict[str, Any]] | None:
    """(kind, recipients, context) for a case action that must tell someone, else None."""
    context: dict[str, Any] = {"by": _name(by), "note": entry.note}
    if action == "escalate":
        return "escalate", finder.handlers(case, case.level), context
    if action == "dispatch":
        return "dispatch", finder.handlers(case, Level.DEPARTMENT), context
    if action == "report":
        return "report", finder.handlers(case, Level.TOWN), context
    if action == "return":
        return "return", finder.handlers(case, case.level), context
    if action == "urge":
        return "urge", finder.handlers(case, case.level), context
    if action == "request_extension":
        context["working_days"] = data.get("working_days")
        if case.level == Level.DEPARTMENT:
            return "extension_requested", finder.center(), context
        return "extension_requested", finder.office() | finder.leaders(), context
    if action == "decide_extension":
        request = ExtensionRequest.objects.only("requested_by_id", "level").get(pk=data["request"])
        context |= {"approved": data.get("approved"), "handle_due": data.get("handle_due")}
        who = Recipients(frozenset([request.requested_by_id])) | finder.unit_of_level(
            case, request.level
        )
        return "extension_decided", who, context
    if action == "review" and data.get("quality") == Quality.NONCONFORMING:
        return "review", finder.officers(case), context
    if action == "void" and by is not None and by.pk != case.officer_id:
        return "void", finder.officers(case), context
    if action == "close" and by is not None and by.pk != case.officer_id:
        # The officer owes the follow-up visit from now; officers have no channel of their
        # own, so the push goes to their village station's (the group they work with).
        return "close", finder.officers(case) | finder.unit_of_level(case, Level.VILLAGE), context
    if action == "appeal":
        quarter = data.get("quarter", "")
        context |= {"quarter": quarter, "link": f"/assessment/{quarter}/appeals/"}
        return "appeal_filed", finder.office(), context
    return None


# Kinds about pay, not about handling the case: never urgent, whatever the case's mark.
NEVER_MAJOR = frozenset({"appeal_filed"})


# The case actions that may tell someone (the others cost nothing here, e.g. a bulk import).
TOLD_ACTIONS = frozenset(
    {
        "escalate",
        "dispatch",
        "report",
        "return",
        "urge",
        "request_extension",
        "decide_extension",
        "review",
        "void",
        "close",
        "appeal",
    }
)


def on_case_event(sender, *, case: Case, entry, action: str, by, data, **kwargs) -> None:
    """Receiver of `case_event`: runs inside the action's transaction; errors roll it back."""
    if action not in TOLD_ACTIONS:
        return
    finder = Finder(case.town_id, clock.local_date(entry.at, case.town.timezone))
    found = recipients_for_action(action, case, entry, by, data or {}, finder)
    if found is None:
        return
    kind, who, context = found
    emit(
        town=case.town,
        kind=kind,
        recipients=who.without_user(by.pk if by else None),
        case=case,
        context=context,
        major=False if kind in NEVER_MAJOR else None,
    )
