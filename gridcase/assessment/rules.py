"""The pay rules of the assessment (section 四 of the rules), as pure functions.

Input: one officer's cases of one month, as plain ``CaseFact`` values (the caller has already
grouped them by the local month of submission and computed each case's local deadlines);
output: a ``MonthResult`` in which every figure is explained case by case. No database, no
clock (``today`` is passed in), and of Django only ``gettext_noop``, which marks the reasons'
message ids for the catalogue; they are rendered where they are shown.

Every reason is written as ``words.Text`` (a message id and its arguments): ``reason`` is its
Chinese, exactly as the JSON, the workbook and a finalised quarter's snapshot keep it, and
``words`` the same sentence for a page to show in the reader's language.

The readings of the rules are those of assessment.md; where the rules leave a choice the policy
names it (``Policy.nonconforming``, ``.allocation``, ``.late_escalation_counts``,
``.late_acceptance_excludes``). Which counted cases fill the quota, and how the month's cap
shares out the bonus, is ``allocation.py``.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from django.utils.translation import gettext_noop as _noop

from gridcase.assessment.allocation import beyond_quota, distribute
from gridcase.assessment.words import LIST, Joined, Text, Words, joined, term
from gridcase.core import periods
from gridcase.core.memory import remember
from gridcase.core.policy import CATEGORY_NAMES, CENT, Policy

STATUSES: tuple[str, ...] = (
    "quota",
    "excess",
    "nonconforming",
    "late",
    "not_counted",
    "voided",
    "duplicate",
    "pending",
)
QUALITIES: tuple[str, ...] = ("", "conforming", "nonconforming")
OUTCOMES: tuple[str | None, ...] = (None, "closed", "escalated")
SOURCES: tuple[str, ...] = ("entered", "imported", "open311")  # as cases.models.Source
# Who made a case's quality judgement: the governance office's review, or (an imported case
# the office has not reviewed) the ledger's own 质量评定 column. The missing elements are the
# third judge, the automatic check, and are a field of their own.
JUDGES: tuple[str, ...] = ("office", "ledger")
# The rules pay for what an officer collects and enters (三, 考核内容: "收集、录入、上报、交办"):
# a citizen's own report (Open311), handed to the officer of its grid, was not collected by them.
CITIZEN_REPORT = Text(_noop("三: 市民通过 Open311 上报的事件不计入网格专管员考核"))
QUOTA = Text(_noop("四.1: 计入基本任务量"))

_ZERO = Decimal("0.00")


@dataclass(frozen=True)
class CaseFact:
    """What the pay rules need to know about one case. Dates are local (the town's zone)."""

    case_no: str
    category: str
    major: bool
    submitted_at: datetime  # aware; only used for ordering
    voided: bool
    missing: tuple[str, ...]  # Chinese names of missing required elements
    quality: str  # "" (not judged) | "conforming" | "nonconforming", by judged_by
    quality_note: str  # the judge's reason
    accept_due: date | None  # end of this day: deadline to accept
    accepted_on: date | None  # day of first acceptance
    local_due: date | None  # end of this day: grid/village handling deadline (after returns)
    outcome: str | None  # "closed" (at grid or village) | "escalated" (town center or beyond)
    outcome_on: date | None  # day of that outcome
    source: str = "entered"  # one of SOURCES: where the case came from
    judged_by: str = "office"  # one of JUDGES: whose judgement `quality` is
    # integrity.md: the number of the earlier case the governance office confirmed this one
    # repeats ("" when it did not).
    duplicate_of: str = ""

    def __post_init__(self) -> None:
        # Catch wiring mistakes early, with the case number in the message.
        def refuse(problem: str) -> ValueError:
            return ValueError(f"case {self.case_no}: {problem}")

        object.__setattr__(self, "missing", tuple(self.missing))
        if self.quality not in QUALITIES:
            raise refuse(f"quality must be one of {QUALITIES}, not {self.quality!r}")
        if self.judged_by not in JUDGES:
            raise refuse(f"judged_by must be one of {JUDGES}, not {self.judged_by!r}")
        if self.source not in SOURCES:
            raise refuse(f"source must be one of {SOURCES}, not {self.source!r}")
        if self.outcome not in OUTCOMES:
            raise refuse(f"outcome must be one of {OUTCOMES}, not {self.outcome!r}")
        if (self.outcome is None) != (self.outcome_on is None):
            raise refuse("outcome and outcome_on go together")
        if not isinstance(self.submitted_at, datetime) or self.submitted_at.utcoffset() is None:
            raise refuse("submitted_at must be an aware datetime")
        for name in ("accept_due", "accepted_on", "local_due", "outcome_on"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
                raise refuse(f"{name} must be a local date, not {value!r}")

    @classmethod
    def built(cls, fields: dict[str, Any]) -> CaseFact:
        """A fact from a builder that made its dates and times itself (``facts.town_facts``
        parses them: they are of the right types by construction), every field given: the
        checks above run once per combination of the enumerated values, not once per case.
        A frozen dataclass's ``__init__`` and the checks cost 5 µs a case, more than the
        judgement (a province's quarter is 6 million facts)."""
        kinds = (
            fields["quality"],
            fields["judged_by"],
            fields["source"],
            fields["outcome"],
            fields["outcome_on"] is None,
        )
        if kinds not in _CHECKED_KINDS:
            cls(**fields)  # the checks, with the case number in the message
            _CHECKED_KINDS.add(kinds)
        fact = object.__new__(cls)
        object.__setattr__(fact, "__dict__", fields)
        return fact


_CHECKED_KINDS: set[tuple[Any, ...]] = set()  # a few dozen: the enumerations' product


@dataclass(frozen=True)
class CaseResult:
    case_no: str
    category: str
    status: str  # one of STATUSES
    amount: Decimal
    reason: str  # in Chinese, as stored and exported: ``words.zh``
    # For a counted case (quota or excess): how it ended ("closed" | "escalated") and whether
    # its bonus is outside the month's cap. Not in the JSON; explain.py reads them to write
    # the month's arithmetic (四.2) with the same numbers.
    outcome: str | None = None
    uncapped: bool = False
    # The reason as a message id and arguments, for the reader's language; None for a case
    # read back from a snapshot frozen before reasons were kept so (its ``reason`` is shown).
    words: Words | None = field(default=None, compare=False)

    @property
    def shown(self) -> Words | str:
        """What a page shows: the words (``str()`` gives the reader's language), or the
        Chinese as stored."""
        return self.words if self.words is not None else self.reason

    @classmethod
    def made(
        cls,
        case_no: str,
        category: str,
        status: str,
        amount: Decimal,
        reason: str,
        outcome: str | None = None,
        uncapped: bool = False,
        words: Words | None = None,
    ) -> CaseResult:
        """The same as the constructor, without a frozen dataclass's ``__init__`` (a field at
        a time through ``object.__setattr__``: 3 µs, made once per case per assessment)."""
        return cls.numbered(
            _shared(category, status, amount, reason, outcome, uncapped, words), case_no
        )

    @classmethod
    def numbered(cls, shared: dict[str, Any], case_no: str) -> CaseResult:
        """The result of case ``case_no`` from the fields it shares with other cases (``_shared``,
        which is left as it is), ``made``'s way."""
        fields = shared.copy()
        fields["case_no"] = case_no
        result = object.__new__(cls)
        object.__setattr__(result, "__dict__", fields)
        return result

    def as_dict(self) -> dict[str, str]:
        return {
            "case_no": self.case_no,
            "category": self.category,
            "status": self.status,
            "amount": str(self.amount),
            "reason": self.reason,
        }


class CaseResults(Sequence[CaseResult]):
    """A month's case results in submission order, kept as two columns until they are read:
    each case's number (the month's ``Kinded`` cases) and the fields it shares with the other
    cases of its judgement (assess_kinds, ``_shared``). A ``CaseResult`` per case, an object
    and a dictionary made and later freed, was a tenth of a province's quarter, and most of a
    province's results are summed, never read case by case (parallel.summary). The first
    reader makes them all, once: from then on this is the tuple they make."""

    __slots__ = ("_columns", "_count", "_made")

    def __init__(self, cases: tuple[Kinded, ...], shared: list[dict[str, Any]]) -> None:
        if len(cases) != len(shared):
            raise ValueError("a result's shared fields for each case")
        # One attribute for both columns, and the results set before the columns are let go:
        # two threads reading a month at once (a kept result) each find either the columns
        # or the results.
        self._columns: tuple[tuple[Kinded, ...], list[dict[str, Any]]] | None = (cases, shared)
        self._count = len(cases)
        self._made: tuple[CaseResult, ...] | None = None

    def made(self) -> tuple[CaseResult, ...]:
        """The results as a tuple, made the first time (CaseResult.numbered)."""
        made = self._made
        if made is not None:
            return made
        columns = self._columns
        if columns is None:  # another thread made them since
            assert self._made is not None
            return self._made
        numbered = CaseResult.numbered
        cases, shared = columns
        pairs = zip(cases, shared, strict=True)
        made = tuple(numbered(fields, case_no) for (case_no, _), fields in pairs)
        self._made = made
        self._columns = None
        return made

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: Any) -> Any:
        return self.made()[index]

    def __iter__(self) -> Iterator[CaseResult]:
        return iter(self.made())

    def __eq__(self, other: object) -> bool:  # as the tuple it stands for
        if isinstance(other, CaseResults | tuple):
            return self.made() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.made())

    def __repr__(self) -> str:
        return repr(self.made())

    def __reduce__(self) -> tuple[Any, ...]:  # pickled, copied as the tuple
        return (tuple, (self.made(),))


