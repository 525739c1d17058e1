"""Reads of people and their roles."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from gridcase.core import clock

from .models import Role, Town, User


def all_roles(user: User) -> list[Role]:
    """Every role the person has ever held or will hold, ended ones included, cached on the
    user object for the request. For history only (who was an officer in a past month):
    what a person may see or do *now* is `roles_in_force`."""
    cache = getattr(user, "_gridcase_roles", None)
    if cache is None:
        if not user.is_authenticated or not user.is_active:
            cache = []
        else:
            cache = list(Role.objects.filter(user=user).select_related("town", "village", "unit"))
        user._gridcase_roles = cache
    return cache


def in_force(role: Role, on: date) -> bool:
    """Whether the role holds on the day (both ends included)."""
    return (role.active_from is None or role.active_from <= on) and (
        role.active_until is None or role.active_until >= on
    )


def in_force_q(on: date, prefix: str = "") -> Q:
    """`in_force` as a filter on roles (`prefix`: the path to the role, e.g. "roles__")."""
    return (
        Q(**{f"{prefix}active_from__isnull": True}) | Q(**{f"{prefix}active_from__lte": on})
    ) & (Q(**{f"{prefix}active_until__isnull": True}) | Q(**{f"{prefix}active_until__gte": on}))


def roles_in_force(user: User, on: date | None = None) -> list[Role]:
    """The roles that hold on `on`; by default today, each in its own town's time zone (a
    role that ended yesterday in Shanghai has ended, even while it is still yesterday in
    UTC). Everything a person sees and does is decided from these; a disabled person has none.
    """
    return [
        r
        for r in all_roles(user)
        if in_force(r, on if on is not None else clock.today(r.town.timezone))
    ]


def in_force_user_ids(town_id: int, user_ids, on: date) -> set[int]:
    """Of these people, those who hold a role in the town on the day and are not disabled."""
    user_ids = list(user_ids)
    if not user_ids:
        return set()
    return set(
        Role.objects.filter(in_force_q(on), town_id=town_id, user_id__in=user_ids)
        .filter(user__is_active=True)
        .values_list("user_id", flat=True)
    )


def administered_town_ids(user: User) -> set[int] | None:
    """The towns the person administers today; None means every town (a superuser)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.is_superuser:
        return None
    return {r.town_id for r in roles_in_force(user) if r.kind == Role.Kind.ADMINISTRATOR}


def administered_towns(user: User) -> list[Town]:
    """`administered_town_ids` as towns, by name (every town for a superuser). The towns come
    with the roles already read, so this costs no query beyond them."""
    ids = administered_town_ids(user)
    if ids is None:
        return list(Town.objects.order_by("name"))
    towns = {r.town_id: r.town for r in roles_in_force(user) if r.town_id in ids}
    return sorted(towns.values(), key=lambda town: town.name)


def role_kinds(user: User) -> set[str]:
    return {r.kind for r in roles_in_force(user)}


def towns_of(user: User) -> set[int]:
    return {r.town_id for r in roles_in_force(user)}


def officers_of_town(town_id: int, first: date, last: date) -> QuerySet[Role]:
    """Officer roles active at any time in [first, last], with their village."""
    return (
        Role.objects.filter(town_id=town_id, kind=Role.Kind.OFFICER, user__is_active=True)
        # In force on some day of [first, last]: it began by `last` and had not ended by `first`.
        .filter(Q(active_from__isnull=True) | Q(active_from__lte=last))
        .filter(Q(active_until__isnull=True) | Q(active_until__gte=first))
        .select_related("user", "village")
        .order_by("village__name", "user__username")
    )
