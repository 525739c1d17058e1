"""The location-fix padding signal (integrity.md): fixes of accuracy exactly 0 or from a mock
provider, per officer and month; it names its cases and changes no amount."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridcase.assessment import integrity
from gridcase.assessment.padding import Entry, signals
from tests.assessment.builders import submitted
from tests.factories import local

T0 = datetime(2026, 10, 10, 9, tzinfo=UTC)


def entry(n, *, accuracy=None, mock=False, officer="王网格", month="2026-10", hours=0):
    at = T0 + timedelta(hours=hours)
    return Entry(
        f"CT-{n}",
        officer,
        month,
        at,
        at,
        location_accuracy=accuracy,
        location_mock=mock,
    )


def test_zero_accuracy_and_mock_fixes_are_named_in_one_signal_per_officer_month():
    found = signals(
        [
            entry(1, accuracy=Decimal("0.00")),
            entry(2, accuracy=Decimal("12.5"), mock=True, hours=5),
            entry(3, accuracy=Decimal("8"), hours=9),  # a real fix
            entry(4, hours=12),  # typed coordinates: unknown, not zero
            entry(5, accuracy=0.0, month="2026-11"),
            entry(6, mock=True, officer="李网格"),
        ]
    )
    assert [(s.officer, s.month, s.kind, s.cases, s.reason) for s in found] == [
        ("李网格", "2026-10", "location_fix", ("CT-6",), "1 起事件的定位精度为 0 或来自模拟定位"),
        (
            "王网格",
            "2026-10",
            "location_fix",
            ("CT-1", "CT-2"),
            "2 起事件的定位精度为 0 或来自模拟定位",
        ),
        ("王网格", "2026-11", "location_fix", ("CT-5",), "1 起事件的定位精度为 0 或来自模拟定位"),
    ]


def test_real_and_unknown_fixes_raise_nothing():
    assert signals([entry(1, accuracy=Decimal("0.01")), entry(2, hours=3)]) == []


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(local(2026, 11, 20, 9), tick=False)


def located(t, at, **fix):
    return submitted(t, at, latitude=Decimal("28.123456"), longitude=Decimal("112.654321"), **fix)


def test_the_period_gathers_the_fixes_in_its_one_read(t):
    zero = located(t, local(2026, 10, 3, 9), location_accuracy=Decimal("0"))
    mock = located(t, local(2026, 10, 9, 9), location_accuracy=Decimal("6.5"), location_mock=True)
    located(t, local(2026, 10, 15, 9), location_accuracy=Decimal("6.5"))
    located(t, local(2026, 10, 20, 9))
    with CaptureQueriesContext(connection) as queries:
        found = integrity.signals_in_period(
            t.town, local(2026, 10, 1).date(), local(2026, 10, 31).date()
        )
    assert [(s.kind, s.cases) for s in found] == [("location_fix", (zero.number, mock.number))]
    assert found[0].officer_id == t.officer.pk
    # The cases, their photos (hashes known, attachments new), the officers' names and the
    # year's counts: the same five reads whatever the number of cases.
    assert len(queries) == 5


def test_the_command_lists_the_signal(t, capsys):
    case = located(t, local(2026, 10, 3, 9), location_mock=True)
    call_command("suspects", town="长塘镇", month="2026-10", format="json")
    report = json.loads(capsys.readouterr().out)
    assert report["signals"] == [
        {
            "officer": report["signals"][0]["officer"],
            "month": "2026-10",
            "kind": "location_fix",
            "cases": [case.number],
            "reason": "1 起事件的定位精度为 0 或来自模拟定位",
        }
    ]
