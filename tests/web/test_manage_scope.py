"""Who may open the administration pages: the town's administrators (and superusers). Every
other person, and every other town's administrator, gets 404 from every page, GET or POST,
and forged ids of another town's rows are 404 too, with nothing written."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from gridcase.core.models import CalendarOverride
from gridcase.notify.models import ChannelConfig
from gridcase.org.models import Grid, Role, Unit, User, Village
from tests.factories import local
from tests.web.test_manage_helpers import WECOM, make_rows, manage_urls


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(local(2026, 10, 14, 10), tick=False):
        yield date(2026, 10, 14)


@pytest.fixture
def rows(t):
    return make_rows(t)


NOT_ADMINS = [
    "officer",
    "station_user",
    "center_user",
    "department_user",
    "office_user",
    "leader",
]


@pytest.mark.parametrize("who", NOT_ADMINS)
def test_other_roles_get_404_on_every_page(t, rows, client, who):
    client.force_login(getattr(t, who))
    assert client.get(reverse("manage:home")).status_code == 404
    for url in manage_urls(t, rows):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "x"}).status_code == 404, url
    assert Village.objects.filter(name="x").count() == 0


@pytest.mark.parametrize("who", NOT_ADMINS)
def test_other_roles_see_no_administration_menu(t, client, who):
    client.force_login(getattr(t, who))
    assert reverse("manage:home") not in client.get(reverse("web:home")).content.decode()


def test_another_towns_administrator_gets_404_on_every_page(t, other_town, rows, client):
    client.force_login(other_town.admin_user)
    for url in manage_urls(t, rows):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "x", "active": "0"}).status_code == 404, url
    assert Village.objects.filter(name="x").count() == 0
    assert User.objects.get(pk=t.officer.pk).is_active
    assert CalendarOverride.objects.filter(pk=rows.override.pk).exists()
    assert ChannelConfig.objects.filter(pk=rows.channel.pk).exists()


def test_an_administrator_opens_every_page_of_their_town(t, rows, client):
    client.force_login(t.admin_user)
    home = client.get(reverse("manage:home"))
    assert home.status_code == 302
    assert home["Location"] == reverse("manage:overview", args=[t.town.pk])
    for url in manage_urls(t, rows):
        response = client.get(url)
        # POST-only actions answer a GET with their page or a redirect, never an error.
        assert response.status_code in (200, 302), url


def test_the_administration_menu_is_shown_to_the_administrator(t, client):
    client.force_login(t.admin_user)
    assert f'href="{reverse("manage:home")}"' in client.get(reverse("web:home")).content.decode()


def test_another_towns_row_in_this_towns_url_is_404(t, other_town, client):
    """Same town in the URL, but the row's id is the other town's."""
    client.force_login(t.admin_user)
    town = t.town.pk
    for name, pk in [
        ("manage:village_edit", other_town.village.pk),
        ("manage:grid_edit", other_town.grid.pk),
        ("manage:unit_edit", other_town.center.pk),
        ("manage:person", other_town.officer.pk),
    ]:
        url = reverse(name, args=[town, pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"name": "改名", "display_name": "改名"}).status_code == 404
    assert not Village.objects.filter(name="改名").exists()
    assert User.objects.get(pk=other_town.officer.pk).display_name != "改名"


def test_forged_post_data_naming_another_towns_rows_is_404_and_writes_nothing(
    t, other_town, client
):
    client.force_login(t.admin_user)
    town = t.town.pk
    grids = Grid.objects.count()
    response = client.post(
        reverse("manage:grids", args=[town]), {"village": other_town.village.pk, "name": "偷偷"}
    )
    assert response.status_code == 404
    assert Grid.objects.count() == grids
    roles = Role.objects.count()
    response = client.post(
        reverse("manage:role_add", args=[town, t.officer.pk]),
        {"kind": "department", "unit": other_town.department.pk},
    )
    assert response.status_code == 404
    response = client.post(
        reverse("manage:role_add", args=[town, t.officer.pk]),
        {"kind": "officer", "village": t.village.pk, "grid": other_town.grid.pk},
    )
    assert response.status_code == 404
    assert Role.objects.count() == roles
    response = client.post(
        reverse("manage:channels", args=[town]),
        {"unit": other_town.center.pk, "kind": "wecom", "target": WECOM, "enabled": "on"},
    )
    assert response.status_code == 404
    assert not ChannelConfig.objects.exists()
    units = Unit.objects.count()
    response = client.post(
        reverse("manage:units", args=[town]),
        {"kind": "village_station", "name": "偷站", "village": other_town.village.pk},
    )
    assert response.status_code == 404
    assert Unit.objects.count() == units


def test_an_ended_administrator_role_gives_no_access(t, client):
    Role.objects.filter(user=t.admin_user).update(active_until=date(2026, 10, 13))
    client.force_login(t.admin_user)
    assert client.get(reverse("manage:overview", args=[t.town.pk])).status_code == 404


def test_a_superuser_switches_between_towns(t, other_town, client):
    root = User.objects.create_superuser("root", password="pw-long-enough")
    client.force_login(root)
    response = client.get(reverse("manage:home"), {"town": other_town.town.pk})
    assert response["Location"] == reverse("manage:overview", args=[other_town.town.pk])
    page = client.get(reverse("manage:overview", args=[t.town.pk])).content.decode()
    assert 'name="town"' in page and other_town.town.name in page
    response = client.post(reverse("manage:villages", args=[other_town.town.pk]), {"name": "新村"})
    assert response.status_code == 302
    assert Village.objects.filter(town=other_town.town, name="新村").exists()


def test_an_administrator_cannot_switch_to_another_town(t, other_town, client):
    client.force_login(t.admin_user)
    assert client.get(reverse("manage:home"), {"town": other_town.town.pk}).status_code == 404


def test_superusers_are_not_managed_from_a_towns_pages(t, client):
    root = User.objects.create_superuser("root", password="pw-long-enough", town=t.town)
    client.force_login(t.admin_user)
    assert client.get(reverse("manage:person", args=[t.town.pk, root.pk])).status_code == 404
    people = client.get(reverse("manage:people", args=[t.town.pk])).content.decode()
    assert "root" not in people


def test_anonymous_people_are_sent_to_log_in(t, client):
    response = client.get(reverse("manage:villages", args=[t.town.pk]))
    assert response.status_code == 302
    assert reverse("web:login") in response["Location"]
