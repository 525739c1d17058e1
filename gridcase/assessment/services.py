"""Every read and write of the assessment that touches the database.

- Policy versions: ``policy_upload``, ``policy_in_force``, ``policy_versions``.
- The result: ``assess_period`` (one town), ``assess_county`` (town by town), from live facts
  or, for a finalised quarter, from its frozen snapshot.
- The quarter's life (finalise, approve, appeals, adjustments) is in ``quarter.py``.

Writes are keyword-only, one transaction each, with an audit row in the same transaction.
Errors are the case system's (``CaseError``, ``ActionNotAllowed``,
``Conflict``) so that pages, the API and the CLI show them the same way, in Chinese.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from django.db import transaction

from gridcase.assessment import rules
from gridcase.assessment.policy import Policy, PolicyError, default_policy, parse_policy
from gridcase.cases.errors import ActionNotAllowed, CaseError
from gridcase.core import audit, clock, periods
from gridcase.org.models import PolicyVersion, Role, Town, User
from gridcase.org.policies import policy_for
from gridcase.org.selectors import officers_of_town, roles_in_force

from . import facts as facts_mod
from .models import Adjustment, AssessmentEvent, QuarterAssessment
from .results import AdjustmentLine, OfficerResult, PeriodResult, PolicyRef

STATUS_WORDS = {
    "draft": "暂定",
    "finalised": "已定稿",
    "approved": "已审批",
}


# ---------------------------------------------------------------- small helpers


def _now(at: datetime | None) -> datetime:
    return at or clock.now()


def check_month(month: str) -> str:
    if not periods.is_month(month):
        raise CaseError(
            f"月份格式应为 YYYY-MM, 如 2026-10: “{month}”", {"month": ["格式应为 YYYY-MM"]}
        )
    return month


def check_quarter(quarter: str) -> str:
    text = (quarter or "").strip().upper() if isinstance(quarter, str) else ""
    if not periods.is_quarter(text):
        raise CaseError(
            f"季度格式应为 YYYY-Qn, 如 2026-Q4: “{quarter}”", {"quarter": ["格式应为 YYYY-Qn"]}
        )
    return text


def quarter_of_month(month: str) -> str:
    return clock.quarter_of(clock.parse_month(month))


def next_quarter(quarter: str) -> str:
    year, n = int(quarter[:4]), int(quarter[-1])
    return f"{year + 1}-Q1" if n == 4 else f"{year}-Q{n + 1}"


def _last_day(month: str) -> date:
    first = clock.parse_month(month)
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def _period_name(months: list[str]) -> str:
    if len(months) == 1:
        return months[0]
    quarter = quarter_of_month(months[0])
    if months == clock.quarter_months(quarter):
        return quarter
    return f"{months[0]}..{months[-1]}"


def _check_months(months: Iterable[str]) -> list[str]:
    months = [check_month(m) for m in months]
    if not months:
        raise CaseError("请指定考核月份", {"months": ["请指定考核月份"]})
    for earlier, later in zip(months, months[1:], strict=False):
        first = clock.parse_month(earlier)
        expected = clock.month_of(date(first.year + (first.month == 12), first.month % 12 + 1, 1))
        if later != expected:
            raise CaseError("考核月份应连续且按顺序排列", {"months": ["月份应连续"]})
    return months


def _name(user: User) -> str:
    return user.display_name or user.username


def _has_role(user: User, town: Town, kinds: set[str], on: date) -> bool:
    return any(r.town_id == town.id and r.kind in kinds for r in roles_in_force(user, on))


def _require_role(user: User | None, town: Town, kinds: set[str], message: str, on: date):
    if user is None or not _has_role(user, town, kinds, on):
        raise ActionNotAllowed(message)


def _require_text(value: str, field: str, label: str, limit: int = 2000) -> str:
    text = (value or "").strip()
    if not text:
        raise CaseError(f"请填写{label}", {field: [f"请填写{label}"]})
    if len(text) > limit:
        raise CaseError(f"{label}过长(最多{limit}字)", {field: [f"过长(最多{limit}字)"]})
    return text


def _event(town: Town, quarter: str, at: datetime, by: User | None, action: str, **kw):
    return AssessmentEvent.objects.create(
        town=town, quarter=quarter, at=at, actor=by, action=action, **kw
    )


# ---------------------------------------------------------------- policy versions


def policy_in_force(town: Town, month: str) -> Policy:
    """The version in force on the month's first day (the default policy if none)."""
    return policy_for(town, clock.parse_month(check_month(month)))


