"""From a town's case rows to the plain ``rules.CaseFact`` values the pay rules read.

Set-based: one query for every case the town's officers submitted in the period, one each
for the accepted appeals that correct some of them, the governance office's latest review of
those it reviewed and the confirmed duplicates. Local dates are counted in the town's time
zone, so a case submitted at 23:30 on 31 October (local) is an October case.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Case as SqlCase
from django.db.models import TextField, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Collate, TruncDate
from django.utils.translation import gettext_noop as _noop

from gridcase.assessment import kinds, rules
from gridcase.assessment.rules import CaseFact
from gridcase.assessment.words import Text, term
from gridcase.cases import elements
from gridcase.cases.models import Case, LocalOutcome, Quality, Source, State, TimelineEntry
from gridcase.cases.selectors import office_review
from gridcase.core import clock, compiled
from gridcase.core.memory import remember
from gridcase.org.models import Town

from .models import Appeal
from .repeats import confirmed_query, confirmed_repeats

# What the facts are made of: short columns, read set-based (never model instances). The
# close elements are only checked for being blank, so the first characters of the result do.
COLUMNS = (
    "id",
    "number",
    "officer_id",
    "category",
    "major",
    "state",
    "submitted_at",
    "missing_elements",
    "quality",
    "quality_note",
    "first_accept_due",
    "first_accepted_at",
    "local_due",
    "local_outcome",
    "outcome_at",
    "closed_level",
    "result",
    "mediator",
    "mediation_result",
    "agreement_form",
    "agreement_terms",
    "source",
)
_LABEL_OF_MESSAGE = {f"缺少{label}": label for label in elements.LABELS.values()}
_OVERRIDE_WORDS = {
    Appeal.Override.CONFORMING: "按质量合格计",
    Appeal.Override.ON_TIME: "按按时结案或上报计",
}


@dataclass(frozen=True)
class AppealNote:
    """An accepted appeal that corrects a case: what it changed, for the case's reason."""

    appeal_id: int
    override: str
    decided_on: date | None
    note: str

    def words(self) -> Text:
        """The note added to the case's reason ("申诉已采纳 2026-10-20: 按质量合格计 (…)")."""
        override = term(_OVERRIDE_WORDS.get(self.override, self.override))
        day, note = str(self.decided_on or ""), self.note
        if day and note:
            msgid = _noop("申诉已采纳 %(day)s: %(override)s (%(note)s)")
        elif day:
            msgid = _noop("申诉已采纳 %(day)s: %(override)s")
        elif note:
            msgid = _noop("申诉已采纳: %(override)s (%(note)s)")
        else:
            msgid = _noop("申诉已采纳: %(override)s")
        args = {"day": day, "override": override, "note": note}
        return Text.of(msgid, **{k: v for k, v in args.items() if f"%({k})s" in msgid})


@dataclass
class TownFacts:
    """The facts of one town's period, grouped for the rules."""

    # (officer_id, "YYYY-MM") -> that officer's cases submitted in that local month, in
    # submission order, as the rules read them (rules.assess_kinds)
    kinded: dict[tuple[int, str], list[rules.Kinded]]
    # case number -> the accepted appeal that corrected it
    appeals: dict[str, AppealNote]
    # case number -> its time of submission, due date of acceptance, day of acceptance, local
    # due date and day of outcome, as the row gave them: what its kind does not say of it
    # (by_officer_month). None: not kept (town_facts(dates=False), the assessment's reading).
    own: dict[str, tuple[Any, ...]] | None
    # The (officer_id, "YYYY-MM") groups holding a case an accepted appeal corrected: only
    # their months carry the appeals' notes (services._with_appeal_notes); the others' results
    # are not read case by case.
    noted: set[tuple[int, str]] = field(default_factory=set)

    def officers(self) -> set[int]:
        return {officer for officer, _ in self.kinded}

    @property
    def by_officer_month(self) -> dict[tuple[int, str], list[CaseFact]]:
        """Each case's own fact (a fact of its kind with its number, time and dates, as an
        accepted appeal corrected them), grouped as ``kinded``: for a reader of a few cases,
        not for the assessment of a town."""
        if self.own is None:
            raise ValueError("the cases' own dates were not kept: town_facts(dates=True)")
        return {
            group: [self._own_fact(number, kind.fact) for number, kind in cases]
            for group, cases in self.kinded.items()
        }

    def _own_fact(self, number: str, fact: CaseFact) -> CaseFact:
        assert self.own is not None
        submitted_at, accept_due, accepted_on, local_due, outcome_on = self.own[number]
        fact = replace(
            fact,
            case_no=number,
            submitted_at=_moment(submitted_at),
            accept_due=_day(accept_due),
            accepted_on=_day(accepted_on),
            local_due=_day(local_due),
            outcome_on=_day(outcome_on),
        )
        note = self.appeals.get(number)
        return apply_override(fact, note.override) if note is not None else fact


