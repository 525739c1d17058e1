"""Each role lands on its own start page: after signing in and from the brand link. The
handling roles and the office on their queue (我的待办), the leader on the dashboards, the
administrator on the administration pages; someone with several roles on the first that
applies (web.nav.START_PAGES)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gridcase.web.nav import start_page

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"

EXPECTED = {
    "officer": "web:home",
    "station_user": "web:home",
    "center_user": "web:home",
    "department_user": "web:home",
    "office_user": "web:home",
    "leader": "dash:index",
    "admin_user": "manage:home",
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_signing_in_lands_on_the_roles_start_page(t, client, frozen, who):
    user = getattr(t, who)
    user.set_password(PASSWORD)
    user.save()
    response = client.post(
        reverse("web:login"), {"username": user.username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain, "signing in redirects"
    # (the administration's home goes on to the administered town's page)
    assert reverse(EXPECTED[who]) in [url for url, _ in response.redirect_chain]
    assert response.status_code == 200


def test_a_next_link_still_wins(t, client, frozen):
    t.leader.set_password(PASSWORD)
    t.leader.save()
    response = client.post(
        reverse("web:login") + "?next=" + reverse("web:cases"),
        {"username": t.leader.username, "password": PASSWORD},
    )
    assert response["Location"] == reverse("web:cases")


def test_the_brand_link_leads_to_the_start_page(t, login, frozen):
    page = login(t.leader).get(reverse("dash:index")).content.decode()
    assert f'class="brand" href="{reverse("web:start")}"' in page
    assert login(t.leader).get(reverse("web:start"))["Location"] == reverse("dash:index")


def test_several_roles_land_on_the_first_that_applies():
    assert start_page({"leader", "administrator"}) == "dash:index"
    assert start_page({"administrator", "officer"}) == "web:home"
    assert start_page(set()) == "web:home"


def test_start_needs_signing_in(client):
    response = client.get(reverse("web:start"))
    assert response.status_code == 302 and reverse("web:login") in response["Location"]
