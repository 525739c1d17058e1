"""Phone numbers as people type them: normalised, checked, masked. Pure.

A party's phone (cases), a person's phone (org) and an imported ledger's phones share these
rules, so they live below all of them.
"""

from __future__ import annotations

import re

# A mainland mobile number (11 digits starting with 1), or a landline with its area code
# (0 + 2–3 digits, then 7–8 digits, with an optional hyphen and extension).
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def normalize_phone(raw: str) -> str:
    """Drop spaces and a +86 prefix; keep the digits and hyphens people type."""
    phone = re.sub(r"[\s()()]", "", raw or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    return phone.replace("—", "-").replace("－", "-")


def is_valid_phone(raw: str) -> bool:
    phone = normalize_phone(raw)
    return bool(MOBILE_RE.match(phone) or LANDLINE_RE.match(phone))


def mask_phone(raw: str) -> str:
    """138****8001: enough to recognise a number, not enough to call it."""
    phone = normalize_phone(raw)
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
