"""The demo town has boundaries, and its cases' points lie in their own grids."""

import pytest

from gridcase.cases.models import Case
from gridcase.demo import geography
from gridcase.demo import town as demo
from gridcase.org import boundaries
from gridcase.org.boundaries import Place
from gridcase.org.locate import locate_ids
from gridcase.org.models import Grid, Town, Village


@pytest.fixture(autouse=True)
def _quiet_notifications(settings):
    settings.HUEY = {**settings.HUEY, "immediate": True}


def test_the_drawn_boundaries_pass_the_checks():
    drawn = geography.boundaries([1, 1, 2] * 4)
    villages = [Place(n, f"村{n}", boundaries.parse(v)) for n, (v, _) in enumerate(drawn)]
    grids = [
        Place((n, k), f"村{n}·{k}", boundaries.parse(g), village=n)
        for n, (_, parts) in enumerate(drawn)
        for k, g in enumerate(parts)
    ]
    assert boundaries.check_town(villages, grids) == []


@pytest.mark.django_db
def test_every_demo_case_is_placed_in_its_own_grid():
    demo.build_demo(days=10, out=lambda _: None)
    town = Town.objects.get(name=demo.TOWN_NAME)
    assert not Village.objects.filter(town=town, boundary__isnull=True).exists()
    assert not Grid.objects.filter(village__town=town, boundary__isnull=True).exists()
    cases = list(
        Case.objects.filter(town=town).values_list("latitude", "longitude", "village_id", "grid_id")
    )
    placed = [c for c in cases if c[0] is not None]
    assert len(placed) >= len(cases) - 4  # the planted duplicates are typed in without a fix
    for lat, lon, village_id, grid_id in placed:
        assert locate_ids(town.pk, float(lat), float(lon)) == (village_id, grid_id)
