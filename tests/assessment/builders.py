"""Real cases for the assessment's tests, made through the case services."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from gridcase.assessment.models import SuspectPair
from gridcase.cases import filing, services
from gridcase.cases.models import Case
from gridcase.org.models import User
from tests.factories import CLOSE_DISPUTE, TestTown, complete_data

CLOSE_PLAIN = {"result": "已妥善处理"}


def submitted(
    t: TestTown, at: datetime, *, by: User | None = None, category: str = "security_hazard", **data
) -> Case:
    """A case handed in at ``at`` by ``by`` (the town's officer by default)."""
    by = by or t.officer
    village = t.village if by == t.officer else t.other_village
    case = filing.case_create_draft(
        town=t.town,
        by=by,
        data=complete_data(at, category=category, village=village, **data),
        at=at,
    )
    return filing.case_submit(case=case, by=by, at=at)


def closed_locally(
    t: TestTown,
    at: datetime,
    *,
    close_at: datetime | None = None,
    by: User | None = None,
    category: str = "security_hazard",
    **data,
) -> Case:
    """Submitted, accepted and closed by the officer (on the same day unless ``close_at``)."""
    by = by or t.officer
    case = submitted(t, at, by=by, category=category, **data)
    services.case_accept(case=case, by=by, at=at + timedelta(minutes=5))
    close = CLOSE_DISPUTE if category == "dispute" else CLOSE_PLAIN
    return services.case_close(
        case=case, by=by, data=close, at=close_at or at + timedelta(minutes=10)
    )


def escalated_to_town(
    t: TestTown, at: datetime, *, escalate_at: datetime | None = None, **data
) -> Case:
    """Submitted and accepted by the officer, then sent up through the station to the town."""
    case = submitted(t, at, **data)
    services.case_accept(case=case, by=t.officer, at=at + timedelta(minutes=5))
    services.case_escalate(
        case=case, by=t.officer, note="需村站协调", at=at + timedelta(minutes=10)
    )
    services.case_accept(case=case, by=t.station_user, at=at + timedelta(minutes=20))
    return services.case_escalate(
        case=case,
        by=t.station_user,
        note="村级无法处理",
        at=escalate_at or at + timedelta(minutes=30),
    )


def suspected(t: TestTown, case: Case, similar_to: Case, found_at: datetime) -> SuspectPair:
    """``case`` suspected of repeating the earlier ``similar_to`` (integrity.md), open."""
    return SuspectPair.objects.create(
        town=t.town,
        case=case,
        similar_to=similar_to,
        score=Decimal("0.9"),
        reasons=["描述相似度 1.00"],
        found_at=found_at,
    )
