"""A town's policy versions: the one in force in a month, the list, the check of a file, and
the upload of a new version (never reaching back into a finalised quarter).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _t

from gridcase.cases.errors import CaseError
from gridcase.core import audit, clock, compiled
from gridcase.core.policy import Policy, PolicyError, parse_policy
from gridcase.org.models import PolicyVersion, Role, Town, User
from gridcase.org.policies import history_query, policy_for, policy_history

from .common import assessment_event, at_or_now, check_month, last_day, require_role
from .models import QuarterAssessment


def policy_in_force(town: Town, month: str) -> Policy:
    """The version in force on the month's first day (the default policy if none)."""
    return policy_for(town, clock.parse_month(check_month(month)))


def policies_in_force(town: Town, months: list[str]) -> dict[str, Policy]:
    """``policy_in_force`` for several months in one query."""
    history = policy_history(town, until=in_force_until(months))
    return {month: history.on(clock.parse_month(month)) for month in months}


def in_force_query(town: Town, months: list[str]) -> compiled.Query:
    """The query ``policies_in_force`` asks (for ``compiled.together``)."""
    return history_query(town, until=in_force_until(months))


def in_force_until(months: list[str]) -> date:
    """The last day whose versions ``policies_in_force`` reads: the last month's first."""
    return max(clock.parse_month(m) for m in months)


def policy_versions(town: Town):
    return PolicyVersion.objects.filter(town=town).select_related("uploaded_by")


def policy_check(source: str) -> Policy:
    """Parse and validate a policy file's text; a bad one is a CaseError naming the key."""
    try:
        return parse_policy(source)
    except PolicyError as exc:
        # The parser words each error in both languages (its CLI shows both).
        if get_language() == "en" and exc.en:
            detail = f"{exc.key} {exc.en}".strip()
            message = _t("策略文件错误: %(e)s") % {"e": detail}
            raise CaseError(message, {exc.key or "source": [exc.en]}) from exc
        raise CaseError(str(exc), {exc.key or "source": [exc.zh]}) from exc


@transaction.atomic
def policy_upload(
    *, town: Town, source: str, by: User | None = None, at: datetime | None = None
) -> PolicyVersion:
    """A new version of the town's policy, in force from the file's ``effective_from``.

    ``by`` is the administrator or governance-office user (None: the operator at the command
    line). A version may not reach back into a quarter that is already finalised.
    """
    at = at_or_now(at)
    if by is not None:
        require_role(
            by,
            town,
            {Role.Kind.ADMINISTRATOR, Role.Kind.GOVERNANCE_OFFICE},
            _t("只有本镇管理员或政法综治办可以上传考核策略"),
            clock.local_date(at, town.timezone),
        )
    policy = policy_check(source)
    if policy.timezone != town.timezone:
        raise CaseError(
            _t("策略文件错误: policy.timezone 为 %(tz)s, 与%(town)s的时区 %(town_tz)s 不一致")
            % {"tz": policy.timezone, "town": town.name, "town_tz": town.timezone},
            {"policy.timezone": [_t("应为 %(tz)s") % {"tz": town.timezone}]},
        )
    existing = PolicyVersion.objects.filter(town=town, effective_from=policy.effective_from).first()
    if existing is not None:
        raise CaseError(
            _t(
                "策略文件错误: policy.effective_from %(day)s 已有版本 %(code)s; "
                "新版本请使用新的生效日期"
            )
            % {"day": policy.effective_from, "code": existing.code},
            {"policy.effective_from": [_t("该日期已有版本")]},
        )
    # The first month the version governs is the first one starting on or after that day.
    eff = policy.effective_from
    first_month = eff if eff.day == 1 else last_day(clock.month_of(eff)) + timedelta(days=1)
    frozen = (
        QuarterAssessment.objects.filter(town=town, quarter__gte=clock.quarter_of(first_month))
        .exclude(status=QuarterAssessment.Status.DRAFT)
        .order_by("quarter")
        .values_list("quarter", flat=True)
        .first()
    )
    if frozen:
        raise CaseError(
            _t(
                "策略文件错误: policy.effective_from %(day)s 会改变已定稿的 %(q)s 考核; "
                "请使用之后的生效日期"
            )
            % {"day": eff, "q": frozen},
            {"policy.effective_from": [_t("%(q)s 已定稿") % {"q": frozen}]},
        )
    version = PolicyVersion.objects.create(
        town=town,
        code=policy.code,
        name=policy.name,
        effective_from=policy.effective_from,
        source=source,
        uploaded_by=by,
    )
    assessment_event(
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
