"""A ledger's located point: 纬度/经度 (WGS-84), 定位精度 and 模拟定位 — read, checked, written
through the bulk paths (the database computes Case.cell), compared on re-import, exported."""

import io
from decimal import Decimal

import pytest

from gridcase.cases.cells import cell_of
from gridcase.cases.models import Case, TimelineEntry
from gridcase.ledger.services import import_ledger
from gridcase.web.views import ledger_export

from .conftest import row

POINT = {"latitude": "28.228100", "longitude": "112.938814"}


def run(path, town="长塘镇", **options):
    return import_ledger(path_or_file=path, town_name=town, **options)


def test_a_point_and_its_fix_are_imported_and_the_database_computes_the_cell(t, ledger):
    report = run(
        ledger(
            [
                row("P-1", **POINT, location_accuracy="12.5", location_mock="否"),
                row("P-2", latitude="-33.8688", longitude="151.2093", location_mock="是"),
                row("P-3"),  # no point: nowhere, as before
            ],
            chinese=True,
        )
    )
    assert report.ok and report.created == 3
    cases = {c.number: c for c in Case.objects.all()}
    one = cases["P-1"]
    assert (one.latitude, one.longitude) == (Decimal("28.228100"), Decimal("112.938814"))
    assert (one.location_accuracy, one.location_mock) == (Decimal("12.50"), False)
    assert one.cell == cell_of(one.latitude, one.longitude) is not None
    two = cases["P-2"]
    assert (two.latitude, two.longitude) == (Decimal("-33.868800"), Decimal("151.209300"))
    assert (two.location_accuracy, two.location_mock) == (None, True)
    assert two.cell == cell_of(two.latitude, two.longitude)
    three = cases["P-3"]
    assert (three.latitude, three.longitude, three.cell) == (None, None, None)
    assert (three.location_accuracy, three.location_mock) == (None, False)


def test_the_headers_are_read_in_chinese_and_english_and_jsonl_numbers_too(t, ledger):
    report = run(
        ledger(
            [row("J-1", latitude=28.2281, longitude=112.938814, location_accuracy=0)],
            name="x.jsonl",
        )
    )
    assert report.ok, report.problems
    case = Case.objects.get()
    assert (case.latitude, case.longitude) == (Decimal("28.228100"), Decimal("112.938814"))
    assert case.location_accuracy == Decimal("0")


def test_more_than_six_decimals_are_rounded_half_even_as_the_columns_hold(t, ledger):
    report = run(
        ledger(
            [
                row("D-1", latitude="28.12345650", longitude="112.1234575"),
                row("D-2", latitude="90.0000004", longitude="−180.0000001"),
            ]
        )
    )
    assert report.ok, report.problems
    cases = {c.number: c for c in Case.objects.all()}
    assert (cases["D-1"].latitude, cases["D-1"].longitude) == (
        Decimal("28.123456"),  # ...565 to the even 6
        Decimal("112.123458"),  # ...575 to the even 8
    )
    # Rounded first, then checked: what the column would hold is within range.
    assert (cases["D-2"].latitude, cases["D-2"].longitude) == (
        Decimal("90.000000"),
        Decimal("-180.000000"),
    )


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        ({"latitude": "91.2", "longitude": "112"}, "纬度“91.2”超出范围(−90 到 90)"),
        ({"latitude": "-90.5", "longitude": "112"}, "纬度“-90.5”超出范围(−90 到 90)"),
        ({"latitude": "28", "longitude": "180.01"}, "经度“180.01”超出范围(−180 到 180)"),
        ({"latitude": "28", "longitude": "1e40"}, "经度“1e40”超出范围(−180 到 180)"),
        (
            {"latitude": "北纬28度", "longitude": "112"},
            "纬度“北纬28度”不是有效的数字(应为十进制度数,如 28.228100)",
        ),
        (
            {"latitude": "28", "longitude": "NaN"},
            "经度“NaN”不是有效的数字(应为十进制度数,如 28.228100)",
        ),
        ({"latitude": "28.2281", "longitude": ""}, "有纬度而缺少经度(纬度和经度须同时填写)"),
        ({"latitude": "", "longitude": "112.9"}, "有经度而缺少纬度(纬度和经度须同时填写)"),
        ({**POINT, "location_accuracy": "-3"}, "定位精度“-3”应为不小于 0 的米数"),
        ({**POINT, "location_accuracy": "约10米"}, "定位精度“约10米”应为不小于 0 的米数"),
        ({**POINT, "location_mock": "也许"}, "模拟定位“也许”无法识别(应为 是 或 否)"),
    ],
)
def test_a_bad_point_is_a_row_error_naming_the_row_and_the_column_and_nothing_is_imported(
    t, ledger, cells, reason
):
    good = row("OK-1", **POINT, location_accuracy="", location_mock="")
    report = run(ledger([good, row("BAD-1", **cells)]))
    assert not report.ok
    assert [str(p) for p in report.problems] == [f"第 3 行: {reason}"]
    assert Case.objects.count() == 0