def missing_names(raw: Iterable[Any]) -> list[str]:
    """Chinese names of missing elements from whatever the row holds (field keys, "缺少…"
    messages, or {"field", "message"} pairs from an importer)."""
    names: list[str] = []
    for item in raw or ():
        if isinstance(item, Mapping):
            item = item.get("field") or item.get("message") or ""
        elif isinstance(item, (list, tuple)) and item:
            item = item[0]
        text = str(item).strip()
        if not text:
            continue
        name = elements.LABELS.get(text) or _LABEL_OF_MESSAGE.get(text) or text
        if name not in names:
            names.append(name)
    return names


def _with_close_missing(missing: list[str], names: tuple[str, ...]) -> list[str]:
    """Add the close elements a case closed locally lacks (``close_missing``: an imported one
    may; an entered one was checked by case_close). An importer may have named them already,
    with more words ("协议方式(书面/口头)")."""
    for name in names:
        if not any(m.startswith(name) for m in missing):
            missing.append(name)
    return missing


def close_missing(values: Mapping[str, Any], level: str) -> tuple[str, ...]:
    """The names of the close elements a case closed locally at ``level`` lacks: the close
    rule's (``elements.missing_at_close``), of the values as Python holds them. Parties are a
    submit element, so they are not needed here."""
    return tuple(
        elements.LABELS.get(field, message)
        for field, message in elements.missing_at_close(values, level or "village")
    )


def _judgement(
    source: str,
    quality: str,
    quality_note: str,
    missing: list[str],
    review: tuple[str, str] | None,
) -> tuple[str, str, str]:
    """``(quality, note, judged_by)``: whose judgement the case's quality is.

    The governance office's latest review, when there is one (the timeline keeps it; a later
    re-import of the ledger does not undo it). An entered case's quality is set only by that
    review. An imported case the office has not reviewed carries the ledger's 质量评定, into
    which the importer also folds the automatic check (so that the case page shows the mark);
    a nonconforming mark with no note of its own on a row lacking elements is that automatic
    check alone, which `missing` already says, so it is not repeated as a judgement."""
    if review is not None:
        return review[0], review[1], "office"
    quality, quality_note = quality or "", quality_note or ""
    if source != Source.IMPORTED:
        return quality, quality_note, "office"
    if quality == Quality.NONCONFORMING and not quality_note.strip() and missing:
        quality = ""
    return quality, quality_note, "ledger"


def _fact_fields(
    number: str,
    category: str,
    major: bool,
    submitted_at: datetime,
    state: str,
    missing_elements: Any,
    quality: str,
    quality_note: str,
    accept_due: date | None,
    accepted_on: date | None,
    local_due: date | None,
    local_outcome: str,
    outcome_on: date | None,
    closed: tuple[str, ...],
    source: str,
    review: tuple[str, str] | None = None,
    duplicate_of: str = "",
) -> dict[str, Any]:
    """Every field of the case's ``CaseFact``; the moments as local dates already; ``closed``:
    the close elements it lacks if it was closed locally (close_missing)."""
    outcome = local_outcome if local_outcome and outcome_on is not None else None
    missing = missing_names(missing_elements) if missing_elements else []
    if outcome == LocalOutcome.CLOSED:
        missing = _with_close_missing(missing, closed)
    quality, quality_note, judged_by = _judgement(source, quality, quality_note, missing, review)
    return {
        "case_no": number,
        "category": category,
        "major": bool(major),
        "submitted_at": submitted_at,
        "voided": state == State.VOIDED,
        "missing": tuple(missing),
        "quality": quality,
        "quality_note": quality_note,
        "accept_due": accept_due,
        "accepted_on": accepted_on,
        "local_due": local_due,
        "outcome": outcome,
        "outcome_on": outcome_on,
        "source": source,
        "judged_by": judged_by,
        "duplicate_of": duplicate_of,
    }


