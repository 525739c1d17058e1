"""The month's own figures in words: the deduction (rule 四.1) and the bonus (四.2) as the
arithmetic with the policy's numbers, so that a clerk answers "why 80?" from the page alone
(assessment.md, "Every figure is explained").

Pure: a computed ``MonthResult`` and the ``Policy`` it was computed with in, sentences out. The
counts come from the result (what ``rules.assess_month`` counted), the rates, quota and caps
from the policy; the sentences end on the very figures of the result, and a mismatch is a
wiring mistake (the wrong policy), refused rather than explained wrongly.

The wording follows the examples of assessment.md:
"四.1: 计入 3 起,不合格 1 起,少于任务数 8 起 4 起;扣款 10 × (4 + 1) = 50 元" and
"四.2: 超出任务数 5 起:本级办结 3 × 20 + 上报 2 × 10 = 80 元(本月上限 200 元)".
Like the per-case reasons they are written as ``words.Text`` (message ids and arguments): the
Chinese for the JSON, the workbook and the snapshot, the reader's language on the pages.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, NamedTuple

from django.utils.translation import gettext_noop as _noop

from gridcase.assessment.results import PeriodResult
from gridcase.assessment.rules import CaseResult, MonthResult, other_bonus
from gridcase.assessment.words import COMMA, SEMICOLON, Joined, Text, Words, joined
from gridcase.core.memory import remember
from gridcase.core.policy import CENT, Policy

COUNTED = ("quota", "excess")
# Statuses that take a case out of the assessment for reasons the case's own line gives.
_OUT = ("not_counted", "voided", "duplicate")


def yuan(amount: Decimal) -> str:
    """20 for 20.00, 12.50 for 12.5: how the rules write amounts (as the per-case reasons)."""
    if amount == amount.to_integral():
        return str(amount.quantize(Decimal(1)))
    return str(amount.quantize(CENT))


def explain_month(month: MonthResult, policy: Policy) -> tuple[str, ...]:
    """The sentences that explain ``month``'s deduction and bonus under ``policy``, in Chinese
    (``explain_words``'s)."""
    return tuple(line.zh for line in explain_words(month, policy))


def explain_words(month: MonthResult, policy: Policy) -> tuple[Words, ...]:
    """The sentences that explain ``month``'s deduction and bonus under ``policy``.

    Always a 四.1 sentence (the deduction and the base pay) and a 四.2 sentence (the bonus),
    then, where the month has them, a line each for late, pending and otherwise uncounted
    cases (no amounts: they are why "计入" may be smaller than the cases listed).
    """
    return _explained(policy, _figures(month, policy))[0]


def with_explanation(month: MonthResult, policy: Policy) -> MonthResult:
    """``month`` carrying its explanation (what the JSON, the pages and the XLSX show)."""
    words, chinese = _explained(policy, _figures(month, policy))
    return month.with_sentences(chinese, words)


class _Figures(NamedTuple):
    """All that the sentences say of a month: its figures and counts. Each sentence is made
    (and rendered in Chinese) once for what it reads of them (``_explained``). A tuple, made
    once a month: a frozen dataclass's ``__init__`` (a field at a time) cost 3 µs of it."""

    counted: int
    nonconforming: int
    deduction: Decimal
    base_pay: Decimal
    bonus: Decimal
    late: int
    pending: int
    out: int
    # The excess cases: (closed, escalated) of those under the cap, and of those outside it.
    capped: tuple[int, int]
    free: tuple[int, int]
    # What the other reading of the quota would pay (None: no excess case, or a stored month
    # that keeps no quota case's outcome).
    alternative: Decimal | None


def _figures(month: MonthResult, policy: Policy) -> _Figures:
    split = month.split
    if split is not None and split.of(month):  # just assessed: its counts are its own
        late, pending = month.late, month.pending
        out = len(month.cases) - month.counted - month.nonconforming - late - pending
        capped, free, alternative = split.capped, split.free, split.other_bonus
    else:  # a month read back from a snapshot (or its cases replaced): its cases counted
        statuses = Counter([case.status for case in month.cases])
        excess = [c for c in month.cases if c.status == "excess"] if statuses["excess"] else []
        late, pending = statuses["late"], statuses["pending"]
        out = sum(statuses[s] for s in _OUT)
        capped = _outcomes([case for case in excess if not case.uncapped])
        free = _outcomes([case for case in excess if case.uncapped])
        alternative = _alternative(month.cases, policy) if excess else None
    return _Figures(
        counted=month.counted,
        nonconforming=month.nonconforming,
        deduction=month.deduction,
        base_pay=month.base_pay,
        bonus=month.bonus,
        late=late,
        pending=pending,
        out=out,
        capped=capped,
        free=free,
        alternative=alternative,
    )


def _outcomes(cases: Sequence[CaseResult]) -> tuple[int, int]:
    closed = sum(1 for case in cases if case.outcome == "closed")
    return closed, len(cases) - closed


def _explained(policy: Policy, month: _Figures) -> tuple[tuple[Words, ...], tuple[str, ...]]:
    """The month's sentences, and their Chinese: each sentence made once for what it reads of
    the month's figures (_Sentences). A province's 300,000 officer-months have some hundred
    thousand kinds of figures, but few of each sentence: the deduction's sentence reads four
    of the figures, the bonus's five."""
    memory = _sentences(policy)
    base_read = (month.counted, month.nonconforming, month.deduction, month.base_pay)
    base = memory.base.get(base_read)
    if base is None:
        base = remember(memory.base, base_read, _said(_base_sentence(month, policy)), _MAX)
    bonus_read = (month.counted, month.capped, month.free, month.bonus, month.alternative)
    bonus = memory.bonus.get(bonus_read)
    if bonus is None:
        bonus = remember(memory.bonus, bonus_read, _said(_bonus_sentence(month, policy)), _MAX)
    if not (month.late or month.pending or month.out):  # most months: the two sentences
        return (base[0], bonus[0]), (base[1], bonus[1])
    lines = [base, bonus]
    for msgid, n in ((_LATE, month.late), (_PENDING, month.pending), (_OTHERS, month.out)):
        if n:
            lines.append(_count_sentence(msgid, n))
    return tuple(words for words, _ in lines), tuple(zh for _, zh in lines)


_LATE = _noop("四.3: 超期 %(n)s 起,不计入任务数也不计奖励")
_PENDING = _noop("三(五): 待定 %(n)s 起尚未结案或上报,暂不计入;本月为暂定")
_OTHERS = _noop("另有 %(n)s 起不计入考核(类别不计入、已作废或重复,原因见各起事件)")
_MAX = 20_000  # sentences of each kind remembered for a policy (a few hundred bytes each)


@dataclass(frozen=True)
class _Sentences:
    """The sentences made for one policy: by what each reads of a month's figures."""

    base: dict[tuple[int, int, Decimal, Decimal], tuple[Words, str]]
    bonus: dict[tuple[Any, ...], tuple[Words, str]]


@functools.lru_cache(maxsize=64)
def _sentences(policy: Policy) -> _Sentences:
    return _Sentences({}, {})


@functools.lru_cache(maxsize=1024)
def _count_sentence(msgid: str, n: int) -> tuple[Words, str]:
    return _said(Text.of(msgid, n=n))


def _said(words: Words) -> tuple[Words, str]:
    return words, words.zh


# --- a quarter finalised before the explanation existed ---------------------------------------


def with_stored_explanations(
    result: PeriodResult, policies: Callable[[], Mapping[str, Policy]]
) -> PeriodResult:
    """A finalised quarter's result (its snapshot) with every month explained.

    A quarter finalised before the explanation existed stored no sentences. They are derived
    here, at display time, from the month's stored figures and the policy of that quarter —
    ``policies()``, the versions in force in its months (called only when some month lacks
    its sentences; an upload never reaches back into a finalised quarter, and the snapshot's
    policy code must agree): the pay is never recomputed, only put into words, and a stored
    month the policy's numbers do not add up to is left unexplained rather than explained
    wrongly. The snapshot keeps no case's outcome, so an excess case's is read back from the
    reason the rules stored for it (rules._excess_reason); the remark on the other split of
    the quota needs every counted case's outcome and is left out."""
    if all(m.explanation for o in result.officers for m in o.months):
        return result
    by_month = policies()

    def explained(month: MonthResult) -> MonthResult:
        policy = by_month.get(month.month)
        ref = result.month_policies.get(month.month)
        if month.explanation or policy is None or ref is None or policy.code != ref.code:
            return month
        stored = replace(month, cases=tuple(_with_stored_outcome(c) for c in month.cases))
        if any(c.status == "excess" and c.outcome is None for c in stored.cases):
            return month
        try:
            words = explain_words(stored, policy)
            return replace(month, explanation=tuple(w.zh for w in words), explained=words)
        except ValueError:  # the figures are not this policy's: say nothing rather than wrong
            return month

    return replace(
        result,
        officers=tuple(
            replace(o, months=tuple(explained(m) for m in o.months)) for o in result.officers
        ),
    )


# How rules._excess_reason begins an excess case's reason, and marks an uncapped one.
_EXCESS_OUTCOMES = (("四.2: 超额本级结案奖励", "closed"), ("四.2: 超额上报奖励", "escalated"))
_UNCAPPED_MARK = "不受每月"


def _with_stored_outcome(case: CaseResult) -> CaseResult:
    if case.status != "excess" or case.outcome is not None:
        return case
    first = case.reason.split("; ")[0]  # later clauses are notes (an appeal's, a late accept)
    for start, outcome in _EXCESS_OUTCOMES:
        if first.startswith(start):
            return replace(case, outcome=outcome, uncapped=_UNCAPPED_MARK in first)
    return case


# --- 四.1: the deduction --------------------------------------------------------------------


def _base_sentence(month: _Figures, policy: Policy) -> Text:
    counted, bad, quota, rate = month.counted, month.nonconforming, policy.quota, policy.per_missing
    parts: list[Words] = [Text.of(_noop("计入 %(n)s 起"), n=counted)]
    if policy.nonconforming == "deduct_each":
        # A nonconforming entry is an entry (it fills the quota) but is deducted on its own.
        short = max(0, quota - counted - bad)
        if bad:
            parts.append(Text.of(_noop("不合格 %(n)s 起"), n=bad))
        units = short + bad
        if short and bad:
            formula = f"{yuan(rate)} × ({short} + {bad})"
        else:
            formula = f"{yuan(rate)} × {units}"
    else:  # count_as_missing: a nonconforming case is simply not counted
        short = max(0, quota - counted)
        if bad:
            parts.append(Text.of(_noop("不合格 %(n)s 起(按本镇策略不计入录入数,不另扣款)"), n=bad))
        units = short
        formula = f"{yuan(rate)} × {short}"
    if short:
        parts.append(
            Text.of(_noop("少于任务数 %(quota)s 起 %(short)s 起"), quota=quota, short=short)
        )
    else:
        parts.append(Text.of(_noop("未少于任务数 %(quota)s 起"), quota=quota))

    raw = rate * units
    deduction = min(policy.max_deduction, raw)
    _check("deduction", deduction, month.deduction)
    figures = {
        "formula": formula,
        "raw": yuan(raw),
        "monthly": yuan(policy.monthly_amount),
        "deduction": yuan(deduction),
        "base": yuan(month.base_pay),
    }
    if units == 0:
        pay = Text.of(_noop("不扣款;基本工资 %(monthly)s 元"), monthly=figures["monthly"])
    elif raw > policy.max_deduction:
        pay = Text.of(
            _noop(
                "扣款 %(formula)s = %(raw)s 元,超过扣款上限 %(max)s 元,扣 %(deduction)s 元;"
                "基本工资 %(monthly)s − %(deduction)s = %(base)s 元"
            ),
            max=yuan(policy.max_deduction),
            **figures,
        )
    else:
        pay = Text.of(
            _noop(
                "扣款 %(formula)s = %(raw)s 元;基本工资 %(monthly)s − %(deduction)s = %(base)s 元"
            ),
            **figures,
        )
    return Text.of(_noop("四.1: %(parts)s;%(pay)s"), parts=Joined(tuple(parts), COMMA), pay=pay)


# --- 四.2: the bonus ------------------------------------------------------------------------


def _bonus_sentence(month: _Figures, policy: Policy) -> Words:
    excess = sum(month.capped) + sum(month.free)
    if not excess:
        _check("bonus", Decimal(0), month.bonus)
        return Text.of(
            _noop("四.2: 计入 %(counted)s 起,未超出任务数 %(quota)s 起,无超额奖励"),
            counted=month.counted,
            quota=policy.quota,
        )

    cap = policy.monthly_cap
    pieces: list[Words] = []
    paid: list[Decimal] = []
    if sum(month.capped):
        terms, value = _terms(month.capped, policy)
        if value > cap:
            piece = _noop("%(terms)s = %(value)s 元,超过本月上限 %(cap)s 元,计 %(cap)s 元")
        else:
            piece = _noop("%(terms)s = %(value)s 元(本月上限 %(cap)s 元)")
        pieces.append(Text.of(piece, terms=terms, value=yuan(value), cap=yuan(cap)))
        paid.append(min(value, cap))
    if sum(month.free):
        terms, value = _terms(month.free, policy)
        pieces.append(
            Text.of(
                _noop("重大事件不受上限:%(terms)s = %(value)s 元"), terms=terms, value=yuan(value)
            )
        )
        paid.append(value)
    bonus = sum(paid, Decimal(0))
    _check("bonus", bonus, month.bonus)
    if len(paid) > 1:
        pieces.append(
            Text.of(
                _noop("奖励 %(sum)s = %(bonus)s 元"),
                sum=" + ".join(yuan(p) for p in paid),
                bonus=yuan(bonus),
            )
        )
    sentence = Text.of(
        _noop("四.2: 超出任务数 %(n)s 起:%(pieces)s"),
        n=excess,
        pieces=Joined(tuple(pieces), SEMICOLON),
    )
    note = _allocation_note(month.alternative, policy, bonus)
    return sentence if note is None else joined([sentence, note], "")


def _terms(outcomes: tuple[int, int], policy: Policy) -> tuple[Joined, Decimal]:
    """ "本级办结 3 × 20 + 上报 2 × 10" and its value, before any cap."""
    closed, escalated = outcomes
    terms: list[Words] = []
    if closed:
        terms.append(
            Text.of(_noop("本级办结 %(n)s × %(rate)s"), n=closed, rate=yuan(policy.per_closed))
        )
    if escalated:
        terms.append(
            Text.of(_noop("上报 %(n)s × %(rate)s"), n=escalated, rate=yuan(policy.per_escalated))
        )
    value = closed * policy.per_closed + escalated * policy.per_escalated
    return joined(terms, " + "), value


def _alternative(cases: Sequence[CaseResult], policy: Policy) -> Decimal | None:
    """The bonus under the other reading of which cases fill the quota (assessment.md)."""
    counted = [case for case in cases if case.status in COUNTED]
    if any(case.outcome is None for case in counted):
        return None  # a stored result (with_stored_explanations) keeps no quota case's outcome
    closed, escalated = _fen(policy.per_closed), _fen(policy.per_escalated)
    values = [closed if case.outcome == "closed" else escalated for case in counted]
    return other_bonus(values, [case.uncapped for case in counted], policy)


def _allocation_note(alternative: Decimal | None, policy: Policy, bonus: Decimal) -> Text | None:
    """Which cases fill the quota is the policy's choice (assessment.md); say so where the
    other reading would pay differently, with what it would pay."""
    if alternative is None or alternative == bonus:
        return None
    if policy.allocation == "worker_favorable":
        return Text.of(
            _noop("(任务数取对专管员最有利的划分;若按提交先后划分,奖励为 %(amount)s 元)"),
            amount=yuan(alternative),
        )
    return Text.of(
        _noop("(按本镇策略,先提交的事件计入任务数;若取对专管员最有利的划分,奖励为 %(amount)s 元)"),
        amount=yuan(alternative),
    )


def _fen(amount: Decimal) -> int:
    return int(amount.quantize(CENT) * 100)


def _check(figure: str, explained: Decimal, computed: Decimal) -> None:
    if explained != computed:
        raise ValueError(
            f"the {figure} explained ({explained}) is not the one computed ({computed}):"
            " the month must be explained with the policy it was assessed with"
        )
