"""A case's kind as one text that the database writes: all that its fact is made of but its
number, its dates and times and what other tables say of it (``facts.town_facts``; the
dates are sent as they are, and the rules say which of them they read: rules.dates_read).

A town's quarter is read row by row, and the cursor made a Python value of each of some
twenty columns of each row: more of the client's time than the rules' work on the row
(bench/README.md, the province's fifth round). The database writes those columns as one
text instead, the row's kind: the cases with the same text share one fact, and the text is
read back into its parts only for a kind not met before.

The text is the parts with a separator between them. Two rows with different parts could give
the same text only if a part held the separator; such a text has a part too many, is never
remembered as a kind, and its case is read alone. The close elements
(``elements.missing_at_close``) are only checked for being blank, so the database says
whether they are (``blank_flag``, exactly as Python's ``str.strip`` sees spaces) rather than
sending the texts.
"""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, CharField, F, Func, Q, TextField, Value, When
from django.db.models import Case as SqlCase
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Left, StrIndex
from django.db.models.lookups import Exact

from gridcase.cases.models import LocalOutcome

# What str.strip() takes off a text (str.isspace): every such character is below U+3001
# (tests/assessment/test_kinds.py checks the whole of Unicode).
SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace())

# The parts of the text, in this order. The flags are a character each ("1" yes, "0" no, "-"
# not read: the close elements unless the case was closed locally, the mediation's unless it
# is also a dispute).
PARTS = (
    "major",  # a flag
    "result_blank",  # a flag
    "mediator_blank",  # a flag
    "agreement_form_blank",  # a flag
    # "0" when the terms begin with a text that is not blank (the common case, told by the
    # database); "-" otherwise, when Python reads the terms themselves (agreement_terms).
    "agreement_terms_blank",
    "category",
    "state",
    "missing_elements",  # JSON
    "quality",
    "quality_note",
    "local_outcome",
    "source",
    "closed_level",  # empty unless closed locally
    "mediation_result",  # empty unless a dispute closed locally
)
# Between two parts: a control character that no text entered or imported holds (and if one
# ever does, ``parts`` finds one part too many, and that case is read alone).
SEPARATOR = "\x1f"


class _Joined(Func):
    """Its parts (texts, none NULL) as one text. With ``||``: PostgreSQL's CONCAT looks up
    each argument's output function on every row (0.4 µs a row more here)."""

    template = "(%(expressions)s)"
    arg_joiner = " || "
    output_field = TextField()


class _FirstIsText(Func):
    """Whether a JSON value is a list whose first element is a text."""

    template = "(jsonb_typeof(%(expressions)s -> 0) = 'string')"
    output_field = BooleanField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "(json_type(%(expressions)s, '$[0]') = 'text')"
        return super().as_sql(compiler, connection, template=template, **extra)


class _Trimmed(Func):
    """The text with the given characters taken off both of its ends."""

    function = "BTRIM"
    arity = 2
    output_field = TextField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function="TRIM", **extra)


def _text(value: Any) -> Value:
    return Value(value, output_field=CharField())


def blank_flag(column: str) -> SqlCase:
    """``"1"`` when the text column is blank as ``elements.blank`` reads text (nothing but
    spaces), ``"0"`` otherwise. Most texts begin with another character: they are told by that
    character alone, only the others are trimmed (trimming every text cost the database half a
    microsecond a row)."""
    return SqlCase(
        When(Q(**{column: ""}), then=_text("1")),
        When(Exact(StrIndex(_text(SPACES), Left(column, 1)), 0), then=_text("0")),
        When(Exact(_Trimmed(F(column), _text(SPACES)), ""), then=_text("1")),
        default=_text("0"),
        output_field=CharField(),
    )


def _terms_flag() -> SqlCase:
    """``"0"`` when the agreement's terms are not blank by their first element alone (a text
    beginning with a character that is not a space), ``"-"`` when that does not tell."""
    first = KT("agreement_terms__0")
    told = SqlCase(
        When(Exact(first, ""), then=_text("-")),
        When(Exact(StrIndex(_text(SPACES), Left(first, 1)), 0), then=_text("0")),
        default=_text("-"),
        output_field=CharField(),
    )
    return SqlCase(
        When(Q(_FirstIsText("agreement_terms")), then=told),
        default=_text("-"),
        output_field=CharField(),
    )


def _only(condition: Q, expression: Any, otherwise: str) -> SqlCase:
    """The expression where the condition holds."""
    return SqlCase(
        When(condition, then=expression), default=_text(otherwise), output_field=CharField()
    )


_CLOSED = Q(local_outcome=LocalOutcome.CLOSED)
_DISPUTE = _CLOSED & Q(category="dispute")
_AGREED = _DISPUTE & Q(mediation_result="agreed")


def kind_text() -> _Joined:
    """The expression of a case row's kind: the PARTS, between SEPARATORs."""
    flags = {
        "major": _only(Q(major=True), _text("1"), "0"),
        "result_blank": _only(_CLOSED, blank_flag("result"), "-"),
        "mediator_blank": _only(_DISPUTE, blank_flag("mediator"), "-"),
        "agreement_form_blank": _only(_DISPUTE, blank_flag("agreement_form"), "-"),
        "agreement_terms_blank": _only(_AGREED, _terms_flag(), "-"),
    }
    texts = {
        "missing_elements": Cast("missing_elements", TextField()),
        "closed_level": _only(_CLOSED, F("closed_level"), ""),
        "mediation_result": _only(_DISPUTE, F("mediation_result"), ""),
    }
    written = {**{name: F(name) for name in PARTS}, **flags, **texts}
    joined: list[Any] = []
    for name in PARTS:
        joined += [written[name], _text(SEPARATOR)]
    return _Joined(*joined[:-1])


def agreement_terms() -> SqlCase:
    """The agreement's terms (JSON text) where the close rule reads them (a dispute closed
    locally with an agreement) and the kind does not say they are not blank; NULL elsewhere."""
    return SqlCase(
        When(_AGREED & Q(Exact(_terms_flag(), "-")), then=Cast("agreement_terms", TextField())),
        default=Value(None, output_field=TextField()),
        output_field=TextField(),
    )


def parts(text: str | None) -> dict[str, str]:
    """The PARTS of a kind's text, by name; ValueError when a part held the SEPARATOR (the
    text is then not a kind: town_facts reads that case alone)."""
    found = text.split(SEPARATOR) if text is not None else []
    if len(found) != len(PARTS):
        raise ValueError(f"not a kind's text: {text!r}")
    return dict(zip(PARTS, found, strict=True))