def fact_from_row(
    row: Mapping[str, Any], tz: str, review: tuple[str, str] | None = None
) -> CaseFact:
    """One case's fact from its values (the COLUMNS, as Python values), local dates in ``tz``;
    ``review``: the governance office's latest ``(quality, note)`` for it, if any. Checked
    field by field (CaseFact's own constructor): a single case's values come from anywhere."""
    zone = clock.zone(tz)

    def local(moment: datetime | None) -> date | None:
        return moment.astimezone(zone).date() if moment else None

    fields = _fact_fields(
        row["number"],
        row["category"],
        row["major"],
        row["submitted_at"],
        row["state"],
        row["missing_elements"],
        row["quality"],
        row["quality_note"],
        row["first_accept_due"],
        local(row["first_accepted_at"]),
        row["local_due"],
        row["local_outcome"],
        local(row["outcome_at"]),
        close_missing(row, row["closed_level"])
        if row["local_outcome"] == LocalOutcome.CLOSED
        else (),
        row["source"],
        review,
    )
    return CaseFact(**fields)


def apply_override(fact: CaseFact, override: str) -> CaseFact:
    """The fact as an accepted appeal corrected it."""
    if override == Appeal.Override.CONFORMING:
        return replace(fact, missing=(), quality="conforming", quality_note="")
    if override == Appeal.Override.ON_TIME:
        changes: dict[str, Any] = {}
        if fact.outcome_on and fact.local_due and fact.outcome_on > fact.local_due:
            changes["outcome_on"] = fact.local_due
        if fact.accept_due and fact.accepted_on and fact.accepted_on > fact.accept_due:
            changes["accepted_on"] = fact.accept_due
        return replace(fact, **changes) if changes else fact
    return fact


def _bounds(town: Town, months: list[str]) -> tuple[datetime, datetime]:
    start, _ = clock.month_bounds(months[0], town.timezone)
    _, end = clock.month_bounds(months[-1], town.timezone)
    return start, end


def period_cases(town: Town, months: list[str]):
    """The town's cases submitted in the months (contiguous, in order), as ``ROW`` tuples: what
    ``town_facts`` reads of each. The office's reviews and the confirmed duplicates are read by
    a query each (period_reviews, repeats.confirmed_repeats): as a subquery per row they were
    three quarters of the database's work (bench/README.md)."""
    return _period_cases(town.id, town.timezone, tuple(months))


def period_sql(town: Town, months: list[str]) -> tuple[str, list[Any]]:
    """``period_cases``'s SQL and parameters, compiled once per process for each zone and
    period (core/compiled.py): the ORM took 14 ms to compile it (the kind's expression), a
    town's whole fetch some 20 ms; the towns' queries differ only in the town."""
    _, sql, params = _statement(town, months)
    return sql, params


def _statement(town: Town, months: list[str]) -> tuple[Any, str, list[Any]]:
    return compiled.statement(_period_cases, town.id, town.timezone, tuple(months))


