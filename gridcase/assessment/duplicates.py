"""Duplicate suspects (integrity.md): how alike two cases are, as a score and reasons in words.

Pure: plain ``Sketch`` values in, a ``Suspicion`` (or ``None``) out; no database.
The caller finds the candidates (same town and category, near in place and time, over an
index) and hands them here. It suggests; people decide: nothing here changes any pay.

The signals, each turned into a closeness from 0 to 1:
- place: haversine distance, 1 at the same spot, 0 at the policy's distance;
- time: days between occurrence (or submission when either lacks it), 0 at the policy's window;
- parties: the same name or the same phone (normalised, compared unmasked, shown masked);
- text: title, location, persons, cause and course as character n-grams (n = 1, 2), compared
  with rapidfuzz's Indel similarity over the sorted n-gram lists (a multiset Dice coefficient:
  Chinese has no spaces, and a paraphrase keeps most characters and two-character words);
- photo: perceptual hashes (64-bit, hex) within a few bits of each other.

Each signal is shown to people in words (integrity.md): ``reasons`` in Chinese, exactly as the
command's JSON, the API and a decided pair keep them, and ``words`` the same as ``words.Text``
for a page to show in the reader's language (``read_reason`` gets them back from the Chinese).

What they say (text, parties, photo) decides, combined as a noisy-OR; place and time scale it.
Two notes about one spot in one week that share nothing else are neighbours, not duplicates
(the hard negatives of bench/).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext_noop as _noop
from rapidfuzz.distance import Indel

from gridcase.assessment.words import LIST, Joined, Text
from gridcase.cases import cells
from gridcase.core.phones import mask_phone, normalize_phone

EARTH_RADIUS_M = cells.EARTH_RADIUS_M
# Bits a perceptual hash may differ by for two photos to be "the same" (0) or "near" (≤ 6):
# re-saving, resizing or a new JPEG quality moves a 64-bit pHash by a few bits at most.
PHOTO_NEAR_BITS = 6
# How much each kind of evidence says on its own that two cases are the same matter; they
# combine as a noisy-OR (any one can make the case, together they make it surer).
_TEXT_WEIGHT = 0.85
_PARTIES_WEIGHT = 0.65
_PHOTO_WEIGHT = 0.9
# Text merely about the same kind of thing at the same place (小区, 楼下, 噪音) shares some
# characters: similarity below the floor is no evidence, and from floor + span on it is full.
_TEXT_FLOOR = 0.2
_TEXT_SPAN = 0.35
# Without a place on either side, text alone is weak: routine matters (路灯损坏, 噪音扰民) are
# written alike every week in a village. Unless the parties or a photo say the same, the score
# is scaled down so that text and time alone never reach the default threshold.
_UNLOCATED_TEXT_ONLY = 0.65
# Place and time scale the evidence: from this factor (at the edge of the window) up to 1.
_PROXIMITY_FLOOR = 0.6
_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Party:
    name: str
    phone: str = ""


@dataclass(frozen=True)
class Sketch:
    """What the duplicate check needs of one case."""

    number: str
    category: str
    submitted_at: datetime  # aware
    occurred_at: datetime | None = None  # aware
    latitude: float | None = None
    longitude: float | None = None
    text: str = ""  # title, location text, persons, cause, course (joined by the caller)
    parties: tuple[Party, ...] = ()
    photos: tuple[str, ...] = ()  # perceptual hashes, hex
    officer: str = ""

    @property
    def when(self) -> datetime:
        return self.occurred_at or self.submitted_at

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True)
class Rules:
    """The policy's numbers (core.policy.Policy.duplicate_*), as floats for the arithmetic."""

    threshold: float = 0.6
    window_days: int = 30
    distance_m: int = 300

    @classmethod
    def of(cls, threshold: Decimal | float, window_days: int, distance_m: int) -> Rules:
        return cls(float(threshold), window_days, distance_m)


@dataclass(frozen=True)
class Suspicion:
    """A suspected pair: ``case`` is the later, ``similar_to`` the earlier (integrity.md)."""

    case: str
    similar_to: str
    score: float
    reasons: tuple[str, ...]  # in Chinese: ``words``' own
    signals: dict[str, float] = field(default_factory=dict, compare=False)
    words: tuple[Text, ...] = field(default=(), compare=False)

    def as_dict(self) -> dict[str, object]:
        return {
            "case": self.case,
            "similar_to": self.similar_to,
            "score": self.score,
            "reasons": list(self.reasons),
        }


