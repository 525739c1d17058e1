"""Which counted cases fill the quota and which are beyond it, and what each excess case earns
under the month's cap (rule 四.2). Pure: integers in fen, no policy object, no database.

The rules do not say which cases fill the quota. The default reading (assessment.md) is the
split that pays the officer the most, so that entering a major case early in the month never
costs them; among equal splits, earlier cases fill the quota. The other reading is by order of
submission.
"""

from __future__ import annotations

from operator import itemgetter

_UNCAPPED, _VALUE = itemgetter(0), itemgetter(1)


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
    if not any(map(_UNCAPPED, items)):  # every case under the cap: most months
        return _capped_excess(list(map(_VALUE, items)), beyond, cap)
    found = _free_all_beyond(items, beyond, cap)
    return found if found is not None else _favourable_excess(items, beyond, cap)


def _free_all_beyond(items: list[tuple[bool, int]], beyond: int, cap: int) -> set[int] | None:
    """The favourable split of a month with cases outside the cap, in two cases where the
    greedy needs no search (a province's usual months with a major case; None otherwise: the
    general search decides):

    - the cases under the cap cannot reach it in the places beyond the quota: then no split's
      pay is capped, each case is worth its value wherever it is, and the split is
      _capped_excess's with a cap no split reaches;
    - the cases outside the cap all fit beyond the quota, each earns something, and the cases
      under the cap still reach the cap in the places left: every best split then pays the cap
      and all of their values (one that left such a case in the quota would pay less by its
      value), so the quota is chosen among the cases under the cap alone."""
    values = list(map(_VALUE, items))
    under = sorted((value for uncapped, value in items if not uncapped), reverse=True)
    if sum(under[:beyond]) <= cap:
        return _capped_excess(values, beyond, sum(values))
    free = [i for i, (uncapped, _) in enumerate(items) if uncapped]
    places = beyond - len(free)
    if places < 0 or any(values[i] <= 0 for i in free) or sum(under[:places]) < cap:
        return None
    kept = [i for i, (uncapped, _) in enumerate(items) if not uncapped]
    chosen = _capped_excess([values[i] for i in kept], places, cap)
    return {kept[k] for k in chosen} | set(free)


def _capped_excess(values: list[int], beyond: int, cap: int) -> set[int]:
    """``_favourable_excess`` when every case is under the cap (a province's months: four in
    five): the same greedy, each case's question (is the best pay still reachable without
    it?) answered directly from how many cases of each value are left — the most the cases
    after it can add in the places left is the largest values' sum, and the pay is that capped.
    A few integer operations a case, not the general search's classes and ways (a third of
    its time, bench/README.md)."""
    n = len(values)
    classes = sorted(set(values), reverse=True)
    if len(classes) == 1:  # the cases all alike: every split pays the same, the last are beyond
        return set(range(n - beyond, n))
    left = [values.count(value) for value in classes]
    best = min(cap, _prefix(list(zip(classes, left, strict=True)), beyond))
    quota_left, remaining, fixed = n - beyond, beyond, 0
    excess: set[int] = set()
    index = classes.index
    for i, value in enumerate(values):
        if not quota_left or not remaining:
            return _rest(excess, i, n, quota_left)
        left[index(value)] -= 1
        # The most the later cases can add in the places left (the largest values first).
        places, most = remaining, fixed
        for class_value, count in zip(classes, left, strict=True):
            take = count if count < places else places
            most += take * class_value
            places -= take
            if not places:
                break
        if not places and min(cap, most) == best:  # reachable without it: it fills the quota
            quota_left -= 1
        else:  # every best way takes it
            excess.add(i)
            fixed += value
            remaining -= 1
    return excess