def _period_cases(town_id: int, timezone: str, months: tuple[str, ...]):
    start, _ = clock.month_bounds(months[0], timezone)
    _, end = clock.month_bounds(months[-1], timezone)
    # Imports before the derived field existed: the plain timestamps say the same.
    outcome_at = Coalesce(
        "local_outcome_at",
        SqlCase(
            When(local_outcome=LocalOutcome.CLOSED, then="closed_at"),
            When(local_outcome=LocalOutcome.ESCALATED, then="escalated_at"),
        ),
    )
    # The rules count the moments in local days. PostgreSQL knows the town's zone (the same
    # IANA rules as clock.local_date): it sends the local dates, of which a quarter has some
    # ninety; SQLite does not: it sends the UTC times and Python converts them. The local date
    # of submission is NULL on SQLite. Dates and times as text, parsed by fromisoformat (in C):
    # the drivers' own parsing is Python code per value (sqlite3 calls Django's regex parser
    # by the declared type, and Django's psycopg loader for timestamptz is pure Python).
    if local_dates_in_sql():
        zone = clock.zone(timezone)

        def moment(expression: Any) -> Cast:
            return Cast(TruncDate(expression, tzinfo=zone), TextField())

        submitted_on: Any = moment("submitted_at")
    else:

        def moment(expression: Any) -> Cast:
            return Cast(expression, TextField())

        submitted_on = Value(None, output_field=TextField())
    return (
        # A citizen's report (Open311) is read too: the pay rules say why it is not counted.
        Case.objects.filter(town_id=town_id, submitted_at__gte=start, submitted_at__lt=end)
        .annotate(
            submitted_text=Cast("submitted_at", TextField()),
            submitted_on=submitted_on,
            accepted_text=moment("first_accepted_at"),
            outcome_text=moment(outcome_at),
            accept_due_text=Cast("first_accept_due", TextField()),
            local_due_text=Cast("local_due", TextField()),
            kind=kinds.kind_text(),
            terms=kinds.agreement_terms(),
        )
        # In submission order, as the rules list a month's cases (rules.assess_kinds): the
        # numbers of cases submitted at the same moment (a ledger's rows may be) compared
        # as Python compares them, by code point, not in the database's collation.
        .order_by("submitted_at", Collate("number", _CODE_POINT_ORDER[connection.vendor]))
        .values_list(*ROW)
    )


# What period_cases gives of each case, in this order.
ROW = (
    "id",
    "number",
    "officer_id",
    "submitted_text",
    "submitted_on",
    "accepted_text",
    "outcome_text",
    "accept_due_text",
    "local_due_text",
    "kind",
    "terms",
)


# The collation of each database that orders text by code point (UTF-8's bytes).
_CODE_POINT_ORDER = {"postgresql": "C", "sqlite": "BINARY"}


def local_dates_in_sql() -> bool:
    """Whether the database turns moments into the town's local dates (period_cases)."""
    return connection.vendor == "postgresql"


def _moment(value: Any) -> datetime | None:
    if type(value) is str:
        if "+" in value[19:] or "-" in value[19:]:  # PostgreSQL: "2026-07-03 01:23:45+00"
            return datetime.fromisoformat(value)
        return datetime.fromisoformat(value + "+00:00")  # SQLite keeps UTC without an offset
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _json(value: Any) -> Any:
    if value == "[]" or value is None:  # by far the most common: say so before parsing
        return []
    return json.loads(value) if isinstance(value, str) else value


def period_reviews(town: Town, months: list[str]) -> dict[int, tuple[str, str]]:
    """case id -> the governance office's latest review ``(quality, note)``, for those of the
    period's cases it reviewed: whose judgement wins (_judgement). A latest review that set
    no quality is no judgement. One query: the town's reviews (their own index,
    timeline_town_reviews, a range in each month's partition) of the period's cases."""
    found: dict[int, tuple[str, str] | None] = {}
    for case_id, quality, note in compiled.read(reviews_query(town, months)):
        if case_id not in found:  # the latest comes first
            found[case_id] = None if quality is None else (quality, note or "")
    return {case_id: review for case_id, review in found.items() if review is not None}


def reviews_query(town: Town, months: list[str]) -> compiled.Query:
    return compiled.query(_reviews, town.id, *_bounds(town, months))


def _reviews(town_id: int, start: datetime, end: datetime):
    period = Case.objects.filter(
        town_id=town_id, submitted_at__gte=start, submitted_at__lt=end
    ).values("id")
    return (
        TimelineEntry.objects.filter(town_id=town_id, action="review", case_id__in=period)
        .order_by("case_id", "-at", "-id")
        .values_list("case_id", KT("data__quality"), "note")
    )


def _chunks(town: Town, months: list[str]) -> Iterator[list[tuple]]:
    """The period's rows as the cursor gives them (ROW order), in chunks.

    The ORM builds the query; the rows are read from the cursor and converted by the caller
    because Django's per-value converters cost more than the rest of the assessment together.
    Dates and times arrive as text (see period_cases), the kind and the terms too.
    """
    # From the database the router reads cases from, as the other queries of the facts.
    database, sql, params = _statement(town, months)
    with database.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(2000):
            yield chunk