# --- the signals ----------------------------------------------------------------------------


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, metres: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) that holds every point within ``metres``: the
    index prefilter (cases/cells.py); the exact distance is haversine's."""
    return cells.around(lat, lon, metres)


def ngrams(text: str, n: int) -> list[str]:
    """Character n-grams of the text without spaces and punctuation, sorted (a multiset)."""
    return list(_ngrams(text or "", n))


# A month's search compares each case with dozens of neighbours: its n-grams are made once.
@functools.lru_cache(maxsize=32768)
def _ngrams(text: str, n: int) -> tuple[str, ...]:
    clean = _PUNCTUATION.sub("", text).lower()
    if len(clean) < n:
        return (clean,) if clean else ()
    return tuple(sorted(clean[i : i + n] for i in range(len(clean) - n + 1)))


def text_similarity(a: str, b: str) -> float:
    """0..1: the mean of the shared characters and the shared character bigrams (multiset
    Dice, by rapidfuzz's Indel over the sorted n-grams). Characters catch a paraphrase that
    reorders words; bigrams keep unrelated texts made of common characters apart."""
    total = 0.0
    for n in (1, 2):
        grams_a, grams_b = _ngrams(a or "", n), _ngrams(b or "", n)
        if not grams_a or not grams_b:
            return 0.0
        total += float(Indel.normalized_similarity(grams_a, grams_b))
    return total / 2


def photo_distance(a: Sequence[str], b: Sequence[str]) -> int | None:
    """The fewest differing bits between any photo of one and any of the other."""
    best: int | None = None
    for x in a:
        for y in b:
            try:
                bits = (int(x, 16) ^ int(y, 16)).bit_count()
            except ValueError:
                continue
            best = bits if best is None else min(best, bits)
    return best


def shared_parties(a: Sequence[Party], b: Sequence[Party]) -> list[str]:
    """How the shared parties are shown: their names, or a masked phone when only it matches."""
    names_b = {p.name.strip() for p in b if p.name.strip()}
    phones_b = {normalize_phone(p.phone) for p in b if normalize_phone(p.phone)}
    shown: list[str] = []
    for party in a:
        name, phone = party.name.strip(), normalize_phone(party.phone)
        if name and name in names_b:
            label = name
        elif phone and phone in phones_b:
            label = mask_phone(phone)
        else:
            continue
        if label not in shown:
            shown.append(label)
    return shown


# --- the score ------------------------------------------------------------------------------


def _reach(a: Sketch, b: Sketch, rules: Rules) -> tuple[Sketch, Sketch, float, float | None] | None:
    """(later, earlier, days apart, metres apart or None) when the two can be the same matter
    at all: the same category, within the window and (when both are placed) within twice the
    policy's distance."""
    if a.number == b.number or a.category != b.category:
        return None
    later, earlier = (a, b) if (a.submitted_at, a.number) > (b.submitted_at, b.number) else (b, a)
    days = abs((later.when - earlier.when).total_seconds()) / 86400
    if days > rules.window_days:
        return None
    distance = (
        haversine_m(later.latitude, later.longitude, earlier.latitude, earlier.longitude)  # type: ignore[arg-type]
        if later.located and earlier.located
        else None
    )
    # Twice the policy's distance still leaves room for a geocoded point off by a street.
    if distance is not None and distance > 2 * rules.distance_m:
        return None
    return later, earlier, days, distance


def within_reach(a: Sketch, b: Sketch, rules: Rules) -> bool:
    """Whether ``compare`` scores the two at all (cheap: no text, parties or photos), so that a
    caller reads parties and photos only for the candidates that can be suspects."""
    return _reach(a, b, rules) is not None


