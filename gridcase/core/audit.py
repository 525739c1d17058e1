"""The audit trail of privileged changes: `record()` is the one way in.

Every service that changes people, roles, passwords, calendar overrides, policies, channels,
tokens or a quarter's state calls `record(...)` inside its own transaction, so the audit row
and the change commit or roll back together (a refused change writes none). Rows are
append-only (database triggers) and hash-chained (`gridcase.core.chain`).

Secrets never enter the trail: a password, its hash, a channel's secret or a token's key are
written as "changed" (`CHANGED`), never as a value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from . import chain, clock
from .models import AuditEntry

# What the trail stores for a secret that was set or changed, and for one that is set (a
# channel's): stored as written, in Chinese (they are in the hash chain); the audit page shows
# them in its reader's language, as these are their catalogue's message ids.
CHANGED = gettext_noop("(已更改)")
SECRET_SET = gettext_noop("(已设置)")
MARKERS = frozenset({CHANGED, SECRET_SET})
SECRET_FIELDS = frozenset({"password", "secret", "key_hash", "key"})

# action code -> label. Codes are stable (they are in the hash chain); labels may change.
ACTIONS: dict[str, Any] = {
    "person.create": _("新增人员"),
    "person.update": _("修改人员信息"),
    "person.password": _("设置密码"),
    "person.deactivate": _("停用人员"),
    "person.activate": _("启用人员"),
    "role.grant": _("授予角色"),
    "role.revoke": _("撤销角色"),
    "role.remove": _("删除未生效的角色"),
    "calendar.add": _("新增日历调整"),
    "calendar.delete": _("删除日历调整"),
    "boundary.set": _("设置边界"),
    "policy.upload": _("上传考核策略"),
    "channel.create": _("新增通知渠道"),
    "channel.update": _("修改通知渠道"),
    "channel.delete": _("删除通知渠道"),
    "token.create": _("创建接口令牌"),
    "token.revoke": _("撤销接口令牌"),
    "quarter.finalise": _("季度考核定稿"),
    "quarter.approve": _("季度考核审批"),
    "quarter.reopen": _("季度考核退回"),
    "quarter.adjust": _("考核调整"),
    "ledger.import": _("导入台账"),
    "duplicate.confirm": _("确认重复事件"),
    "duplicate.dismiss": _("排除疑似重复"),
    "admin.add": _("后台新增"),
    "admin.change": _("后台修改"),
    "admin.delete": _("后台删除"),
}


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))


def _native(value: Any) -> Any:
    """JSON-native values (dates and decimals as text), as the database will return them."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of a row (foreign keys as ids), secrets replaced by `CHANGED`."""
    values = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        values[name] = CHANGED if name in SECRET_FIELDS else getattr(obj, attname)
    return values


def actor_label(user) -> str:
    if user is None:
        return "命令行 (command line)"
    return getattr(user, "display_name", "") or user.get_username()


def entry(
    *,
    town,
    by,
    action: str,
    obj: models.Model | tuple[str, Any, str],
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """The values of one audit row (see `record`)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: add it to ACTIONS")
    if isinstance(obj, models.Model):
        object_type, object_id, object_label = obj._meta.label_lower, obj.pk, str(obj)
    else:
        object_type, object_id, object_label = obj
    return {
        "town_id": getattr(town, "pk", town),
        "actor_id": by.pk if by is not None else None,
        "actor_label": actor_label(by)[:150],
        "at": at or clock.now(),
        "action": action,
        "object_type": object_type,
        "object_id": "" if object_id is None else str(object_id),
        "object_label": (object_label or "")[:200],
        "before": _native(before),
        "after": _native(after),
    }


def record(
    *,
    town,
    by,
    action: str,
    obj: models.Model | tuple[str, Any, str],
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    at: datetime | None = None,
):
    """Append one audit row, in the caller's transaction. `obj` is the changed row (call
    before deleting it), or (type, id, label) for something that is not one; `town` a Town,
    its id or None; `by` is None for the command line."""
    values = entry(town=town, by=by, action=action, obj=obj, before=before, after=after, at=at)
    return chain.append(AuditEntry, values)


def record_many(entries: list[dict[str, Any]]) -> None:
    """Append several rows made by `entry()` at once (a bulk change): O(1) queries."""
    if entries:
        chain.append_many(AuditEntry, entries)


# ---------------------------------------------------------------- reading


def entries(*, town_id: int, action: str | None = None, actor_id: int | None = None):
    """A town's audit rows, newest first, with their actor (for the administrator's log)."""
    rows = AuditEntry.objects.filter(town_id=town_id).select_related("actor")
    if action:
        rows = rows.filter(action=action)
    if actor_id:
        rows = rows.filter(actor_id=actor_id)
    return rows.order_by("-seq")


def actors(*, town_id: int) -> list[tuple[int, str]]:
    """The people who appear as actors in the town's log: (id, name), for the filter."""
    found = (
        AuditEntry.objects.filter(town_id=town_id, actor__isnull=False)
        .values_list("actor_id", "actor__display_name", "actor__username")
        .distinct()
        .order_by("actor__display_name", "actor__username")
    )
    return [(pk, name or username) for pk, name, username in found]