def accepted_appeals(town: Town, months: list[str]) -> dict[int, AppealNote]:
    """case id -> the latest accepted appeal with a correction, for the period's cases."""
    found: dict[int, AppealNote] = {}
    rows = compiled.read(appeals_query(town, months))
    for appeal_id, case_id, override, decided_at, note in rows:
        decided_on = clock.local_date(decided_at, town.timezone) if decided_at else None
        found[case_id] = AppealNote(appeal_id, override, decided_on, note.strip())
    return found


def appeals_query(town: Town, months: list[str]) -> compiled.Query:
    return compiled.query(_appeals, town.id, *_bounds(town, months))


def _appeals(town_id: int, start: datetime, end: datetime):
    return (
        _corrections(start, end)
        .filter(town_id=town_id)
        .order_by("decided_at", "id")
        .values_list("id", "case_id", "override", "decided_at", "decision_note")
    )


def _corrections(start: datetime, end: datetime):
    """The accepted appeals with a correction of the cases submitted in [start, end)."""
    return Appeal.objects.filter(
        status=Appeal.Status.ACCEPTED,
        case__submitted_at__gte=start,
        case__submitted_at__lt=end,
    ).exclude(override="")


def towns_with_appeals(months: list[str]) -> set[int]:
    """The towns that may have an accepted appeal with a correction in ``months``, in one
    query (for a run of many towns: ``accepted_appeals`` finds none for the others). A
    day's margin each side of the months' UTC bounds covers every town's zone."""
    start, _ = clock.month_bounds(months[0], "UTC")
    _, end = clock.month_bounds(months[-1], "UTC")
    rows = _corrections(start - timedelta(days=1), end + timedelta(days=1))
    return set(rows.order_by().values_list("town_id", flat=True).distinct())


# What the other tables say of a case they do not name: no appeal, no review, no earlier case.
_NOTHING_SAID: tuple[None, None, str] = (None, None, "")

# The kinds of case met so far in this process: by what a row says of a case less its number
# and time (``town_facts``'s ``said``: a text, or a tuple for a case that other tables name),
# the kind made of the first case of the kind. A pure function of those values, so shared by
# every town (a fifth of the province's towns, 1.2 million cases, are 151,000 kinds); the
# older half is dropped when full, as the judgements' memory (rules._judged) is.
_KINDS: dict[str | tuple[Any, ...], rules.Kind] = {}
_KINDS_MAX = 50_000  # about 1 KB each; as rules._JUDGED_MAX, measured (bench/README.md)


def others_queries(town: Town, months: list[str]) -> list[compiled.Query]:
    """The queries ``town_facts`` asks before the cases': what the other tables say of the
    period's cases (for ``compiled.together``)."""
    return [
        appeals_query(town, months),
        reviews_query(town, months),
        confirmed_query(town.id),
    ]


