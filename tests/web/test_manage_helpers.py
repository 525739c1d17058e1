"""Helpers of the administration tests (no tests here): rows of a town that every page can be
opened on, its URLs, and a policy file."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from gridcase.core.models import CalendarOverride
from gridcase.core.policy import DEFAULT_POLICY_PATH
from gridcase.notify.models import ChannelConfig
from gridcase.org.models import PolicyVersion, Role
from tests.factories import TestTown

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"


def policy_source(code: str = "ct-2026", effective_from: str = "2026-11-01", **replace) -> str:
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    text = text.replace('code = "changtang-2016"', f'code = "{code}"')
    text = text.replace("effective_from = 2016-05-01", f"effective_from = {effective_from}")
    for old, new in replace.items():
        text = text.replace(old, new)
    return text


@dataclass
class Rows:
    override: CalendarOverride
    version: PolicyVersion
    channel: ChannelConfig
    role: Role


def make_rows(t: TestTown) -> Rows:
    from datetime import date

    return Rows(
        override=CalendarOverride.objects.create(
            town=t.town, day=date(2026, 12, 24), kind="holiday", note="镇庆"
        ),
        version=PolicyVersion.objects.create(
            town=t.town,
            code="ct-2026",
            name="测试版本",
            effective_from=date(2026, 11, 1),
            source=policy_source(),
        ),
        channel=ChannelConfig.objects.create(unit=t.center, kind="wecom", target=WECOM),
        role=Role.objects.get(user=t.officer),
    )


def manage_urls(t: TestTown, rows: Rows) -> list[str]:
    """Every administration page of the town (GET), with real ids of its rows."""
    town = t.town.pk
    names = [
        ("manage:overview", []),
        ("manage:villages", []),
        ("manage:village_edit", [t.village.pk]),
        ("manage:village_delete", [t.village.pk]),
        ("manage:grids", []),
        ("manage:grid_edit", [t.grid.pk]),
        ("manage:grid_delete", [t.grid.pk]),
        ("manage:units", []),
        ("manage:unit_edit", [t.department.pk]),
        ("manage:unit_delete", [t.department.pk]),
        ("manage:people", []),
        ("manage:person_new", []),
        ("manage:person", [t.officer.pk]),
        ("manage:person_password", [t.officer.pk]),
        ("manage:person_active", [t.officer.pk]),
        ("manage:role_add", [t.officer.pk]),
        ("manage:role_revoke", [t.officer.pk, rows.role.pk]),
        ("manage:calendar", []),
        ("manage:calendar_delete", [rows.override.pk]),
        ("manage:policy", []),
        ("manage:policy_default", []),
        ("manage:policy_version", [rows.version.pk]),
        ("manage:channels", []),
        ("manage:resend_failed", []),
        ("manage:channel_edit", [rows.channel.pk]),
        ("manage:channel_delete", [rows.channel.pk]),
        ("manage:channel_test", [rows.channel.pk]),
        ("manage:sign_in_failures", []),
        ("manage:sign_in_unlock", []),
        ("manage:audit", []),
    ]
    return [reverse(name, args=[town, *args]) for name, args in names]