@lru_cache(maxsize=256)
def _parsed(version_id: int | None, source: str) -> Policy:
    # Versions are immutable rows (a change is a new version), so parse each once.
    return default_policy() if version_id is None else parse_policy(source)


def policies_in_force(town: Town, months: list[str]) -> dict[str, Policy]:
    """``policy_in_force`` for several months in one query."""
    firsts = {m: clock.parse_month(m) for m in months}
    versions = list(
        PolicyVersion.objects.filter(town=town, effective_from__lte=max(firsts.values()))
        .order_by("-effective_from")
        .values_list("id", "effective_from", "source")
    )
    found = {}
    for month, first in firsts.items():
        version = next((v for v in versions if v[1] <= first), None)
        found[month] = _parsed(version[0], version[2]) if version else _parsed(None, "")
    return found


def policy_versions(town: Town):
    return PolicyVersion.objects.filter(town=town).select_related("uploaded_by")


def policy_check(source: str) -> Policy:
    """Parse and validate a policy file's text; a bad one is a CaseError naming the key."""
    try:
        return parse_policy(source)
    except PolicyError as exc:
        raise CaseError(str(exc), {exc.key or "source": [exc.zh]}) from exc


@transaction.atomic
def policy_upload(
    *, town: Town, source: str, by: User | None = None, at: datetime | None = None
) -> PolicyVersion:
    """A new version of the town's policy, in force from the file's ``effective_from``.

    ``by`` is the administrator or governance-office user (None: the operator at the command
    line). A version may not reach back into a quarter that is already finalised.
    """
    at = _now(at)
    if by is not None:
        _require_role(
            by,
            town,
            {Role.Kind.ADMINISTRATOR, Role.Kind.GOVERNANCE_OFFICE},
            "只有本镇管理员或政法综治办可以上传考核策略",
            clock.local_date(at, town.timezone),
        )
    policy = policy_check(source)
    if policy.timezone != town.timezone:
        raise CaseError(
            f"策略文件错误: policy.timezone 为 {policy.timezone}, 与{town.name}的时区 "
            f"{town.timezone} 不一致",
            {"policy.timezone": [f"应为 {town.timezone}"]},
        )
    existing = PolicyVersion.objects.filter(town=town, effective_from=policy.effective_from).first()
    if existing is not None:
        raise CaseError(
            f"策略文件错误: policy.effective_from {policy.effective_from} 已有版本 "
            f"{existing.code}; 新版本请使用新的生效日期",
            {"policy.effective_from": ["该日期已有版本"]},
        )
    # The first month the version governs is the first one starting on or after that day.
    eff = policy.effective_from
    first_month = eff if eff.day == 1 else _last_day(clock.month_of(eff)) + timedelta(days=1)
    frozen = (
        QuarterAssessment.objects.filter(town=town, quarter__gte=clock.quarter_of(first_month))
        .exclude(status=QuarterAssessment.Status.DRAFT)
        .order_by("quarter")
        .values_list("quarter", flat=True)
        .first()
    )
    if frozen:
        raise CaseError(
            f"策略文件错误: policy.effective_from {eff} 会改变已定稿的 {frozen} 考核; "
            "请使用之后的生效日期",
            {"policy.effective_from": [f"{frozen} 已定稿"]},
        )
    version = PolicyVersion.objects.create(
        town=town,
        code=policy.code,
        name=policy.name,
        effective_from=policy.effective_from,
        source=source,
        uploaded_by=by,
    )
    _event(
        town,
        "",
        at,
        by,
        "policy_upload",
        note=f"{policy.code} {policy.name}",
        data={"version": version.pk, "effective_from": eff.isoformat()},
    )
    after = {
        "code": version.code,
        "name": version.name,
        "effective_from": version.effective_from,
        # The file itself is the version's row; the trail pins its exact text by hash.
        "source_sha256": hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest(),
    }
    audit.record(
        town=town, by=by, action="policy.upload", obj=version, before=None, after=after, at=at
    )
    return version