def town_facts(town: Town, months: list[str], *, dates: bool = True) -> TownFacts:
    """Every case the town's officers submitted in ``months``, as facts: four queries.

    Each case is read as what the rules read of it (``rules.Kinded``): its number, and the
    fact of its kind, made once for all the cases that say the same (_KINDS). ``dates``:
    keep each case's own time and dates too (``by_officer_month``, for a reader of a few
    cases); the assessment reads only the kinds (a tuple and an entry a case, six million
    in a province's quarter, kept for nobody)."""
    zone = clock.zone(town.timezone)
    wanted = set(months)
    appeals = accepted_appeals(town, months)
    reviews = period_reviews(town, months)
    repeats = confirmed_repeats(town.id)
    # What the other tables say of the few cases they name, looked up once a row.
    others = {
        case_id: (appeals.get(case_id), reviews.get(case_id), repeats.get(case_id, ""))
        for case_id in {*appeals, *reviews, *repeats}
    }
    # Each month's cases by officer: a month looked up when it changes, an officer by number.
    groups: dict[str, defaultdict[int, list[rules.Kinded]]] = {}
    current, by_officer = None, None
    own: dict[str, tuple[Any, ...]] | None = {} if dates else None
    notes: dict[str, AppealNote] = {}
    noted: set[tuple[int, str]] = set()

    def local_day(value: Any) -> str | None:  # a UTC time from SQLite (period_cases)
        moment = _moment(value)
        return str(moment.astimezone(zone).date()) if moment is not None else None

    in_sql = local_dates_in_sql()
    memory = _KINDS
    dates_read, separator = rules.dates_read, kinds.SEPARATOR
    for chunk in _chunks(town, months):
        for (
            case_id,
            number,
            officer_id,
            submitted_at,
            submitted_on,
            accepted_on,
            outcome_on,
            accept_due,
            local_due,
            kind_text,
            terms,
        ) in chunk:
            if in_sql:
                month = submitted_on[:7]
            else:
                submitted_at = _moment(submitted_at)
                there = submitted_at.astimezone(zone)
                month = f"{there.year}-{there.month:02d}"
            # The rows come in order of submission: a town's months one after the other.
            if month != current:
                current = month
                by_officer = (
                    groups.setdefault(month, defaultdict(list)) if month in wanted else None
                )
            if by_officer is None:
                continue
            if not in_sql:  # the moments' local dates, as PostgreSQL sends them (period_cases)
                accepted_on, outcome_on = local_day(accepted_on), local_day(outcome_on)
            # All the rules read of the case but its number: one text, compared in one piece
            # (a tuple's values, each elsewhere in memory, cost more to compare than the rest
            # of the row's work), of its dates only what the rules read (most cases were
            # handled in time: their days do not make kinds of their own), and what the other
            # tables say of the few cases they name.
            read = dates_read(accept_due, accepted_on, local_due, outcome_on)
            said: Any = f"{kind_text}{separator}{read}"
            other = others.get(case_id)
            if other is None and terms is None:  # most rows: no other table names the case
                kind = memory.get(said)
                if kind is None:
                    dates = (accept_due, accepted_on, local_due, outcome_on)
                    row = (case_id, number, submitted_at, kind_text, dates, terms)
                    kind = _new_kind(said, row, (None, "", ""))
            else:
                note, review, duplicate_of = other if other is not None else _NOTHING_SAID
                override = note.override if note is not None else ""
                terms_blank = None if terms is None else elements.blank(_json(terms))
                said = (said, terms_blank, review, duplicate_of, override)
                kind = memory.get(said)
                if kind is None:
                    dates = (accept_due, accepted_on, local_due, outcome_on)
                    row = (case_id, number, submitted_at, kind_text, dates, terms)
                    kind = _new_kind(said, row, (review, duplicate_of, override))
                if note is not None:
                    notes[number] = note
                    noted.add((officer_id, month))
            by_officer[officer_id].append((number, kind))
            if own is not None:
                own[number] = (submitted_at, accept_due, accepted_on, local_due, outcome_on)
    kinded = {
        (officer_id, month): cases
        for month, by_officer in groups.items()
        for officer_id, cases in by_officer.items()
    }
    return TownFacts(kinded=kinded, appeals=notes, own=own, noted=noted)


def _new_kind(
    said: str | tuple[Any, ...],
    row: tuple[int, str, Any, str, tuple[Any, Any, Any, Any], Any],
    others: tuple[tuple[str, str] | None, str, str],
) -> rules.Kind:
    """The kind of a row whose kind was not met before (town_facts), remembered by what the
    row ``said``: ``row`` is the case's id, number, time of submission, kind's text, four
    dates (as _kind_fact reads them) and agreement terms; ``others``: the office's review, the
    case it repeats and the accepted appeal's correction."""
    case_id, number, submitted_at, kind_text, dates, terms = row
    try:
        fact = _kind_fact(number, submitted_at, kind_text, dates, terms, others)
    except ValueError:  # a text held the kind's separator: this case read alone, not kept
        case = Case.objects.select_related("town").get(pk=case_id)
        return rules.Kind(case_fact(case))
    return remember(_KINDS, said, rules.Kind(fact), _KINDS_MAX)


