"""Finding duplicate suspects in the database (integrity.md): candidates over the place-and-time
index, then the pure score of ``duplicates.py``.

Two ways in:
- ``check_entry``: one case being entered (or just entered) against the town, for the officer
  before they submit; the grid cells its bounding box touches (``cases.selectors.near_q``, the
  one home of "near a point" in SQL) on the index ``case_cell_time`` (town, category, cell,
  submitted_at), so it reads a few cells of the window, not the town, and answers in
  milliseconds with a million cases in the town;
- ``find_in_period``: every case submitted in a period against the window before it, for the
  command, the API and the office's queue; one read of the period and its window, compared in
  memory over the same cells.

Reads only: recording what is found and the office's decisions is ``integrity_services``.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet

from gridcase.cases import cells
from gridcase.cases.models import Case, Party, State
from gridcase.cases.selectors import near_q, unindexed
from gridcase.core import clock
from gridcase.core.policy import Policy
from gridcase.org.models import Town, User
from gridcase.org.policies import policy_for

from . import duplicates, padding
from .common import display_name
from .duplicates import Rules, Sketch, Suspicion
from .models import SuspectPair
from .photos import hashes_for

TEXT_FIELDS = ("title", "location", "persons", "cause", "course")
_COLUMNS = (
    "id",
    "number",
    "category",
    "submitted_at",
    "occurred_at",
    "latitude",
    "longitude",
    "village_id",
    "officer_id",
    *TEXT_FIELDS,
)
# Candidates one case is compared with (newest first): more than any real place's window
# holds, a bound on the work whatever the data.
_CANDIDATE_LIMIT = 500


def rules_of(policy: Policy) -> Rules:
    return Rules.of(
        policy.duplicate_threshold, policy.duplicate_window_days, policy.duplicate_distance_m
    )


def text_of(values: Mapping[str, object]) -> str:
    return " ".join(str(values.get(name) or "") for name in TEXT_FIELDS)


def _float(value: object) -> float | None:
    return None if value is None or value == "" else float(value)  # type: ignore[arg-type]


def _sketch(row: Mapping, parties=(), photos=()) -> Sketch:
    return Sketch(
        number=row["number"],
        category=row["category"],
        submitted_at=row["submitted_at"],
        occurred_at=row.get("occurred_at"),
        latitude=_float(row.get("latitude")),
        longitude=_float(row.get("longitude")),
        text=text_of(row),
        parties=tuple(parties),
        photos=tuple(photos),
        officer=str(row.get("officer_id") or ""),
    )


def _parties_of(case_ids: Iterable[int]) -> dict[int, list[duplicates.Party]]:
    found: dict[int, list[duplicates.Party]] = defaultdict(list)
    rows = Party.objects.filter(case_id__in=list(case_ids)).order_by("case_id", "position", "id")
    for case_id, name, phone in rows.values_list("case_id", "name", "phone"):
        found[case_id].append(duplicates.Party(name, phone))
    return found


def _sketches(rows: Sequence[Mapping]) -> dict[int, Sketch]:
    ids = [row["id"] for row in rows]
    parties, photos = _parties_of(ids), hashes_for(ids)
    return {
        row["id"]: _sketch(row, parties.get(row["id"], ()), photos.get(row["id"], ()))
        for row in rows
    }


def _live(town: Town) -> Q:
    """The town's cases that are real matters: neither drafts nor voided."""
    return Q(town=town) & ~Q(state__in=[State.DRAFT, State.VOIDED])


def _submitted(town: Town) -> Q:
    return _live(town) & Q(submitted_at__isnull=False)


# --- one case, at entry ---------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """A suspicion with the other case's id, for links."""

    suspicion: Suspicion
    other_id: int
    other_number: str


