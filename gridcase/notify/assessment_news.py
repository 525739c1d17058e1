"""What the assessment tells people: the quarter's steps and the decision on an appeal.

The assessment sits above this app (it may call us, we may not import it), so its services
call these functions inside their own transaction, with plain values. Who is told lives here,
beside the rules for case actions (`outbox.recipients_for_action`); an appeal being filed is a
case action (`appeal` on the case's timeline) and is told from there.

- finalised → the leaders, who must approve, and the office;
- approved → the office and every officer of the town: the quarter's pay is final;
- sent back → the office, who must correct and finalise again, and every officer, who may
  appeal again until then;
- appeal decided → the officer who filed it.

The links are the workbench's pages (gridcase/web/urls_assessment.py). `/assessment/?period=…`
opens the quarter for the office and the leader and the officer's own statement for an officer,
so one message serves them all.
"""

from __future__ import annotations

from datetime import date

from gridcase.org.models import Town, User

from . import outbox, recipients
from .models import Notification
from .recipients import Finder


def _name(user: User) -> str:
    return user.display_name or user.username


def quarter_link(quarter: str) -> str:
    return f"/assessment/?period={quarter}"


def quarter_finalised(*, town: Town, quarter: str, by: User, on: date) -> Notification:
    finder = Finder(town, on)
    return outbox.emit(
        town=town,
        kind="quarter_ready",
        recipients=(finder.leaders() | finder.office()).without_user(by.pk),
        context={"quarter": quarter, "link": f"/assessment/{quarter}/"},
    )


def quarter_approved(
    *, town: Town, quarter: str, by: User, on: date, note: str = ""
) -> Notification:
    finder = Finder(town, on)
    return outbox.emit(
        town=town,
        kind="quarter_approved",
        recipients=(finder.office() | finder.town_officers()).without_user(by.pk),
        context={"quarter": quarter, "by": _name(by), "note": note, "link": quarter_link(quarter)},
    )


def quarter_reopened(*, town: Town, quarter: str, by: User, on: date, reason: str) -> Notification:
    finder = Finder(town, on)
    return outbox.emit(
        town=town,
        kind="quarter_reopened",
        recipients=(finder.office() | finder.town_officers()).without_user(by.pk),
        context={
            "quarter": quarter,
            "by": _name(by),
            "note": reason,
            "link": quarter_link(quarter),
        },
    )


def appeal_decided(
    *,
    town: Town,
    officer_id: int,
    quarter: str,
    case_number: str,
    decision: str,
    note: str,
    by: User,
) -> Notification:
    """The officer learns the decision on their appeal, with a link to their statement."""
    return outbox.emit(
        town=town,
        kind="appeal_decided",
        recipients=recipients.people(users=[officer_id]),
        context={
            "quarter": quarter,
            "case_number": case_number,
            "decision": decision,
            "note": note,
            "by": _name(by),
            "link": f"/assessment/{quarter}/officers/{officer_id}/",
        },
    )
