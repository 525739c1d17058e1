"""The result of an assessment: what every officer earns in a period, explained case by case.

Plain frozen values built by services.assess_period (live) or read back from a finalised
quarter's snapshot. ``as_dict()`` is the JSON of assessment.md ("Reading the result");
``to_snapshot()`` / ``from_snapshot()`` add what the payroll and adjustments need (ids), and
(from snapshot version 2) each reason and explanation also as message id and arguments
(``words.Text.dump()``), so that a finalised quarter's pages read in the reader's language; a
version 1 snapshot has the Chinese only, which its pages show as stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from gridcase.assessment.rules import CaseResult, MonthResult
from gridcase.assessment.words import load_words

ZERO = Decimal("0.00")
# 2: a case's "words" and a month's "explained" (the Chinese "reason" and "explanation" as
# message ids and arguments) beside the Chinese.
SNAPSHOT_VERSION = 2


@dataclass(frozen=True)
class PolicyRef:
    code: str
    name: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "name": self.name}


@dataclass(frozen=True)
class AdjustmentLine:
    """A correction of an approved quarter, paid in this period."""

    quarter: str  # the quarter it corrects
    amount: Decimal
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"quarter": self.quarter, "amount": str(self.amount), "reason": self.reason}


@dataclass(frozen=True)
class OfficerResult:
    officer_id: int
    username: str
    officer: str  # the name people know them by
    village: str
    months: tuple[MonthResult, ...]
    adjustments: tuple[AdjustmentLine, ...] = ()

    @property
    def adjustment_total(self) -> Decimal:
        return sum((a.amount for a in self.adjustments), ZERO)

    @property
    def total(self) -> Decimal:
        return sum((m.total for m in self.months), ZERO) + self.adjustment_total

    def month(self, month: str) -> MonthResult | None:
        return next((m for m in self.months if m.month == month), None)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "officer": self.officer,
            "village": self.village,
            "total": str(self.total),
            "months": [m.as_dict() for m in self.months],
        }
        if self.adjustments:  # only where the period carries corrections of an earlier one
            data["adjustments"] = [a.as_dict() for a in self.adjustments]
        return data


@dataclass(frozen=True)
class PeriodResult:
    town_id: int
    town: str
    period: str  # "2026-10", "2026-Q4", or "2026-10..2026-11"
    months: tuple[str, ...]
    policy: PolicyRef  # the version of the period's last month
    month_policies: Mapping[str, PolicyRef] = field(hash=False)
    provisional: bool
    officers: tuple[OfficerResult, ...]
    status: str = "draft"  # of the quarter: draft | finalised | approved
    what_if: bool = False  # computed with a policy file given for the occasion
    as_of: str = ""  # the local day the statuses were judged on (ISO)

    @property
    def total(self) -> Decimal:
        return sum((o.total for o in self.officers), ZERO)

    @property
    def frozen(self) -> bool:
        return self.status in ("finalised", "approved")

    def officer(self, officer_id: int) -> OfficerResult | None:
        return next((o for o in self.officers if o.officer_id == officer_id), None)

    def as_dict(self) -> dict[str, Any]:
        """The JSON of assessment.md, exactly."""
        data: dict[str, Any] = {
            "period": self.period,
            "policy": self.policy.as_dict(),
            "provisional": self.provisional,
            "officers": [o.as_dict() for o in self.officers],
        }
        if len(set(self.month_policies.values())) > 1:  # a new version took effect mid-period
            data["policies"] = {m: p.as_dict() for m, p in self.month_policies.items()}
        return data

    def to_snapshot(self) -> dict[str, Any]:
        return {
            "version": SNAPSHOT_VERSION,
            "town_id": self.town_id,
            "town": self.town,
            "period": self.period,
            "months": list(self.months),
            "policy": self.policy.as_dict(),
            "policies": {m: p.as_dict() for m, p in self.month_policies.items()},
            "provisional": self.provisional,
            "as_of": self.as_of,
            "officers": [
                {
                    "officer_id": o.officer_id,
                    "username": o.username,
                    "officer": o.officer,
                    "village": o.village,
                    "total": str(o.total),
                    "months": [_month_to_snapshot(m) for m in o.months],
                    "adjustments": [a.as_dict() for a in o.adjustments],
                }
                for o in self.officers
            ],
        }

    @classmethod
    def from_snapshot(cls, data: Mapping[str, Any], *, status: str) -> PeriodResult:
        return cls(
            town_id=data["town_id"],
            town=data["town"],
            period=data["period"],
            months=tuple(data["months"]),
            policy=PolicyRef(**data["policy"]),
            month_policies={m: PolicyRef(**p) for m, p in data["policies"].items()},
            provisional=data["provisional"],
            officers=tuple(
                OfficerResult(
                    officer_id=o["officer_id"],
                    username=o["username"],
                    officer=o["officer"],
                    village=o["village"],
                    months=tuple(_month_from_dict(m) for m in o["months"]),
                    adjustments=tuple(
                        AdjustmentLine(a["quarter"], Decimal(a["amount"]), a["reason"])
                        for a in o["adjustments"]
                    ),
                )
                for o in data["officers"]
            ),
            status=status,
            as_of=data.get("as_of", ""),
        )

    def without_cases(self) -> PeriodResult:
        """The same result with every month's cases left out: what a page of months and
        totals reads (the period page), a few kilobytes where the cases of a big town's
        quarter are megabytes. Never a result to pay or export from."""
        return replace(
            self,
            officers=tuple(
                replace(o, months=tuple(replace(m, cases=()) for m in o.months))
                for o in self.officers
            ),
        )

    def restricted_to(self, months: Iterable[str], *, period: str) -> PeriodResult:
        """The same result for some of its months (without adjustments, which belong to the
        whole quarter); officers with none of those months drop out."""
        keep = tuple(m for m in self.months if m in set(months))
        officers = []
        for o in self.officers:
            chosen = tuple(m for m in o.months if m.month in keep)
            if chosen:
                officers.append(
                    OfficerResult(o.officer_id, o.username, o.officer, o.village, chosen)
                )
        policies = {m: p for m, p in self.month_policies.items() if m in keep}
        return PeriodResult(
            town_id=self.town_id,
            town=self.town,
            period=period,
            months=keep,
            policy=policies[keep[-1]] if keep else self.policy,
            month_policies=policies,
            provisional=self.provisional and any(m.provisional for o in officers for m in o.months),
            officers=tuple(officers),
            status=self.status,
            what_if=self.what_if,
            as_of=self.as_of,
        )


def _month_to_snapshot(month: MonthResult) -> dict[str, Any]:
    data = month.as_dict() | {"provisional": month.provisional}
    if month.explained:
        data["explained"] = [line.dump() for line in month.explained]
    for case, stored in zip(month.cases, data["cases"], strict=True):
        if case.words is not None:
            stored["words"] = case.words.dump()
    return data


def _month_from_dict(data: Mapping[str, Any]) -> MonthResult:
    return MonthResult(
        month=data["month"],
        base_pay=Decimal(data["base_pay"]),
        deduction=Decimal(data["deduction"]),
        bonus=Decimal(data["bonus"]),
        total=Decimal(data["total"]),
        counted=data["counted"],
        nonconforming=data["nonconforming"],
        late=data["late"],
        pending=data["pending"],
        provisional=data.get("provisional", False),
        # Snapshots frozen before the month's arithmetic was written down have none.
        explanation=tuple(data.get("explanation", ())),
        # Version 1 snapshots keep the Chinese only: shown as stored.
        explained=tuple(load_words(line) for line in data.get("explained", ())),
        cases=tuple(
            CaseResult(
                c["case_no"],
                c["category"],
                c["status"],
                Decimal(c["amount"]),
                c["reason"],
                words=load_words(c["words"]) if "words" in c else None,
            )
            for c in data["cases"]
        ),
    )