def check_entry(
    town: Town,
    values: Mapping[str, object],
    *,
    parties: Sequence[Mapping[str, str]] = (),
    village_id: int | None = None,
    number: str = "",
    at: datetime | None = None,
    policy: Policy | None = None,
) -> list[Found]:
    """The town's cases that ``values`` (a case being entered, not necessarily saved) may
    repeat, best first. ``number`` excludes the case itself once it exists."""
    at = at or clock.now()
    policy = policy or policy_for(town, clock.local_date(at, town.timezone))
    rules = rules_of(policy)
    category = str(values.get("category") or "")
    if not category:
        return []
    lat, lon = _float(values.get("latitude")), _float(values.get("longitude"))
    located = lat is not None and lon is not None
    if not located and village_id is None:
        return []  # no place to compare by: neither cells nor a village
    found_rows = _newest(
        candidates(
            town, category, at, rules, lat=lat, lon=lon, village_id=village_id, number=number
        )
    )
    mine = Sketch(
        number=number or "(录入中)",
        category=category,
        submitted_at=at,
        occurred_at=values.get("occurred_at") or None,  # type: ignore[arg-type]
        latitude=lat,
        longitude=lon,
        text=text_of(values),
        parties=tuple(duplicates.Party(p.get("name", ""), p.get("phone", "")) for p in parties),
    )
    # Parties and photos are read only for the rows that can be suspects at all (the query's
    # box is a square and its window counts submissions, the score's a circle and occurrences).
    rows = [row for row in found_rows if duplicates.within_reach(mine, _sketch(row), rules)]
    if not rows:
        return []
    sketches = _sketches(rows)
    dismissed = _dismissed_with(number) if number else set()
    found = []
    for case_id, other in sketches.items():
        if other.number in dismissed:
            continue
        suspicion = duplicates.suspect(mine, other, rules)
        if suspicion is not None:
            found.append(Found(suspicion, case_id, other.number))
    return sorted(found, key=lambda f: (-f.suspicion.score, f.other_number))


def candidates(
    town: Town,
    category: str,
    at: datetime,
    rules: Rules,
    *,
    lat: float | None,
    lon: float | None,
    village_id: int | None,
    number: str = "",
) -> list[QuerySet[Case]]:
    """The reads ``check_entry`` makes, each newest first (unsliced: _newest takes up to the
    limit of each and of both together): the town's submitted cases of the category within
    twice the window of ``at``, in the cells of the box when both are located, and of the
    village when either has no point — two reads, not one with an OR: the rows of the two are
    apart (located or not), and each reads its own index range. As one query ordered by
    time, SQLite walked the town's whole window in time order (index (town, submitted_at))
    for the few rows of the cells: 220 ms with a million cases in the town (bench/README)."""
    # Submission times within twice the window: occurrences (what the score compares) are
    # rarely entered long after, and the pure score drops whatever is outside the window.
    span = timedelta(days=2 * rules.window_days)
    window = (at - span, at + span)
    base = _live(town) & Q(category=category)  # submitted: the window says so
    if number:
        base &= ~Q(number=number)
    located = lat is not None and lon is not None
    reads = []
    if located:
        # The cells' range of ``case_cell_time`` (town, category, cell, submitted_at). SQLite,
        # without statistics, takes the town's time index for any term or order on the time,
        # however few the cell's rows: the time is read here as an expression it cannot
        # index (for the window and for the order), and it reads the cells.
        near = near_q(lat, lon, 2 * rules.distance_m)  # type: ignore[arg-type]
        reads.append(
            Case.objects.alias(_time=unindexed("submitted_at"))
            .filter(base & near, _time__range=window)
            .order_by("-_time")
        )
    if village_id is not None:
        # One range of ``case_village_cat_time`` (town, village, category, submitted_at), read
        # newest first up to the limit: a case without a point (every generated case of the
        # benchmark) does not read the village's other categories.
        village = base & Q(village_id=village_id, submitted_at__range=window)
        if located:
            village &= Q(cell__isnull=True)
        reads.append(Case.objects.filter(village).order_by("-submitted_at"))
    return reads


def _newest(reads: list[QuerySet[Case]]) -> list[dict]:
    """The rows of the reads, newest first, up to _CANDIDATE_LIMIT in all."""
    rows = []
    for read in reads:
        rows += read.values(*_COLUMNS)[:_CANDIDATE_LIMIT]
    rows.sort(key=lambda row: row["submitted_at"], reverse=True)
    return rows[:_CANDIDATE_LIMIT]


def check_case(case: Case, *, at: datetime | None = None, parties=None) -> list[Found]:
    """``check_entry`` for a saved case: its own fields, parties (read unless given) and
    village."""
    values = {name: getattr(case, name) for name in _COLUMNS if name != "id"}
    if parties is None:
        parties = case.parties.all()
    parties = [{"name": p.name, "phone": p.phone} for p in parties]
    return check_entry(
        case.town,
        values,
        parties=parties,
        village_id=case.village_id,
        number=case.number,
        at=at or case.submitted_at or clock.now(),
    )


