"""Placing a draft by where it is (cases/placing.py): a place chosen by hand wins, else the
point in a mapped town, else the officer's own village and grid; points stated in GCJ-02 or
BD-09 are stored in WGS-84."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from gridcase.cases import filing, placing
from gridcase.cases.errors import CaseError
from gridcase.core import coords
from gridcase.org.models import Grid, Role
from tests.factories import local, make_user
from tests.org import geo_town
from tests.org.geo_town import IN_EAST_FIRST, IN_EAST_SECOND, IN_WEST, IN_WEST_EXCLAVE, OUTSIDE

AT = local(2026, 10, 14, 9)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(AT, tick=False):
        yield


@pytest.fixture
def second(t):
    return geo_town.map_town(t)


def draft(t, by=None, **data):
    return filing.case_create_draft(town=t.town, by=by or t.officer, data=data, at=AT)


def point(lat_lon):
    return {"latitude": f"{lat_lon[0]:.6f}", "longitude": f"{lat_lon[1]:.6f}"}


def test_a_point_in_the_officers_grid_places_it_there(t, second):
    case = draft(t, **point(IN_EAST_FIRST))
    assert (case.village, case.grid) == (t.village, t.grid)


def test_a_point_in_another_grid_of_the_officers_village_goes_to_that_grid(t, second):
    case = draft(t, **point(IN_EAST_SECOND))
    assert (case.village, case.grid, case.officer) == (t.village, second, t.officer)


def test_a_point_in_a_village_the_officer_does_not_serve_is_refused_naming_it(t, second):
    with pytest.raises(CaseError) as refused:
        draft(t, **point(IN_WEST))
    [message] = refused.value.fields["latitude"]
    assert message.startswith("该位置属于西村 · 第一网格,不在您负责的行政村")
    assert "手动选择" in message


def test_a_point_outside_every_boundary_is_refused_with_a_clear_message(t, second):
    with pytest.raises(CaseError) as refused:
        draft(t, **point(OUTSIDE))
    assert refused.value.fields["latitude"] == [
        "该位置不在本镇任何行政村和网格的边界内:请核对经纬度和坐标系,或手动选择所属行政村和网格"
    ]


def test_a_place_chosen_by_hand_wins_over_the_point(t, second):
    case = draft(t, grid=second, **point(OUTSIDE))
    assert (case.village, case.grid) == (t.village, second)
    case = draft(t, village=t.village, **point(IN_WEST))
    assert (case.village, case.grid) == (t.village, t.grid)  # the officer's own grid there
    case = draft(t, village=t.village, **point(IN_EAST_SECOND))
    assert case.grid == second  # the chosen village, the point's grid in it


def test_a_hand_chosen_place_stays_in_the_officers_scope(t, second):
    with pytest.raises(CaseError):  # ActionNotAllowed: not an officer of 西村
        draft(t, village=t.other_village, **point(IN_WEST))


def test_a_point_in_a_served_village_but_in_no_grid_takes_the_officers_grid_there(t, second):
    case = draft(t, by=t.other_officer, **point(IN_WEST_EXCLAVE))
    own = Role.objects.get(user=t.other_officer).grid
    assert (case.village, case.grid) == (t.other_village, own)


def test_an_officer_of_two_villages_files_where_the_point_is(t, second):
    both = make_user("both", t.town, "officer", village=t.village, grid=t.grid)
    Role.objects.create(user=both, town=t.town, kind="officer", village=t.other_village)
    case = draft(t, by=both, **point(IN_WEST))
    assert (case.village, case.grid) == (t.other_village, Grid.objects.get(village=t.other_village))


def test_without_a_point_or_a_map_the_officers_own_place_as_before(t):
    case = draft(t)
    assert (case.village, case.grid) == (t.village, t.grid)
    # The town has no boundaries: a point cannot place it, nor refuse it.
    case = draft(t, **point(OUTSIDE))
    assert (case.village, case.grid) == (t.village, t.grid)


def test_a_half_mapped_town_does_not_call_a_point_nowhere(t, second):
    from gridcase.org.boundary_services import set_boundaries

    set_boundaries(by=None, town=t.town, villages={t.other_village: None})
    case = draft(t, **point(OUTSIDE))  # may lie in 西村, which has no boundary now
    assert (case.village, case.grid) == (t.village, t.grid)


def test_a_gcj02_point_is_stored_in_wgs84_and_placed_by_it(t, second):
    glat, glon = coords.wgs84_to_gcj02(*IN_EAST_SECOND)
    # The GCJ-02 shift here is hundreds of metres: read as WGS-84 it would lie elsewhere.
    assert coords.distance_m(glat, glon, *IN_EAST_SECOND) > 300
    case = draft(t, crs="gcj02", latitude=glat, longitude=glon)
    stored = (float(case.latitude), float(case.longitude))
    assert coords.distance_m(*stored, *IN_EAST_SECOND) < 2
    assert case.grid == second


def test_a_bd09_point_is_stored_in_wgs84(t):
    blat, blon = coords.wgs84_to_bd09(*IN_EAST_FIRST)
    case = draft(t, crs="bd09", latitude=str(blat), longitude=str(blon))
    assert coords.distance_m(float(case.latitude), float(case.longitude), *IN_EAST_FIRST) < 2
    assert case.latitude == case.latitude.quantize(Decimal("0.000001"))


def test_an_unknown_system_or_half_a_point_to_convert_is_named(t):
    with pytest.raises(CaseError) as refused:
        draft(t, crs="mercator", latitude="28.2", longitude="112.9")
    assert "crs" in refused.value.fields
    with pytest.raises(CaseError) as refused:
        draft(t, crs="gcj02", latitude="28.2")
    assert "longitude" in refused.value.fields


def test_editing_a_draft_moves_it_between_the_grids_of_its_village(t, second):
    case = draft(t, **point(IN_EAST_FIRST))
    filing.case_update_draft(case=case, by=t.officer, data=point(IN_EAST_SECOND), at=AT)
    case.refresh_from_db()
    assert (case.village, case.grid) == (t.village, second)
    with pytest.raises(CaseError) as refused:
        filing.case_update_draft(case=case, by=t.officer, data=point(IN_WEST), at=AT)
    assert "不在本草稿所在的东村" in refused.value.fields["latitude"][0]
    case.refresh_from_db()
    assert case.grid == second  # nothing written


def test_an_unchanged_point_keeps_a_place_chosen_by_hand(t, second):
    case = draft(t, grid=t.grid, **point(IN_EAST_SECOND))
    assert case.grid == t.grid
    filing.case_update_draft(case=case, by=t.officer, data={**point(IN_EAST_SECOND)}, at=AT)
    case.refresh_from_db()
    assert case.grid == t.grid
    with pytest.raises(CaseError) as refused:
        other = Grid.objects.get(village=t.other_village)
        filing.case_update_draft(case=case, by=t.officer, data={"grid": other}, at=AT)
    assert "grid" in refused.value.fields


def test_the_place_name_reads_village_then_grid(t):
    assert placing.place_name(t.village, t.grid) == "东村 · 第一网格"
    assert placing.place_name(t.village, None) == "东村"


def test_a_point_refused_is_named_in_the_readers_language(t, second):
    case = draft(t, **point(IN_EAST_FIRST))
    with translation.override("en"):
        with pytest.raises(CaseError) as refused:
            draft(t, **point(IN_WEST))
        assert refused.value.fields["latitude"][0].startswith(
            "This location is in 西村 · 第一网格, not in a village you serve:"
        )
        with pytest.raises(CaseError) as refused:
            filing.case_update_draft(case=case, by=t.officer, data=point(IN_WEST), at=AT)
        assert refused.value.fields["latitude"][0].startswith(
            "This location is in 西村 · 第一网格, not in 东村, the draft's village:"
        )
        with pytest.raises(CaseError) as refused:
            draft(t, crs="gcj02", latitude="28.2")
        assert refused.value.fields["longitude"] == [
            "Converting from gcj02 needs both latitude and longitude"
        ]