@dataclass(frozen=True)
class Split:
    """How a month's counted cases were split (四.2), for its explanation (explain.py): the
    outcomes ``(closed, escalated)`` of the excess cases under the cap and of those outside
    it, and the bonus under the policy's other reading of which cases fill the quota (None: no
    case beyond the quota)."""

    capped: tuple[int, int]
    free: tuple[int, int]
    other_bonus: Decimal | None
    # The month's cases it was made for (the very tuple): a month whose cases were replaced
    # (dataclasses.replace) is explained from its cases, not from a split that may not be
    # theirs.
    cases: Sequence[CaseResult] = field(default=(), compare=False, repr=False)

    def of(self, month: MonthResult) -> bool:
        """Whether this is the split of ``month``'s cases."""
        return self.cases is month.cases


@dataclass(frozen=True)
class MonthResult:
    month: str  # "YYYY-MM"
    base_pay: Decimal  # monthly amount minus the deduction
    deduction: Decimal
    bonus: Decimal
    total: Decimal  # base_pay + bonus
    counted: int  # quota + excess cases
    nonconforming: int
    late: int
    pending: int
    provisional: bool  # some case can still change status
    cases: Sequence[CaseResult]  # in submission order: a tuple, or CaseResults
    # The month's deduction and bonus as sentences with the policy's numbers (explain.py);
    # filled in by the caller that knows the policy (services.assess_period). In Chinese, and
    # as ``words.Text`` for the pages (empty for a snapshot frozen before they were kept).
    explanation: tuple[str, ...] = ()
    explained: tuple[Words, ...] = field(default=(), compare=False)
    # Not in the JSON: what the split gave, for the explanation (None: a month read back from a
    # snapshot, whose explanation counts its cases; so is a month whose cases were replaced).
    split: Split | None = field(default=None, compare=False)

    @classmethod
    def made(cls, **fields: Any) -> MonthResult:
        """The constructor's result, every field given, without a frozen dataclass's
        ``__init__`` (a field at a time: 4 µs, once for each of a province's 300,000
        officer-months)."""
        if fields.keys() != _MONTH_FIELDS:
            raise TypeError(f"MonthResult.made: {sorted(_MONTH_FIELDS ^ fields.keys())}")
        month = object.__new__(cls)
        object.__setattr__(month, "__dict__", fields)
        return month

    def with_sentences(
        self, explanation: tuple[str, ...], explained: tuple[Words, ...]
    ) -> MonthResult:
        """This month carrying its explanation (explain.with_explanation): its fields copied,
        without ``dataclasses.replace``'s keyword arguments and ``__init__`` (5 µs, once for
        each of a province's 300,000 officer-months)."""
        month = object.__new__(MonthResult)
        fields = {**self.__dict__, "explanation": explanation, "explained": explained}
        object.__setattr__(month, "__dict__", fields)
        return month

    @property
    def shown_explanation(self) -> tuple[Words | str, ...]:
        """What a page shows: the sentences in the reader's language, or as stored."""
        return self.explained or self.explanation

    def as_dict(self) -> dict[str, Any]:
        """The month as in the JSON of assessment.md ("Reading the result")."""
        return {
            "month": self.month,
            "base_pay": str(self.base_pay),
            "deduction": str(self.deduction),
            "bonus": str(self.bonus),
            "total": str(self.total),
            "counted": self.counted,
            "nonconforming": self.nonconforming,
            "late": self.late,
            "pending": self.pending,
            "explanation": list(self.explanation),
            "cases": [case.as_dict() for case in self.cases],
        }


