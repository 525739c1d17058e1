"""The grid cell of a case's point (cases/cells.py): the pure function, the cells a box touches,
and the column the database computes on every write path agreeing with it."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from gridcase.assessment import duplicates
from gridcase.cases import cells, filing
from gridcase.cases.models import Case
from gridcase.ledger import bulk
from tests.factories import complete_data, local

AT = local(2026, 10, 10, 9)
micro = st.integers(min_value=-90_000_000, max_value=90_000_000)
micro_lon = st.integers(min_value=-180_000_000, max_value=180_000_000)


def as_decimal(micro_degrees: int) -> Decimal:
    return Decimal(micro_degrees).scaleb(-6)


# --- pure -----------------------------------------------------------------------------------


def test_a_cell_is_row_and_column_of_fixed_size():
    # 28.1° N, 112.6° E: row (28.1 + 90) / 0.005 = 23620, column (112.6 + 180) / 0.005 = 58520.
    assert cells.cell_of(28.1, 112.6) == 23620 * cells.ROW_STRIDE + 58520
    assert cells.cell_of(Decimal("28.104999"), "112.604999") == 23620 * 100_000 + 58520
    # On a boundary the point belongs to the cell north / east of it (a floor).
    assert cells.cell_of(Decimal("28.105"), Decimal("112.605")) == 23621 * 100_000 + 58521
    # South and west of zero, still the floor (not towards zero).
    assert cells.row_of(Decimal("-0.000001")) == 17_999
    assert cells.column_of(Decimal("-0.000001")) == 35_999
    assert cells.cell_of(-90, -180) == 0
    assert cells.cell_of(90, 180) == 36_000 * 100_000 + 72_000


def test_no_cell_without_both_coordinates():
    assert cells.cell_of(None, 112.6) is None
    assert cells.cell_of(28.1, None) is None


@given(micro, micro_lon)
def test_float_decimal_and_text_give_the_same_cell(lat, lon):
    exact = cells.cell_of(as_decimal(lat), as_decimal(lon))
    assert cells.cell_of(float(as_decimal(lat)), float(as_decimal(lon))) == exact
    assert cells.cell_of(str(as_decimal(lat)), str(as_decimal(lon))) == exact


@pytest.mark.parametrize("metres", [50, 300, 600, 5000])
def test_every_point_within_the_distance_is_in_a_covering_cell(metres):
    rng = random.Random(metres)
    for _ in range(300):
        lat, lon = rng.uniform(-60, 60), rng.uniform(-179, 179)
        box = cells.around(lat, lon, metres)
        covered = set(cells.covering_cells(*box))
        for _ in range(30):
            # A point on the box's edge or inside, at six decimals as the columns hold it.
            plat = round(rng.choice([box[0], box[1], rng.uniform(box[0], box[1])]), 6)
            plon = round(rng.choice([box[2], box[3], rng.uniform(box[2], box[3])]), 6)
            if not (box[0] <= plat <= box[1] and box[2] <= plon <= box[3]):
                continue
            assert cells.cell_of(plat, plon) in covered


def test_the_covering_of_the_default_policy_is_a_few_cells():
    # 600 m around a point at 28° N (twice the 300 m of the default policy).
    ranges = cells.covering(*cells.around(28.1234, 112.6543, 600))
    assert 9 <= cells.cell_count(ranges) <= 16
    assert all(last - first <= 3 for first, last in ranges)


def test_the_duplicate_box_is_the_cells_box():
    assert duplicates.bounding_box(28.1, 112.6, 300) == cells.around(28.1, 112.6, 300)


# --- the column, computed by the database ---------------------------------------------------


def cell_in_db(case_id: int) -> int | None:
    return Case.objects.filter(pk=case_id).values_list("cell", flat=True).get()


def check_column(case_id: int) -> None:
    lat, lon, cell = (
        Case.objects.filter(pk=case_id).values_list("latitude", "longitude", "cell").get()
    )
    assert cell == cells.cell_of(lat, lon), (lat, lon)


# Boundaries, both hemispheres, the extremes and points that floating point rounds badly.
POINTS = [
    ("28.105000", "112.605000"),
    ("28.104999", "112.604999"),
    ("-0.000001", "-0.000001"),
    ("0.000000", "0.000000"),
    ("-33.865000", "-151.210000"),
    ("89.999999", "179.999999"),
    ("-90.000000", "-180.000000"),
    ("90.000000", "180.000000"),
    ("0.015000", "0.035000"),
    ("28.115000", "112.655000"),
]


def test_the_database_computes_the_cell_of_filing_and_edits(t):
    case = filing.case_create_draft(
        town=t.town,
        by=t.officer,
        data=complete_data(AT, latitude=Decimal(POINTS[0][0]), longitude=Decimal(POINTS[0][1])),
        at=AT,
    )
    check_column(case.pk)
    assert cell_in_db(case.pk) == 23621 * 100_000 + 58521
    for lat, lon in POINTS[1:]:
        case.refresh_from_db()
        filing.case_update_draft(
            case=case,
            by=t.officer,
            data={"latitude": Decimal(lat), "longitude": Decimal(lon)},
            at=AT,
        )
        check_column(case.pk)
    filing.case_update_draft(case=case, by=t.officer, data={"latitude": None}, at=AT)
    assert cell_in_db(case.pk) is None


def test_the_database_computes_the_cell_of_updates_bulk_inserts_and_raw_sql(t):
    case = filing.case_create_draft(town=t.town, by=t.officer, data=complete_data(AT), at=AT)
    for lat, lon in POINTS:
        Case.objects.filter(pk=case.pk).update(latitude=Decimal(lat), longitude=Decimal(lon))
        check_column(case.pk)
    # The ledger's writer: a many-row INSERT on SQLite, COPY on PostgreSQL; it leaves the
    # generated column out, the database fills it.
    bulk.insert(
        Case,
        (
            {
                "town_id": t.town.pk,
                "number": f"BULK-{i}",
                "category": "other",
                "village_id": t.village.pk,
                "officer_id": t.officer.pk,
                "latitude": Decimal(lat),
                "longitude": Decimal(lon),
                "submitted_at": AT + timedelta(minutes=i),
            }
            for i, (lat, lon) in enumerate(POINTS)
        ),
        now=AT,
    )
    ids = list(Case.objects.filter(number__startswith="BULK-").values_list("pk", flat=True))
    assert len(ids) == len(POINTS)
    for case_id in ids:
        check_column(case_id)
    # ... and its compare-and-swap UPDATE of a re-imported row.
    version = Case.objects.get(pk=ids[0]).version
    changed = bulk.update(
        Case,
        ["latitude", "longitude", "version"],
        [
            (
                ids[0],
                version,
                {
                    "latitude": Decimal("31.2"),
                    "longitude": Decimal("121.5"),
                    "version": version + 1,
                },
            )
        ],
    )
    assert changed == 1
    check_column(ids[0])
    assert cell_in_db(ids[0]) == cells.cell_of("31.2", "121.5")
    # Whoever writes the row, even by hand in SQL.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_case SET latitude = %s, longitude = %s WHERE id = %s",
            [Decimal("-12.345678"), Decimal("45.678901"), case.pk],
        )
    check_column(case.pk)
