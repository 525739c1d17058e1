"""The period shapes and quarter arithmetic of core/periods.py, without a database."""

import pytest

from gridcase.core import periods


@pytest.mark.parametrize(
    ("quarter", "step", "expected"),
    [
        ("2026-Q3", 1, "2026-Q4"),
        ("2026-Q4", 1, "2027-Q1"),
        ("2027-Q1", -1, "2026-Q4"),
        ("2026-Q2", -1, "2026-Q1"),
        ("2026-Q2", 0, "2026-Q2"),
        ("2026-Q1", -8, "2024-Q1"),
        ("2026-Q4", 5, "2028-Q1"),
    ],
)
def test_a_quarter_steps_across_year_ends(quarter, step, expected):
    assert periods.quarter_after(quarter, step) == expected


@pytest.mark.parametrize("text", ["2026-Q5", "2026-q1", "2026-10", "２０２６-Q1", ""])
def test_stepping_from_something_that_is_not_a_quarter_is_refused(text):
    with pytest.raises(ValueError):
        periods.quarter_after(text)


@pytest.mark.parametrize(
    ("text", "month", "quarter"),
    [
        ("2026-10", True, False),
        ("2026-Q4", False, True),
        ("2026-13", False, False),
        ("2026-00", False, False),
        ("+026-01", False, False),
        ("2026-Q04", False, False),
        ("２０２６-10", False, False),
        (202610, False, False),
    ],
)
def test_the_shapes_are_ascii_and_exact(text, month, quarter):
    assert periods.is_month(text) is month
    assert periods.is_quarter(text) is quarter
