"""The admin pages: the town's administrator configures channels and resends failures."""

from __future__ import annotations

import time_machine
from django.db import transaction

from gridcase.notify import delivery, outbox, recipients, selectors
from gridcase.notify.models import ChannelConfig, Delivery
from tests.factories import local

from .conftest import WEBHOOK_SECRET, webhook_for


def staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def failed_delivery(t, receiver) -> Delivery:
    receiver.status = 404
    webhook_for(t.office, receiver)
    with transaction.atomic():
        outbox.emit(
            town=t.town,
            kind="quarter_ready",
            recipients=recipients.people(units=[t.office]),
            context={"quarter": "2026-Q3"},
        )
    assert delivery.deliver_due() == {"failed": 1}
    return Delivery.objects.get()


@time_machine.travel(local(2026, 10, 12, 10), tick=False)
def test_the_administrator_sees_failed_pushes_and_resends_them(
    t, client, receiver, django_capture_on_commit_callbacks
):
    d = failed_delivery(t, receiver)
    client.force_login(staff(t.admin_user))
    page = client.get("/admin/notify/delivery/?status__exact=failed")
    assert page.status_code == 200
    assert "HTTP 404" in page.content.decode()
    receiver.status = 200
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/admin/notify/delivery/",
            {"action": "resend", "_selected_action": [d.pk]},
            follow=True,
        )
    assert "已安排重新发送 1 条" in answer.content.decode()
    d.refresh_from_db()
    assert d.status == "sent"  # after commit, the task ran (at once in tests)
    assert list(selectors.failed_deliveries(t.admin_user)) == []


@time_machine.travel(local(2026, 10, 12, 10), tick=False)
def test_another_towns_administrator_sees_none_of_it(t, other_town, client, receiver):
    failed_delivery(t, receiver)
    client.force_login(staff(other_town.admin_user))
    page = client.get("/admin/notify/delivery/")
    assert page.status_code == 200
    assert "HTTP 404" not in page.content.decode()
    client.force_login(staff(t.center_user))  # staff, but no administrator: no admin at all
    response = client.get("/admin/notify/delivery/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_a_channel_added_in_the_admin_is_checked_like_in_the_workbench(t, client, receiver):
    client.force_login(staff(t.admin_user))
    bad = client.post(
        "/admin/notify/channelconfig/add/",
        {"unit": t.center.pk, "kind": "webhook", "target": receiver.url(), "enabled": "on"},
    )
    assert bad.status_code == 200
    assert "签名密钥" in bad.content.decode()
    assert not ChannelConfig.objects.exists()
    good = client.post(
        "/admin/notify/channelconfig/add/",
        {
            "unit": t.center.pk,
            "kind": "webhook",
            "target": receiver.url(),
            "secret": WEBHOOK_SECRET,
            "enabled": "on",
        },
    )
    assert good.status_code == 302
    config = ChannelConfig.objects.get()
    assert config.secret == WEBHOOK_SECRET
    page = client.get(f"/admin/notify/channelconfig/{config.pk}/change/")
    assert WEBHOOK_SECRET not in page.content.decode()


def test_failed_deliveries_list_in_two_queries(t, receiver, django_assert_num_queries):
    with time_machine.travel(local(2026, 10, 12, 10), tick=False):
        failed_delivery(t, receiver)
    # The administrator's roles, then the list with its notification, channel, unit and town.
    with django_assert_num_queries(2):
        rows = [
            (d.notification.title, d.channel.unit.name, d.notification.town.name)
            for d in selectors.failed_deliveries(t.admin_user)
        ]
    assert len(rows) == 1