def compare(a: Sketch, b: Sketch, rules: Rules) -> Suspicion | None:
    """The suspicion between two cases, or ``None`` when they cannot be the same matter
    (another category, outside the window, far apart). Scored even below the threshold: the
    caller keeps what reaches it (``suspect``)."""
    reach = _reach(a, b, rules)
    if reach is None:
        return None
    later, earlier, days, distance = reach

    text = text_similarity(later.text, earlier.text)
    parties = shared_parties(later.parties, earlier.parties)
    bits = photo_distance(later.photos, earlier.photos)
    same_photo = bits is not None and bits <= PHOTO_NEAR_BITS

    text_closeness = min(1.0, max(0.0, (text - _TEXT_FLOOR) / _TEXT_SPAN))
    doubt = (1 - _TEXT_WEIGHT * text_closeness) * (1 - (_PARTIES_WEIGHT if parties else 0.0))
    if same_photo:
        # The same photo on two cases is strong evidence on its own (or padding: padding.py).
        doubt *= 1 - _PHOTO_WEIGHT
    time = max(0.0, 1 - days / rules.window_days)
    # An unknown place is neither for nor against: time alone then says how near they are.
    near = time if distance is None else (time + max(0.0, 1 - distance / rules.distance_m)) / 2
    score = (1 - doubt) * (_PROXIMITY_FLOOR + (1 - _PROXIMITY_FLOOR) * near)
    if distance is None and not parties and not same_photo:
        score *= _UNLOCATED_TEXT_ONLY
    score = round(min(1.0, score), 2)

    words: list[Text] = []
    if distance is not None:
        words.append(Text.of(_DISTANCE, metres=_metres(distance)))
    occurred = bool(later.occurred_at and earlier.occurred_at)
    if days < 1:
        words.append(Text(_WITHIN_A_DAY[occurred]))
    else:
        words.append(Text.of(_DAYS_APART[occurred], days=round(days)))
    if parties:
        words.append(Text.of(_PARTIES, parties=Joined(tuple(parties), LIST)))
    words.append(Text.of(_TEXT, similarity=f"{text:.2f}"))
    if same_photo:
        words.append(Text(_SAME_PHOTO if bits == 0 else _NEAR_PHOTO))
    signals = {"text": round(text, 3), "days": round(days, 2)}
    if distance is not None:
        signals["distance_m"] = round(distance, 1)
    reasons = tuple(w.zh for w in words)
    return Suspicion(later.number, earlier.number, score, reasons, signals, tuple(words))


def suspect(a: Sketch, b: Sketch, rules: Rules) -> Suspicion | None:
    """The suspicion when it reaches the policy's threshold, else ``None``."""
    found = compare(a, b, rules)
    return found if found is not None and found.score >= rules.threshold else None


def suspects_of(case: Sketch, candidates: Sequence[Sketch], rules: Rules) -> list[Suspicion]:
    """Every candidate that ``case`` is suspected to repeat (or be repeated by), best first."""
    found = [s for other in candidates if (s := suspect(case, other, rules)) is not None]
    return sorted(found, key=lambda s: (-s.score, s.similar_to, s.case))


def _metres(distance: float) -> int:
    # Ten-metre steps above 100 m: a phone's fix is not better than that.
    return round(distance) if distance < 100 else int(round(distance, -1))


# --- the reasons in words -------------------------------------------------------------------

_DISTANCE = _noop("两处地点相距 %(metres)s 米")
# By whether both cases have an occurrence time (else their submission times are compared).
_DAYS_APART = {True: _noop("发生时间相隔 %(days)s 天"), False: _noop("提交时间相隔 %(days)s 天")}
_WITHIN_A_DAY = {True: _noop("发生时间相隔不到 1 天"), False: _noop("提交时间相隔不到 1 天")}
_PARTIES = _noop("当事人相同:%(parties)s")
_TEXT = _noop("描述相似度 %(similarity)s")
_SAME_PHOTO = _noop("照片相同")
_NEAR_PHOTO = _noop("照片近似")

# A stored reason (a decided pair keeps its reasons in Chinese, SuspectPair.reasons) read back
# into its message id and arguments: each pattern is one message id above, its groups the
# arguments.
_STORED = [
    (re.compile(r"两处地点相距 (?P<metres>\d+) 米"), _DISTANCE),
    (re.compile(r"发生时间相隔 (?P<days>\d+) 天"), _DAYS_APART[True]),
    (re.compile(r"提交时间相隔 (?P<days>\d+) 天"), _DAYS_APART[False]),
    (re.compile(r"当事人相同:(?P<parties>.+)"), _PARTIES),
    (re.compile(r"描述相似度 (?P<similarity>[\d.]+)"), _TEXT),
    *((re.compile(re.escape(msgid)), msgid) for msgid in _WITHIN_A_DAY.values()),
    (re.compile(re.escape(_SAME_PHOTO)), _SAME_PHOTO),
    (re.compile(re.escape(_NEAR_PHOTO)), _NEAR_PHOTO),
]


def read_reason(reason: str) -> Text | str:
    """The words of a reason stored in Chinese, for the reader's language; a reason this
    module did not write is returned as it is (shown as stored)."""
    for pattern, msgid in _STORED:
        found = pattern.fullmatch(reason)
        if found is None:
            continue
        args: dict[str, str | Joined] = dict(found.groupdict())
        if "parties" in args:
            args["parties"] = Joined(tuple(str(args["parties"]).split("、")), LIST)
        text = Text.of(msgid, **args)
        if text.zh == reason:
            return text
    return reason
