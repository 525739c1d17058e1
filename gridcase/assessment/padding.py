"""Padding signals (integrity.md): patterns that padding leaves in one officer's month.

For the office, never automatic: each signal names its cases and says what it saw; no amount
changes. Pure: plain values in, ``Signal`` values out.

Kinds: ``burst`` (many cases entered within minutes), ``same_photo`` (one photo on several
cases), ``location_fix`` (a fix of accuracy exactly 0, or from a mock provider: no real receiver
reports either), ``late_entry`` (occurrence long before submission) and ``volume`` (the month's
count above the 99th percentile of the town's officer-months).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

BURST_MINUTES = 10
BURST_COUNT = 6  # an officer may enter a few cases back to back after a round; six is a run
LATE_ENTRY_DAYS = 30
VOLUME_PERCENTILE = 99
VOLUME_MIN_HISTORY = 20  # officer-months needed before a percentile means anything


@dataclass(frozen=True)
class Entry:
    number: str
    officer: str  # as shown (the officer's name)
    month: str  # "YYYY-MM" of submission, local
    submitted_at: datetime
    occurred_at: datetime | None = None
    photos: tuple[str, ...] = ()
    # Who entered it: names repeat in a town, so months are grouped by this, not by the name.
    officer_id: int = 0
    # The location fix as recorded: accuracy in metres (None = unknown), mock provider.
    location_accuracy: Decimal | float | None = None
    location_mock: bool = False


@dataclass(frozen=True)
class Signal:
    officer: str
    month: str
    kind: str  # burst | same_photo | location_fix | late_entry | volume
    cases: tuple[str, ...]
    reason: str
    officer_id: int = 0  # for placing the signal next to the officer's month; not in the JSON

    def as_dict(self) -> dict[str, object]:
        return {
            "officer": self.officer,
            "month": self.month,
            "kind": self.kind,
            "cases": list(self.cases),
            "reason": self.reason,
        }


def signals(entries: Sequence[Entry], history: Sequence[int] = ()) -> list[Signal]:
    """The signals of the given officer-months; ``history`` is the town's cases per
    officer-month over a past year (for ``volume``)."""
    groups: dict[tuple[str, str, int], list[Entry]] = defaultdict(list)
    for entry in entries:
        groups[(entry.officer, entry.month, entry.officer_id)].append(entry)
    limit = volume_limit(history)
    found: list[Signal] = []
    for (officer, month, officer_id), group in sorted(groups.items()):
        found.extend(
            replace(signal, officer_id=officer_id)
            for signal in _month_signals(officer, month, group, limit)
        )
    return found


def _month_signals(officer: str, month: str, group: list[Entry], limit: int | None) -> list[Signal]:
    """One officer-month's signals: bursts, a photo reused, faked fixes, late entries,
    volume."""
    found: list[Signal] = []
    group.sort(key=lambda e: (e.submitted_at, e.number))
    found.extend(_bursts(officer, month, group))
    found.extend(_same_photos(officer, month, group))
    faked = [e for e in group if faked_fix(e)]
    if faked:
        found.append(
            Signal(
                officer,
                month,
                "location_fix",
                tuple(e.number for e in faked),
                f"{len(faked)} 起事件的定位精度为 0 或来自模拟定位",
            )
        )
    late = [e for e in group if _days_late(e) >= LATE_ENTRY_DAYS]
    if late:
        worst = max(_days_late(e) for e in late)
        found.append(
            Signal(
                officer,
                month,
                "late_entry",
                tuple(e.number for e in late),
                f"{len(late)} 起事件在发生 {LATE_ENTRY_DAYS} 天以上后才录入 (最长 {worst} 天)",
            )
        )
    if limit is not None and len(group) > limit:
        found.append(
            Signal(
                officer,
                month,
                "volume",
                tuple(e.number for e in group),
                f"本月录入 {len(group)} 起, 高于本镇 {VOLUME_PERCENTILE}% 的人月 ({limit} 起)",
            )
        )
    return found


def faked_fix(entry: Entry) -> bool:
    """A fix no receiver reports: a mock provider, or an accuracy of exactly 0 (unknown is not
    0: typed coordinates carry none)."""
    return entry.location_mock or (
        entry.location_accuracy is not None and entry.location_accuracy == 0
    )


def volume_limit(history: Sequence[int]) -> int | None:
    """The 99th percentile (nearest rank) of officer-month counts, if there is enough history."""
    if len(history) < VOLUME_MIN_HISTORY:
        return None
    ordered = sorted(history)
    rank = math.ceil(VOLUME_PERCENTILE / 100 * len(ordered))
    return ordered[rank - 1]


def _days_late(entry: Entry) -> int:
    if entry.occurred_at is None:
        return 0
    return max(0, (entry.submitted_at - entry.occurred_at).days)


def _bursts(officer: str, month: str, group: Sequence[Entry]) -> list[Signal]:
    """Maximal runs in which each case comes within the window of the run's first."""
    found: list[Signal] = []
    window = timedelta(minutes=BURST_MINUTES)
    i = 0
    while i < len(group):
        j = i
        while j + 1 < len(group) and group[j + 1].submitted_at - group[i].submitted_at <= window:
            j += 1
        run = group[i : j + 1]
        if len(run) >= BURST_COUNT:
            found.append(
                Signal(
                    officer,
                    month,
                    "burst",
                    tuple(e.number for e in run),
                    f"{BURST_MINUTES} 分钟内录入 {len(run)} 起事件",
                )
            )
            i = j + 1
        else:
            i += 1
    return found


def _same_photos(officer: str, month: str, group: Sequence[Entry]) -> list[Signal]:
    by_photo: dict[str, list[str]] = defaultdict(list)
    for entry in group:
        for photo in set(entry.photos):
            by_photo[photo].append(entry.number)
    found = []
    for numbers in by_photo.values():
        if len(numbers) > 1:
            found.append(
                Signal(
                    officer,
                    month,
                    "same_photo",
                    tuple(numbers),
                    f"同一张照片用于 {len(numbers)} 起事件",
                )
            )
    return found
