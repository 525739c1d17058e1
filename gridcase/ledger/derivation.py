"""What an imported case is: its state, level, deadlines and outcome, derived from a ledger
row as the case services would have set them — with the same deadlines (`TownClock`, and
`TownClock.at_submit` for the deadlines a submit sets) and the town's calendar loaded once
for the years the ledger spans.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from gridcase.cases.deadlines import TownClock
from gridcase.cases.models import Category, Level, LocalOutcome, Quality, State
from gridcase.core import clock
from gridcase.core.calendar import calendar_for
from gridcase.org.models import Town
from gridcase.org.policies import policy_history

from .rows import TIME_COLUMNS, LedgerRow

VOID_REASON = "台账中标记为作废"


def ledger_clocks(town: Town, rows: list[LedgerRow]) -> Callable[[datetime], TownClock]:
    """`clock_at(moment)`: the town's clock with the calendar of the ledger's years (loaded
    once) and the policy version in force on the moment's local day, as the services use."""
    days = [
        clock.local_date(moment, town.timezone)
        for row in rows
        for moment in (getattr(row, key) for key in TIME_COLUMNS)
        if moment is not None
    ]
    today = clock.today(town.timezone)
    first = min(days, default=today).year
    last = max(days, default=today).year
    calendar = calendar_for(town.id, first, last)
    history = policy_history(town)
    clocks: dict[int, TownClock] = {}  # one per policy version in force on some row's day

    def clock_at(moment: datetime) -> TownClock:
        day = clock.local_date(moment, town.timezone)
        i = history.index(day)
        if i not in clocks:
            clocks[i] = TownClock(tz=town.timezone, calendar=calendar, policy=history.on(day))
        return clocks[i]

    return clock_at


def case_fields(row: LedgerRow, clock_at: Callable[[datetime], TownClock]) -> dict[str, Any]:
    """State, level, deadlines and outcome of an imported case, as the services would set them.

    Submit: the grid's acceptance deadline, and a local period from it. First acceptance: the
    local period runs from the acceptance day or its deadline, whichever is earlier. Escalation
    (to the town center): the local outcome, and the center's acceptance deadline. A close
    without escalation is a local close.
    """
    submitted = clock_at(row.submitted_at).at_submit(row.submitted_at)
    first_accept_due = submitted["first_accept_due"]
    if row.accepted_at is not None:
        local_due = clock_at(row.accepted_at).handle_due(
            Level.GRID, row.accepted_at, first_accept_due
        )
    else:
        local_due = submitted["local_due"]
    f: dict[str, Any] = {
        "submitted_at": row.submitted_at,
        "first_accept_due": first_accept_due,
        "first_accepted_at": row.accepted_at,
        "local_due": local_due,
        "escalated_at": row.escalated_at,
        "closed_at": row.closed_at,
        "closed_level": "",
        "local_outcome": LocalOutcome.NONE,
        "local_outcome_at": None,
        "follow_up_due": None,
        "voided_at": None,
        "void_reason": "",
    }
    if row.escalated_at is not None:
        level = Level.TOWN
        f |= {
            "accept_due": clock_at(row.escalated_at).accept_due(Level.TOWN, row.escalated_at),
            "handle_due": None,
            "level_accepted_at": None,
            "local_outcome": LocalOutcome.ESCALATED,
            "local_outcome_at": row.escalated_at,
        }
    else:
        level = Level.VILLAGE if row.closed_at is not None else Level.GRID
        f |= {
            "accept_due": first_accept_due,
            "handle_due": local_due if row.accepted_at is not None else None,
            "level_accepted_at": row.accepted_at,
        }
    if row.closed_at is not None:
        state = State.CLOSED
        f["closed_level"] = level
        if row.escalated_at is None:
            f |= {"local_outcome": LocalOutcome.CLOSED, "local_outcome_at": row.closed_at}
        if row.category == Category.DISPUTE:
            f["follow_up_due"] = clock_at(row.closed_at).follow_up_due(row.closed_at)
    elif row.escalated_at is not None:
        state = State.PENDING  # the town center has yet to accept it
    elif row.accepted_at is not None:
        state = State.HANDLING
    else:
        state = State.PENDING
    if row.voided:
        state = State.VOIDED
        known = (row.submitted_at, row.accepted_at, row.escalated_at, row.closed_at)
        f |= {"voided_at": max(t for t in known if t is not None), "void_reason": VOID_REASON}
    # The case's mark (what its page shows) is nonconforming when the row lacks elements (the
    # automatic check) or the ledger says 不合格 (the ledger's own judgement). Neither is the
    # governance office's: the assessment tells them apart (assessment.facts._judgement) and
    # lets the office's later review win over both.
    nonconforming = bool(row.missing) or row.quality == Quality.NONCONFORMING
    f |= {
        "state": state,
        "level": level,
        "category": row.category,
        "major": row.major,
        "occurred_at": row.occurred_at,
        "location": row.location,
        "latitude": row.latitude,
        "longitude": row.longitude,
        "location_accuracy": row.location_accuracy,
        "location_mock": row.location_mock,
        "persons": row.persons,
        "cause": row.cause,
        "course": row.course,
        "result": row.result,
        "mediator": row.mediator,
        "mediation_result": row.mediation_result,
        "agreement_form": row.agreement_form,
        "agreement_terms": list(row.agreement_terms),
        "quality": Quality.NONCONFORMING if nonconforming else Quality.CONFORMING,
        # The missing elements are the reason (missing_elements); a note would repeat them.
        "quality_note": row.quality_note,
        "missing_elements": list(row.missing),
    }
    return f