def _kind_fact(
    number: str,
    submitted_at: Any,
    kind_text: str,
    dates: tuple[Any, Any, Any, Any],
    terms: Any,
    others: tuple[tuple[str, str] | None, str, str],
) -> CaseFact:
    """The fact of a kind not met before, from its first case (town_facts); ValueError when
    its text is not a kind's (kinds.parts). ``dates``: the due date of acceptance, the day of
    acceptance, the local due date and the day of the outcome; ``others``: the office's
    review, the case it repeats and the accepted appeal's correction.

    Most kinds a town meets first differ from one met before only in their dates (a late or
    open case's days are part of its kind): the fields the text and the other tables give are
    made once for each and kept (_UNDATED, by whether there is an outcome, which decides the
    close elements' check), the dates added per kind (a province's towns: 12,116 kinds not met
    before in 100 towns, 508 texts)."""
    accept_due, accepted_on, local_due, outcome_on = dates
    outcome_day = _day(outcome_on)
    key = (kind_text, terms, others, outcome_day is None)
    undated = _UNDATED.get(key)
    if undated is None:
        undated = remember(
            _UNDATED, key, _undated(kind_text, terms, others, outcome_day is None), _UNDATED_MAX
        )
    # Built without a frozen dataclass's __init__ (CaseFact.built): the dates and times are
    # made here, so they are of the right types.
    fact = CaseFact.built(
        {
            **undated,
            "case_no": number,
            "submitted_at": _moment(submitted_at),
            "accept_due": _day(accept_due),
            "accepted_on": _day(accepted_on),
            "local_due": _day(local_due),
            "outcome_on": outcome_day,
        }
    )
    override = others[2]
    return apply_override(fact, override) if override else fact


def _undated(
    kind_text: str, terms: Any, others: tuple[tuple[str, str] | None, str, str], open_: bool
) -> dict[str, Any]:
    """A kind's fields but its dates and number (_kind_fact); ``open_``: it has no outcome."""
    review, duplicate_of, _ = others
    part = kinds.parts(kind_text)
    local_outcome = part["local_outcome"]
    closed: tuple[str, ...] = ()
    if local_outcome == LocalOutcome.CLOSED:
        # The close rule itself, with stand-ins for the values it only checks for being blank.
        stand_in = {"1": "", "0": "-"}
        values = {
            "category": part["category"],
            "result": stand_in[part["result_blank"]],
            "mediator": stand_in.get(part["mediator_blank"], ""),
            "mediation_result": part["mediation_result"],
            "agreement_form": stand_in.get(part["agreement_form_blank"], ""),
            # Not blank when the kind says so (its first term is not), else as they are.
            "agreement_terms": ["-"] if part["agreement_terms_blank"] == "0" else _json(terms),
        }
        closed = close_missing(values, part["closed_level"])
    # _fact_fields reads of the day of the outcome only whether there is one.
    return _fact_fields(
        "",
        part["category"],
        part["major"] == "1",
        None,  # type: ignore[arg-type]  # the time of submission is the case's own
        part["state"],
        _json(part["missing_elements"] or None),
        part["quality"],
        part["quality_note"],
        None,
        None,
        None,
        local_outcome,
        None if open_ else date.min,
        closed,
        part["source"],
        review,
        duplicate_of,
    )


# A kind's fields but its dates (_kind_fact), by its text, terms, what the other tables say of
# it and whether it has an outcome; a few hundred in a province, the older half dropped when
# full. Some 1 KB each.
_UNDATED: dict[tuple[Any, ...], dict[str, Any]] = {}
_UNDATED_MAX = 10_000


def case_fact(case: Case) -> CaseFact:
    """One case's fact, with the correction of an accepted appeal if there is one."""
    row = {name: getattr(case, name) for name in COLUMNS if name != "outcome_at"}
    fallback = case.closed_at if case.local_outcome == LocalOutcome.CLOSED else case.escalated_at
    row["outcome_at"] = case.local_outcome_at or (fallback if case.local_outcome else None)
    fact = fact_from_row(row, case.town.timezone, office_review(case))
    appeal = (
        Appeal.objects.filter(case=case, status=Appeal.Status.ACCEPTED)
        .exclude(override="")
        .order_by("-decided_at", "-id")
        .values_list("override", flat=True)
        .first()
    )
    repeats = confirmed_repeats(case.town_id, case.pk)
    if repeats:
        fact = replace(fact, duplicate_of=repeats[case.pk])
    return apply_override(fact, appeal) if appeal else fact
