"""The policy file: the default parses to the spec's values; every bad file names its key."""

import dataclasses
import os
import pickle
import re
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest

from gridcase.core.policy import (
    DEFAULT_POLICY_PATH,
    LEVELS,
    PolicyError,
    default_policy,
    load_policy_file,
    parse_policy,
    parsed_policy,
)

DEFAULT_TEXT = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")


def edited(old: str, new: str) -> str:
    """The default file with one line changed (the old text must be there exactly once)."""
    assert DEFAULT_TEXT.count(old) == 1, old
    return DEFAULT_TEXT.replace(old, new)


def with_extra(text: str) -> str:
    return DEFAULT_TEXT + "\n" + text


def test_default_policy_has_the_values_of_the_spec():
    policy = default_policy()

    assert policy.code == "changtang-2016"
    assert policy.name == "长塘镇网格专管员考核办法"
    assert policy.effective_from == date(2016, 5, 1)
    assert policy.timezone == "Asia/Shanghai"
    assert (policy.accept_working_days, policy.handle_working_days) == (2, 5)
    assert policy.categories == ("dispute", "security_hazard", "livelihood_service")
    assert policy.late_acceptance_excludes is False
    assert policy.late_escalation_counts is False
    assert policy.monthly_amount == Decimal("100")
    assert policy.quota == 8
    assert policy.per_missing == Decimal("10")
    assert policy.max_deduction == Decimal("80")
    assert policy.nonconforming == "deduct_each"
    assert policy.per_closed == Decimal("20")
    assert policy.per_escalated == Decimal("10")
    assert policy.monthly_cap == Decimal("200")
    assert policy.uncapped == ("dispute:major", "security_hazard:major")
    assert policy.allocation == "worker_favorable"


def test_amounts_are_decimals_never_floats():
    policy = default_policy()
    amounts = [
        policy.monthly_amount,
        policy.per_missing,
        policy.max_deduction,
        policy.per_closed,
        policy.per_escalated,
        policy.monthly_cap,
    ]
    assert all(type(amount) is Decimal for amount in amounts)


def test_the_shipped_file_is_the_one_in_the_spec():
    spec = (
        "[policy]\n"
        'code = "changtang-2016"\n'
        'name = "长塘镇网格专管员考核办法"\n'
        "effective_from = 2016-05-01\n"
        'timezone = "Asia/Shanghai"\n'
    )
    assert DEFAULT_TEXT.startswith(spec)
    assert default_policy().source == DEFAULT_TEXT


def test_the_follow_up_period_is_optional_and_defaults_to_ten_working_days():
    line = "follow_up_working_days = 10"
    older = "\n".join(x for x in DEFAULT_TEXT.splitlines() if not x.startswith(line))
    assert line in DEFAULT_TEXT and line not in older
    assert parse_policy(older).follow_up_working_days == 10
    assert parse_policy(edited(line, "follow_up_working_days = 7")).follow_up_working_days == 7


@pytest.mark.parametrize("value", ["0", "-1", "2.5", '"10"', "true"])
def test_a_follow_up_period_that_is_not_a_whole_number_of_days_is_refused(value):
    text = edited("follow_up_working_days = 10", f"follow_up_working_days = {value}")
    with pytest.raises(PolicyError) as err:
        parse_policy(text)
    assert err.value.key == "deadlines.follow_up_working_days"


def test_every_level_gets_the_general_deadlines_by_default():
    policy = default_policy()
    assert {level: policy.deadlines_for(level) for level in LEVELS} == {
        "grid": (2, 5),
        "village": (2, 5),
        "town": (2, 5),
        "department": (2, 5),
    }


def test_a_level_may_have_its_own_deadlines():
    policy = parse_policy(
        with_extra(
            "[deadlines.levels.town]\nhandle_working_days = 10\n"
            "[deadlines.levels.department]\naccept_working_days = 1\nhandle_working_days = 15\n"
        )
    )
    assert policy.deadlines_for("grid") == (2, 5)
    assert policy.deadlines_for("town") == (2, 10)
    assert policy.deadlines_for("department") == (1, 15)


def test_deadlines_for_an_unknown_level_is_an_error():
    with pytest.raises(ValueError, match="province"):
        default_policy().deadlines_for("province")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("12.5", Decimal("12.50")),
        ('"12.50"', Decimal("12.50")),
        ("0.1", Decimal("0.10")),  # read from the text, so no binary-float surprise
        ("25", Decimal("25.00")),
        ("0", Decimal("0.00")),
    ],
)
def test_amounts_may_be_written_as_integers_decimals_or_strings(written, expected):
    policy = parse_policy(edited("per_closed = 20", f"per_closed = {written}"))
    assert policy.per_closed == expected


