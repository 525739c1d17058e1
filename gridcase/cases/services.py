"""The flow of a submitted case: accept, close, escalate, dispatch, report, return, void, urge,
extensions, follow-ups and the quality review. One transaction per action, a timeline row in
that transaction, and state changes by compare-and-swap on the case's version (architecture.md,
Habits 1–2; the pieces are in changes.py). Filing a case is filing.py; files, attachments.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar

from django.db import transaction
from django.utils.translation import gettext as _

from gridcase.core import limits
from gridcase.org.models import Unit, User

from . import elements
from .changes import (
    case_values,
    check_note,
    now_or,
    record,
    require_action,
    require_reason,
    swap,
    transition,
)
from .deadlines import TownClock, town_clock
from .errors import ActionNotAllowed, CaseError, Conflict
from .filing import case_submit
from .models import (
    LOCAL_LEVELS,
    Case,
    Category,
    ExtensionRequest,
    FollowUp,
    Level,
    LocalOutcome,
    Quality,
    TimelineEntry,
)
from .validation import check_major, clean_close, follow_up_day_problem


def _local_period(case: Case) -> date | None:
    """The grid and village station's shared handling period as their handlers see it. It is
    `local_due`, except after the town center returned a late escalation: the village got a
    new period to act in (carried in `handle_due` at the local levels) while `local_due` keeps
    the deadline the case missed, which the assessment reads."""
    if case.level in LOCAL_LEVELS and case.handle_due is not None:
        return case.handle_due
    return case.local_due


def _accept_changes(case: Case, tc: TownClock, at: datetime) -> dict[str, Any]:
    if case.level in (Level.GRID, Level.VILLAGE):
        # The grid and the village station share one handling period (assessment.md, 3).
        if case.first_accepted_at is None:
            local_due = tc.handle_due(Level.GRID, at, case.first_accept_due)
            return {
                "level_accepted_at": at,
                "first_accepted_at": at,
                "local_due": local_due,
                "handle_due": local_due,
            }
        return {"level_accepted_at": at, "handle_due": _local_period(case)}
    return {"level_accepted_at": at, "handle_due": tc.handle_due(case.level, at, case.accept_due)}


@transaction.atomic
def case_accept(*, case: Case, by: User, at=None, note: str = "") -> Case:
    at = now_or(at)
    require_action("accept", case, by)
    note = check_note(note)
    tc = town_clock(case.town, at)
    late = case.accept_due is not None and tc.local(at) > case.accept_due
    transition(
        case,
        action="accept",
        by=by,
        at=at,
        changes=_accept_changes(case, tc, at),
        note=note,
        data={"late": late},
    )
    return case


@transaction.atomic
def case_close(*, case: Case, by: User, data: Mapping[str, Any], at=None) -> Case:
    """Record the final result. A dispute closed locally needs its mediation record."""
    at = now_or(at)
    require_action("close", case, by)
    clean = clean_close(data)
    values = case_values(case) | clean
    missing = elements.missing_at_close(values, case.level)
    if missing:
        raise CaseError.from_pairs(_("不能结案,缺少以下要素:"), missing)
    tc = town_clock(case.town, at)
    changes = clean | {"closed_at": at, "closed_level": case.level}
    if case.level in (Level.GRID, Level.VILLAGE):
        changes |= {"local_outcome": LocalOutcome.CLOSED, "local_outcome_at": at}
    if case.category == Category.DISPUTE:
        changes["follow_up_due"] = tc.follow_up_due(at)
    transition(case, action="close", by=by, at=at, changes=changes, note=clean.get("result", ""))
    return case


@transaction.atomic
def case_escalate(*, case: Case, by: User, note: str = "", at=None) -> Case:
    """Hand the case to the next level up (上报): grid → village station → town center."""
    at = now_or(at)
    rule = require_action("escalate", case, by)
    note = require_reason(note, "note", "上报理由")
    tc = town_clock(case.town, at)
    to_level = rule.to_level
    changes: dict[str, Any] = {
        "accept_due": tc.accept_due(to_level, at),
        "level_accepted_at": None,
        "handle_due": _local_period(case) if to_level == Level.VILLAGE else None,
    }
    if to_level == Level.TOWN:
        changes |= {
            "escalated_at": at,
            "local_outcome": LocalOutcome.ESCALATED,
            "local_outcome_at": at,
        }
    transition(case, action="escalate", by=by, at=at, changes=changes, note=note)
    return case


@transaction.atomic
def case_dispatch(*, case: Case, by: User, department: Unit, note: str = "", at=None) -> Case:
    at = now_or(at)
    require_action("dispatch", case, by)
    note = check_note(note, "note", "分流意见")
    if department.town_id != case.town_id or department.kind != Unit.Kind.DEPARTMENT:
        message = _("请选择本镇的部门")
        raise CaseError(message, {"department": [message]})
    tc = town_clock(case.town, at)
    transition(
        case,
        action="dispatch",
        by=by,
        at=at,
        changes={
            "department": department,
            "accept_due": tc.accept_due(Level.DEPARTMENT, at),
            "handle_due": None,
            "level_accepted_at": None,
        },
        note=note,
        data={"department": department.name},
    )
    return case


@transaction.atomic
def case_report(*, case: Case, by: User, result: str, at=None) -> Case:
    """A department reports its result; the town center records it and closes."""
    at = now_or(at)
    require_action("report", case, by)
    result = require_reason(result, "result", "处理结果")
    tc = town_clock(case.town, at)
    # The department's own deadline is overwritten below; the entry keeps it, so that the
    # department's on-time rate can be counted from the timeline (web.dashboard_selectors).
    due = case.handle_due
    data = {"due": due.isoformat(), "late": tc.local(at) > due} if due is not None else {}
    # The center gets its acceptance period to record the result and close.
    transition(
        case,
        action="report",
        by=by,
        at=at,
        changes={"result": result, "handle_due": tc.accept_due(Level.TOWN, at)},
        note=result,
        data=data,
    )
    return case


@transaction.atomic
def case_return(*, case: Case, by: User, reason: str, at=None) -> Case:
    """Send the case one level down with a reason; that level must handle it again."""
    at = now_or(at)
    rule = require_action("return", case, by)
    reason = require_reason(reason)
    tc = town_clock(case.town, at)
    to_level = rule.to_level
    changes: dict[str, Any] = {"accept_due": None, "level_accepted_at": at}
    data: dict[str, Any] | None = None
    if to_level == Level.VILLAGE:
        # The returned escalation earns nothing; the village has a new period from today to
        # act in (handle_due, the deadline its handlers see). The assessment's period
        # (local_due) is renewed too, but only when the escalation itself was on time: a case
        # late at its deadline stays late, so local_due keeps the deadline it missed
        # (assessment.md, "Which cases count", 3).
        handle_due = tc.fresh_handle_due(Level.VILLAGE, at)
        escalated_on = tc.local(case.local_outcome_at) if case.local_outcome_at else None
        missed = case.local_due is not None and (escalated_on or tc.local(at)) > case.local_due
        local_due = case.local_due if missed else handle_due
        if missed:
            data = {"missed_due": local_due.isoformat()}
        changes |= {
            "local_due": local_due,
            "handle_due": handle_due,
            "local_outcome": LocalOutcome.NONE,
            "local_outcome_at": None,
            "escalated_at": None,
        }
    elif to_level == Level.GRID:
        changes["handle_due"] = _local_period(case)
    else:  # department → town center
        changes["handle_due"] = tc.fresh_handle_due(Level.TOWN, at)
    transition(case, action="return", by=by, at=at, changes=changes, note=reason, data=data)
    return case


@transaction.atomic
def case_void(*, case: Case, by: User, reason: str, at=None) -> Case:
    at = now_or(at)
    require_action("void", case, by)
    reason = require_reason(reason)
    transition(
        case,
        action="void",
        by=by,
        at=at,
        changes={"voided_at": at, "void_reason": reason[:300]},
        note=reason,
    )
    return case


@transaction.atomic
def case_urge(*, case: Case, by: User, note: str, at=None) -> TimelineEntry:
    """督办: a higher level presses the handler; recorded and notified, the state is unchanged."""
    at = now_or(at)
    require_action("urge", case, by)
    note = require_reason(note, "note", "督办意见")
    return record(case, action="urge", by=by, at=at, note=note, data={"level": case.level})


@transaction.atomic
def case_request_extension(
    *, case: Case, by: User, working_days: int, reason: str, at=None
) -> ExtensionRequest:
    at = now_or(at)
    require_action("request_extension", case, by)
    reason = require_reason(reason)
    if not isinstance(working_days, int) or not 1 <= working_days <= 30:
        raise CaseError(
            _("延期天数应为 1 到 30 个工作日"), {"working_days": [_("应为 1 到 30 个工作日")]}
        )
    if case.extensions.filter(status=ExtensionRequest.Status.PENDING).exists():
        raise CaseError(
            _("该事件已有待审批的延期申请"), {"working_days": [_("已有待审批的延期申请")]}
        )
    request = ExtensionRequest.objects.create(
        case=case,
        level=case.level,
        working_days=working_days,
        reason=reason,
        requested_by=by,
        requested_at=at,
    )
    record(
        case,
        action="request_extension",
        by=by,
        at=at,
        note=reason,
        data={"working_days": working_days, "request": request.pk},
    )
    return request


@transaction.atomic
def case_decide_extension(
    *, request: ExtensionRequest, by: User, approve: bool, note: str = "", at=None
) -> ExtensionRequest:
    at = now_or(at)
    case = request.case
    if case.level != request.level:
        raise ActionNotAllowed(_("事件已不在申请延期的层级,此申请不能再审批"))
    require_action("decide_extension", case, by, level=request.level)
    note = check_note(note, "note", "审批意见")
    status = ExtensionRequest.Status.APPROVED if approve else ExtensionRequest.Status.REJECTED
    updated = ExtensionRequest.objects.filter(
        pk=request.pk, status=ExtensionRequest.Status.PENDING
    ).update(status=status, decided_by=by, decided_at=at, decision_note=note)
    if updated != 1:
        raise Conflict(_("该延期申请已被他人审批"))
    request.refresh_from_db()
    data = {"approved": approve, "working_days": request.working_days, "request": request.pk}
    if approve and case.handle_due is not None:
        tc = town_clock(case.town, at)
        new_due = tc.extend(case.handle_due, request.working_days)
        swap(case, {"handle_due": new_due})
        data["handle_due"] = new_due.isoformat()
    record(case, action="decide_extension", by=by, at=at, note=note, data=data)
    return request


@transaction.atomic
def case_follow_up(
    *,
    case: Case,
    by: User,
    visited_on,
    method: str,
    satisfied: bool | None,
    note: str = "",
    at=None,
) -> FollowUp:
    at = now_or(at)
    require_action("follow_up", case, by)
    note = check_note(note, "note", "回访情况", limits.FOLLOW_UP_NOTE)
    errors = {}
    if method not in FollowUp.Method.values:
        errors["method"] = [_("请选择回访方式(电话/上门)")]
    if visited_on is None:
        errors["visited_on"] = [_("请填写回访日期")]
    elif problem := follow_up_day_problem(case, visited_on, at):
        errors["visited_on"] = [problem]
    if errors:
        raise CaseError(_("回访信息有误"), errors)
    follow_up = FollowUp.objects.create(
        case=case, visited_on=visited_on, by=by, method=method, satisfied=satisfied, note=note
    )
    # The case leaves "awaiting a follow-up" (models.AWAITING_FOLLOW_UP) in this transaction;
    # a later visit keeps the first one's time (the condition makes a concurrent second one
    # a no-op rather than a race).
    if Case.objects.filter(pk=case.pk, followed_up_at__isnull=True).update(followed_up_at=at):
        case.followed_up_at = at
    record(
        case,
        action="follow_up",
        by=by,
        at=at,
        note=note,
        data={"method": method, "satisfied": satisfied, "visited_on": visited_on.isoformat()},
    )
    return follow_up


@transaction.atomic
def case_review(
    *,
    case: Case,
    by: User,
    quality: str,
    note: str = "",
    major: bool | None = None,
    at=None,
) -> Case:
    """The governance office's quality review: conforming or not (with a reason), major or not."""
    at = now_or(at)
    require_action("review", case, by)
    if quality not in (Quality.CONFORMING, Quality.NONCONFORMING):
        message = _("请选择合格或不合格")
        raise CaseError(message, {"quality": [message]})
    if quality == Quality.NONCONFORMING:
        note = require_reason(note, "quality_note", "不合格原因")
    note = check_note(note, "quality_note", "不合格原因", limits.QUALITY_NOTE)
    changes: dict[str, Any] = {"quality": quality, "quality_note": note}
    if major is not None:
        check_major(case.category, major)
        changes["major"] = major
    data = {"quality": quality, "major": major, "was_major": case.major}
    swap(case, changes)
    record(case, action="review", by=by, at=at, note=note, data=data)
    return case


T = TypeVar("T")


@transaction.atomic
def case_submit_and_accept(*, case: Case, by: User, note: str = "", at=None) -> Case:
    """提交并受理: the grid is the officer, so an officer handing in a case at the grid takes
    it on in the same step (workflow.expected_steps). The two services, in one transaction."""
    at = now_or(at)
    case_submit(case=case, by=by, at=at)
    return case_accept(case=case, by=by, at=at, note=note)


@transaction.atomic
def case_accept_then(*, case: Case, by: User, then: Callable[[], T], at=None) -> T:
    """受理并…: take the case on and act on it at once (close, escalate, dispatch, report),
    in one transaction: when the second action is refused, the acceptance is undone too and
    the caller's `case` must be read again. `then` calls the second action's service."""
    case_accept(case=case, by=by, at=at)
    return then()


@transaction.atomic
def case_handle_on_spot(*, case: Case, by: User, data: Mapping[str, Any], at=None) -> Case:
    """An officer who settled the matter on the spot submits, accepts and closes at once."""
    at = now_or(at)
    case_submit(case=case, by=by, at=at)
    case_accept(case=case, by=by, at=at)
    return case_close(case=case, by=by, data=data, at=at)