# ---------------------------------------------------------------- the result


@dataclass(frozen=True)
class _Officer:
    user_id: int
    username: str
    name: str
    villages: tuple[str, ...]
    # (active_from, active_until) of each officer role in the town
    spans: tuple[tuple[date | None, date | None], ...]

    def active_in(self, month: str) -> bool:
        first, last = clock.parse_month(month), _last_day(month)
        return any(
            (start is None or start <= last) and (end is None or end >= first)
            for start, end in self.spans
        )


def _officers(town: Town, first: date, last: date, with_cases: set[int]) -> list[_Officer]:
    """The officers active in [first, last] (in the usual order: village, user), then those
    who have cases or adjustments in the period but are no longer active."""
    found: dict[int, dict] = {}

    def take(role: Role) -> None:
        entry = found.setdefault(
            role.user_id,
            {"user": role.user, "villages": [], "spans": []},
        )
        if role.village and role.village.name not in entry["villages"]:
            entry["villages"].append(role.village.name)
        entry["spans"].append((role.active_from, role.active_until))

    for role in officers_of_town(town.id, first, last):
        take(role)
    active_ids = set(found)
    missing = with_cases - active_ids
    if missing:
        # Officers who left (or whose account was closed) keep their month's pay: they appear
        # in the months where they have cases, with the village of one of their roles.
        roles = (
            Role.objects.filter(town_id=town.id, kind=Role.Kind.OFFICER, user_id__in=missing)
            .select_related("user", "village")
            .order_by("village__name", "user__username")
        )
        for role in roles:
            entry = found.setdefault(role.user_id, {"user": role.user, "villages": [], "spans": []})
            if role.village and not entry["villages"]:
                entry["villages"].append(role.village.name)
        for user in User.objects.filter(pk__in=missing - set(found)).order_by("username"):
            found[user.pk] = {"user": user, "villages": [], "spans": []}
    result = []
    for user_id, entry in found.items():
        user = entry["user"]
        spans = tuple(entry["spans"]) if user_id in active_ids else ()
        result.append(
            _Officer(user_id, user.username, _name(user), tuple(entry["villages"]), spans)
        )
    return result


def _with_appeal_notes(month: rules.MonthResult, notes: dict) -> rules.MonthResult:
    if not notes:
        return month
    cases = []
    changed = False
    for case in month.cases:
        note = notes.get(case.case_no)
        if note is None:
            cases.append(case)
            continue
        changed = True
        reason = f"{case.reason}; {note.words()}" if case.reason else note.words()
        cases.append(replace(case, reason=reason))
    return replace(month, cases=tuple(cases)) if changed else month


def _adjustments(town: Town, quarter: str) -> dict[int, list[AdjustmentLine]]:
    lines: dict[int, list[AdjustmentLine]] = {}
    rows = (
        Adjustment.objects.filter(town=town, applies_to=quarter)
        .order_by("created_at", "id")
        .values_list("officer_id", "quarter", "amount", "reason")
    )
    for officer_id, corrected, amount, reason in rows:
        lines.setdefault(officer_id, []).append(
            AdjustmentLine(corrected, Decimal(amount).quantize(Decimal("0.01")), reason)
        )
    return lines


def _live(
    town: Town, months: list[str], policy: Policy | None, today: date, adjustments: bool
) -> PeriodResult:
    policies = {m: policy for m in months} if policy else policies_in_force(town, months)
    facts = facts_mod.town_facts(town, months)
    quarter = _period_name(months) if adjustments else ""
    extra = _adjustments(town, quarter) if adjustments else {}
    officers = _officers(
        town, clock.parse_month(months[0]), _last_day(months[-1]), facts.officers() | set(extra)
    )
    results = []
    for officer in officers:
        month_results = []
        for month in months:
            cases = facts.by_officer_month.get((officer.user_id, month))
            if cases is None and not officer.active_in(month):
                continue
            result = rules.assess_month(cases or [], policies[month], today=today, month=month)
            month_results.append(_with_appeal_notes(result, facts.appeals))
        lines = tuple(extra.get(officer.user_id, ()))
        if month_results or lines:
            results.append(
                OfficerResult(
                    officer_id=officer.user_id,
                    username=officer.username,
                    officer=officer.name,
                    village="、".join(officer.villages),
                    months=tuple(month_results),
                    adjustments=lines,
                )
            )
    # A month not yet over may still receive cases: its figures are provisional too.
    provisional = today <= _last_day(months[-1]) or any(
        m.provisional for o in results for m in o.months
    )
    last = policies[months[-1]]
    return PeriodResult(
        town_id=town.id,
        town=town.name,
        period=_period_name(months),
        months=tuple(months),
        policy=PolicyRef(last.code, last.name),
        month_policies={m: PolicyRef(p.code, p.name) for m, p in policies.items()},
        provisional=provisional,
        officers=tuple(results),
        what_if=policy is not None,
        as_of=today.isoformat(),
    )


