"""The optional [integrity] table of the policy (integrity.md): defaults, overrides, refusals."""

from decimal import Decimal

import pytest

from gridcase.core.policy import DEFAULT_POLICY_PATH, PolicyError, parse_policy

DEFAULT_TEXT = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")


def test_a_file_without_the_table_takes_the_specification_defaults():
    policy = parse_policy(DEFAULT_TEXT)
    assert "[integrity]" not in DEFAULT_TEXT
    assert policy.duplicate_threshold == Decimal("0.6")
    assert policy.duplicate_window_days == 30
    assert policy.duplicate_distance_m == 300


def test_the_table_overrides_each_key_on_its_own():
    policy = parse_policy(DEFAULT_TEXT + "\n[integrity]\nthreshold = 0.75\ndistance_m = 500\n")
    assert policy.duplicate_threshold == Decimal("0.75")
    assert policy.duplicate_distance_m == 500
    assert policy.duplicate_window_days == 30


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("threshold = 0", "integrity.threshold"),
        ("threshold = 1.5", "integrity.threshold"),
        ('threshold = "0.6"', "integrity.threshold"),
        ("window_days = 0", "integrity.window_days"),
        ("window_days = 2.5", "integrity.window_days"),
        ("distance_m = -3", "integrity.distance_m"),
        ("radius = 300", "integrity.radius"),
    ],
)
def test_a_bad_integrity_key_is_refused_by_name(line, key):
    with pytest.raises(PolicyError) as err:
        parse_policy(DEFAULT_TEXT + f"\n[integrity]\n{line}\n")
    assert err.value.key == key


def test_integrity_must_be_a_table():
    with pytest.raises(PolicyError) as err:
        parse_policy("integrity = 3\n" + DEFAULT_TEXT)
    assert err.value.key == "integrity"