def compare_cases(a: Case, b: Case) -> Suspicion | None:
    """The score of two saved cases, whatever the threshold (for a pair the office opens)."""
    rows = list(Case.objects.filter(pk__in=[a.pk, b.pk]).values(*_COLUMNS))
    if len(rows) != 2:
        return None
    sketches = _sketches(rows)
    policy = policy_for(a.town, clock.local_date(a.submitted_at or clock.now(), a.town.timezone))
    return duplicates.compare(sketches[a.pk], sketches[b.pk], rules_of(policy))


def _dismissed_with(number: str) -> set[str]:
    pairs = SuspectPair.objects.filter(
        Q(case__number=number) | Q(similar_to__number=number),
        status=SuspectPair.Status.DISMISSED,
    ).values_list("case__number", "similar_to__number")
    return {other for pair in pairs for other in pair if other != number}


# --- a period, for the command, the API and the queue ---------------------------------------


@dataclass(frozen=True)
class PeriodPair:
    suspicion: Suspicion
    case_id: int
    similar_to_id: int
    status: str  # suspected | confirmed | dismissed

    def as_dict(self) -> dict[str, object]:
        return {
            "case": self.suspicion.case,
            "similar_to": self.suspicion.similar_to,
            "score": self.suspicion.score,
            "status": self.status,
            "reasons": list(self.suspicion.reasons),
        }


def find_in_period(
    town: Town, since: date, until: date, *, policy: Policy | None = None
) -> list[PeriodPair]:
    """Every suspected pair whose later case was submitted in [since, until] (local days),
    compared with every case of the window before it; decided pairs keep their decision."""
    policy = policy or policy_for(town, until)
    rules = rules_of(policy)
    start = clock.start_of_day(since, town.timezone)
    end = clock.end_of_day(until, town.timezone)
    window_start = start - timedelta(days=2 * rules.window_days)
    rows = list(
        Case.objects.filter(_submitted(town), submitted_at__range=(window_start, end))
        .order_by("submitted_at", "number")
        .values(*_COLUMNS)
    )
    sketches = _sketches(rows)
    by_id = {row["id"]: row for row in rows}
    decided = _decisions(town, [row["id"] for row in rows if row["submitted_at"] >= start])

    found: list[PeriodPair] = []
    for category_rows in _by_category(rows).values():
        for later_id, earlier_id in _candidate_pairs(category_rows, rules, start):
            status = decided.get((later_id, earlier_id))
            suspicion = duplicates.compare(sketches[later_id], sketches[earlier_id], rules)
            if suspicion is None:
                continue
            if status is None and suspicion.score < rules.threshold:
                continue
            # ``compare`` orders by submission; the candidate walk already did the same.
            ids = {by_id[later_id]["number"]: later_id, by_id[earlier_id]["number"]: earlier_id}
            found.append(
                PeriodPair(
                    suspicion,
                    ids[suspicion.case],
                    ids[suspicion.similar_to],
                    status or SuspectPair.Status.SUSPECTED,
                )
            )
    return sorted(found, key=lambda p: (-p.suspicion.score, p.suspicion.case))


def _by_category(rows: Sequence[Mapping]) -> dict[str, list[Mapping]]:
    grouped: dict[str, list[Mapping]] = defaultdict(list)
    for row in rows:
        grouped[row["category"]].append(row)
    return grouped