def _merge(parts: list[PeriodResult], months: list[str], town: Town) -> PeriodResult:
    """Months from several sources (snapshots of finalised quarters, live figures) as one."""
    order: list[int] = []
    merged: dict[int, OfficerResult] = {}
    for part in parts:
        for o in part.officers:
            if o.officer_id not in merged:
                order.append(o.officer_id)
                merged[o.officer_id] = o
            else:
                merged[o.officer_id] = replace(
                    merged[o.officer_id], months=merged[o.officer_id].months + o.months
                )
    officers = tuple(
        replace(o, months=tuple(sorted(o.months, key=lambda m: m.month)))
        for o in (merged[i] for i in order)
    )
    policies = {}
    for part in parts:
        policies.update(part.month_policies)
    policies = {m: policies[m] for m in months}
    statuses = {p.status for p in parts}
    return PeriodResult(
        town_id=town.id,
        town=town.name,
        period=_period_name(months),
        months=tuple(months),
        policy=policies[months[-1]],
        month_policies=policies,
        provisional=any(p.provisional for p in parts),
        officers=officers,
        status=statuses.pop() if len(statuses) == 1 else "draft",
        as_of=max(p.as_of for p in parts),
    )


def assess_period(
    *,
    town: Town,
    months: list[str],
    policy: Policy | None = None,
    today: date | None = None,
    live: bool = False,
) -> PeriodResult:
    """Every officer's pay for the months (contiguous "YYYY-MM"), every case explained.

    Each month uses the policy version in force on its first day, unless ``policy`` is given
    (a what-if: nothing is stored). Months of a finalised quarter come from its snapshot unless
    ``policy`` or ``live`` is given. A full quarter also carries the adjustments of earlier
    quarters paid in it. ``today`` (the town's local date) decides what is late or pending.
    A handful of queries, however many cases and officers.
    """
    months = _check_months(months)
    today = today or clock.today(town.timezone)
    quarters = list(dict.fromkeys(quarter_of_month(m) for m in months))
    whole_quarter = len(quarters) == 1 and months == clock.quarter_months(quarters[0])
    frozen: dict[str, QuarterAssessment] = {}
    if policy is None and not live:
        frozen = {
            qa.quarter: qa
            for qa in QuarterAssessment.objects.filter(town=town, quarter__in=quarters).exclude(
                status=QuarterAssessment.Status.DRAFT
            )
        }
    if not frozen:
        return _live(town, months, policy, today, adjustments=whole_quarter)
    parts = []
    live_months = [m for m in months if quarter_of_month(m) not in frozen]
    for quarter, qa in frozen.items():
        snap = PeriodResult.from_snapshot(qa.snapshot, status=qa.status)
        wanted = [m for m in months if m in snap.months]
        parts.append(snap if whole_quarter else snap.restricted_to(wanted, period=quarter))
    if whole_quarter:
        return parts[0]
    if live_months:
        parts.append(_live(town, live_months, None, today, adjustments=False))
    return _merge(parts, months, town)


def assess_county(
    *, months: list[str], today: date | None = None, towns: Iterable[Town] | None = None
) -> Iterator[PeriodResult]:
    """Each town's result in turn, so that memory is bounded by the largest town."""
    for town in towns if towns is not None else Town.objects.order_by("name"):
        yield assess_period(town=town, months=months, today=today)
