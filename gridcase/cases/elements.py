"""What a case must contain (domain.md), as pure functions over plain values.

Each check returns the missing or wrong elements as (field, message) pairs, so that a form can
show each message next to its field and the assessment can cite them as reasons. The messages
are in the active language (Chinese unless the reader chose English); what is stored is
worded in Chinese (filing.file_report), and LABELS, the elements' names the assessment
cites, are Chinese always.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gridcase.core.phones import is_valid_phone

LABELS = {
    "occurred_at": gettext_noop("发生时间"),
    "location": gettext_noop("发生地点"),
    "persons": gettext_noop("人物"),
    "cause": gettext_noop("起因"),
    "course": gettext_noop("经过"),
    "parties": gettext_noop("当事人"),
    "result": gettext_noop("处理结果"),
    "mediator": gettext_noop("调解人"),
    "mediation_result": gettext_noop("调解结果"),
    "agreement_form": gettext_noop("协议方式"),
    "agreement_terms": gettext_noop("协议内容"),
}


def _lacks(field: str) -> str:
    """缺少发生时间: the element named in the reader's language."""
    return _("缺少%(label)s") % {"label": _(LABELS[field])}


def mask_email(raw: str) -> str:
    """z***@example.com: the reporter's address is personal data, as a party's phone is."""
    name, at, domain = (raw or "").partition("@")
    if not at:
        return "*" * len(name)
    return f"{name[:1]}***@{domain}"


def timeline_data(data: Mapping[str, Any], full: bool) -> dict[str, Any]:
    """A timeline entry's data as a reader may see it: the Open311 reporter's e-mail in full
    only for the people handling the case (`full`), masked for everyone else — the same rule
    as the parties' phones. The stored row is never changed (the timeline is append-only)."""
    shown = dict(data or {})
    contact = shown.get("contact")
    if not full and isinstance(contact, Mapping) and contact.get("email"):
        shown["contact"] = dict(contact, email=mask_email(str(contact["email"])))
    return shown


def party_errors(parties: Sequence[Mapping[str, str]]) -> list[tuple[str, str]]:
    """Format errors of the parties given so far (drafts too: a wrong number is never kept)."""
    errors = []
    for i, party in enumerate(parties, start=1):
        name = (party.get("name") or "").strip()
        phone = (party.get("phone") or "").strip()
        if phone and not is_valid_phone(phone):
            errors.append(
                (
                    "parties",
                    _(
                        "第%(n)s位当事人%(name)s的联系电话“%(phone)s”不是有效号码"
                        "(11位手机号,或带区号的固定电话)"
                    )
                    % {"n": i, "name": name, "phone": phone},
                )
            )
        if phone and not name:
            errors.append(("parties", _("第%(n)s位当事人缺少姓名") % {"n": i}))
    return errors


def blank(value: Any) -> bool:
    """Whether a value says nothing: None, text of nothing but spaces (str.strip), or a list
    (or other iterable) of such values only."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Iterable):
        return not any(not blank(v) for v in value)
    return False


def missing_at_submit(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """时间、地点、人物、起因、经过; a dispute also needs two parties with their phones."""
    missing = [
        (field, _lacks(field))
        for field in ("occurred_at", "location", "persons", "cause", "course")
        if blank(values.get(field))
    ]
    if values.get("category") == "dispute":
        parties = [p for p in values.get("parties") or [] if not blank(p.get("name"))]
        if len(parties) < 2:
            missing.append(("parties", _("矛盾纠纷需要至少两方当事人")))
        for party in parties:
            if blank(party.get("phone")):
                missing.append(
                    ("parties", _("缺少当事人%(name)s的联系电话") % {"name": party["name"]})
                )
    return missing + party_errors(values.get("parties") or [])


def missing_at_close(values: Mapping[str, Any], level: str) -> list[tuple[str, str]]:
    """The final result; a dispute closed at village level also needs the mediation record."""
    missing = []
    if blank(values.get("result")):
        missing.append(("result", _lacks("result")))
    if values.get("category") == "dispute" and level in ("grid", "village"):
        for field in ("mediator", "mediation_result"):
            if blank(values.get(field)):
                missing.append((field, _lacks(field)))
        if values.get("mediation_result") == "agreed":
            if blank(values.get("agreement_form")):
                missing.append(("agreement_form", _("缺少协议方式(书面/口头)")))
            if blank(values.get("agreement_terms")):
                missing.append(("agreement_terms", _("缺少协议内容(逐条填写)")))
    return missing


def describe(missing: Sequence[tuple[str, str]]) -> str:
    return ";".join(message for _field, message in missing)