def test_a_policy_can_be_pickled_and_hashed_for_background_work():
    policy = default_policy()
    assert pickle.loads(pickle.dumps(policy)) == policy
    assert hash(policy) == hash(default_policy())


def test_a_policy_hash_is_kept_but_never_sent_to_another_process():
    # The hash is computed once (the rules key their memories by the policy), from the same
    # fields that equality compares; a pickle must not carry it, as a text's hash differs
    # from one process to the next.
    policy = default_policy()
    first = hash(policy)
    assert hash(policy) == first == hash(dataclasses.replace(policy))
    other = dataclasses.replace(policy, quota=policy.quota + 1)
    assert hash(other) != first and other != policy
    assert hash(dataclasses.replace(other, quota=policy.quota)) == first
    assert "_hash" not in pickle.loads(pickle.dumps(policy)).__dict__
    child = "import pickle, sys; p = pickle.load(sys.stdin.buffer); print(hash(p))"
    done = subprocess.run(
        [sys.executable, "-c", child],
        input=pickle.dumps(policy),
        capture_output=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    # Hashed again there, with that process's hash of the texts (a kept hash would be ours).
    assert int(done.stdout) != first


def test_a_policy_file_is_read_from_a_path(tmp_path):
    path = tmp_path / "town.toml"
    path.write_text(edited("quota = 8", "quota = 6"), encoding="utf-8")
    assert load_policy_file(path).quota == 6


def test_an_error_in_a_file_names_the_file_and_the_key(tmp_path):
    path = tmp_path / "town.toml"
    path.write_text(edited("quota = 8", "quota = -1"), encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy_file(path)
    assert caught.value.key == "base.quota"
    assert str(path) in str(caught.value)


def test_a_missing_file_is_a_policy_error(tmp_path):
    with pytest.raises(PolicyError, match="无法读取"):
        load_policy_file(tmp_path / "nowhere.toml")


def test_the_message_is_in_chinese_with_english_beside_it():
    with pytest.raises(PolicyError) as caught:
        parse_policy(edited("quota = 8", "quota = -1"))
    assert str(caught.value) == (
        "策略文件错误: base.quota 必须是非负整数 (base.quota must be a non-negative integer)"
    )


BAD_FILES = [
    # (what is wrong, the file, the key the error must name)
    ("unknown top-level table", with_extra("[extra]\nx = 1\n"), "extra"),
    ("unknown key", edited("quota = 8", "quota = 8\nquota_bonus = 1"), "base.quota_bonus"),
    ("missing key", edited("quota = 8\n", ""), "base.quota"),
    ("missing table", DEFAULT_TEXT.split("[bonus]")[0], "bonus"),
    ("table written as a value", "bonus = 1\n" + DEFAULT_TEXT.split("[bonus]")[0], "bonus"),
    ("empty code", edited('code = "changtang-2016"', 'code = ""'), "policy.code"),
    ("name not a string", edited('name = "长塘镇网格专管员考核办法"', "name = 5"), "policy.name"),
    ("date as a string", edited("2016-05-01", '"2016-05-01"'), "policy.effective_from"),
    ("datetime, not a date", edited("2016-05-01", "2016-05-01T08:00:00"), "policy.effective_from"),
    ("unknown time zone", edited("Asia/Shanghai", "Asia/Beijing"), "policy.timezone"),
    ("path as time zone", edited("Asia/Shanghai", "../../etc/passwd"), "policy.timezone"),
    (
        "zero working days",
        edited("accept_working_days = 2", "accept_working_days = 0"),
        "deadlines.accept_working_days",
    ),
    (
        "bool as working days",
        edited("handle_working_days = 5", "handle_working_days = true"),
        "deadlines.handle_working_days",
    ),
    (
        "fractional working days",
        edited("handle_working_days = 5", "handle_working_days = 5.5"),
        "deadlines.handle_working_days",
    ),
    (
        "unknown category",
        edited('"livelihood_service"]', '"livelihood_service", "petition"]'),
        "counting.categories",
    ),
    (
        "no category",
        edited('["dispute", "security_hazard", "livelihood_service"]', "[]"),
        "counting.categories",
    ),
    (
        "duplicate category",
        edited('"livelihood_service"]', '"livelihood_service", "dispute"]'),
        "counting.categories",
    ),
    (
        "categories not a list",
        edited('["dispute", "security_hazard", "livelihood_service"]', '"dispute"'),
        "counting.categories",
    ),
    (
        "switch as a string",
        edited("late_acceptance_excludes = false", 'late_acceptance_excludes = "no"'),
        "counting.late_acceptance_excludes",
    ),
    (
        "switch as a number",
        edited("late_escalation_counts = false", "late_escalation_counts = 0"),
        "counting.late_escalation_counts",
    ),
    (
        "negative amount",
        edited("monthly_amount = 100", "monthly_amount = -100"),
        "base.monthly_amount",
    ),
    ("bool as amount", edited("per_missing = 10", "per_missing = true"), "base.per_missing"),
    ("amount below a fen", edited("per_closed = 20", "per_closed = 20.005"), "bonus.per_closed"),
    ("amount not a number", edited("per_closed = 20", 'per_closed = "twenty"'), "bonus.per_closed"),
    ("infinite amount", edited("monthly_cap = 200", "monthly_cap = inf"), "bonus.monthly_cap"),
    ("nan amount", edited("monthly_cap = 200", "monthly_cap = nan"), "bonus.monthly_cap"),
    ("negative quota", edited("quota = 8", "quota = -1"), "base.quota"),
    ("bool as quota", edited("quota = 8", "quota = true"), "base.quota"),
    ("quota as a string", edited("quota = 8", 'quota = "8"'), "base.quota"),
    (
        "deduction above the monthly amount",
        edited("max_deduction = 80", "max_deduction = 120"),
        "base.max_deduction",
    ),
    (
        "unknown nonconforming reading",
        edited('"deduct_each"', '"deduct_twice"'),
        "base.nonconforming",
    ),
    ("unknown allocation", edited('"worker_favorable"', '"random"'), "bonus.allocation"),
    (
        "uncapped entry without the major mark",
        edited('["dispute:major", "security_hazard:major"]', '["dispute"]'),
        "bonus.uncapped",
    ),
    (
        "uncapped entry with an unknown category",
        edited('["dispute:major", "security_hazard:major"]', '["petition:major"]'),
        "bonus.uncapped",
    ),
    (
        "uncapped not a list of strings",
        edited('["dispute:major", "security_hazard:major"]', "[1]"),
        "bonus.uncapped",
    ),
    (
        "unknown level",
        with_extra("[deadlines.levels.province]\naccept_working_days = 1\n"),
        "deadlines.levels.province",
    ),
    (
        "unknown key in a level",
        with_extra("[deadlines.levels.town]\nfollow_up_days = 10\n"),
        "deadlines.levels.town.follow_up_days",
    ),
    (
        "bad days in a level",
        with_extra("[deadlines.levels.town]\nhandle_working_days = 0\n"),
        "deadlines.levels.town.handle_working_days",
    ),
    (
        "levels not a table",
        edited("handle_working_days = 5", "handle_working_days = 5\nlevels = 3"),
        "deadlines.levels",
    ),
    ("level not a table", with_extra("[deadlines.levels]\ntown = 3\n"), "deadlines.levels.town"),
]


@pytest.mark.parametrize(
    ("text", "key"),
    [pytest.param(text, key, id=what) for what, text, key in BAD_FILES],
)
def test_a_bad_policy_file_is_refused_naming_the_key(text, key):
    with pytest.raises(PolicyError) as caught:
        parse_policy(text)
    assert caught.value.key == key
    assert re.search(rf"策略文件错误: {re.escape(key)} \S", str(caught.value))


def test_a_file_that_is_not_toml_is_refused_with_the_line():
    with pytest.raises(PolicyError, match="TOML") as caught:
        parse_policy(edited("quota = 8", "quota = = 8"))
    assert "line" in str(caught.value)
    assert caught.value.key == ""


def test_a_policy_error_is_a_value_error():
    assert issubclass(PolicyError, ValueError)


def test_a_text_is_parsed_once_and_a_refused_one_is_refused_each_time():
    text = edited('code = "changtang-2016"', 'code = "remembered"')
    assert parsed_policy(text) is parsed_policy(text)
    assert parsed_policy(text) == parse_policy(text)
    assert default_policy() is default_policy()
    bad = edited("quota = 8", "quota = -1")
    for _ in range(2):
        with pytest.raises(PolicyError, match="quota"):
            parsed_policy(bad)
