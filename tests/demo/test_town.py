"""The demo town: believable, alive today, and built once."""

import pytest
from django.db.models import Count

from gridcase.cases.models import Case, TimelineEntry
from gridcase.demo import town as demo
from gridcase.org.models import Role, Town, User


@pytest.fixture(autouse=True)
def _quiet_notifications(settings):
    settings.HUEY = {**settings.HUEY, "immediate": True}


@pytest.mark.django_db
def test_the_demo_builds_a_living_town_once():
    messages = []
    demo.build_demo(days=20, out=messages.append)
    town = Town.objects.get(name=demo.TOWN_NAME)
    kinds = set(Role.objects.filter(town=town).values_list("kind", flat=True))
    assert kinds == {k for k, _ in Role.Kind.choices}
    assert town.villages.count() == 12
    states = dict(Case.objects.values_list("state").annotate(n=Count("id")))
    assert {"closed", "pending", "handling"} <= set(states)
    assert (
        Case.objects.filter(level="department").exists()
        or Case.objects.filter(closed_level="town").exists()
    )
    counts = (Case.objects.count(), TimelineEntry.objects.count(), User.objects.count())

    demo.build_demo(days=20, out=messages.append)

    assert (Case.objects.count(), TimelineEntry.objects.count(), User.objects.count()) == counts
    assert "已存在" in messages[-1]
    assert ("officer01", "网格专管员 · 长塘村") in demo.logins()
