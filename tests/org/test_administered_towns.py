"""The towns a person administers, defined once (org.selectors): as ids for filters, as towns
for pages and the token API, and as the yes/no of `checks.administers`."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gridcase.core import clock
from gridcase.org import checks
from gridcase.org.models import Role, Town, User
from gridcase.org.selectors import administered_town_ids, administered_towns
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # no cached roles


def test_an_administrator_administers_their_town_only(t, other_town):
    admin = fresh(t.admin_user)
    assert administered_town_ids(admin) == {t.town.pk}
    assert administered_towns(admin) == [t.town]
    assert checks.administers(admin, t.town) and not checks.administers(admin, other_town.town)


def test_other_roles_in_the_town_do_not_make_an_administrator(t):
    for person in (t.officer, t.office_user, t.leader):
        assert administered_towns(fresh(person)) == []


def test_a_person_administering_two_towns_gets_both_by_name(t, other_town):
    Role.objects.create(user=t.admin_user, town=other_town.town, kind=Role.Kind.ADMINISTRATOR)
    assert administered_towns(fresh(t.admin_user)) == sorted(
        [t.town, other_town.town], key=lambda town: town.name
    )


def test_a_superuser_administers_every_town(t, other_town):
    root = User.objects.create_superuser(username="root", password="pw")
    assert administered_town_ids(root) is None
    assert administered_towns(root) == list(Town.objects.order_by("name"))
    assert checks.administers(root, other_town.town.pk)


def test_an_ended_or_disabled_administrator_administers_nothing(t):
    ended = make_user("ended_admin", t.town, Role.Kind.ADMINISTRATOR)
    yesterday = clock.today(t.town.timezone) - timedelta(days=1)
    Role.objects.filter(user=ended).update(active_until=yesterday)
    assert administered_towns(fresh(ended)) == []
    User.objects.filter(pk=t.admin_user.pk).update(is_active=False)
    assert administered_towns(fresh(t.admin_user)) == []
