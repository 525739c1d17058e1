"""Every write of a town's configuration that its administrator makes about people: the people,
their roles and the calendar overrides (the places, villages, grids and units, are
`places.py`; the scope checks both share are `checks.py`).

Like the case services: keyword-only arguments, one transaction each, and the scope checked
here (not only in the pages): `by` must administer the town (a superuser administers every
town), and every row named must belong to that town. A row outside it raises `NotInScope`,
which the pages answer with 404, as if the row did not exist. Bad input raises `ServiceError`
naming the field, in Chinese; nothing is half written.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _lazy

from gridcase.core import audit, clock, limits
from gridcase.core.errors import ServiceError
from gridcase.core.models import CalendarOverride
from gridcase.core.phones import is_valid_phone, normalize_phone

from .checks import NotInScope, clean_name, require_administrator, same_town, save_unique
from .models import Grid, Role, Town, Unit, User, Village

# What the audit trail keeps of a person and of a role (never the password: only that it
# was set).
PERSON_FIELDS = ("username", "display_name", "phone", "is_active", "town")
ROLE_FIELDS = ("user", "kind", "village", "grid", "unit", "active_from", "active_until")
CALENDAR_FIELDS = ("town", "day", "kind", "note")


# ---------------------------------------------------------------- people


def clean_phone(value: str) -> str:
    """The phone as stored (normalised), or ServiceError on `phone`; also run by the
    workbench's form, so that its refusal is listed with the form's other problems."""
    phone = normalize_phone(value or "")
    if phone and not is_valid_phone(phone):
        message = _t("手机号格式不正确(11 位手机号,或带区号的固定电话)")
        raise ServiceError(message, {"phone": [message]})
    return phone


PASSWORD_MIN = 8


def clean_password(password: str, user: User | None, field: str = "password") -> str:
    if not password:
        raise ServiceError(_t("请设置密码"), {field: [_t("请设置密码")]})
    # The deployment may configure AUTH_PASSWORD_VALIDATORS; a floor applies regardless.
    if len(password) < PASSWORD_MIN:
        message = _t("密码至少 %(n)s 位") % {"n": PASSWORD_MIN}
        raise ServiceError(message, {field: [message]})
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        messages = [str(m) for m in exc.messages]
        raise ServiceError(_t("密码不符合要求:") + ";".join(messages), {field: messages}) from None
    return password


def _person_town(person: User, town: Town) -> None:
    # The people of the town; superusers are managed at the command line and in the Django
    # admin, never from a town's pages.
    if person.town_id != town.pk or person.is_superuser:
        raise NotInScope(_t("不是本镇人员"))


def clean_username(username: str) -> str:
    """A new login name, stripped; ServiceError on `username` when it is empty, malformed or
    taken (also run by the workbench's form, with the form's other checks)."""
    username = (username or "").strip()
    message = ""
    if not username:
        message = _t("请填写登录名")
    elif len(username) > limits.USERNAME or not all(
        ch.isalnum() or ch in "@.+-_" for ch in username
    ):
        message = _t("登录名只能包含字母、数字和 @ . + - _,最多 %(n)s 个字符") % {
            "n": limits.USERNAME
        }
    elif User.objects.filter(username__iexact=username).exists():
        message = _t("登录名“%(name)s”已被使用") % {"name": username}
    if message:
        raise ServiceError(message, {"username": [message]})
    return username


@transaction.atomic
def person_create(
    *,
    by: User,
    town: Town,
    username: str,
    display_name: str,
    password: str,
    phone: str = "",
) -> User:
    """A person of the town with a login and an initial password (roles come next)."""
    require_administrator(by, town)
    username = clean_username(username)
    display_name = clean_name(display_name, _t("姓名"), "display_name", limits.PERSON_NAME)
    phone = clean_phone(phone)
    user = User(username=username, display_name=display_name, phone=phone, town=town)
    user.set_password(clean_password(password, user))
    taken = _t("登录名“%(name)s”已被使用") % {"name": username}
    save_unique(lambda: user.save(), taken, "username")
    after = audit.snapshot(user, (*PERSON_FIELDS, "password"))
    audit.record(town=town, by=by, action="person.create", obj=user, before=None, after=after)
    return user


@transaction.atomic
def person_update(*, by: User, town: Town, person: User, display_name: str, phone: str) -> User:
    require_administrator(by, town)
    _person_town(person, town)
    before = audit.snapshot(person, ("display_name", "phone"))
    person.display_name = clean_name(display_name, _t("姓名"), "display_name", limits.PERSON_NAME)
    person.phone = clean_phone(phone)
    person.save(update_fields=["display_name", "phone"])
    after = audit.snapshot(person, ("display_name", "phone"))
    audit.record(town=town, by=by, action="person.update", obj=person, before=before, after=after)
    return person


@transaction.atomic
def person_set_password(*, by: User, town: Town, person: User, password: str) -> User:
    require_administrator(by, town)
    _person_town(person, town)
    person.set_password(clean_password(password, person))
    person.save(update_fields=["password"])
    # Only that it changed: neither the password nor its hash enters the trail.
    audit.record(
        town=town,
        by=by,
        action="person.password",
        obj=person,
        before=None,
        after={"password": audit.CHANGED},
    )
    return person


@transaction.atomic
def person_set_active(*, by: User, town: Town, person: User, active: bool) -> User:
    """Deactivate (no login, no notifications, out of every list) or reactivate a person.
    Their cases and history stay."""
    require_administrator(by, town)
    _person_town(person, town)
    if not active and person.pk == by.pk:
        message = _t("不能停用自己的账号")
        raise ServiceError(message, {"__all__": [message]})
    before = {"is_active": person.is_active}
    person.is_active = bool(active)
    person.save(update_fields=["is_active"])
    audit.record(
        town=town,
        by=by,
        action="person.activate" if person.is_active else "person.deactivate",
        obj=person,
        before=before,
        after={"is_active": person.is_active},
    )
    return person


# ---------------------------------------------------------------- roles

# What each kind of role is scoped to (domain.md, People and roles).
SCOPE_HELP = {
    Role.Kind.OFFICER: _lazy("须选择行政村,可选网格"),
    Role.Kind.VILLAGE_STATION: _lazy("须选择行政村,可选该村的村站"),
    Role.Kind.TOWN_CENTER: _lazy("可选镇中心单位"),
    Role.Kind.DEPARTMENT: _lazy("须选择部门"),
    Role.Kind.GOVERNANCE_OFFICE: _lazy("可选综治办单位"),
    Role.Kind.LEADER: _lazy("全镇,无须选择范围"),
    Role.Kind.ADMINISTRATOR: _lazy("全镇,无须选择范围"),
}
# The scope fields each kind uses (the rest are dropped by `_role_scope`): the role form shows
# only these.
SCOPE_FIELDS: dict[str, tuple[str, ...]] = {
    Role.Kind.OFFICER: ("village", "grid"),
    Role.Kind.VILLAGE_STATION: ("village", "unit"),
    Role.Kind.TOWN_CENTER: ("unit",),
    Role.Kind.DEPARTMENT: ("unit",),
    Role.Kind.GOVERNANCE_OFFICE: ("unit",),
    Role.Kind.LEADER: (),
    Role.Kind.ADMINISTRATOR: (),
}
_UNIT_KIND = {
    Role.Kind.VILLAGE_STATION: Unit.Kind.VILLAGE_STATION,
    Role.Kind.TOWN_CENTER: Unit.Kind.TOWN_CENTER,
    Role.Kind.DEPARTMENT: Unit.Kind.DEPARTMENT,
    Role.Kind.GOVERNANCE_OFFICE: Unit.Kind.GOVERNANCE_OFFICE,
}


def role_scope(
    kind: str, village: Village | None, grid: Grid | None, unit: Unit | None
) -> tuple[Village | None, Grid | None, Unit | None]:
    """The scope the kind needs, checked; what the kind does not use is dropped."""
    errors: dict[str, list[str]] = {}
    if kind not in Role.Kind.values:
        raise ServiceError(_t("请选择角色"), {"kind": [_t("请选择角色")]})
    uses = SCOPE_FIELDS[kind]
    if "village" in uses:
        if grid is not None and village is None:
            village = grid.village
        if village is None:
            errors["village"] = [_t("该角色须选择行政村")]
        elif grid is not None and grid.village_id != village.pk:
            errors["grid"] = [
                _t("网格“%(grid)s”不属于%(village)s") % {"grid": grid, "village": village.name}
            ]
    else:
        village = None
    if "grid" not in uses:
        grid = None
    if "unit" in uses:
        if unit is None and kind == Role.Kind.DEPARTMENT:
            errors["unit"] = [_t("部门角色须选择部门")]
        elif unit is not None and unit.kind != _UNIT_KIND[kind]:
            errors["unit"] = [
                _t("“%(unit)s”不是%(kind)s")
                % {"unit": unit.name, "kind": Unit.Kind(_UNIT_KIND[kind]).label}
            ]
        elif (
            unit is not None
            and kind == Role.Kind.VILLAGE_STATION
            and village is not None
            and unit.village_id != village.pk
        ):
            errors["unit"] = [
                _t("“%(unit)s”不是%(village)s的村站") % {"unit": unit.name, "village": village.name}
            ]
    else:
        unit = None
    if errors:
        raise ServiceError(next(iter(errors.values()))[0], errors)
    return village, grid, unit


def role_dates(town: Town, active_from: date | None, active_until: date | None) -> None:
    """ServiceError on `active_until` when it is before the start or already past (in the
    town's today). Also run by the workbench's form, with its other checks."""
    if active_from and active_until and active_until < active_from:
        raise ServiceError(
            _t("截止日期不能早于起始日期"), {"active_until": [_t("不能早于起始日期")]}
        )
    today = clock.today(town.timezone)
    if active_until and active_until < today:
        raise ServiceError(
            _t("截止日期已过,该角色不会生效"), {"active_until": [_t("截止日期已过")]}
        )


@transaction.atomic
def role_assign(
    *,
    by: User,
    town: Town,
    person: User,
    kind: str,
    village: Village | None = None,
    grid: Grid | None = None,
    unit: Unit | None = None,
    active_from: date | None = None,
    active_until: date | None = None,
) -> Role:
    require_administrator(by, town)
    _person_town(person, town)
    same_town(town, village, grid, unit)
    village, grid, unit = role_scope(kind, village, grid, unit)
    role_dates(town, active_from, active_until)
    # The same role over an overlapping span would only confuse every list.
    same = Role.objects.filter(
        user=person, town=town, kind=kind, village=village, grid=grid, unit=unit
    )
    for other in same:
        starts_before_end = (
            active_until is None or other.active_from is None or (other.active_from <= active_until)
        )
        ends_after_start = (
            active_from is None or other.active_until is None or (other.active_until >= active_from)
        )
        if starts_before_end and ends_after_start:
            message = _t("该人员在这段时间已有相同的角色")
            raise ServiceError(message, {"kind": [message]})
    role = Role.objects.create(
        user=person,
        town=town,
        kind=kind,
        village=village,
        grid=grid,
        unit=unit,
        active_from=active_from,
        active_until=active_until,
    )
    after = audit.snapshot(role, ROLE_FIELDS)
    audit.record(town=town, by=by, action="role.grant", obj=role, before=None, after=after)
    return role


@transaction.atomic
def role_revoke(*, by: User, town: Town, role: Role) -> Role | None:
    """End a role from today: it ends yesterday, and the history stays (an officer's past
    months are still assessed with it). A role that has not begun yet is simply removed.
    Returns the ended role, or None when it was removed."""
    require_administrator(by, town)
    same_town(town, role)
    if role.user_id == by.pk and role.kind == Role.Kind.ADMINISTRATOR:
        raise ServiceError(
            _t("不能撤销自己的管理员角色(请由另一位管理员操作)"),
            {"__all__": [_t("不能撤销自己的管理员角色")]},
        )
    today = clock.today(town.timezone)
    before = audit.snapshot(role, ROLE_FIELDS)
    if role.active_from is not None and role.active_from >= today:
        audit.record(town=town, by=by, action="role.remove", obj=role, before=before, after=None)
        role.delete()
        return None
    yesterday = today - timedelta(days=1)
    if role.active_until is not None and role.active_until <= yesterday:
        raise ServiceError(_t("该角色已经结束"), {"__all__": [_t("该角色已经结束")]})
    role.active_until = yesterday
    role.save(update_fields=["active_until"])
    after = audit.snapshot(role, ROLE_FIELDS)
    audit.record(town=town, by=by, action="role.revoke", obj=role, before=before, after=after)
    return role


# ---------------------------------------------------------------- calendar overrides


@transaction.atomic
def calendar_override_add(
    *, by: User, town: Town, day: date, kind: str, note: str = ""
) -> CalendarOverride:
    """A day the town closes (holiday) or opens (make-up working day), winning over the
    national calendar for this town. Deadlines computed from now on follow it."""
    require_administrator(by, town)
    if kind not in CalendarOverride.Kind.values:
        raise ServiceError(_t("请选择类型:休息日或调休上班日"), {"kind": [_t("请选择类型")]})
    if day is None:
        raise ServiceError(_t("请填写日期"), {"day": [_t("请填写日期")]})
    note = (note or "").strip()
    if len(note) > limits.CALENDAR_NOTE:
        message = _t("最多%(n)s字") % {"n": limits.CALENDAR_NOTE}
        raise ServiceError(_t("说明过长(%(limit)s)") % {"limit": message}, {"note": [message]})
    message = calendar_day_free(town, day)
    override = save_unique(
        lambda: CalendarOverride.objects.create(town=town, day=day, kind=kind, note=note),
        message,
        "day",
    )
    after = audit.snapshot(override, CALENDAR_FIELDS)
    audit.record(town=town, by=by, action="calendar.add", obj=override, before=None, after=after)
    return override


def calendar_day_free(town: Town, day: date) -> str:
    """ServiceError on `day` when the town has an override that day already; else the message
    a concurrent one would get. Also run by the workbench's form, with its other checks."""
    message = _t("%(day)s 已有本镇的日历调整;如需更改,请先删除原来的") % {"day": f"{day:%Y-%m-%d}"}
    if CalendarOverride.objects.filter(town=town, day=day).exists():
        raise ServiceError(message, {"day": [message]})
    return message


@transaction.atomic
def calendar_override_delete(*, by: User, town: Town, override: CalendarOverride) -> None:
    """Only the town's own rows: national rows belong to the superuser's admin."""
    require_administrator(by, town)
    if override.town_id != town.pk:
        raise NotInScope(_t("不是本镇的日历调整"))
    before = audit.snapshot(override, CALENDAR_FIELDS)
    audit.record(
        town=town, by=by, action="calendar.delete", obj=override, before=before, after=None
    )
    override.delete()
