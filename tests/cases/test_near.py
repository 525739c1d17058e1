"""The cases near a point (cases.selectors.cases_near): within the radius by the exact distance,
submitted in the last days, of the town, in the person's scope, found by the grid cells
whatever cell boundary lies between them and the point."""

from __future__ import annotations

import math
import random
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from gridcase.cases import cells, filing, services
from gridcase.cases.models import Case
from gridcase.cases.selectors import NEAR_DAYS, NEAR_RADIUS_M, cases_near
from gridcase.core import coords
from gridcase.ledger import bulk
from tests.factories import CLOSE_DISPUTE, complete_data, local, make_town

pytestmark = pytest.mark.django_db

NOW = local(2026, 10, 14, 10)
LAT, LON = 28.1, 112.9


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def north(metres: float) -> Decimal:
    """The latitude ``metres`` north of LAT, to the six decimals a case holds."""
    return Decimal(f"{LAT + math.degrees(metres / coords.EARTH_RADIUS_M):.6f}")


def east(metres: float) -> Decimal:
    degrees = math.degrees(metres / (coords.EARTH_RADIUS_M * math.cos(math.radians(LAT))))
    return Decimal(f"{LON + degrees:.6f}")


def place(t, lat, lon, *, at=None, by=None, title="路灯损坏"):
    at = at or NOW - timedelta(days=1)
    by = by or t.officer
    data = complete_data(at, latitude=Decimal(lat), longitude=Decimal(lon), title=title)
    case = filing.case_create_draft(town=t.town, by=by, data=data, at=at)
    return filing.case_submit(case=case, by=by, at=at)


def numbers(found) -> list[str]:
    return [near.case.number for near in found]


def near(t, lat=LAT, lon=LON, **kwargs):
    kwargs.setdefault("user", t.center_user)
    return cases_near(t.town, lat, lon, **kwargs)


def test_the_radius_is_the_exact_distance_its_edge_included(t, frozen):
    inside = place(t, north(299.9), LON)
    outside = place(t, north(300.1), LON)
    # In the corner of the box the cells read, but 1.2 × 300 m away: not near.
    corner = place(t, north(255), east(255))
    assert coords.distance_m(LAT, LON, float(inside.latitude), LON) <= 300
    assert coords.distance_m(LAT, LON, float(outside.latitude), LON) > 300
    assert coords.distance_m(LAT, LON, float(corner.latitude), float(corner.longitude)) > 300
    found = near(t)
    assert numbers(found) == [inside.number]
    assert found[0].distance_m == pytest.approx(299.9, abs=0.2)
    # A wider radius takes them in, nearest first.
    assert numbers(near(t, radius_m=400)) == [inside.number, outside.number, corner.number]


def test_the_last_30_days_counts_back_from_now_its_edge_included(t, frozen):
    edge = place(t, north(10), LON, at=NOW - timedelta(days=NEAR_DAYS))
    before = place(t, north(20), LON, at=NOW - timedelta(days=NEAR_DAYS, seconds=1))
    assert numbers(near(t)) == [edge.number]
    # The clock moves on: a second later the edge case is out too.
    with time_machine.travel(NOW + timedelta(seconds=1), tick=False):
        assert numbers(near(t)) == []
    assert numbers(near(t, days=31)) == [edge.number, before.number]


def test_only_open_cases_unless_asked_and_never_voided(t, frozen):
    open_case = place(t, north(10), LON)
    closed = place(t, north(20), LON)
    services.case_accept(case=closed, by=t.officer, at=NOW - timedelta(hours=20))
    services.case_close(case=closed, by=t.officer, data=CLOSE_DISPUTE, at=NOW - timedelta(hours=19))
    voided = place(t, north(30), LON)
    Case.objects.filter(pk=voided.pk).update(state="voided")
    draft = filing.case_create_draft(
        town=t.town,
        by=t.officer,
        data=complete_data(NOW, latitude=north(5), longitude=Decimal(str(LON))),
        at=NOW - timedelta(hours=1),
    )
    assert numbers(near(t)) == [open_case.number]
    assert numbers(near(t, open_only=False)) == [open_case.number, closed.number]
    assert draft.number not in numbers(near(t, open_only=False, user=t.officer))