def test_a_reimport_moves_the_point_and_the_cell_follows(t, ledger):
    assert run(ledger([row("M-1", **POINT, location_accuracy="5")])).ok
    case = Case.objects.get()
    before = case.cell
    report = run(ledger([row("M-1", latitude="28.3", longitude="113.1", location_accuracy="5")]))
    assert (report.updated, report.unchanged) == (1, 0)
    case.refresh_from_db()
    assert (case.latitude, case.longitude) == (Decimal("28.300000"), Decimal("113.100000"))
    assert case.cell == cell_of(case.latitude, case.longitude) != before
    entry = TimelineEntry.objects.filter(case=case, action="import").order_by("-id").first()
    assert entry.data["fields"] == ["latitude", "longitude"]
    # The same ledger again changes nothing; a ledger without the point removes it.
    again = run(ledger([row("M-1", latitude="28.3", longitude="113.1", location_accuracy="5")]))
    assert (again.updated, again.unchanged) == (0, 1)
    assert run(ledger([row("M-1")])).updated == 1
    case.refresh_from_db()
    assert (case.latitude, case.longitude, case.cell, case.location_accuracy) == (
        None,
        None,
        None,
        None,
    )


def test_an_export_imports_again_unchanged_with_its_points(t, ledger, tmp_path):
    rows = [
        row("R-1", **POINT, location_accuracy="8.25", location_mock="是"),
        row("R-2", latitude="-0.000001", longitude="0.5"),
        row("R-3"),
    ]
    assert run(ledger(rows)).created == 3
    out = io.BytesIO()
    # The officer handles these cases, so the export keeps the parties' full numbers.
    cases = Case.objects.filter(town=t.town).select_related("village", "grid", "officer")
    assert ledger_export.write_ledger(t.officer, cases, out) == 3
    path = tmp_path / "export.xlsx"
    path.write_bytes(out.getvalue())
    report = run(str(path))
    assert report.problems == []
    assert (report.rows, report.unchanged, report.updated) == (3, 3, 0)
    one = Case.objects.get(number="R-1")
    assert (one.latitude, one.longitude, one.location_accuracy, one.location_mock) == (
        Decimal("28.228100"),
        Decimal("112.938814"),
        Decimal("8.25"),
        True,
    )


def test_points_do_not_add_queries(t, ledger, django_assert_max_num_queries):
    # The same pin as test_import's bulk test: the columns ride in the same statements.
    with django_assert_max_num_queries(16 + 4):
        run(ledger([row(f"Q-{i}", latitude=f"28.{i:06d}", longitude="112.9") for i in range(60)]))
    assert Case.objects.exclude(cell=None).count() == 60
    # A re-import of the same points compares them with what it read: no query per row.
    with django_assert_max_num_queries(16 + 4 + 1):
        report = run(
            ledger([row(f"Q-{i}", latitude=f"28.{i:06d}", longitude="112.9") for i in range(60)])
        )
    assert report.unchanged == 60
