"""Which counted cases fill the quota and which are beyond it, and what each excess case earns
under the month's cap (rule 四.2). Pure: integers in fen, no policy object, no database.

The rules do not say which cases fill the quota. The default reading (assessment.md) is the
split that pays the officer the most, so that entering a major case early in the month never
costs them; among equal splits, earlier cases fill the quota. The other reading is by order of
submission.
"""

from __future__ import annotations

from collections import Counter


def beyond_quota(
    items: list[tuple[bool, int]], *, quota: int, allocation: str, cap: int
) -> set[int]:
    """Indices (in submission order) of the counted cases beyond the quota.

    ``items`` are ``(uncapped, bonus in fen)`` per counted case, in submission order;
    ``allocation`` is the policy's ("worker_favorable" or "chronological"), ``cap`` the
    month's bonus cap in fen.
    """
    beyond = max(0, len(items) - quota)
    if beyond == 0:
        return set()
    if allocation == "chronological":
        return set(range(len(items) - beyond, len(items)))
    return _favourable_excess(items, beyond, cap)


def _favourable_excess(items: list[tuple[bool, int]], beyond: int, cap: int) -> set[int]:
    """The split that pays the most; among equally paying splits, earlier cases fill the quota.

    Greedy in submission order: each case goes into the quota if the best pay is still
    reachable with it there, otherwise beyond the quota. That yields, among the best splits,
    the one whose quota cases are earliest. Pay depends only on how many cases of each class
    (uncapped or not, bonus value) are beyond the quota, so "is the best still reachable" is
    a maximum over a concave function with O(1) candidate points: O(n) after sorting.
    """
    if not any(uncapped for uncapped, _ in items):
        return _all_capped_excess([value for _, value in items], beyond, cap)
    pool = Counter(items)
    # The classes' values, largest first, once: each step reads only their counts left.
    capped_values = sorted({value for uncapped, value in pool if not uncapped}, reverse=True)
    free_values = sorted({value for uncapped, value in pool if uncapped}, reverse=True)

    def best_pay(beyond: int, fixed_capped: int, fixed_uncapped: int) -> int | None:
        capped = [(value, pool[(False, value)]) for value in capped_values]
        free = [(value, pool[(True, value)]) for value in free_values]
        return _best_pay(capped, free, beyond, fixed_capped, fixed_uncapped, cap)

    best = best_pay(beyond, 0, 0)
    quota_left = len(items) - beyond
    remaining, fixed_capped, fixed_uncapped = beyond, 0, 0
    excess: set[int] = set()
    for i, item in enumerate(items):
        if not quota_left or not remaining:
            return _rest(excess, i, len(items), quota_left)
        pool[item] -= 1
        if best_pay(remaining, fixed_capped, fixed_uncapped) == best:
            quota_left -= 1
            continue
        excess.add(i)
        remaining -= 1
        is_uncapped, value = item
        if is_uncapped:
            fixed_uncapped += value
        else:
            fixed_capped += value
    return excess


def _rest(excess: set[int], i: int, n: int, quota_left: int) -> set[int]:
    """The greedy's end, once one side is full: with no quota place left, the cases from
    ``i`` on are all beyond the quota; with no excess place left, they all fill it (the best
    pay is still reachable, and putting them all in the quota is the one way left)."""
    if not quota_left:
        excess.update(range(i, n))
    return excess


def _all_capped_excess(values: list[int], beyond: int, cap: int) -> set[int]:
    """``_favourable_excess`` when every case is under the cap (most months): the same greedy,
    with the best pay of what is left being min(cap, what is fixed + the largest values left)
    — ``_best_pay`` with no uncapped case, without rebuilding its classes for each case."""
    classes = sorted(set(values), reverse=True)
    left = Counter(values)

    def largest(m: int) -> int:  # the sum of the m largest values left
        return _prefix([(value, left[value]) for value in classes], m)

    best = min(cap, largest(beyond))
    quota_left = len(values) - beyond
    remaining, fixed = beyond, 0
    excess: set[int] = set()
    for i, value in enumerate(values):
        if not quota_left or not remaining:
            return _rest(excess, i, len(values), quota_left)
        left[value] -= 1
        # With a quota place left, the cases after this one can always fill the excess.
        if min(cap, fixed + largest(remaining)) == best:
            quota_left -= 1
            continue
        excess.add(i)
        remaining -= 1
        fixed += value
    return excess


def _best_pay(
    capped: list[tuple[int, int]],
    free: list[tuple[int, int]],
    beyond: int,
    fixed_capped: int,
    fixed_uncapped: int,
    cap: int,
) -> int | None:
    """Most bonus when ``beyond`` more cases of those left go beyond the quota (None: too
    few). ``capped`` and ``free``: the cases left under the cap and outside it, as (value,
    count), the largest value first (a count may be 0).

    With j uncapped cases beyond the quota (the best j of them) and the best ``beyond - j``
    capped ones, pay is g(j) = min(cap, fixed_capped + C(beyond - j)) + fixed_uncapped + U(j).
    C and U are concave piecewise linear (sorted prefix sums), so g is concave in j and its
    maximum lies at an end, at a kink of U or C, or beside the point where the cap is reached.
    """
    n_capped = sum(c for _, c in capped)
    n_free = sum(c for _, c in free)
    if not n_free:
        # No uncapped case left (most months): j is 0, pay(0) below — the one candidate.
        if beyond > n_capped:
            return None
        return min(cap, fixed_capped + _prefix(capped, beyond)) + fixed_uncapped
    low, high = max(0, beyond - n_capped), min(beyond, n_free)
    if low > high:
        return None

    candidates = {low, high}
    run = 0
    for _, c in free:
        run += c
        candidates.add(run)
    run = 0
    for _, c in capped:
        run += c
        candidates.add(beyond - run)
    reach = _count_to_reach(capped, cap - fixed_capped)
    if reach is not None:
        candidates.update({beyond - reach, beyond - reach + 1})

    def pay(j: int) -> int:
        return (
            min(cap, fixed_capped + _prefix(capped, beyond - j)) + fixed_uncapped + _prefix(free, j)
        )

    return max(pay(j) for j in candidates if low <= j <= high)


def _prefix(classes: list[tuple[int, int]], m: int) -> int:
    """Sum of the m largest values; ``classes`` are (value, count), largest value first."""
    total = 0
    for value, count in classes:
        take = min(m, count)
        total += take * value
        m -= take
        if m == 0:
            break
    return total


def _count_to_reach(classes: list[tuple[int, int]], need: int) -> int | None:
    """Fewest of the largest values whose sum is at least ``need`` (None: never)."""
    if need <= 0:
        return 0
    taken = 0
    for value, count in classes:
        if value <= 0:
            break
        if value * count >= need:
            return taken - (-need // value)  # taken + ceil(need / value)
        need -= value * count
        taken += count
    return None


def distribute(
    values: list[int], uncapped: list[bool], excess: set[int], cap: int
) -> tuple[dict[int, int], dict[int, bool]]:
    """Each excess case's amount in fen, and whether the cap cut it.

    The cap is filled in submission order: earlier excess cases keep their full bonus, the case
    that reaches the cap gets what is left, later capped cases get nothing. So the amounts add
    up exactly to the month's bonus, and each reason can say what happened.
    """
    amounts: dict[int, int] = {}
    cut: dict[int, bool] = {}
    room = cap
    for i in sorted(excess):
        if uncapped[i]:
            amounts[i], cut[i] = values[i], False
            continue
        amounts[i] = min(values[i], room)
        cut[i] = amounts[i] < values[i]
        room -= amounts[i]
    return amounts, cut
