"""Reads of people and their roles."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from .models import Role, User


def active_roles(user: User, on: date | None = None) -> list[Role]:
    """The user's roles, cached on the user object for the request."""
    cache = getattr(user, "_gridcase_roles", None)
    if cache is None:
        if not user.is_authenticated or not user.is_active:
            cache = []
        else:
            cache = list(Role.objects.filter(user=user).select_related("town", "village", "unit"))
        user._gridcase_roles = cache
    if on is None:
        return cache
    return [
        r
        for r in cache
        if (r.active_from is None or r.active_from <= on)
        and (r.active_until is None or r.active_until >= on)
    ]


def role_kinds(user: User) -> set[str]:
    return {r.kind for r in active_roles(user)}


def towns_of(user: User) -> set[int]:
    return {r.town_id for r in active_roles(user)}


def officers_of_town(town_id: int, first: date, last: date) -> QuerySet[Role]:
    """Officer roles active at any time in [first, last], with their village."""
    return (
        Role.objects.filter(town_id=town_id, kind=Role.Kind.OFFICER, user__is_active=True)
        .filter(Q(active_from__isnull=True) | Q(active_from__lte=last))
        .filter(Q(active_until__isnull=True) | Q(active_until__gte=first))
        .select_related("user", "village")
        .order_by("village__name", "user__username")
    )
