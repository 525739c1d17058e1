"""The audit log of the town: who changed which person, role, password, calendar day, policy,
channel, token or quarter state, when, and what it was before and after. Read-only."""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _t

from gridcase.core import audit, clock
from gridcase.org.models import Town

from .common import manage_view, page

PAGE_SIZE = 50


def _labels(object_type: str):
    """Field name -> (label, choices) of the audited model, when it is one."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return None

    def label(name: str) -> tuple[str, dict]:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return name, {}
        return str(getattr(field, "verbose_name", name)), dict(field.flatchoices or [])

    return label


def _shown(value, choices: dict) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _t("是") if value else _t("否")
    if isinstance(value, str) and value in audit.MARKERS:  # a secret, stored as a message id
        return _t(value)
    if isinstance(value, dict | list):
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return str(choices.get(value, value))


def changes(entry) -> list[dict]:
    """The fields of an entry, before → after; for a change only those that differ. Pure."""
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    if "fields" in after and isinstance(after["fields"], dict):  # the admin's own shape
        after = {**after["fields"], "changed": after.get("changed", "")}
    label = _labels(entry.object_type) or (lambda name: (name, {}))
    rows = []
    for name in list(dict.fromkeys([*before, *after])):
        old, new = before.get(name), after.get(name)
        if before and after and old == new:
            continue
        text, choices = label(name)
        rows.append(
            {
                "field": text,
                "before": _shown(old, choices) if before else "",
                "after": _shown(new, choices) if after else "",
            }
        )
    return rows


@manage_view
def audit_log(request: HttpRequest, town: Town) -> HttpResponse:
    action = request.GET.get("action") or ""
    actor = request.GET.get("actor") or ""
    rows = audit.entries(
        town_id=town.pk,
        action=action if action in audit.ACTIONS else None,
        actor_id=int(actor) if actor.isdigit() else None,
    )
    paged = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    zone = clock.zone(town.timezone)
    return page(
        request,
        town,
        "web/manage/audit.html",
        "audit",
        {
            "page_obj": paged,
            "rows": [
                {
                    "entry": e,
                    "at": timezone.localtime(e.at, timezone=zone),
                    "action": audit.action_label(e.action),
                    "changes": changes(e),
                }
                for e in paged
            ],
            "actions": [(code, str(label)) for code, label in audit.ACTIONS.items()],
            "actors": audit.actors(town_id=town.pk),
            "action": action,
            "actor": actor,
        },
    )
