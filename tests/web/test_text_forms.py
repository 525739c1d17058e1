"""The workbench's forms refuse characters XML cannot carry, naming the field beside it."""

from __future__ import annotations

import importlib

import pytest
from django import forms
from django.urls import reverse

from gridcase.cases.models import Case
from gridcase.core.text import TextField
from gridcase.org.models import Village
from tests.factories import local, submitted_case
from tests.web.test_case_actions import act, fresh
from tests.web.test_case_entry import form_data

pytestmark = pytest.mark.django_db


def test_a_case_with_a_control_character_is_refused_beside_the_field(login, t, frozen):
    response = login(t.officer).post("/cases/new/", form_data(title="围墙\x01纠纷"))
    assert response.status_code == 400
    assert response.context["form"].errors["title"] == ["标题含有不允许的控制字符(第 3 个字符)"]
    assert not Case.objects.exists()


def test_a_party_name_with_a_control_character_is_refused(login, t, frozen):
    response = login(t.officer).post("/cases/new/", form_data(**{"parties-0-name": "张\x00三"}))
    assert response.status_code == 400
    assert "姓名含有不允许的控制字符(第 2 个字符)" in response.content.decode()
    assert not Case.objects.exists()


def test_line_breaks_and_tabs_are_fine(login, t, frozen):
    response = login(t.officer).post("/cases/new/", form_data(course="第一行\r\n\t第二行"))
    assert response.status_code == 302
    assert Case.objects.get().course == "第一行\r\n\t第二行"


def test_an_action_refuses_a_control_character(login, t, frozen):
    case = submitted_case(t, local(2026, 10, 13, 9))
    client = login(t.officer)
    act(client, case, "accept")
    response = act(client, case, "escalate", note="需要村里\x1b协调")
    assert response.status_code == 400
    errors = {a["name"]: a["form"].errors for a in response.context["actions"]}
    assert errors["escalate"]["note"] == ["上报理由含有不允许的控制字符(第 5 个字符)"]
    assert fresh(case).level == "grid"


def test_an_administrator_cannot_name_a_village_with_a_control_character(t, client):
    client.force_login(t.admin_user)
    response = client.post(reverse("manage:villages", args=[t.town.pk]), {"name": "南\x07村"})
    assert response.status_code == 400
    assert "行政村名称含有不允许的控制字符(第 2 个字符)" in response.content.decode()
    assert not Village.objects.filter(name__startswith="南").exists()


FORM_MODULES = [
    "gridcase.web.forms",
    "gridcase.web.forms_manage",
    "gridcase.web.views.assessment.forms",
]


def test_every_text_field_of_the_workbench_is_checked():
    """A new plain forms.CharField would let control characters in again: only passwords
    (never shown, never exported) may be one."""
    checked = 0
    for name in FORM_MODULES:
        for value in vars(importlib.import_module(name)).values():
            if isinstance(value, type) and issubclass(value, forms.BaseForm):
                for field in value.base_fields.values():
                    if isinstance(field, forms.CharField):
                        checked += 1
                        secret = isinstance(field.widget, forms.PasswordInput)
                        assert secret or isinstance(field, TextField), (value, field.label)
    assert checked > 30
