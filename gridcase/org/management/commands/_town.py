"""Shared by the commands: find a town by name, with a Chinese error naming it."""

from __future__ import annotations

from django.core.management.base import CommandError

from gridcase.org.models import Town


def resolve_town(name: str | None, *, required: bool = False) -> Town | None:
    """The named town; with no name, the only town if there is exactly one."""
    if name:
        town = Town.objects.filter(name=name).first() or Town.objects.filter(code=name).first()
        if town is None:
            known = "、".join(Town.objects.values_list("name", flat=True)[:20]) or "(无)"
            raise CommandError(f"--town: 找不到镇“{name}”。已有的镇: {known}")
        return town
    towns = list(Town.objects.all()[:2])
    if len(towns) == 1:
        return towns[0]
    if required or towns:
        raise CommandError("--town: 系统中有多个镇,请用 --town 指定镇名")
    return None