def test_another_towns_cases_are_never_near(t, frozen):
    other = make_town("石门镇", "sm", prefix="sm_")
    mine = place(t, north(10), LON)
    place(other, north(10), LON)
    assert numbers(near(t)) == [mine.number]
    assert numbers(near(t, user=other.center_user)) == []
    assert numbers(cases_near(t.town, LAT, LON, user=None)) == [mine.number]


def test_a_person_gets_only_the_cases_they_may_see(t, frozen):
    east_case = place(t, north(10), LON)
    west_case = place(t, north(20), LON, by=t.other_officer)
    assert numbers(near(t, user=t.center_user)) == [east_case.number, west_case.number]
    assert numbers(near(t, user=t.officer)) == [east_case.number]
    assert numbers(near(t, user=t.station_user)) == [east_case.number]
    assert numbers(near(t, user=t.other_officer)) == [west_case.number]
    assert numbers(near(t, user=t.department_user)) == []


def test_the_case_itself_is_left_out_and_the_list_cut(t, frozen):
    here = place(t, LAT, LON)
    others = [place(t, north(10 * n), LON) for n in range(1, 4)]
    assert numbers(near(t, exclude=here)) == [c.number for c in others]
    assert numbers(near(t, exclude=here, limit=2)) == [c.number for c in others[:2]]


@pytest.mark.parametrize(
    "corner",
    [
        # On a corner of four cells, and just either side of one.
        (Decimal("28.105"), Decimal("112.905")),
        (Decimal("28.104999"), Decimal("112.905001")),
        (Decimal("28.105001"), Decimal("112.904999")),
    ],
)
def test_cases_across_cell_boundaries_are_found(t, frozen, corner):
    lat0, lon0 = corner
    step = Decimal("0.000500")  # about 50 m
    around = {
        (lat0 + dlat * step, lon0 + dlon * step) for dlat in (-1, 0, 1) for dlon in (-1, 0, 1)
    }
    placed = {place(t, lat, lon).number for lat, lon in around}
    assert len({cells.cell_of(lat, lon) for lat, lon in around}) == 4
    assert set(numbers(cases_near(t.town, float(lat0), float(lon0), user=t.center_user))) == (
        placed
    )


def test_the_cells_find_what_measuring_every_case_finds(t, frozen):
    """Against the plain answer: every case of the town measured, on random points."""
    rng = random.Random(13)
    rows = []
    for n in range(400):
        lat = Decimal(f"{LAT + rng.uniform(-0.012, 0.012):.6f}")
        lon = Decimal(f"{LON + rng.uniform(-0.012, 0.012):.6f}")
        at = NOW - timedelta(days=rng.uniform(0, 40))
        state = rng.choice(["pending", "handling", "reported", "closed"])
        rows.append(
            {
                "town_id": t.town.pk,
                "number": f"N-{n:04d}",
                "category": rng.choice(["dispute", "other"]),
                "village_id": t.village.pk,
                "officer_id": t.officer.pk,
                "state": state,
                "latitude": lat,
                "longitude": lon,
                "submitted_at": at,
            }
        )
    bulk.insert(Case, rows, now=NOW)
    since = NOW - timedelta(days=NEAR_DAYS)
    for _ in range(25):
        lat, lon = LAT + rng.uniform(-0.01, 0.01), LON + rng.uniform(-0.01, 0.01)
        expected = {
            row["number"]
            for row in rows
            if since <= row["submitted_at"] <= NOW
            and row["state"] != "closed"
            and coords.distance_m(lat, lon, float(row["latitude"]), float(row["longitude"]))
            <= NEAR_RADIUS_M
        }
        assert set(numbers(near(t, lat, lon))) == expected
