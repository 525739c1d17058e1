"""The audit trail: each privileged change writes one row (before → after) in its own
transaction; the rows and the case timeline are append-only in the database and hash-chained,
and `gridcase audit verify` names the first row that does not match."""

from __future__ import annotations

import hashlib
import io
from datetime import date

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from gridcase.api.models import ApiToken
from gridcase.api.tokens import token_issue, token_revoke
from gridcase.assessment import adjustments, policy_versions
from gridcase.assessment import quarter as life
from gridcase.cases import changes as case_changes
from gridcase.cases import services as case_services
from gridcase.cases.errors import CaseError
from gridcase.cases.models import TimelineEntry
from gridcase.cli import COMMANDS
from gridcase.core import append_only, audit, chain
from gridcase.core.errors import ServiceError
from gridcase.core.models import AuditEntry, ChainHead
from gridcase.notify import services as notify
from gridcase.org import services as org
from gridcase.org.models import Role, User
from tests.assessment.builders import closed_locally
from tests.assessment.test_services import policy_text
from tests.factories import local, submitted_case

NOW = local(2026, 10, 14, 10)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def rows(**filters) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(**filters).order_by("seq"))


def only_row(action: str) -> AuditEntry:
    found = rows(action=action)
    assert len(found) == 1, [r.action for r in rows()]
    return found[0]


