"""Changes made in the Django admin enter the audit trail: one home, Django's own LogEntry.

The admin writes a `LogEntry` for every addition, change and deletion it makes, inside the
transaction of the change (or, for a deletion, just before it); a receiver turns each into
an audit row. What the admin logs is the row after an addition or change (with the admin's
own list of the fields changed) and the row before a deletion. Secrets are never copied:
`audit.snapshot` writes "(已更改)" for a password, a secret or a key's hash.

Django logs a deletion of several rows at once (the "delete selected" action) with one bulk
insert, which sends no signal; that action is therefore switched off, so every deletion in
the admin is made, and audited, one row at a time from the row's own page.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.exceptions import ObjectDoesNotExist
from django.db import models, transaction
from django.db.models.signals import post_save

from . import audit

ACTIONS = {ADDITION: "admin.add", CHANGE: "admin.change", DELETION: "admin.delete"}
SKIPPED = {"last_login"}  # changes on every sign-in: noise, not a privileged change


def _town_id(obj: models.Model) -> int | None:
    for path in ("town_id", "village.town_id", "unit.town_id"):
        value = obj
        try:
            for part in path.split("."):
                value = getattr(value, part)
        except AttributeError:
            continue
        if isinstance(value, int):
            return value
    return None


def _snapshot(obj: models.Model) -> dict:
    names = [f.name for f in obj._meta.concrete_fields if f.name not in SKIPPED]
    return audit.snapshot(obj, names)


def log_entry_saved(sender, instance: LogEntry, created: bool, **kwargs) -> None:
    if not created or instance.action_flag not in ACTIONS:
        return
    try:
        obj = instance.get_edited_object() if instance.content_type_id else None
    except ObjectDoesNotExist:  # logged after the row went: the log's own words remain
        obj = None
    model = instance.content_type.model_class() if instance.content_type_id else None
    if model is not None and getattr(model, "chain", None) is not None:
        return  # the trail's own rows are not edited through the admin
    state = _snapshot(obj) if obj is not None else None
    before = state if instance.action_flag == DELETION else None
    after = None
    if instance.action_flag != DELETION:
        after = {"fields": state, "changed": instance.get_change_message()}
    label = (
        instance.content_type.app_label + "." + instance.content_type.model
        if instance.content_type_id
        else ""
    )
    with transaction.atomic():  # the admin's own transaction when there is one
        audit.record(
            town=_town_id(obj) if obj is not None else None,
            by=instance.user,
            action=ACTIONS[instance.action_flag],
            obj=(label, instance.object_id, instance.object_repr),
            before=before,
            after=after,
            at=instance.action_time,
        )


def connect() -> None:
    post_save.connect(log_entry_saved, sender=LogEntry, dispatch_uid="gridcase_admin_audit")
    admin.site.disable_action("delete_selected")
