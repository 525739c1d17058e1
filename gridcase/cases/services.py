"""Every write to a case. One transaction per action, a timeline row in that transaction, and
state changes by compare-and-swap on the case's version (architecture.md, Habits 1–2).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from gridcase.core import chain, clock, phones, text
from gridcase.org.models import Grid, Role, Town, Unit, User, Village
from gridcase.org.selectors import roles_in_force

from . import elements, workflow
from .deadlines import TownClock, town_clock
from .errors import ActionNotAllowed, CaseError, Conflict
from .models import (
    MAJOR_CATEGORIES,
    Case,
    CaseCounter,
    Category,
    ExtensionRequest,
    FollowUp,
    Level,
    LocalOutcome,
    Party,
    Quality,
    State,
    TimelineEntry,
)
from .selectors import relations_to
from .signals import case_event

CONTENT_FIELDS = (
    "category",
    "major",
    "title",
    "occurred_at",
    "location",
    "latitude",
    "longitude",
    "persons",
    "cause",
    "course",
)
TEXT_LIMITS = {"title": 200, "location": 300, "persons": 5000, "cause": 5000, "course": 10000}
# The names people know them by (the elements' labels, and the optional title).
TEXT_LABELS = {"title": "标题"} | {f: elements.LABELS[f] for f in TEXT_LIMITS if f != "title"}


# ---------------------------------------------------------------- helpers


def _now(at: datetime | None) -> datetime:
    return at or clock.now()


def require_action(action: str, case: Case, by: User, *, level: str | None = None) -> workflow.Rule:
    """The workflow table's rule for this person taking this action on this case now (at
    `level`, by default the case's); ActionNotAllowed with the table's reason otherwise. The
    one place the table's refusal becomes the services' error (the API's precheck calls it)."""
    try:
        return workflow.check(
            action, state=case.state, level=level or case.level, relations=relations_to(by, case)
        )
    except workflow.NotAllowed as exc:
        raise ActionNotAllowed(exc.reason) from None


def _record(
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
    return _record(case, action=action, by=by, at=_now(at), note=note, data=data)


def _swap(case: Case, changes: dict[str, Any]) -> None:
    """Compare-and-swap: apply `changes` only if nobody changed the case since it was read."""
    updated = Case.objects.filter(pk=case.pk, version=case.version).update(
        **changes, version=F("version") + 1, updated_at=clock.now()
    )
    if updated != 1:
        raise Conflict("该事件刚刚已被他人处理,您的操作未执行。请刷新页面查看最新状态后再操作。")
    for field, value in changes.items():
        setattr(case, field, value)
    case.version += 1


def _transition(
    case: Case,
    *,
    action: str,
    by: User,
    at: datetime,
    changes: dict[str, Any] | None = None,
    note: str = "",
    data: dict | None = None,
) -> TimelineEntry:
    rule = require_action(action, case, by)
    from_state, from_level = case.state, case.level
    changes = dict(changes or {})
    if rule.to_state:
        changes.setdefault("state", rule.to_state)
    if rule.to_level:
        changes.setdefault("level", rule.to_level)
    _swap(case, changes)
    return _record(
        case,
        action=action,
        by=by,
        at=at,
        note=note,
        from_state=from_state,
        from_level=from_level,
        data=data,
    )


def _require_reason(reason: str, field: str = "reason", label: str = "原因") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise CaseError(f"请填写{label}", {field: [f"请填写{label}"]})
    if len(reason) > 2000:
        raise CaseError(f"{label}过长(最多2000字)", {field: [f"{label}过长(最多2000字)"]})
    return reason


def _values(case: Case, parties: Sequence[Mapping[str, str]] | None = None) -> dict[str, Any]:
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


def next_number(town: Town, at: datetime) -> str:
    """CT-2026-00042: the town's code, the local year, and a counter taken under a row lock."""
    year = clock.local_date(at, town.timezone).year
    try:
        with transaction.atomic():
            CaseCounter.objects.get_or_create(town=town, year=year)
    except IntegrityError:
        pass  # created by a concurrent transaction: the row exists now
    counter = CaseCounter.objects.select_for_update().get(town=town, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{town.code.upper()}-{year}-{counter.last:05d}"


# ---------------------------------------------------------------- drafts


def _clean_content(town: Town, data: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    unknown = set(data) - set(CONTENT_FIELDS) - {"parties", "village", "grid"}
    if unknown:
        raise CaseError(
            f"未知字段: {', '.join(sorted(unknown))}", {f: ["未知字段"] for f in unknown}
        )
    if "category" in data:
        if data["category"] not in Category.values:
            errors.setdefault("category", []).append("请选择事件类别")
        else:
            clean["category"] = data["category"]
    for field, limit in TEXT_LIMITS.items():
        if field in data:
            value = data[field] if data[field] is not None else ""
            if not isinstance(value, str):
                errors.setdefault(field, []).append("应为文字")
            elif len(value) > limit:
                errors.setdefault(field, []).append(f"过长(最多{limit}字)")
            elif (position := text.first_invalid(value)) is not None:
                message = text.invalid_message(TEXT_LABELS[field], position)
                errors.setdefault(field, []).append(message)
            else:
                clean[field] = value.strip()
    if "major" in data:
        clean["major"] = bool(data["major"])
    if "occurred_at" in data:
        value = data["occurred_at"]
        if value is not None and not isinstance(value, datetime):
            errors.setdefault("occurred_at", []).append("发生时间格式不正确")
        elif value is not None and value.tzinfo is None:
            errors.setdefault("occurred_at", []).append("发生时间缺少时区")
        elif value is not None and value > clock.now():
            errors.setdefault("occurred_at", []).append("发生时间不能晚于现在")
        else:
            clean["occurred_at"] = value
    for field, bound in (("latitude", 90), ("longitude", 180)):
        if field in data:
            value = data[field]
            if value is None or value == "":
                clean[field] = None
                continue
            try:
                from decimal import Decimal

                number = Decimal(str(value)).quantize(Decimal("0.000001"))
                if abs(number) > bound:
                    raise ValueError
                clean[field] = number
            except (ArithmeticError, ValueError):
                errors.setdefault(field, []).append(f"应为 -{bound} 到 {bound} 之间的数字")
    if "parties" in data:
        parties = []
        for party in data["parties"] or []:
            if not isinstance(party, Mapping):
                errors.setdefault("parties", []).append("当事人格式不正确")
                continue
            name = str(party.get("name") or "").strip()[:50]
            phone = phones.normalize_phone(str(party.get("phone") or ""))
            if (position := text.first_invalid(name)) is not None:
                message = text.invalid_message("当事人姓名", position)
                errors.setdefault("parties", []).append(message)
                continue
            if name or phone:
                parties.append({"name": name, "phone": phone})
        for field, message in elements.party_errors(parties):
            errors.setdefault(field, []).append(message)
        clean["parties"] = parties
    if "village" in data:
        village = data["village"]
        if not isinstance(village, Village) or village.town_id != town.id:
            errors.setdefault("village", []).append("行政村不属于本镇")
        else:
            clean["village"] = village
    if "grid" in data and data["grid"] is not None:
        grid = data["grid"]
        village = clean.get("village")
        if not isinstance(grid, Grid) or grid.village.town_id != town.id:
            errors.setdefault("grid", []).append("网格不属于本镇")
        elif village and grid.village_id != village.id:
            errors.setdefault("grid", []).append("网格不属于所选行政村")
        else:
            clean["grid"] = grid
            # A grid names its village: the officer's scope is then checked against it.
            clean.setdefault("village", grid.village)
    if errors:
        first = next(iter(errors.items()))
        raise CaseError(f"{first[0]}: {first[1][0]}", errors)
    return clean


def _officer_village(by: User, town: Town, village: Village | None) -> tuple[Village, Grid | None]:
    officer_roles = [
        r for r in roles_in_force(by) if r.kind == Role.Kind.OFFICER and r.town_id == town.id
    ]
    if not officer_roles:
        raise ActionNotAllowed("只有本镇的网格专管员可以录入事件")
    for role in officer_roles:
        if village is None or role.village_id == village.id:
            return role.village, role.grid
    raise ActionNotAllowed("您不是该行政村的网格专管员")


def _save_parties(case: Case, parties: list[dict[str, str]]) -> None:
    case.parties.all().delete()
    Party.objects.bulk_create(
        Party(case=case, name=p["name"], phone=p["phone"], position=i)
        for i, p in enumerate(parties)
    )


@transaction.atomic
def case_create_draft(*, town: Town, by: User, data: Mapping[str, Any], at=None) -> Case:
    """An officer starts a case. Drafts may be incomplete; what is given must be well-formed."""
    at = _now(at)
    clean = _clean_content(town, data)
    village, grid = _officer_village(by, town, clean.pop("village", None))
    grid = clean.pop("grid", grid)
    parties = clean.pop("parties", [])
    clean.setdefault("category", Category.OTHER)
    _check_major(clean["category"], clean.get("major", False))
    case = Case.objects.create(
        town=town,
        number=next_number(town, at),
        village=village,
        grid=grid,
        officer=by,
        state=State.DRAFT,
        level=Level.GRID,
        **clean,
    )
    _save_parties(case, parties)
    _record(case, action="create", by=by, at=at)
    return case


def _check_major(category: str, major: bool) -> None:
    if major and category not in MAJOR_CATEGORIES:
        raise CaseError(
            "只有矛盾纠纷和治安安全隐患可以标记为重大",
            {"major": ["只有矛盾纠纷和治安安全隐患可以标记为重大"]},
        )


@transaction.atomic
def case_update_draft(*, case: Case, by: User, data: Mapping[str, Any], at=None) -> Case:
    at = _now(at)
    require_action("edit", case, by)
    clean = _clean_content(case.town, data)
    clean.pop("village", None)
    parties = clean.pop("parties", None)
    _check_major(clean.get("category", case.category), clean.get("major", case.major))
    _swap(case, clean)
    if parties is not None:
        _save_parties(case, parties)
    _record(case, action="edit", by=by, at=at, data={"fields": sorted(data)})
    return case


# ---------------------------------------------------------------- the flow


@transaction.atomic
def case_submit(*, case: Case, by: User, at=None) -> Case:
    """Hand the case in: every required element is checked, and the acceptance clock starts."""
    at = _now(at)
    require_action("submit", case, by)
    missing = elements.missing_at_submit(_values(case))
    if missing:
        raise CaseError.from_pairs("不能提交,缺少以下要素:", missing)
    tc = town_clock(case.town, at)
    _transition(
        case,
        action="submit",
        by=by,
        at=at,
        changes={"submitted_at": at, **tc.at_submit(at), "missing_elements": []},
    )
    return case


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
        return {"level_accepted_at": at, "handle_due": case.local_due}
    return {"level_accepted_at": at, "handle_due": tc.handle_due(case.level, at, case.accept_due)}


@transaction.atomic
def case_accept(*, case: Case, by: User, at=None, note: str = "") -> Case:
    at = _now(at)
    require_action("accept", case, by)
    tc = town_clock(case.town, at)
    late = case.accept_due is not None and tc.local(at) > case.accept_due
    _transition(
        case,
        action="accept",
        by=by,
        at=at,
        changes=_accept_changes(case, tc, at),
        note=note,
        data={"late": late},
    )
    return case


CLOSE_FIELDS = ("result", "mediator", "mediation_result", "agreement_form", "agreement_terms")


def _clean_close(data: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    unknown = set(data) - set(CLOSE_FIELDS)
    if unknown:
        raise CaseError(
            f"未知字段: {', '.join(sorted(unknown))}", {f: ["未知字段"] for f in unknown}
        )
    for field in ("result", "mediator"):
        if field in data:
            value = str(data[field] or "").strip()
            if len(value) > (10000 if field == "result" else 100):
                errors.setdefault(field, []).append("过长")
            clean[field] = value
    if "mediation_result" in data:
        if data["mediation_result"] not in ("", None, "agreed", "not_agreed"):
            errors.setdefault("mediation_result", []).append("调解结果应为“达成协议”或“未达成协议”")
        clean["mediation_result"] = data["mediation_result"] or ""
    if "agreement_form" in data:
        if data["agreement_form"] not in ("", None, "written", "oral"):
            errors.setdefault("agreement_form", []).append("协议方式应为“书面”或“口头”")
        clean["agreement_form"] = data["agreement_form"] or ""
    if "agreement_terms" in data:
        terms = data["agreement_terms"] or []
        if isinstance(terms, str):
            terms = terms.splitlines()
        clean["agreement_terms"] = [str(t).strip() for t in terms if str(t).strip()]
    if errors:
        raise CaseError("结案信息有误", errors)
    return clean


@transaction.atomic
def case_close(*, case: Case, by: User, data: Mapping[str, Any], at=None) -> Case:
    """Record the final result. A dispute closed locally needs its mediation record."""
    at = _now(at)
    require_action("close", case, by)
    clean = _clean_close(data)
    values = _values(case) | clean
    missing = elements.missing_at_close(values, case.level)
    if missing:
        raise CaseError.from_pairs("不能结案,缺少以下要素:", missing)
    tc = town_clock(case.town, at)
    changes = clean | {"closed_at": at, "closed_level": case.level}
    if case.level in (Level.GRID, Level.VILLAGE):
        changes |= {"local_outcome": LocalOutcome.CLOSED, "local_outcome_at": at}
    if case.category == Category.DISPUTE:
        changes["follow_up_due"] = tc.follow_up_due(at)
    _transition(case, action="close", by=by, at=at, changes=changes, note=clean.get("result", ""))
    return case


@transaction.atomic
def case_escalate(*, case: Case, by: User, note: str = "", at=None) -> Case:
    """Hand the case to the next level up (上报): grid → village station → town center."""
    at = _now(at)
    rule = require_action("escalate", case, by)
    note = _require_reason(note, "note", "上报理由")
    tc = town_clock(case.town, at)
    to_level = rule.to_level
    changes: dict[str, Any] = {
        "accept_due": tc.accept_due(to_level, at),
        "level_accepted_at": None,
        "handle_due": case.local_due if to_level == Level.VILLAGE else None,
    }
    if to_level == Level.TOWN:
        changes |= {
            "escalated_at": at,
            "local_outcome": LocalOutcome.ESCALATED,
            "local_outcome_at": at,
        }
    _transition(case, action="escalate", by=by, at=at, changes=changes, note=note)
    return case


@transaction.atomic
def case_dispatch(*, case: Case, by: User, department: Unit, note: str = "", at=None) -> Case:
    at = _now(at)
    require_action("dispatch", case, by)
    if department.town_id != case.town_id or department.kind != Unit.Kind.DEPARTMENT:
        raise CaseError("请选择本镇的部门", {"department": ["请选择本镇的部门"]})
    tc = town_clock(case.town, at)
    _transition(
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
    at = _now(at)
    require_action("report", case, by)
    result = _require_reason(result, "result", "处理结果")
    tc = town_clock(case.town, at)
    # The department's own deadline is overwritten below; the entry keeps it, so that the
    # department's on-time rate can be counted from the timeline (web.dashboard_selectors).
    due = case.handle_due
    data = {"due": due.isoformat(), "late": tc.local(at) > due} if due is not None else {}
    # The center gets its acceptance period to record the result and close.
    _transition(
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
    at = _now(at)
    rule = require_action("return", case, by)
    reason = _require_reason(reason)
    tc = town_clock(case.town, at)
    to_level = rule.to_level
    changes: dict[str, Any] = {"accept_due": None, "level_accepted_at": at}
    if to_level == Level.VILLAGE:
        # The returned escalation earns nothing; the village has a new period from today.
        local_due = tc.fresh_handle_due(Level.VILLAGE, at)
        changes |= {
            "local_due": local_due,
            "handle_due": local_due,
            "local_outcome": LocalOutcome.NONE,
            "local_outcome_at": None,
            "escalated_at": None,
        }
    elif to_level == Level.GRID:
        changes["handle_due"] = case.local_due
    else:  # department → town center
        changes["handle_due"] = tc.fresh_handle_due(Level.TOWN, at)
    _transition(case, action="return", by=by, at=at, changes=changes, note=reason)
    return case


@transaction.atomic
def case_void(*, case: Case, by: User, reason: str, at=None) -> Case:
    at = _now(at)
    require_action("void", case, by)
    reason = _require_reason(reason)
    _transition(
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
    at = _now(at)
    require_action("urge", case, by)
    note = _require_reason(note, "note", "督办意见")
    return _record(case, action="urge", by=by, at=at, note=note, data={"level": case.level})


@transaction.atomic
def case_request_extension(
    *, case: Case, by: User, working_days: int, reason: str, at=None
) -> ExtensionRequest:
    at = _now(at)
    require_action("request_extension", case, by)
    reason = _require_reason(reason)
    if not isinstance(working_days, int) or not 1 <= working_days <= 30:
        raise CaseError(
            "延期天数应为 1 到 30 个工作日", {"working_days": ["应为 1 到 30 个工作日"]}
        )
    if case.extensions.filter(status=ExtensionRequest.Status.PENDING).exists():
        raise CaseError("该事件已有待审批的延期申请", {"working_days": ["已有待审批的延期申请"]})
    request = ExtensionRequest.objects.create(
        case=case,
        level=case.level,
        working_days=working_days,
        reason=reason,
        requested_by=by,
        requested_at=at,
    )
    _record(
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
    at = _now(at)
    case = request.case
    if case.level != request.level:
        raise ActionNotAllowed("事件已不在申请延期的层级,此申请不能再审批")
    require_action("decide_extension", case, by, level=request.level)
    status = ExtensionRequest.Status.APPROVED if approve else ExtensionRequest.Status.REJECTED
    updated = ExtensionRequest.objects.filter(
        pk=request.pk, status=ExtensionRequest.Status.PENDING
    ).update(status=status, decided_by=by, decided_at=at, decision_note=note[:2000])
    if updated != 1:
        raise Conflict("该延期申请已被他人审批")
    request.refresh_from_db()
    data = {"approved": approve, "working_days": request.working_days, "request": request.pk}
    if approve and case.handle_due is not None:
        tc = town_clock(case.town, at)
        new_due = tc.extend(case.handle_due, request.working_days)
        _swap(case, {"handle_due": new_due})
        data["handle_due"] = new_due.isoformat()
    _record(case, action="decide_extension", by=by, at=at, note=note, data=data)
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
    at = _now(at)
    require_action("follow_up", case, by)
    errors = {}
    if method not in FollowUp.Method.values:
        errors["method"] = ["请选择回访方式(电话/上门)"]
    if visited_on is None or visited_on > clock.local_date(at, case.town.timezone):
        errors["visited_on"] = ["回访日期不能为空或晚于今天"]
    if errors:
        raise CaseError("回访信息有误", errors)
    follow_up = FollowUp.objects.create(
        case=case, visited_on=visited_on, by=by, method=method, satisfied=satisfied, note=note
    )
    _record(
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
    at = _now(at)
    require_action("review", case, by)
    if quality not in (Quality.CONFORMING, Quality.NONCONFORMING):
        raise CaseError("请选择合格或不合格", {"quality": ["请选择合格或不合格"]})
    if quality == Quality.NONCONFORMING:
        note = _require_reason(note, "quality_note", "不合格原因")
    changes: dict[str, Any] = {"quality": quality, "quality_note": note[:300]}
    if major is not None:
        _check_major(case.category, major)
        changes["major"] = major
    data = {"quality": quality, "major": major, "was_major": case.major}
    _swap(case, changes)
    _record(case, action="review", by=by, at=at, note=note, data=data)
    return case


@transaction.atomic
def case_handle_on_spot(*, case: Case, by: User, data: Mapping[str, Any], at=None) -> Case:
    """An officer who settled the matter on the spot submits, accepts and closes at once."""
    at = _now(at)
    case_submit(case=case, by=by, at=at)
    case_accept(case=case, by=by, at=at)
    return case_close(case=case, by=by, data=data, at=at)


ATTACHMENT_TYPES = {
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".webp": ("image/webp", (b"RIFF",)),
    ".pdf": ("application/pdf", (b"%PDF",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK",)),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    ".xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
}


@transaction.atomic
def case_attach(*, case: Case, by: User, upload, at=None):
    """Attach a photo or file. The type is judged by its first bytes, not only its name."""
    from pathlib import PurePath

    from .models import Attachment

    at = _now(at)
    require_action("attach", case, by)
    name = PurePath(upload.name or "").name[:200]
    suffix = PurePath(name).suffix.lower()
    limit = settings.GRIDCASE_ATTACHMENT_MAX_BYTES
    if suffix not in ATTACHMENT_TYPES:
        allowed = "、".join(sorted(s.lstrip(".") for s in ATTACHMENT_TYPES))
        raise CaseError(
            f"不支持的文件类型“{suffix or name}”,可上传: {allowed}", {"file": ["文件类型不支持"]}
        )
    if upload.size > limit:
        raise CaseError(
            f"文件“{name}”过大({upload.size // 1024} KB),上限 {limit // 1024 // 1024} MB",
            {"file": ["文件过大"]},
        )
    content_type, magics = ATTACHMENT_TYPES[suffix]
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(m) for m in magics):
        raise CaseError(f"文件“{name}”的内容与其类型不符", {"file": ["文件内容与类型不符"]})
    attachment = Attachment(
        case=case, original_name=name, content_type=content_type, size=upload.size, uploaded_by=by
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    _record(case, action="attach", by=by, at=at, note=name, data={"attachment": attachment.pk})
    return attachment