def verify() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("audit", "verify", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def verify_fails() -> str:
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", stdout=io.StringIO(), stderr=err)
    return err.getvalue()


# ---------------------------------------------------------------- each privileged change


def test_people_changes_are_audited_with_before_and_after(t):
    person = org.person_create(
        by=t.admin_user,
        town=t.town,
        username="wangwu",
        display_name="王五",
        password="chang-tang-1",
        phone="13800138009",
    )
    created = only_row("person.create")
    assert (created.town_id, created.actor_id, created.object_id) == (
        t.town.pk,
        t.admin_user.pk,
        str(person.pk),
    )
    assert created.before is None
    assert created.after["display_name"] == "王五"
    assert created.after["phone"] == "13800138009"

    org.person_update(by=t.admin_user, town=t.town, person=person, display_name="王武", phone="")
    updated = only_row("person.update")
    assert updated.before == {"display_name": "王五", "phone": "13800138009"}
    assert updated.after == {"display_name": "王武", "phone": ""}

    org.person_set_active(by=t.admin_user, town=t.town, person=person, active=False)
    assert only_row("person.deactivate").before == {"is_active": True}
    assert only_row("person.deactivate").after == {"is_active": False}
    org.person_set_active(by=t.admin_user, town=t.town, person=person, active=True)
    assert only_row("person.activate").after == {"is_active": True}


def test_a_password_change_records_only_that_it_changed(t):
    org.person_set_password(
        by=t.admin_user, town=t.town, person=t.officer, password="a-new-secret-9"
    )
    row = only_row("person.password")
    t.officer.refresh_from_db()
    stored = AuditEntry.objects.filter(pk=row.pk).values_list("before", "after").get()
    text = str(stored)
    assert row.after == {"password": audit.CHANGED}
    assert "a-new-secret-9" not in text
    assert t.officer.password not in text
    assert t.officer.password.split("$")[-1] not in text


def test_roles_granted_and_revoked_are_audited(t):
    role = org.role_assign(
        by=t.admin_user, town=t.town, person=t.officer, kind="leader", active_from=date(2026, 9, 1)
    )
    granted = only_row("role.grant")
    assert granted.after["kind"] == "leader"
    assert granted.after["active_until"] is None

    org.role_revoke(by=t.admin_user, town=t.town, role=role)
    revoked = only_row("role.revoke")
    assert revoked.before["active_until"] is None
    assert revoked.after["active_until"] == "2026-10-13"

    later = org.role_assign(
        by=t.admin_user, town=t.town, person=t.officer, kind="leader", active_from=date(2026, 12, 1)
    )
    org.role_revoke(by=t.admin_user, town=t.town, role=later)
    removed = only_row("role.remove")
    assert removed.before["active_from"] == "2026-12-01" and removed.after is None
    assert not Role.objects.filter(pk=later.pk).exists()


def test_calendar_overrides_are_audited(t):
    day = date(2026, 11, 2)
    override = org.calendar_override_add(
        by=t.admin_user, town=t.town, day=day, kind="holiday", note="镇庆"
    )
    assert only_row("calendar.add").after == {
        "town": t.town.pk,
        "day": "2026-11-02",
        "kind": "holiday",
        "note": "镇庆",
    }
    pk = override.pk
    org.calendar_override_delete(by=t.admin_user, town=t.town, override=override)
    deleted = only_row("calendar.delete")
    assert deleted.before["day"] == "2026-11-02" and deleted.after is None
    assert deleted.object_id == str(pk)  # recorded before the row went


def test_a_policy_upload_is_audited_with_the_hash_of_its_text(t):
    source = policy_text(code='"ct-2027"', effective_from="2027-01-01")
    version = policy_versions.policy_upload(town=t.town, source=source, by=t.admin_user)
    row = only_row("policy.upload")
    assert row.object_id == str(version.pk)
    assert row.after["code"] == "ct-2027"
    assert row.after["effective_from"] == "2027-01-01"
    assert row.after["source_sha256"] == hashlib.sha256(source.encode()).hexdigest()


def test_channels_are_audited_without_their_secret_or_robot_key(t):
    config = notify.channel_config_create(
        by=t.admin_user,
        unit=t.center,
        kind="webhook",
        target="https://hooks.example.org/in?token=abc123",
        secret="s" * 20,
    )
    created = only_row("channel.create")
    assert created.after["target"] == "https://hooks.example.org/in?…"
    assert created.after["secret"] == "(已设置)"
    notify.channel_config_update(by=t.admin_user, config=config, secret="t" * 20, enabled=False)
    updated = only_row("channel.update")
    assert updated.before["enabled"] is True and updated.after["enabled"] is False
    assert updated.after["secret"] == audit.CHANGED
    notify.channel_config_delete(by=t.admin_user, config=config)
    assert only_row("channel.delete").after is None
    assert "s" * 20 not in str(list(AuditEntry.objects.values_list("before", "after")))


def test_tokens_issued_and_revoked_are_audited_without_their_key(t):
    token, key = token_issue(
        by=t.admin_user, kind=ApiToken.Kind.SYSTEM, town=t.town, name="省平台", scope="read"
    )
    created = only_row("token.create")
    assert created.town_id == t.town.pk
    assert created.after["prefix"] == token.prefix
    assert key not in str(created.after) and token.key_hash not in str(created.after)

    device, _ = token_issue(
        by=t.officer, kind=ApiToken.Kind.DEVICE, user=t.officer, name="手机", scope="write"
    )
    assert rows(action="token.create")[-1].town_id == t.town.pk  # the person's town

    assert token_revoke(by=t.admin_user, tokens=[token, device]) == 2
    revoked = rows(action="token.revoke")
    assert [r.object_id for r in revoked] == [str(token.pk), str(device.pk)]
    assert revoked[0].before["revoked_at"] is None and revoked[0].after["revoked_at"]
    assert token_revoke(by=t.admin_user, tokens=ApiToken.objects.all()) == 0  # already revoked
    assert len(rows(action="token.revoke")) == 2


def test_the_quarters_life_is_audited(t, time_machine):
    closed_locally(t, local(2026, 10, 12, 9))
    time_machine.move_to(local(2027, 3, 1, 9), tick=False)
    life.quarter_finalise(town=t.town, quarter="2026-Q4", by=t.office_user)
    finalised = only_row("quarter.finalise")
    assert finalised.before["status"] == "draft"
    assert finalised.after["status"] == "finalised"
    assert finalised.after["finalised_by"] == t.office_user.pk

    life.quarter_reopen(town=t.town, quarter="2026-Q4", by=t.leader, reason="金额有误")
    reopened = only_row("quarter.reopen")
    assert (reopened.before["status"], reopened.after["status"]) == ("finalised", "draft")
    assert reopened.after["reason"] == "金额有误"

    life.quarter_finalise(town=t.town, quarter="2026-Q4", by=t.office_user)
    life.quarter_approve(town=t.town, quarter="2026-Q4", by=t.leader, note="同意")
    approved = only_row("quarter.approve")
    assert (approved.before["status"], approved.after["status"]) == ("finalised", "approved")

    adjustments.adjustment_add(
        town=t.town,
        officer=t.officer,
        quarter="2026-Q4",
        amount="-10",
        reason="重复计件",
        by=t.office_user,
    )
    adjusted = only_row("quarter.adjust")
    assert adjusted.after["amount"] == "-10.00"
    assert adjusted.after["applies_to"] == "2027-Q1"


def test_a_refused_change_writes_no_audit_row(t):
    with pytest.raises(ServiceError):
        org.person_create(
            by=t.admin_user, town=t.town, username="officer", display_name="重名", password="x" * 9
        )
    with pytest.raises(ServiceError):  # an administrator cannot end their own role
        org.role_revoke(by=t.admin_user, town=t.town, role=Role.objects.get(user=t.admin_user))
    with pytest.raises(CaseError):
        notify.channel_config_create(by=t.admin_user, unit=t.center, kind="webhook", target="x")
    assert rows() == []


def test_an_audit_row_rolls_back_with_its_change(t):
    with pytest.raises(RuntimeError), transaction.atomic():
        org.person_update(
            by=t.admin_user, town=t.town, person=t.officer, display_name="改名", phone=""
        )
        assert len(rows()) == 1
        raise RuntimeError("the rest of the request failed")
    assert rows() == []
    assert User.objects.get(pk=t.officer.pk).display_name == "officer"


@pytest.mark.django_db(transaction=True)
def test_appending_outside_a_transaction_is_refused_and_flush_still_empties_the_tables():
    from tests.factories import make_town

    t = make_town()
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit.record(
            town=t.town, by=t.admin_user, action="person.update", obj=t.officer, before={}, after={}
        )
    assert not AuditEntry.objects.exists()
    # Rows in both append-only tables: the flush after this test must still empty them.
    submitted_case(t, local(2026, 10, 12, 9))
    with transaction.atomic():
        audit.record(
            town=t.town, by=t.admin_user, action="person.update", obj=t.officer, before={}, after={}
        )
    assert TimelineEntry.objects.exists() and AuditEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_next_transactional_test_starts_with_empty_append_only_tables():
    assert not TimelineEntry.objects.exists()
    assert not AuditEntry.objects.exists()


def test_gridcase_audit_is_a_command():
    assert COMMANDS["audit"][0] == "audit"
    assert "校验" in COMMANDS["audit"][1]


# ---------------------------------------------------------------- the chains and verify


@pytest.fixture
def history(t, other_town):
    """Cases in two towns (two timeline chains) and some audit rows."""
    case = submitted_case(t, local(2026, 10, 12, 9))
    case_services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 10))
    submitted_case(other_town, local(2026, 10, 12, 11))
    org.person_update(by=t.admin_user, town=t.town, person=t.officer, display_name="甲", phone="")
    org.person_update(by=t.admin_user, town=t.town, person=t.officer, display_name="乙", phone="")
    org.person_update(by=t.admin_user, town=t.town, person=t.officer, display_name="丙", phone="")
    return case


