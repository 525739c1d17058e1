"""What every write of a town's configuration checks first: that the person administers the
town and that every row named belongs to it (`NotInScope`, answered with 404), that a name is
given and fits its column, and that a unique name stays unique under concurrent requests.
Shared by the places (`places.py`) and the people, roles and calendar (`services.py`).
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _t

from gridcase.core import limits
from gridcase.core.errors import ServiceError

from .models import Grid, Town, User
from .selectors import administered_town_ids


class NotInScope(ObjectDoesNotExist):
    """A row of another town (or a person who may not administer this one): 404."""


def administers(user: User, town: Town | int) -> bool:
    """Whether the person administers the town today (superusers: every town)."""
    town_id = town if isinstance(town, int) else town.pk
    towns = administered_town_ids(user)
    return towns is None or town_id in towns


def require_administrator(by: User, town: Town) -> None:
    if not administers(by, town):
        raise NotInScope(_t("不是本镇管理员"))


def same_town(town: Town, *rows: Model | None) -> None:
    """Every named row belongs to the town (a village, grid, unit, person or role)."""
    for row in rows:
        if row is None:
            continue
        town_id = row.village.town_id if isinstance(row, Grid) else row.town_id
        if town_id != town.pk:
            raise NotInScope(
                _t("%(what)s 不属于%(town)s") % {"what": row._meta.verbose_name, "town": town.name}
            )


def clean_name(value: str, label: str, field: str = "name", limit: int = limits.PLACE_NAME) -> str:
    name = " ".join((value or "").split())
    if not name:
        message = _t("请填写%(label)s") % {"label": label}
        raise ServiceError(message, {field: [message]})
    if len(name) > limit:
        raise ServiceError(
            _t("%(label)s过长(最多%(n)s字)") % {"label": label, "n": limit},
            {field: [_t("最多%(n)s字") % {"n": limit}]},
        )
    return name


def save_unique(save, message: str, field: str = "name"):
    """Run `save`; a unique constraint hit by a concurrent request reads like the check."""
    try:
        with transaction.atomic():
            return save()
    except IntegrityError:
        raise ServiceError(message, {field: [message]}) from None
