"""The period's suspected duplicates and padding signals as one JSON document (integrity.md,
"The command"): what `gridcase suspects --format json` prints and what the API answers, built
here once so that the two can never drift apart.

Reads only; who may read it is the review queue's rule (the town's governance office, the same
people who decide on the pairs in ``integrity_services``).
"""

from __future__ import annotations

from datetime import date

from gridcase.core import clock
from gridcase.org.models import Town, User
from gridcase.org.policies import policy_for

from . import integrity, integrity_services
from .common import require_role


def period_report(town: Town, first: date, last: date) -> dict:
    """The JSON of integrity.md: town, period, threshold, pairs (later case first), signals."""
    policy = policy_for(town, last)
    pairs = integrity.find_in_period(town, first, last, policy=policy)
    signals = integrity.signals_in_period(town, first, last)
    return {
        "town": town.name,
        "period": {"since": first.isoformat(), "until": last.isoformat()},
        "threshold": float(policy.duplicate_threshold),
        "pairs": [pair.as_dict() for pair in pairs],
        "signals": [signal.as_dict() for signal in signals],
    }


def require_reader(user: User, town: Town) -> None:
    """Only the office that decides on the pairs reads the queue (integrity.md: the office's
    review queue); anyone else of the town: ActionNotAllowed."""
    require_role(
        user,
        town,
        integrity_services.OFFICE,
        "只有镇政法综治办可以查看和处理疑似重复、虚报迹象",
        clock.today(town.timezone),
    )