def test_a_normal_history_verifies_ok(history):
    out, err = verify()
    assert err == ""
    timeline = TimelineEntry.objects.count()
    assert f"办理记录 {timeline} 条(2 条链)" in out
    assert "审计记录 3 条(1 条链)" in out
    assert "通过" in out


def test_each_chain_is_linear_and_its_head_is_its_last_row(history, t):
    seqs = list(
        TimelineEntry.objects.filter(town=t.town).order_by("seq").values_list("seq", flat=True)
    )
    assert seqs == list(range(1, len(seqs) + 1))
    last = TimelineEntry.objects.filter(town=t.town).order_by("-seq").first()
    head = ChainHead.objects.get(key=f"timeline:{t.town.pk}")
    assert (head.seq, head.hash) == (last.seq, last.hash)
    assert rows()[0].prev_hash == chain.GENESIS
    assert rows()[1].prev_hash == rows()[0].hash


def _raw(sql: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize("table", ["cases_timelineentry", "core_auditentry"])
def test_update_and_delete_through_raw_sql_are_refused(history, table):
    row_id = _first_id(table)
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(f"UPDATE {table} SET hash = %s WHERE id = %s", ["0" * 64, row_id])
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(f"DELETE FROM {table} WHERE id = %s", [row_id])
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(f"DELETE FROM {table}")
    assert verify()[1] == ""


def test_the_orm_refuses_too(history):
    entry = TimelineEntry.objects.first()
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        TimelineEntry.objects.filter(pk=entry.pk).update(note="改写")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.all().delete()


def _first_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(id) FROM {table}")
        return cursor.fetchone()[0]


def _drop_triggers(table: str) -> None:
    """What an attacker with database access would do first (rolled back with the test)."""
    append_only.uninstall(connection, table)


def test_a_timeline_row_changed_behind_the_triggers_is_named(history):
    _drop_triggers("cases_timelineentry")
    target = TimelineEntry.objects.order_by("id")[1]
    _raw("UPDATE cases_timelineentry SET note = %s WHERE id = %s", ["改过的说明", target.pk])

    said = verify_fails()
    assert "cases_timelineentry" in said
    assert f"id {target.pk}" in said
    assert target.at.isoformat() in said
    assert "内容与哈希不符" in said
    assert target.hash in said  # found: the stored hash, beside the expected one
    assert "触发器不见了" in said


def test_an_audit_row_changed_behind_the_triggers_is_named(history):
    _drop_triggers("core_auditentry")
    target = rows()[1]
    _raw(
        "UPDATE core_auditentry SET after = %s WHERE id = %s",
        ['{"display_name": "伪造", "phone": ""}', target.pk],
    )
    said = verify_fails()
    assert f"core_auditentry) 链 audit id {target.pk}" in said
    assert said.count("应为 (expected)") == 1  # only the first broken row of the chain


def test_a_row_deleted_behind_the_triggers_is_named_by_the_next_one(history):
    _drop_triggers("core_auditentry")
    first, second, third = rows()
    _raw("DELETE FROM core_auditentry WHERE id = %s", [second.pk])
    said = verify_fails()
    assert f"id {third.pk}" in said
    assert "序号不连续" in said


def test_rows_deleted_at_the_end_are_noticed_by_the_head(history):
    _drop_triggers("core_auditentry")
    last = rows()[-1]
    _raw("DELETE FROM core_auditentry WHERE id = %s", [last.pk])
    said = verify_fails()
    assert "链尾缺少记录" in said
    assert last.hash in said


def test_a_dropped_trigger_alone_fails_verify_and_migrate_restores_it(history):
    _drop_triggers("cases_timelineentry")
    assert "触发器不见了" in verify_fails()
    append_only.ensure_all(connection)
    assert verify()[1] == ""


def test_the_canonical_form_reads_back_the_same_from_the_database(t):
    """What Python hashed before the insert is what verify hashes after reading it back."""
    org.calendar_override_add(by=t.admin_user, town=t.town, day=date(2026, 12, 31), kind="holiday")
    case = submitted_case(t, local(2026, 10, 12, 9, 30, 15, 123456))
    case_changes.record_event(
        case=case, action="note", by=None, data={"n": 2.0, "x": [1, "二", None], "ok": True}
    )
    assert verify()[1] == ""


# ---------------------------------------------------------------- concurrent writers


@pytest.mark.postgres
@pytest.mark.skipif(
    not __import__("os").environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL: set DATABASE_URL (concurrent writers on their own connections)",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_each_chain_linear():
    import threading

    from django.db import connections

    from tests.factories import make_town

    t = make_town()
    cases = [submitted_case(t, local(2026, 10, 12, 9)) for _ in range(4)]
    writers = 8
    barrier = threading.Barrier(writers)
    errors = []

    def write(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            for i in range(5):
                with transaction.atomic():
                    audit.record(
                        town=t.town,
                        by=t.admin_user,
                        action="person.update",
                        obj=t.officer,
                        before={"n": n},
                        after={"i": i},
                    )
                with transaction.atomic():
                    case_changes.record_event(
                        case=cases[n % len(cases)], action="note", by=None, note=f"{n}-{i}"
                    )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, writers * 5 + 1)
    )
    assert verify()[1] == ""


# ---------------------------------------------------------------- the Django admin


@pytest.fixture
def superuser(client, t):
    user = User.objects.create_superuser(username="root", password="pw-root-123", town=None)
    client.force_login(user)
    return user


def test_admin_additions_changes_and_deletions_are_audited(t, client, superuser):
    add = client.post(
        "/admin/core/calendaroverride/add/",
        {"town": t.town.pk, "day": "2026-11-02", "kind": "holiday", "note": "镇庆"},
    )
    assert add.status_code == 302, add.content.decode()[:2000]
    override = t.town.calendaroverride_set.get()
    added = only_row("admin.add")
    assert (added.actor_id, added.town_id) == (superuser.pk, t.town.pk)
    assert added.object_type == "core.calendaroverride"
    assert added.object_id == str(override.pk)
    assert added.after["fields"]["note"] == "镇庆"

    change = client.post(
        f"/admin/core/calendaroverride/{override.pk}/change/",
        {"town": t.town.pk, "day": "2026-11-02", "kind": "holiday", "note": "镇庆日"},
    )
    assert change.status_code == 302
    changed = only_row("admin.change")
    assert changed.after["fields"]["note"] == "镇庆日"
    assert "说明" in changed.after["changed"] or "note" in changed.after["changed"]

    delete = client.post(f"/admin/core/calendaroverride/{override.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 302
    deleted = only_row("admin.delete")
    assert deleted.before["note"] == "镇庆日" and deleted.after is None
    assert verify()[1] == ""


def test_a_password_set_in_the_admin_is_audited_without_it(t, client, superuser):
    response = client.post(
        f"/admin/org/user/{t.officer.pk}/password/",
        {"password1": "Another-pass-42", "password2": "Another-pass-42", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    row = only_row("admin.change")
    t.officer.refresh_from_db()
    assert row.after["fields"]["password"] == audit.CHANGED
    stored = str(AuditEntry.objects.filter(pk=row.pk).values_list("before", "after").get())
    assert "Another-pass-42" not in stored and t.officer.password not in stored


def test_the_admins_bulk_delete_is_switched_off_so_each_deletion_is_audited(superuser, client):
    page = client.get("/admin/core/calendaroverride/").content.decode()
    assert "delete_selected" not in page


def test_the_trail_is_read_only_in_the_admin_and_scoped_to_the_administered_towns(
    t, other_town, client, superuser
):
    org.person_update(by=t.admin_user, town=t.town, person=t.officer, display_name="甲", phone="")
    row = rows()[0]
    assert client.get("/admin/core/auditentry/").status_code == 200
    assert client.get(f"/admin/core/auditentry/{row.pk}/change/").status_code == 200
    assert (
        client.post(f"/admin/core/auditentry/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    client.force_login(t.admin_user)
    assert client.get(f"/admin/core/auditentry/{row.pk}/change/").status_code == 200
    client.force_login(other_town.admin_user)
    assert client.get(f"/admin/core/auditentry/{row.pk}/change/").status_code == 404
    assert str(row.object_label) not in client.get("/admin/core/auditentry/").content.decode()
    client.force_login(t.officer)
    assert client.get("/admin/core/auditentry/").status_code != 200
