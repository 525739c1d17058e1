"""Delivery: nothing lost when a receiver is down, each message once, failures visible."""

from __future__ import annotations

import os
import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction

from gridcase.notify import delivery, outbox, recipients, selectors, services
from gridcase.notify.models import Delivery
from tests.factories import local

from .conftest import Receiver, webhook_for

START = local(2026, 10, 12, 10)


def emit_many(t, n: int) -> list:
    with transaction.atomic():
        return [
            outbox.emit(
                town=t.town,
                kind="quarter_ready",
                recipients=recipients.people(units=[t.office]),
                context={"quarter": f"2026-Q{i}"},
            )
            for i in range(n)
        ]


def ids_received(receiver: Receiver) -> list[str]:
    return sorted(r.json()["id"] for r in receiver.requests)


def test_back_off_doubles_from_a_minute_to_at_most_an_hour():
    waits = [delivery.backoff(n) for n in range(1, 10)]
    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert waits[-1] == timedelta(hours=1)


def test_with_the_receiver_down_nothing_is_lost_and_everything_arrives_once(t):
    down = Receiver().start()
    port = down.port
    down.stop()  # the port now refuses connections
    with time_machine.travel(START, tick=False) as clock:
        channel = webhook_for(t.office, down)
        notifications = emit_many(t, 3)
        assert delivery.deliver_due() == {"retry": 3}
        assert set(Delivery.objects.values_list("attempts", "status")) == {(1, "pending")}
        assert "无法连接" in Delivery.objects.first().last_error
        assert "对方拒绝连接" in Delivery.objects.first().last_error

        # Not yet due: the back-off holds them.
        clock.shift(timedelta(seconds=30))
        assert delivery.deliver_due() == {}
        clock.shift(timedelta(seconds=31))
        assert delivery.deliver_due() == {"retry": 3}
        assert set(Delivery.objects.values_list("attempts", flat=True)) == {2}

        back = Receiver().start(port)
        try:
            assert back.url() == channel.target
            clock.shift(timedelta(minutes=2, seconds=1))
            assert delivery.deliver_due() == {"sent": 3}
            clock.shift(timedelta(hours=2))
            assert delivery.deliver_due() == {}
            assert ids_received(back) == sorted(str(n.uid) for n in notifications)
            assert set(Delivery.objects.values_list("status", "attempts")) == {("sent", 3)}
        finally:
            back.stop()


def test_after_the_last_retry_it_fails_is_shown_and_can_be_resent(t, receiver):
    receiver.status = 502
    with time_machine.travel(START, tick=False) as clock:
        webhook_for(t.office, receiver)
        (n,) = emit_many(t, 1)
        outcomes = []
        for _ in range(delivery.MAX_ATTEMPTS):
            outcomes.append(delivery.deliver(Delivery.objects.get().pk))
            clock.shift(delivery.MAX_BACKOFF + timedelta(seconds=1))
        assert outcomes == ["retry"] * (delivery.MAX_ATTEMPTS - 1) + ["failed"]
        failed = list(selectors.failed_deliveries(t.admin_user))
        assert [d.notification for d in failed] == [n]
        assert failed[0].attempts == delivery.MAX_ATTEMPTS
        assert "HTTP 502" in failed[0].last_error
        assert delivery.deliver_due() == {}  # failed stays failed

        receiver.status = 200
        services.delivery_resend(by=t.admin_user, delivery=failed[0])
        assert list(selectors.failed_deliveries(t.admin_user)) == []
        assert delivery.deliver_due() == {"sent": 1}
        assert len([r for r in receiver.requests if r.headers.get("X-Gridcase-Event")]) == 11


def test_only_an_administrator_of_the_town_may_resend(t, other_town, receiver):
    from gridcase.cases.errors import ActionNotAllowed

    receiver.status = 404
    with time_machine.travel(START, tick=False):
        webhook_for(t.office, receiver)
        emit_many(t, 1)
        delivery.deliver_due()
        failed = Delivery.objects.get(status="failed")
        assert list(selectors.failed_deliveries(other_town.admin_user)) == []
        for user in (t.center_user, other_town.admin_user):
            with pytest.raises(ActionNotAllowed):
                services.delivery_resend(by=user, delivery=failed)


def test_a_claimed_delivery_is_not_sent_again_until_its_lease_expires(t, receiver):
    with time_machine.travel(START, tick=False) as clock:
        webhook_for(t.office, receiver)
        emit_many(t, 1)
        d = Delivery.objects.get()
        # Another worker claimed it and died before finishing.
        Delivery.objects.filter(pk=d.pk).update(
            status="sending", claim_token="dead", lease_until=START + delivery.LEASE, attempts=1
        )
        assert delivery.deliver_due() == {}
        assert delivery.deliver(d.pk) == "skipped"
        clock.shift(delivery.LEASE + timedelta(seconds=1))
        assert delivery.deliver_due() == {"sent": 1}
        d.refresh_from_db()
        assert (d.status, d.attempts, d.claim_token) == ("sent", 2, "")
        # The dead worker's late answer changes nothing.
        assert Delivery.objects.filter(pk=d.pk, claim_token="dead").update(status="failed") == 0
        assert len(receiver.requests) == 1


needs_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL"),
    reason="two concurrent workers need PostgreSQL: set DATABASE_URL (and GRIDCASE_TEST_DB_NAME)",
)


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_deliver_each_message_once(receiver, monkeypatch):
    from tests.factories import make_town

    monkeypatch.setattr(outbox, "enqueue", lambda ids: None)  # only the workers send
    # Outside the town's quiet hours whatever the hour CI runs at; the clock ticks so the
    # workers' leases run as in production.
    with time_machine.travel(START, tick=True):
        t = make_town()
        webhook_for(t.office, receiver)
        webhook_for(t.office, receiver, "/second")
        notifications = emit_many(t, 20)
        receiver.delay = 0.005  # keep both workers busy at the same time
        barrier = threading.Barrier(2)
        results: list[dict] = []
        errors: list[BaseException] = []

        def worker():
            try:
                barrier.wait()
                outcome: dict[str, int] = {}
                while ids := delivery.due_ids():
                    for delivery_id in ids:  # both walk the same list: maximum contention
                        result = delivery.deliver(delivery_id)
                        outcome[result] = outcome.get(result, 0) + 1
                results.append(outcome)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors
        assert sum(r.get("sent", 0) for r in results) == 40
        by_path: dict[str, list[str]] = {}
        for request in receiver.requests:
            by_path.setdefault(request.path, []).append(request.json()["id"])
        expected = sorted(str(n.uid) for n in notifications)
        assert sorted(by_path["/hook"]) == expected
        assert sorted(by_path["/second"]) == expected
        assert Delivery.objects.exclude(status="sent").count() == 0


def test_network_failures_are_said_in_chinese_with_what_to_check():
    import socket
    import ssl

    from gridcase.notify.channels.http import in_words

    assert in_words(ConnectionRefusedError(111, "Connection refused")).startswith("对方拒绝连接")
    assert "秒内没有响应" in in_words(TimeoutError())
    assert "找不到该主机名" in in_words(socket.gaierror(-2, "Name or service not known"))
    assert "HTTPS" in in_words(ssl.SSLError(1, "certificate verify failed"))
    assert "Errno" not in in_words(ConnectionRefusedError(111, "Connection refused"))
