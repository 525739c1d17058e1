"""A field's help and errors are read with it (issue 16, WCAG 1.3.1 and 3.3.1): each form field
names its help and its errors in aria-describedby, and the elements with those ids are on the
page. (tests/web/test_browser_axe.py checks the same on every page of the walk.)"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
import time_machine
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse

from tests.factories import local

NOW = local(2026, 10, 14, 10)


class Described(HTMLParser):
    """The ids on the page and, for each element that has one, what aria-describedby names."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: dict[str, str] = {}  # id -> the tag
        self.described: dict[str, list[str]] = {}  # the element's id or name -> ids named
        self.alerts: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids[a["id"]] = tag
        if a.get("aria-describedby"):
            key = a.get("id") or a.get("name") or tag
            self.described[key] = a["aria-describedby"].split()
        if a.get("role") == "alert":
            self.alerts.append(tag)


def missing(page: Described) -> dict[str, list[str]]:
    return {
        key: [i for i in named if i not in page.ids]
        for key, named in page.described.items()
        if any(i not in page.ids for i in named)
    }


class Sample(forms.Form):
    title = forms.CharField(help_text="一句话概括")
    kind = forms.ChoiceField(
        choices=[("a", "甲"), ("b", "乙")], widget=forms.RadioSelect, help_text="选一个"
    )
    agree = forms.BooleanField(help_text="须勾选")


def test_the_field_template_gives_help_and_errors_the_ids_the_field_names():
    form = Sample(data={})
    assert not form.is_valid()
    html = "".join(
        render_to_string("web/_field.html", {"field": form[name]}) for name in form.fields
    )
    page = Described(html)
    assert missing(page) == {}
    assert page.described["id_title"] == ["id_title_helptext", "id_title_error"]
    assert page.described["id_agree"] == ["id_agree_helptext", "id_agree_error"]
    # Radio buttons are a group: the group is described (Django leaves the inputs alone).
    assert ["id_kind_helptext", "id_kind_error"] in page.described.values()
    # The errors are announced (an alert) and still a list: the role is not on the <ul>.
    assert page.ids["id_title_error"] == "div" and set(page.alerts) == {"div"}


@pytest.mark.django_db
def test_the_case_form_sent_empty_names_each_error_beside_its_field(t, client):
    client.force_login(t.officer)
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            "/cases/new/",
            {
                "intent": "submit",
                "category": "dispute",
                "parties-TOTAL_FORMS": "3",
                "parties-INITIAL_FORMS": "0",
            },
        )
    assert response.status_code == 400  # the form again, with its errors
    page = Described(response.content.decode())
    assert missing(page) == {}
    errors = [
        key for key, named in page.described.items() if any(i.endswith("_error") for i in named)
    ]
    assert {"id_occurred_at", "id_location", "id_cause"} <= set(errors), errors
    assert "id_title_helptext" in page.described["id_title"]


@pytest.mark.django_db
def test_a_manage_form_sent_empty_names_each_error_beside_its_field(t, client):
    client.force_login(t.admin_user)
    with time_machine.travel(NOW, tick=False):
        response = client.post(reverse("manage:person_new", args=[t.town.pk]), {"username": ""})
    page = Described(response.content.decode())
    assert missing(page) == {}
    assert "id_username_error" in page.described["id_username"]
    assert "id_username_helptext" in page.described["id_username"]
