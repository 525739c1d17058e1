"""Setting a town's boundaries: checked together, all or nothing, audited; and `locate`."""

from __future__ import annotations

import pytest

from gridcase.core.errors import ServiceError
from gridcase.core.models import AuditEntry
from gridcase.org.boundary_services import set_boundaries
from gridcase.org.checks import NotInScope
from gridcase.org.locate import locate, locate_ids
from gridcase.org.models import Grid, Town, Village
from tests.org.geo_fixture import GRIDS, VILLAGES, at, polygon, rect

pytestmark = pytest.mark.django_db


@pytest.fixture
def geo_town(db):
    """The fixture town of geo_fixture, with its boundaries set by the command line."""
    town = Town.objects.create(name="界镇", code="jz")
    villages = {name: Village.objects.create(town=town, name=name) for name in VILLAGES}
    grids = {key: Grid.objects.create(village=villages[key[0]], name=key[1]) for key in GRIDS}
    set_boundaries(
        by=None,
        town=town,
        villages={villages[n]: g for n, g in VILLAGES.items()},
        grids={grids[k]: g for k, g in GRIDS.items()},
    )
    town.refresh_from_db()
    return town, villages, grids


def test_boundaries_are_stored_and_audited(geo_town):
    town, villages, grids = geo_town
    assert len(town.boundaries_version) == 32
    village = Village.objects.get(pk=villages["西村"].pk)
    assert village.boundary["type"] == "MultiPolygon"
    rows = AuditEntry.objects.filter(town=town, action="boundary.set")
    assert rows.count() == len(VILLAGES) + len(GRIDS)
    row = rows.get(object_type="org.village", object_id=str(villages["西村"].pk))
    assert row.before == {"boundary": None}
    assert row.after["boundary"]["type"] == "MultiPolygon"
    assert len(row.after["boundary"]["sha256"]) == 64
    assert row.actor is None


def test_every_problem_is_listed_and_nothing_is_written(geo_town):
    town, villages, grids = geo_town
    version = town.boundaries_version
    with pytest.raises(ServiceError) as caught:
        set_boundaries(
            by=None,
            town=town,
            grids={
                grids[("东村", "一组")]: polygon(rect(-300, 0, 500, 1000)),  # outside 东村
                grids[("西村", "一组")]: {"type": "Point", "coordinates": [112.9, 28.2]},
            },
        )
    assert caught.value.fields["boundary"] == [
        "网格“西村·一组”:边界应为面(Polygon 或 MultiPolygon),而不是 Point"
    ]
    # The checks of the town as a whole come once every boundary reads.
    with pytest.raises(ServiceError) as caught:
        set_boundaries(
            by=None,
            town=town,
            grids={grids[("东村", "一组")]: polygon(rect(-300, 0, 500, 1000))},
        )
    messages = caught.value.fields["boundary"]
    assert any(m.startswith("网格“东村·一组”有约") for m in messages)
    assert any("网格“东村·一组”与“东村·三组”重叠约" in m for m in messages)
    town.refresh_from_db()
    assert town.boundaries_version == version
    assert Grid.objects.get(pk=grids[("东村", "一组")].pk).boundary == GRIDS[("东村", "一组")]


def test_the_administrator_of_the_town_only(geo_town, t):
    town, villages, _ = geo_town
    with pytest.raises(NotInScope):
        set_boundaries(by=t.admin_user, town=town, villages={villages["北村"]: None})
    with pytest.raises(NotInScope):
        set_boundaries(by=t.admin_user, town=t.town, villages={villages["北村"]: None})
    assert set_boundaries(by=t.admin_user, town=t.town, villages={t.village: None}) == 0
    square = polygon(rect(0, 0, 100, 100))
    assert set_boundaries(by=t.admin_user, town=t.town, villages={t.village: square}) == 1
    row = AuditEntry.objects.get(town=t.town, action="boundary.set")
    assert row.actor == t.admin_user


# ---------------------------------------------------------------- locate

POINTS = [
    # (x, y) in metres, expected (village, grid)
    ((50, 50), ("东村", "一组")),
    ((250, 800), ("东村", "一组")),
    ((550, 500), ("东村", "一组")),  # inside 一组's notch into 二组
    ((150, 150), ("东村", "三组")),  # in 一组's hole
    ((800, 500), ("东村", "二组")),
    ((600, 420), ("东村", "二组")),  # just below the notch
    ((1500, 500), ("西村", "一组")),
    ((3250, 250), ("西村", "飞地组")),  # the exclave of the multipolygon village
    ((500, 1500), ("北村", None)),  # a village without grids
    ((2500, 500), None),  # between 西村's two parts
    ((-10, 500), None),
    ((3250, 600), None),  # north of the exclave
]


@pytest.mark.parametrize("xy,expected", POINTS)
def test_every_fixture_point_is_assigned(geo_town, xy, expected):
    town, _, _ = geo_town
    found = locate(town, *at(*xy))
    if expected is None:
        assert found is None
    else:
        village, grid = found
        assert (village.name, grid.name if grid else None) == expected


BORDERS = [
    ((500, 800), [("东村", "一组"), ("东村", "二组")]),
    ((1000, 500), [("东村", "二组"), ("西村", "一组")]),
    ((100, 150), [("东村", "一组"), ("东村", "三组")]),  # on the hole's edge
    ((700, 500), [("东村", "一组"), ("东村", "二组")]),  # the notch's tip
]


@pytest.mark.parametrize("xy,sharing", BORDERS)
def test_a_point_on_a_shared_border_goes_to_the_lowest_id(geo_town, xy, sharing):
    town, _, grids = geo_town
    lowest = min(grids[key].pk for key in sharing)
    lat, lon = at(*xy)
    # Exactly on the border in floating point: the fixture's points are the borders' vertices
    # or lie on their axis-aligned edges.
    assert locate_ids(town.pk, lat, lon)[1] == lowest
    assert locate_ids(town.pk, lat, lon)[1] == lowest  # and again, from the cache


def test_the_index_follows_a_change_of_boundaries(geo_town, django_assert_num_queries):
    town, villages, grids = geo_town
    point = at(2500, 500)
    assert locate_ids(town.pk, *point) is None
    with django_assert_num_queries(1):  # the version only: the index is cached
        assert locate_ids(town.pk, *point) is None
    set_boundaries(
        by=None,
        town=town,
        villages={villages["西村"]: polygon(rect(1000, 0, 3500, 1000))},
        grids={grids[("西村", "一组")]: polygon(rect(1000, 0, 3000, 1000))},
    )
    assert locate_ids(town.pk, *point) == (villages["西村"].pk, grids[("西村", "一组")].pk)
    assert locate_ids(town.pk, *at(3250, 750)) == (villages["西村"].pk, None)


def test_a_town_without_boundaries_locates_nothing(t):
    assert locate(t.town, 28.2, 112.9) is None
    assert locate_ids(999_999, 28.2, 112.9) is None
