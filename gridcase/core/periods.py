"""The shapes of an assessment period, written once: a month "2026-10", a quarter "2026-Q4"
(ASCII digits only: `\\d` would let full-width and Arabic-Indic digits through).

Pure (no Django), so the pay rules can use it. Parsing a period into dates, and the town's
local bounds of one, live in `clock.py`.
"""

from __future__ import annotations

import re

MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
QUARTER = re.compile(r"[0-9]{4}-Q[1-4]")


def is_month(text: object) -> bool:
    """'2026-10' (two-digit month, 01 to 12)."""
    return isinstance(text, str) and MONTH.fullmatch(text) is not None


def is_quarter(text: object) -> bool:
    """'2026-Q4' (upper-case Q, 1 to 4)."""
    return isinstance(text, str) and QUARTER.fullmatch(text) is not None


def quarter_after(quarter: str, step: int = 1) -> str:
    """The quarter `step` quarters later (earlier when negative): '2026-Q4', 1 → '2027-Q1'."""
    if not is_quarter(quarter):
        raise ValueError(f"not a quarter: {quarter!r}")
    index = int(quarter[:4]) * 4 + int(quarter[-1]) - 1 + step
    return f"{index // 4}-Q{index % 4 + 1}"