def _favourable_excess(items: list[tuple[bool, int]], beyond: int, cap: int) -> set[int]:
    """The split that pays the most; among equally paying splits, earlier cases fill the quota.

    Greedy in submission order: each case goes into the quota if the best pay is still
    reachable with it there, otherwise beyond the quota. That yields, among the best splits,
    the one whose quota cases are earliest. Pay depends only on how many cases of each class
    (uncapped or not, bonus value) are beyond the quota, so "is the best still reachable" is
    a maximum over a concave function with O(1) candidate points (``_best_pay``).

    That maximum is computed only when the answer is in doubt: the greedy keeps one best way
    to fill the excess places left (how many of each class, ``chosen``), and a case of a class
    of which that way takes fewer than are left goes into the quota with no computation — the
    way stays reachable without it. Only when the way takes every case left of the case's
    class is the best recomputed without the case (a province's months: some 20 cases, a
    quota of 8, a handful of recomputations instead of one a case).
    """
    # The classes: under the cap first, then outside it, each the largest value first (the
    # order _best_pay reads them in and a best way takes them in).
    found = sorted(set(items), key=lambda item: (item[0], -item[1]))
    if len(found) == 1:  # the cases all alike: every split pays the same, the last are beyond
        return set(range(len(items) - beyond, len(items)))
    index = {item: c for c, item in enumerate(found)}
    values = [value for _, value in found]
    n_capped = sum(1 for uncapped, _ in found if not uncapped)
    left = [0] * len(found)
    classes = [index[item] for item in items]
    for c in classes:
        left[c] += 1

    def best_way(beyond: int, fixed_capped: int, fixed_uncapped: int) -> tuple[int, list[int]]:
        """The most pay when ``beyond`` more of the cases left go beyond the quota, and how
        many of each class a way to it takes (-1 and nothing: too few cases left)."""
        if n_capped == len(found):  # every case under the cap (most months): no j to choose
            if beyond > sum(left):
                return -1, []
            largest = fixed_capped + _prefix(list(zip(values, left, strict=True)), beyond)
            if largest < cap:
                return largest, _taken(left, beyond)
            return cap, _reaching(values, left, beyond, cap - fixed_capped)
        capped = list(zip(values[:n_capped], left[:n_capped], strict=True))
        free = list(zip(values[n_capped:], left[n_capped:], strict=True))
        best = _best_pay(capped, free, beyond, fixed_capped, fixed_uncapped, cap)
        if best is None:
            return -1, []
        pay, uncapped = best
        capped_values, capped_left = values[:n_capped], left[:n_capped]
        taken = _reaching(capped_values, capped_left, beyond - uncapped, cap - fixed_capped)
        return pay, taken + _taken(left[n_capped:], uncapped)

    best, chosen = best_way(beyond, 0, 0)
    quota_left = len(items) - beyond
    remaining, fixed_capped, fixed_uncapped = beyond, 0, 0
    excess: set[int] = set()
    for i, c in enumerate(classes):
        if not quota_left or not remaining:
            return _rest(excess, i, len(items), quota_left)
        if chosen[c] < left[c]:  # the chosen way does without this case: it fills the quota
            left[c] -= 1
            quota_left -= 1
            continue
        left[c] -= 1
        pay, other = best_way(remaining, fixed_capped, fixed_uncapped)
        if pay == best:  # another way reaches the best without this case
            chosen = other
            quota_left -= 1
            continue
        # Every best way takes this case: beyond the quota, and the chosen way, less this case,
        # is a best way for the rest.
        excess.add(i)
        chosen[c] -= 1
        remaining -= 1
        if c < n_capped:
            fixed_capped += values[c]
        else:
            fixed_uncapped += values[c]
    return excess


def _taken(counts: list[int], m: int) -> list[int]:
    """How many of each class the ``m`` largest values take (``counts``: the classes' counts,
    the largest value first)."""
    taken = []
    for count in counts:
        take = min(m, count)
        taken.append(take)
        m -= take
    return taken


def _reaching(values: list[int], counts: list[int], m: int, need: int) -> list[int]:
    """How many of each class ``m`` cases under the cap take, paying as much as the ``m``
    largest values do: the largest values, or, when they pass the cap (``need``: what is left
    of it), the smaller values as far as the cap is still reached. A way that takes fewer of
    the large classes lets more of their cases fill the quota without a computation
    (_favourable_excess): with a cap reached by fewer cases than the places beyond the quota
    (a province's usual month), the largest values would leave no case spare.
    ``values``: the classes' values, the largest first; ``counts``: how many are left."""
    taken = _taken(counts, m)
    spare = sum(t * v for t, v in zip(taken, values, strict=True)) - need
    # From the largest class taken to the smallest with room, as long as the cap stays reached.
    for big in range(len(values)):
        for small in range(len(values) - 1, big, -1):
            if spare <= 0 or not taken[big]:
                break
            moved = min(
                taken[big], counts[small] - taken[small], spare // (values[big] - values[small])
            )
            if moved > 0:
                taken[big] -= moved
                taken[small] += moved
                spare -= moved * (values[big] - values[small])
    return taken


def _rest(excess: set[int], i: int, n: int, quota_left: int) -> set[int]:
    """The greedy's end, once one side is full: with no quota place left, the cases from
    ``i`` on are all beyond the quota; with no excess place left, they all fill it (the best
    pay is still reachable, and putting them all in the quota is the one way left)."""
    if not quota_left:
        excess.update(range(i, n))
    return excess


def _best_pay(
    capped: list[tuple[int, int]],
    free: list[tuple[int, int]],
    beyond: int,
    fixed_capped: int,
    fixed_uncapped: int,
    cap: int,
) -> tuple[int, int] | None:
    """Most bonus when ``beyond`` more cases of those left go beyond the quota, and how many
    of them are outside the cap (j below) in a way to it (None: too few). ``capped`` and
    ``free``: the cases left under the cap and outside it, as (value, count), the largest
    value first (a count may be 0).

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
        return min(cap, fixed_capped + _prefix(capped, beyond)) + fixed_uncapped, 0
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

    return max((pay(j), j) for j in candidates if low <= j <= high)


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
