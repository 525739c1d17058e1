"""The quota's split (allocation.py) against every possible split, on the integers it reads.

test_rules_properties.py checks the same through a month's facts; here the values, classes and
caps are drawn directly, with many ties (two values, as the rules give, or a few more), so that
the greedy's shortcut — a case fills the quota without a computation when the best way it keeps
does without it — meets the cases where several ways pay the same."""

from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from gridcase.assessment.allocation import beyond_quota


def pay(items, excess, cap):
    capped = sum(items[i][1] for i in excess if not items[i][0])
    return min(cap, capped) + sum(items[i][1] for i in excess if items[i][0])


def items_of(values):
    return st.lists(st.tuples(st.booleans() | st.just(False), values), max_size=12)


@settings(max_examples=400)
@given(
    st.one_of(
        items_of(st.sampled_from([2000, 1000])),
        items_of(st.sampled_from([0, 500, 1000, 1500, 3000])),
    ),
    st.integers(0, 12),
    st.sampled_from([0, 1000, 2500, 4550, 20000, 10**6]),
)
def test_the_favourable_split_is_the_best_and_its_quota_the_earliest(items, quota, cap):
    excess = beyond_quota(items, quota=quota, allocation="worker_favorable", cap=cap)
    n, beyond = len(items), max(0, len(items) - quota)
    assert len(excess) == beyond
    splits = [set(s) for s in combinations(range(n), beyond)]
    best = max(pay(items, s, cap) for s in splits)
    assert pay(items, excess, cap) == best
    quotas = [
        tuple(i for i in range(n) if i not in s) for s in splits if pay(items, s, cap) == best
    ]
    assert tuple(i for i in range(n) if i not in excess) == min(quotas)


@settings(max_examples=400)
@given(
    st.one_of(
        st.lists(st.sampled_from([2000, 1000]), max_size=14),
        st.lists(st.sampled_from([0, 500, 1000, 1500, 3000]), max_size=14),
    ),
    st.integers(0, 14),
    st.sampled_from([0, 1000, 2500, 4550, 20000, 10**6]),
)
def test_every_case_under_the_cap_the_same_best_and_earliest_quota(values, quota, cap):
    # The shortcut for months with no case outside the cap (allocation._capped_excess).
    test_the_favourable_split_is_the_best_and_its_quota_the_earliest.hypothesis.inner_test(
        [(False, value) for value in values], quota, cap
    )


@settings(max_examples=400)
@given(
    st.lists(st.sampled_from([2000, 1000, 0]), min_size=1, max_size=14),
    st.lists(st.integers(0, 13), max_size=3),
    st.integers(0, 14),
    st.sampled_from([0, 1000, 2500, 4550, 20000, 10**6]),
)
def test_a_few_cases_outside_the_cap_the_same_best_and_earliest_quota(values, free, quota, cap):
    # A province's months: most cases under the cap, one or two outside it
    # (allocation._free_all_beyond, and the general search when it does not apply).
    free = {i % len(values) for i in free}
    items = [(i in free, value) for i, value in enumerate(values)]
    test_the_favourable_split_is_the_best_and_its_quota_the_earliest.hypothesis.inner_test(
        items, quota, cap
    )


def test_of_equal_ways_the_one_whose_quota_cases_come_first():
    # One place beyond a quota of two: the closed case under the cap (20 yuan, the cap 30) and
    # the major case outside it (20) pay the same; the earlier cases fill the quota.
    items = [(False, 2000), (False, 1000), (True, 2000)]
    assert beyond_quota(items, quota=2, allocation="worker_favorable", cap=3000) == {2}
    # Two places, the cap 25: the closed and the major case pay 20 + 20, more than the two
    # cases under the cap (25, the cap) or the escalated and the major one (10 + 20).
    assert beyond_quota(items, quota=1, allocation="worker_favorable", cap=2500) == {0, 2}