_MONTH_FIELDS = {f.name for f in dataclass_fields(MonthResult)}


@dataclass(frozen=True)
class PeriodTotal:
    """Several months added up: the quarter that the governance office pays."""

    months: tuple[str, ...]
    base_pay: Decimal
    deduction: Decimal
    bonus: Decimal
    total: Decimal
    counted: int
    nonconforming: int
    late: int
    pending: int
    provisional: bool


# --- one case -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Judgement:
    kind: str  # voided | duplicate | not_counted | late | nonconforming | pending | counted
    words: Words | None  # None: nothing to say (a counted case without notes)
    still_open: bool = False  # no outcome and the deadline not passed: may still change
    # The token of the memory that made it (_judged): a kind keeps its last judgement, which
    # is the judgement of this policy and day only if it came from this day's memory.
    token: object = field(default=None, compare=False, repr=False)
    # The fields but the number of the results of its cases (assess_kinds), by what else they
    # read: the category, for a case in the quota whether it is outside the cap, and for a
    # case beyond it, when the judgement has notes, all that its sentence reads. A field, not
    # a cached property: a province's run makes some 60 judgements a town, and the cached
    # property's first read (a lock taken, in Python) cost more than the dictionary.
    results: dict[Any, dict[str, Any]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    @property
    def counts(self) -> bool:
        """Counted: the month's split decides whether it fills the quota or is beyond it."""
        return self.kind == "counted"

    @functools.cached_property
    def reason(self) -> str:  # rendered once: a judgement is shared by many cases (_JUDGED)
        return self.words.zh if self.words is not None else ""

    @functools.cached_property
    def quota(self) -> tuple[Words, str]:
        """A counted case's words and Chinese when it fills the quota, also made once."""
        words = _with_notes(QUOTA, [self.words] if self.words is not None else [])
        return words, words.zh


def case_status(fact: CaseFact, policy: Policy, today: date) -> tuple[str, str]:
    """``(kind, reason)`` of one case on ``today``, before the month's quota split.

    ``kind`` is one of voided, duplicate, not_counted, late, nonconforming, pending, counted;
    ``assess_month`` turns "counted" into "quota" or "excess".
    """
    judgement = _judge(fact, policy, today)
    return judgement.kind, judgement.reason


def _judge(fact: CaseFact, policy: Policy, today: date) -> _Judgement:
    # Precedence: voided, duplicate, not_counted, late, nonconforming, pending, counted.
    # - A voided case is not a real matter at all, whatever else is true of it.
    # - A citizen's report (Open311) is not the officer's work to count (三), whatever happened.
    # - A category the policy does not count is never paid (三(四)), on time or not.
    # - A late case "不列入基本工资及绩效奖励范围" (四.3): it counts for nothing, so it is neither
    #   quota nor a quality deduction; hence late before nonconforming.
    # - A nonconforming case is known to be nonconforming even while still open, and the
    #   deduction is what the officer needs to see; pending only if nothing is known against it.
    if fact.voided:
        return _Judgement("voided", Text(_noop("已作废, 不计入考核")))
    # assessment.md 5: a confirmed duplicate is the same matter counted already: it counts for
    # nothing (neither quota, nor deduction, nor lateness) and says which case it repeats.
    # Right after voided: like a void, it is not a matter of its own.
    if fact.duplicate_of:
        return _Judgement(
            "duplicate",
            Text.of(_noop("综治办确认与 %(case)s 重复, 不计入考核"), case=fact.duplicate_of),
        )
    if fact.source == "open311":
        return _Judgement("not_counted", CITIZEN_REPORT)
    if fact.category not in policy.categories:
        name = term(CATEGORY_NAMES.get(fact.category, fact.category))
        return _Judgement(
            "not_counted", Text.of(_noop("三(四): 不计入录入数 (%(category)s)"), category=name)
        )

    notes: list[Words] = []
    late_acceptance = _late_acceptance(fact, today)
    if late_acceptance is not None:
        if policy.late_acceptance_excludes:
            return _Judgement(
                "late",
                Text.of(
                    _noop("三(五)、四.3: %(late)s, 按本镇策略不列入基本工资及绩效奖励"),
                    late=late_acceptance,
                ),
            )
        notes.append(Text.of(_noop("三(五): %(late)s, 按本镇策略不影响计数"), late=late_acceptance))

    due = fact.local_due
    # outcome_on is set exactly when outcome is (CaseFact checks it on creation).
    if fact.outcome_on is not None and due is not None and fact.outcome_on > due:
        on = str(fact.outcome_on)
        if fact.outcome == "escalated" and policy.late_escalation_counts:
            notes.append(
                Text.of(
                    _noop("三(五): 逾期上报 (期限 %(due)s, %(on)s 上报), 按本镇策略仍计入"),
                    due=str(due),
                    on=on,
                )
            )
        else:
            if fact.outcome == "closed":
                late = Text.of(
                    _noop("四.3: 未在 %(due)s 前结案或上报 (%(on)s 才结案)"), due=str(due), on=on
                )
            else:
                late = Text.of(
                    _noop("四.3: 未在 %(due)s 前结案或上报 (%(on)s 才上报, 逾期上报不计)"),
                    due=str(due),
                    on=on,
                )
            return _Judgement("late", _with_notes(late, notes))
    if fact.outcome is None and due is not None and today > due:
        late = Text.of(_noop("四.3: 未在 %(due)s 前结案或上报"), due=str(due))
        return _Judgement("late", _with_notes(late, notes))

    still_open = fact.outcome is None
    # The office's judgement wins over the automatic check (assessment.md, 4): a case the
    # office judged conforming is conforming whatever elements the check found missing. A
    # ledger's 合格 does not clear them (it is the default of a row that says nothing).
    office = fact.judged_by == "office"
    cleared = office and fact.quality == "conforming" and bool(fact.missing)
    missing = () if cleared else fact.missing
    if cleared:
        notes.append(
            Text.of(
                _noop("四.1: 综治办评定合格 (自动检查缺少%(missing)s, 以评定为准)"),
                missing=_names(fact.missing),
            )
        )
    if fact.quality == "nonconforming" or missing:
        why: list[Words] = []
        if missing:
            why.append(Text.of(_noop("缺少%(missing)s (自动检查)"), missing=_names(missing)))
        if fact.quality == "nonconforming":
            # Say who judged: an automatic flag or a ledger never claims to be the office's.
            note = fact.quality_note.strip()
            if office:
                judge = (
                    Text.of(_noop("综治办评定不合格: %(note)s"), note=note)
                    if note
                    else Text(_noop("综治办评定不合格"))
                )
            else:
                judge = (
                    Text.of(_noop("台账评定不合格: %(note)s"), note=note)
                    if note
                    else Text(_noop("台账评定不合格"))
                )
            why.append(judge)
        if policy.nonconforming == "count_as_missing":
            reason: Words = Text.of(
                _noop("四.1: 质量不符合要求: %(why)s (不计入录入数)"), why=joined(why)
            )
        else:
            reason = Text.of(
                _noop("四.1: 质量不符合要求: %(why)s (每起扣 %(amount)s 元)"),
                why=joined(why),
                amount=_yuan(policy.per_missing),
            )
        if still_open:
            if due is not None:
                open_ = Text.of(_noop("尚未结案或上报 (办理期限 %(due)s)"), due=str(due))
            else:
                open_ = Text(_noop("尚未结案或上报 (尚无办理期限)"))
            reason = joined([reason, open_])
        return _Judgement("nonconforming", _with_notes(reason, notes), still_open)
    if still_open:
        if due is not None:
            pending = Text.of(
                _noop("三(五): 尚未结案或上报 (办理期限 %(due)s), 暂不计入"), due=str(due)
            )
        else:
            pending = Text(_noop("三(五): 尚未结案或上报 (尚无办理期限), 暂不计入"))
        return _Judgement("pending", _with_notes(pending, notes), still_open)
    return _Judgement("counted", joined(notes) if notes else None)


# _judge is a pure function of a few of the fact's fields, a few of the policy's and the day,
# and a town's (or a province's) cases share their deadlines and outcome days: most cases of a
# quarter are judged as an earlier one was. Remembered per process, up to a bound: for each
# (what is read of the policy, the day), the judgements by the fact's fields (the policy's part
# is hashed once a month, not once a case). When full, the older half is dropped (_judged): a
# province's towns share their quarter's days, so the recent kinds are the likely ones.
_JUDGED: dict[tuple[Any, ...], _Memory] = {}
# About 1 KB each. A province's quarter has more kinds than any bound worth its memory (one
# case in eight is of a kind not met before, bench/README.md); 100,000 was not measurably
# faster than 50,000 there, at 150 MB more for each worker.
_JUDGED_MAX = 50_000
# What _judge reads of a fact (and _late_acceptance): the key of its memory. Two facts with
# the same key are judged alike (assess_kinds reads the key as given).
judgement_key = operator.attrgetter(
    "voided",
    "duplicate_of",
    "source",
    "category",
    "accept_due",
    "accepted_on",
    "local_due",
    "outcome",
    "outcome_on",
    "judged_by",
    "quality",
    "quality_note",
    "missing",
)


def dates_read(accept_due: Any, accepted_on: Any, local_due: Any, outcome_on: Any, /) -> str:
    """What ``_judge`` reads of a case's four dates (dates, or ISO texts, each compared with
    its own kind; None for none), on any day: two cases alike but for their dates, with the
    same ``dates_read``, are judged alike (tests/assessment/test_rules_properties.py).

    A date is read only when something is late or still open: an acceptance in time, and an
    outcome in time, say nothing but that they were. So the cases of a town that were handled
    in time are of a few kinds, not one for each of their days (facts.town_facts)."""
    # _late_acceptance: closing or escalating a case takes it on too.
    accepted = accepted_on or outcome_on
    if accept_due is None or (accepted is not None and accepted <= accept_due):
        acceptance = ""
    else:
        acceptance = f"{accept_due}>{accepted or ''}"
    if outcome_on is None:  # still open: late once its day is past, and its reason says it
        return f"{acceptance}|open {local_due or ''}"
    if local_due is not None and outcome_on > local_due:
        return f"{acceptance}|{local_due}<{outcome_on}"
    return f"{acceptance}|done"


class _Memory(dict[tuple[Any, ...], _Judgement]):
    """The judgements for one policy and day, with a token of its own that each judgement it
    made carries (``_Judgement.token``): a kind of case keeps its last judgement
    (``Kind.judged``), and so the token of the memory it came from, not the memory itself,
    which it would keep alive."""

    __slots__ = ("token",)

    def __init__(self) -> None:
        super().__init__()
        self.token = object()


def _judgements(policy: Policy, today: date) -> _Memory:
    """The memory of the judgements for (what _judge reads of) the policy and the day."""
    # What _judge reads of the policy (and CATEGORY_NAMES, a constant), and which cases are
    # outside the cap: a kind keeps that with its judgement (Kind.uncapped).
    asked = (
        policy.uncapped,
        policy.categories,
        policy.late_acceptance_excludes,
        policy.late_escalation_counts,
        policy.nonconforming,
        policy.per_missing,
        today,
    )
    memory = _JUDGED.get(asked)
    if memory is None:
        if len(_JUDGED) >= 64:  # policies × days: a run has a few
            _JUDGED.clear()
        memory = _JUDGED[asked] = _Memory()
    return memory


def _judged(
    memory: _Memory,
    key: tuple[Any, ...],
    fact: CaseFact,
    policy: Policy,
    today: date,
) -> _Judgement:
    """A judgement not in the memory: made, marked as this memory's, and remembered."""
    judgement = _judge(fact, policy, today)
    object.__setattr__(judgement, "token", memory.token)
    return remember(memory, key, judgement, _JUDGED_MAX)


def _late_acceptance(fact: CaseFact, today: date) -> Text | None:
    """Words for a late acceptance, or None when it was on time (or is not yet due)."""
    if fact.accept_due is None:
        return None
    # Closing or escalating a case that nobody had formally accepted takes it on all the same.
    accepted = fact.accepted_on or fact.outcome_on
    due = str(fact.accept_due)
    if accepted is None:
        if today > fact.accept_due:
            return Text.of(_noop("超期受理 (应于 %(due)s 前受理, 尚未受理)"), due=due)
        return None
    if accepted > fact.accept_due:
        return Text.of(
            _noop("超期受理 (应于 %(due)s 前受理, %(on)s 受理)"), due=due, on=str(accepted)
        )
    return None


def _names(missing: Sequence[str]) -> Joined:
    """The missing elements' names ("发生地点、当事人"), each translated where it is shown."""
    return Joined(tuple(term(name) for name in missing), LIST)


def _with_notes(reason: Words, notes: Sequence[Words]) -> Words:
    return joined([reason, *notes]) if notes else reason


def _yuan(amount: Decimal) -> str:
    """20 for 20.00, 12.50 for 12.5: how the rules write amounts."""
    return (
        str(amount.quantize(Decimal(1)))
        if amount == amount.to_integral()
        else str(amount.quantize(CENT))
    )


# --- one month ------------------------------------------------------------------------------


def assess_month(
    facts: Sequence[CaseFact], policy: Policy, *, today: date, month: str
) -> MonthResult:
    """Assess one officer's cases submitted in ``month`` ("YYYY-MM"), as of local ``today``."""
    ordered = sorted(facts, key=_SUBMISSION_ORDER)
    return assess_kinds(
        [(fact.case_no, Kind(fact)) for fact in ordered], policy, today=today, month=month
    )


class Kind:
    """A kind of case as the rules read it: a fact of the kind, its own or one shared by every
    case of the town (or the province) that the rules cannot tell apart from it
    (facts.town_facts; of the fact, the number and time are not read), and its judgement_key.
    It keeps its last judgement (whose token says which memory made it: a province's kind is
    met many times a quarter, and looking its key up, 13 values hashed and compared, cost
    more than the rest of a case's judgement), and the fact's fields that a month reads of
    each case, on itself: one object read a case, not three (the month's rules on 50,000
    kinds scattered in memory, 2.1 → 1.7 µs a case; on the province's towns, whose cases
    share few kinds, within the machine's noise)."""

    __slots__ = ("category", "fact", "key", "major", "outcome", "judged")

    def __init__(self, fact: CaseFact) -> None:
        self.fact = fact
        self.key = judgement_key(fact)
        self.category, self.outcome, self.major = fact.category, fact.outcome, fact.major
        # Its last judgement with what its cases' results share (_judge_kind): one tuple,
        # written and read in one piece, so that a thread assessing under another policy or
        # day never reads one's judgement with another's result.
        self.judged: Judged = _UNJUDGED


class Judged(NamedTuple):
    """A kind's judgement for one memory (policy and day), and what its cases' results share
    (Kind.judged): read once a case, not through the judgement."""

    token: object  # the memory's that made the judgement
    counts: bool
    judgement: _Judgement | None
    result: dict[str, Any]  # the fields of its result but the number (in the quota, counted)
    uncapped: bool  # its bonus is outside the cap


_UNJUDGED = Judged(None, False, None, {}, False)


def _judge_kind(kind: Kind, memory: _Memory, policy: Policy, today: date) -> Judged:
    """The kind's judgement from the memory (made if not there), kept on the kind with what
    its cases' results share: the memory's key includes all of the policy that they read
    (_judgements), so they hold as long as the judgement's token does."""
    known = memory.get(kind.key)
    j = known if known is not None else _judged(memory, kind.key, kind.fact, policy, today)
    results = j.results
    uncapped = False
    if j.counts:
        # Only a major case can be outside the cap (a province's cases: one in seventy).
        uncapped = kind.major and policy.is_uncapped(kind.category, True)
        shared = results.get((kind.category, uncapped))
        if shared is None:
            words, zh = j.quota
            shared = results[(kind.category, uncapped)] = _shared(
                kind.category, "quota", _ZERO, zh, kind.outcome, uncapped, words
            )
    else:
        shared = results.get(kind.category)
        if shared is None:
            shared = results[kind.category] = _shared(
                kind.category, j.kind, _ZERO, j.reason, None, False, j.words
            )
    judged = kind.judged = Judged(j.token, j.counts, j, shared, uncapped)
    return judged


# A case as ``assess_kinds`` reads it: its number, and its kind.
Kinded = tuple[str, Kind]


def assess_kinds(
    cases: Sequence[Kinded], policy: Policy, *, today: date, month: str
) -> MonthResult:
    """``assess_month`` of cases given as ``Kinded`` values, in submission order (the caller
    has sorted them): the cases of a kind share one fact, judged (and its words made) once,
    not a fact built and judged per case."""
    if not periods.is_month(month):
        raise ValueError(f"month must be YYYY-MM, not {month!r}")
    if not isinstance(today, date) or isinstance(today, datetime):
        raise TypeError("today must be a local date, not a datetime")
    cases = tuple(cases)  # the results keep them (CaseResults): a caller's list may change

    # Each case's judgement: its kind's last one if it came from this memory, else looked up
    # in the memory (made once per kind of case and day, _judge_kind). Each case's result is
    # its kind's (Kind.result): a counted case's is the quota's, replaced below for a case
    # beyond the quota.
    memory = _judgements(policy, today)
    token = memory.token
    results: list[dict[str, Any]] = []
    plain: list[Any] = []  # the judgements of the cases not counted: what the month tallies
    counted: list[Kind] = []
    at: list[int] = []  # each counted case's place among the month's cases
    states: list[Judged] = []  # of the counted cases
    # Judged's fields by position here, once a case (a named field is a descriptor's call).
    for _, kind in cases:
        judged = kind.judged
        if judged[0] is not token:  # .token
            judged = _judge_kind(kind, memory, policy, today)
        if judged[1]:  # .counts
            at.append(len(results))
            counted.append(kind)
            states.append(judged)
        else:
            plain.append(judged[2])  # .judgement
        results.append(judged[3])  # .result
    # A counted case is never still open (_judge: such a case is pending or nonconforming).
    statuses = [j.kind for j in plain]
    nonconforming = statuses.count("nonconforming")

    base_raw, base_pay, deduction = _base(policy, len(counted), nonconforming)

    # Work in integer fen: the split and the cap are then exact.
    # 四.2: a case closed at the officer's level earns per_closed, one escalated per_escalated.
    money = _money(policy)
    closed, escalated, cap = money.closed, money.escalated, money.cap
    values = [closed if kind.outcome == "closed" else escalated for kind in counted]
    uncapped = [judged.uncapped for judged in states]
    excess, amounts, cut, other = _split(values, uncapped, policy, cap)

    # A case beyond the quota: its result is what it shares with the other cases of its
    # judgement and of its place in the split, made once. The excess cases' outcomes are
    # counted for the explanation, under the cap and outside it.
    outcomes = {(False, True): 0, (False, False): 0, (True, True): 0, (True, False): 0}
    for i in excess:
        kind, j = counted[i], states[i].judgement
        assert j is not None
        outcomes[(uncapped[i], kind.outcome == "closed")] += 1
        key = (
            kind.outcome,
            kind.category,
            uncapped[i],
            values[i],
            amounts[i],
            cut[i],
            policy.monthly_cap,
        )
        # Without notes, the result is every such case's (_EXCESS_RESULTS); with the notes
        # of its judgement, its judgement's cases' (one excess case in seventeen).
        kept = _EXCESS_RESULTS if j.words is None else j.results
        found = kept.get(key)
        if found is None:
            value, amount = _from_fen(values[i]), _from_fen(amounts[i])
            reason = _excess_reason(kind.fact, policy, value, amount, cut[i])
            words = _with_notes(reason, [j.words] if j.words is not None else [])
            found = _shared(
                kind.category, "excess", amount, words.zh, kind.outcome, uncapped[i], words
            )
            if j.words is None:
                remember(_EXCESS_RESULTS, key, found, _JUDGED_MAX)
            else:
                j.results[key] = found
        results[at[i]] = found

    bonus = _from_fen(sum(amounts.values()))
    split = Split(
        capped=(outcomes[(False, True)], outcomes[(False, False)]),
        free=(outcomes[(True, True)], outcomes[(True, False)]),
        other_bonus=other,
        cases=CaseResults(cases, results),
    )
    return MonthResult.made(
        month=month,
        base_pay=base_pay,
        deduction=deduction,
        bonus=bonus,
        total=(base_raw + bonus).quantize(CENT),
        counted=len(counted),
        nonconforming=nonconforming,
        late=statuses.count("late"),
        pending=statuses.count("pending"),
        # A nonconforming case that is still open could yet turn late, which changes the pay.
        provisional=any(j.still_open for j in plain),
        cases=split.cases,
        explanation=(),
        explained=(),
        split=split,
    )


# A month's split: which counted cases are beyond the quota (their indices), each one's
# amount in fen and whether the cap cut it, and the bonus under the other reading (None: no
# case beyond the quota).
_SplitFound = tuple[frozenset[int], dict[int, int], dict[int, bool], Decimal | None]


def _split(values: list[int], uncapped: list[bool], policy: Policy, cap: int) -> _SplitFound:
    """The month's split of its counted cases (their values in fen and whether each is outside
    the cap, in submission order), remembered by all it reads: a province's months of some 20
    cases for a quota of 8 repeat the same sequences (one month in two met one already among
    60 towns' 13,710), and the split is a greedy search, distributed and done again for the
    other reading."""
    key = (tuple(values), tuple(uncapped), policy.quota, policy.allocation, cap)
    found = _SPLITS.get(key)
    if found is None:
        items = list(zip(uncapped, values, strict=True))
        excess = beyond_quota(items, quota=policy.quota, allocation=policy.allocation, cap=cap)
        amounts, cut = distribute(values, uncapped, excess, cap)
        other = other_bonus(values, uncapped, policy) if excess else None
        found = remember(_SPLITS, key, (frozenset(excess), amounts, cut, other), _SPLITS_MAX)
    return found


# Some 2.5 KB each (the key's two tuples, the amounts and cuts of the cases beyond the quota).
_SPLITS: dict[tuple[Any, ...], _SplitFound] = {}
_SPLITS_MAX = 10_000


def _shared(
    category: str,
    status: str,
    amount: Decimal,
    reason: str,
    outcome: str | None,
    uncapped: bool,
    words: Words | None,
) -> dict[str, Any]:
    """A CaseResult's fields but its number: what the cases of one judgement share."""
    return {
        "case_no": "",
        "category": category,
        "status": status,
        "amount": amount,
        "reason": reason,
        "outcome": outcome,
        "uncapped": uncapped,
        "words": words,
    }


@dataclass(frozen=True)
class _Money:
    """What the month's split reads of a policy, in fen: the bonus of a closed and of an
    escalated case, and the cap (converted once per policy, not once a month)."""

    closed: int
    escalated: int
    cap: int


@functools.lru_cache(maxsize=64)
def _money(policy: Policy) -> _Money:
    return _Money(_fen(policy.per_closed), _fen(policy.per_escalated), _fen(policy.monthly_cap))


def other_bonus(values: list[int], uncapped: list[bool], policy: Policy) -> Decimal:
    """The month's bonus under the other reading of which cases fill the quota than the
    policy's (assessment.md): ``values`` and ``uncapped`` of its counted cases (fen, in
    submission order)."""
    cap = _money(policy).cap
    other = "chronological" if policy.allocation == "worker_favorable" else "worker_favorable"
    items = list(zip(uncapped, values, strict=True))
    excess = beyond_quota(items, quota=policy.quota, allocation=other, cap=cap)
    amounts, _ = distribute(values, uncapped, excess, cap)
    return Decimal(sum(amounts.values())) / 100


_SUBMISSION_ORDER = operator.attrgetter("submitted_at", "case_no")
# An excess case's result without notes (its fields but the number, _shared), by all that
# _excess_reason reads and the result says: the outcome, the category, whether it is outside
# the cap, its value and amount in fen, whether the cap cut it, and the cap (a province's
# excess cases say one of a few dozen sentences).
_EXCESS_RESULTS: dict[tuple[Any, ...], dict[str, Any]] = {}


def sum_months(months: Sequence[MonthResult]) -> PeriodTotal:
    """Add up months (e.g. a quarter's three) for the quarterly payment."""
    return PeriodTotal(
        months=tuple(m.month for m in months),
        base_pay=sum((m.base_pay for m in months), Decimal("0.00")),
        deduction=sum((m.deduction for m in months), Decimal("0.00")),
        bonus=sum((m.bonus for m in months), Decimal("0.00")),
        total=sum((m.total for m in months), Decimal("0.00")),
        counted=sum(m.counted for m in months),
        nonconforming=sum(m.nonconforming for m in months),
        late=sum(m.late for m in months),
        pending=sum(m.pending for m in months),
        provisional=any(m.provisional for m in months),
    )


@functools.lru_cache(maxsize=4096)
def _base(policy: Policy, counted: int, nonconforming: int) -> tuple[Decimal, Decimal, Decimal]:
    """The month's base pay as computed (the total adds the bonus to it), and its base pay and
    deduction to the cent, for its counts: made once for each (a month has some twenty cases,
    so a policy has a few hundred such pairs)."""
    deduction = _deduction(policy, counted, nonconforming)
    base = policy.monthly_amount - deduction
    return base, base.quantize(CENT), deduction.quantize(CENT)


def _deduction(policy: Policy, counted: int, nonconforming: int) -> Decimal:
    """Rule 四.1: "每少1起或质量不符合要求扣除10元", at most max_deduction."""
    if policy.nonconforming == "deduct_each":
        short = max(0, policy.quota - counted - nonconforming)
        raw = policy.per_missing * (short + nonconforming)
    else:  # count_as_missing: a nonconforming case is simply not counted
        raw = policy.per_missing * max(0, policy.quota - counted)
    return min(policy.max_deduction, raw)


def _excess_reason(
    fact: CaseFact, policy: Policy, value: Decimal, amount: Decimal, cut: bool
) -> Text:
    # explain._EXCESS_OUTCOMES reads the outcome back from these beginnings (old snapshots).
    if fact.outcome == "closed":
        bonus = Text.of(_noop("四.2: 超额本级结案奖励 %(amount)s 元"), amount=_yuan(value))
    else:
        bonus = Text.of(_noop("四.2: 超额上报奖励 %(amount)s 元"), amount=_yuan(value))
    cap = _yuan(policy.monthly_cap)
    if policy.is_uncapped(fact.category, fact.major):
        name = term(CATEGORY_NAMES.get(fact.category, fact.category))
        return Text.of(
            _noop("%(bonus)s (重大%(category)s, 不受每月 %(cap)s 元上限限制)"),
            bonus=bonus,
            category=name,
            cap=cap,
        )
    if cut:
        return Text.of(
            _noop("%(bonus)s, 本月已达 %(cap)s 元上限, 本起计 %(amount)s 元"),
            bonus=bonus,
            cap=cap,
            amount=_yuan(amount),
        )
    return bonus


def _fen(amount: Decimal) -> int:
    return int(amount.quantize(CENT) * 100)


def _from_fen(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(CENT)
