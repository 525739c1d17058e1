"""Forms show only the fields that apply, and say what they ask before they are sent: the role
form shows the scope fields of the chosen kind only (org.services.SCOPE_FIELDS), in Chromium;
the channel form tells the secret's rules up front."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gridcase.core import limits
from gridcase.org.models import Role
from gridcase.org.services import SCOPE_FIELDS
from tests.web import test_browser_workbench as workbench

browser = workbench.browser
page_for = workbench.page_for
t = workbench.t


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_role_form_shows_the_scope_fields_of_the_chosen_kind(page_for, t, live_server):
    page = page_for(t.admin_user)
    page.goto(live_server.url + reverse("manage:person", args=[t.town.pk, t.officer.pk]))
    form = page.locator("#add-role")
    for kind in Role.Kind.values:
        form.locator("select[name=kind]").select_option(kind)
        for name in ("village", "grid", "unit"):
            control = form.locator(f"[name={name}]")
            shown = name in SCOPE_FIELDS[kind]
            assert control.is_visible() is shown, (kind, name)
            assert control.is_disabled() is not shown, (kind, name)
    # A kind with a unit: the role is added with only what it uses.
    form.locator("select[name=kind]").select_option(Role.Kind.DEPARTMENT)
    form.locator("select[name=unit]").select_option(str(t.department.pk))
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    role = Role.objects.get(user=t.officer, kind=Role.Kind.DEPARTMENT)
    assert (role.unit_id, role.village_id, role.grid_id) == (t.department.pk, None, None)


@pytest.mark.django_db
def test_the_channel_form_tells_the_secret_rules_before_sending(t, client):
    client.force_login(t.admin_user)
    page = client.get(reverse("manage:channels", args=[t.town.pk])).content.decode()
    assert f"至少 {limits.WEBHOOK_SECRET_MIN} 个字符" in page