def _candidate_pairs(rows: Sequence[Mapping], rules: Rules, start: datetime):
    """(later id, earlier id) for each case submitted from ``start`` on and each earlier case
    within the window and near it: in a cell its box (twice the policy's distance) touches, as
    the check on entry reads them, or the same village when either has no coordinates."""
    times = [row["submitted_at"] for row in rows]
    span = timedelta(days=2 * rules.window_days)
    by_cell: dict[int, list[int]] = defaultdict(list)  # cell -> row indexes so far
    villages: dict[int, list[int]] = defaultdict(list)
    of_row = [cells.cell_of(row["latitude"], row["longitude"]) for row in rows]
    points = [
        (float(row["latitude"]), float(row["longitude"])) if of_row[i] is not None else (0.0, 0.0)
        for i, row in enumerate(rows)
    ]

    for i, row in enumerate(rows):
        here = of_row[i]
        if row["submitted_at"] >= start:
            first = bisect_left(times, row["submitted_at"] - span)
            seen: set[int] = set()
            if here is not None:
                # The cells, then the box itself (as the check on entry asks the database).
                lo_lat, hi_lat, lo_lon, hi_lon = box = duplicates.bounding_box(
                    *points[i], 2 * rules.distance_m
                )
                for cell in _cells_held(by_cell, cells.covering(*box)):
                    seen.update(
                        j
                        for j in by_cell[cell]
                        if j >= first
                        and lo_lat <= points[j][0] <= hi_lat
                        and lo_lon <= points[j][1] <= hi_lon
                    )
            seen.update(
                j
                for j in villages[row["village_id"]]
                if j >= first and (here is None or of_row[j] is None)
            )
            for j in sorted(seen):
                yield row["id"], rows[j]["id"]
        if here is not None:
            by_cell[here].append(i)
        villages[row["village_id"]].append(i)


def _cells_held(held: Mapping[int, object], ranges: list[tuple[int, int]]) -> Iterable[int]:
    """The cells of ``ranges`` that ``held`` has: each one looked up, or for a box of more
    cells than are held (a policy of kilometres), the held ones that fall in the ranges."""
    if cells.cell_count(ranges) <= len(held):
        return (c for first, last in ranges for c in range(first, last + 1) if c in held)
    return (c for c in held if any(first <= c <= last for first, last in ranges))


def _decisions(town: Town, later_ids: Sequence[int]) -> dict[tuple[int, int], str]:
    rows = SuspectPair.objects.filter(town=town, case_id__in=later_ids).values_list(
        "case_id", "similar_to_id", "status"
    )
    return {(case_id, other_id): status for case_id, other_id, status in rows}


def pairs_of_case(case: Case) -> list[SuspectPair]:
    """The recorded pairs a case is in (either side), for its page."""
    return list(
        SuspectPair.objects.filter(Q(case=case) | Q(similar_to=case))
        .select_related("case", "similar_to", "decided_by")
        .order_by("-score", "id")
    )


# --- padding signals ------------------------------------------------------------------------


def signals_in_period(town: Town, since: date, until: date) -> list[padding.Signal]:
    """The padding signals of every officer-month submitted in [since, until] (local days);
    the volume signal against the town's officer-months of the year before."""
    tz = town.timezone
    start, end = clock.start_of_day(since, tz), clock.end_of_day(until, tz)
    rows = list(
        Case.objects.filter(_submitted(town), submitted_at__range=(start, end)).values(
            "id",
            "number",
            "officer_id",
            "submitted_at",
            "occurred_at",
            "location_accuracy",
            "location_mock",
        )
    )
    photos = hashes_for(row["id"] for row in rows)
    names = {
        user.pk: display_name(user)
        for user in User.objects.filter(pk__in={row["officer_id"] for row in rows})
    }
    entries = [
        padding.Entry(
            number=row["number"],
            officer=names.get(row["officer_id"], str(row["officer_id"])),
            month=clock.month_of(clock.local_date(row["submitted_at"], tz)),
            submitted_at=row["submitted_at"],
            occurred_at=row["occurred_at"],
            photos=photos.get(row["id"], ()),
            officer_id=row["officer_id"],
            location_accuracy=row["location_accuracy"],
            location_mock=row["location_mock"],
        )
        for row in rows
    ]
    return padding.signals(entries, _officer_month_counts(town, start))


def _officer_month_counts(town: Town, before: datetime) -> list[int]:
    """Cases per officer-month in the year before ``before`` (one read of two columns)."""
    counts: dict[tuple[int, str], int] = defaultdict(int)
    rows = Case.objects.filter(
        _submitted(town), submitted_at__range=(before - timedelta(days=365), before)
    ).values_list("officer_id", "submitted_at")
    for officer_id, submitted_at in rows.iterator(chunk_size=5000):
        counts[(officer_id, clock.month_of(clock.local_date(submitted_at, town.timezone)))] += 1
    return list(counts.values())
