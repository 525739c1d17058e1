"""How every write to a case is made (architecture.md, Habits 1–2): the workflow's check, the
compare-and-swap on the case's version, and the timeline row in the same transaction.

The services (filing, the flow, attachments) are built from these pieces; nothing else
changes a case's row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_noop as _noop

from gridcase.core import chain, clock, limits
from gridcase.org.models import User

from . import workflow
from .errors import ActionNotAllowed, CaseError, Conflict
from .models import Case, ExtensionRequest, TimelineEntry
from .selectors import judgement_refusal, relations_to
from .signals import case_event
from .validation import CONTENT_FIELDS


def now_or(at: datetime | None) -> datetime:
    return at or clock.now()


def require_action(action: str, case: Case, by: User, *, level: str | None = None) -> workflow.Rule:
    """The workflow table's rule for this person taking this action on this case now (at
    `level`, by default the case's); ActionNotAllowed with the table's reason otherwise. The
    one place the table's refusal — and the office judgement's (selectors.judgement_refusal) —
    becomes the services' error (the API's precheck calls it)."""
    relations = relations_to(by, case)
    try:
        rule = workflow.check(
            action, state=case.state, level=level or case.level, relations=relations
        )
    except workflow.NotAllowed as exc:
        raise ActionNotAllowed(exc.reason) from None
    refusal = judgement_refusal(action, case, relations)
    if refusal:
        raise ActionNotAllowed(refusal)
    return rule


def record(
    case: Case,
    *,
    action: str,
    by: User | None,
    at: datetime,
    note: str = "",
    from_state: str = "",
    from_level: str = "",
    data: dict | None = None,
) -> TimelineEntry:
    entry = chain.append(
        TimelineEntry,
        {
            "case_id": case.pk,
            "town_id": case.town_id,
            "at": at,
            "actor_id": by.pk if by is not None else None,
            "action": action,
            "from_state": from_state,
            "to_state": case.state if from_state else "",
            "from_level": from_level,
            "to_level": case.level if from_level else "",
            "note": note,
            "data": data or {},
        },
    )
    entry.case = case
    case_event.send(sender=Case, case=case, entry=entry, action=action, by=by, data=data or {})
    return entry


def record_event(
    *,
    case: Case,
    action: str,
    by: User | None,
    at: datetime | None = None,
    note: str = "",
    data: dict | None = None,
) -> TimelineEntry:
    """A timeline row for an action on the case that changes neither its state nor its level,
    taken by another part of the system (e.g. an assessment appeal). Call it inside the
    caller's transaction; it sends `case_event` like every other action."""
    return record(case, action=action, by=by, at=now_or(at), note=note, data=data)


def swap(case: Case, changes: dict[str, Any]) -> None:
    """Compare-and-swap: apply `changes` only if nobody changed the case since it was read."""
    updated = Case.objects.filter(pk=case.pk, version=case.version).update(
        **changes, version=F("version") + 1, updated_at=clock.now()
    )
    if updated != 1:
        raise Conflict(
            _t("该事件刚刚已被他人处理,您的操作未执行。请刷新页面查看最新状态后再操作。")
        )
    for field, value in changes.items():
        setattr(case, field, value)
    case.version += 1


def transition(
    case: Case,
    *,
    action: str,
    by: User | None,
    at: datetime,
    changes: dict[str, Any] | None = None,
    note: str = "",
    data: dict | None = None,
    checked_as: User | None = None,
) -> TimelineEntry:
    """Check the action against the workflow, move the case, and write its timeline row.

    `checked_as`: whose rights the workflow checks when the actor is the system (`by` None),
    e.g. a citizen's report submitted on behalf of the village's officer."""
    rule = require_action(action, case, checked_as or by)
    from_state, from_level = case.state, case.level
    changes = dict(changes or {})
    if rule.to_state:
        changes.setdefault("state", rule.to_state)
    if rule.to_level:
        changes.setdefault("level", rule.to_level)
    swap(case, changes)
    if case.level != from_level or case.state not in workflow.OPEN:
        lapsed = lapse_extensions(case, from_level, at)
        if lapsed:
            data = {**(data or {}), "extension_lapsed": lapsed}
    return record(
        case,
        action=action,
        by=by,
        at=at,
        note=note,
        from_state=from_state,
        from_level=from_level,
        data=data,
    )


# The note a lapsed request keeps. Stored in Chinese, as every lapsed row before it was (the
# API's decision_note is the stored text); the case page says it in the reader's language
# (web.views.case_detail.extension_note).
LAPSED_NOTE = _noop("事件已离开申请层级, 申请失效")


def lapse_extensions(case: Case, level: str, at: datetime) -> list[int]:
    """A pending extension request asked at `level` lapses when the case leaves that level or
    is finished: only that level could decide it (case_decide_extension), and one pending
    request per case is all the table allows. Returns the lapsed requests' ids."""
    pending = ExtensionRequest.objects.filter(
        case=case, level=level, status=ExtensionRequest.Status.PENDING
    )
    ids = list(pending.values_list("pk", flat=True))
    if ids:
        pending.filter(pk__in=ids).update(
            status=ExtensionRequest.Status.LAPSED,
            decided_at=at,
            decision_note=LAPSED_NOTE,
        )
    return ids


# The labels cases/services.py passes to require_reason, marked here so that they are in the
# catalogue (require_reason translates the label it is given).
REASON_LABELS = (
    _noop("原因"),
    _noop("上报理由"),
    _noop("处理结果"),
    _noop("督办意见"),
    _noop("不合格原因"),
    _noop("说明"),
    _noop("分流意见"),
    _noop("审批意见"),
    _noop("回访情况"),
)


def require_reason(reason: str, field: str = "reason", label: str = "原因") -> str:
    reason = (reason or "").strip()
    if not reason:
        message = _t("请填写%(label)s") % {"label": _t(label)}
        raise CaseError(message, {field: [message]})
    return check_note(reason, field, label)


def check_note(
    note: str, field: str = "note", label: str = "说明", limit: int = limits.REASON
) -> str:
    """An action's note or reason, given or not, is at most `limit` characters (limits.REASON:
    every reason and note of an action). The forms run it with their own checks, so that a
    note too long is said with every other problem of the form (web.forms.ActionForm)."""
    note = (note or "").strip()
    if len(note) > limit:
        message = _t("%(label)s过长(最多%(n)s字)") % {"label": _t(label), "n": limit}
        raise CaseError(message, {field: [message]})
    return note


def case_values(case: Case, parties: Sequence[Mapping[str, str]] | None = None) -> dict[str, Any]:
    """What the case says now, as the element checks (cases.elements) read it."""
    values = {f: getattr(case, f) for f in CONTENT_FIELDS}
    values.update(
        result=case.result,
        mediator=case.mediator,
        mediation_result=case.mediation_result,
        agreement_form=case.agreement_form,
        agreement_terms=case.agreement_terms,
    )
    if parties is None:
        parties = [{"name": p.name, "phone": p.phone} for p in case.parties.all()]
    values["parties"] = parties
    return values
