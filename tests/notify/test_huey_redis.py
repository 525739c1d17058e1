"""The same delivery guarantees through Huey on Redis, with real worker threads.

Skipped (visibly) unless REDIS_URL is set. Each test uses its own queue name, removed after.
The two-worker test also needs PostgreSQL (DATABASE_URL): the SQLite test database is an
in-memory database that concurrent writers cannot share.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from huey import PriorityRedisHuey
from huey.consumer import Worker

from gridcase.notify import outbox, recipients, tasks
from gridcase.notify.models import Delivery
from tests.factories import local, make_town

from .conftest import Receiver, webhook_for

REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [
    pytest.mark.skipif(not REDIS_URL, reason="Huey on Redis: set REDIS_URL to run these"),
    pytest.mark.django_db(transaction=True),
]

START = local(2026, 10, 12, 10)


@pytest.fixture
def redis_huey(monkeypatch):
    huey = PriorityRedisHuey(f"gridcase-test-notify-{uuid.uuid4().hex[:8]}", url=REDIS_URL)
    huey.storage.blocking = False  # workers poll, so that they stop at once
    registered = tasks.register(huey)
    # What the outbox enqueues after commit now goes to this queue.
    monkeypatch.setattr(tasks, "deliver_task", registered.deliver_task)
    yield huey, registered
    huey.flush()


class Workers:
    """Huey's own worker loop, in threads: what `gridcase worker --workers N` runs."""

    def __init__(self, huey, n: int):
        self.stop_flag = threading.Event()
        self.errors: list[BaseException] = []
        self.threads = [
            threading.Thread(target=self._run, args=(huey,), daemon=True) for _ in range(n)
        ]

    def _run(self, huey):
        worker = Worker(huey, self.stop_flag, default_delay=0.01, max_delay=0.05, backoff=1.2)
        try:
            while not self.stop_flag.is_set():
                worker.loop()
        except BaseException as exc:  # pragma: no cover - reported by the test
            self.errors.append(exc)
        finally:
            connection.close()

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_flag.set()
        for thread in self.threads:
            thread.join(timeout=10)


def wait_until(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        threading.Event().wait(0.02)
    raise AssertionError("timed out waiting for the workers")


def emit_many(t, n: int) -> list:
    with transaction.atomic():  # committed: on_commit enqueues on Redis
        return [
            outbox.emit(
                town=t.town,
                kind="quarter_ready",
                recipients=recipients.people(units=[t.office]),
                context={"quarter": f"2026-Q{i}"},
            )
            for i in range(n)
        ]


def queue_idle(huey) -> bool:
    return huey.pending_count() == 0


# A worker thread beside the test's own thread needs a real database server: the SQLite test
# database is in memory with a shared cache, where a read in one thread makes a write in the
# other fail at once ("database table is locked") instead of waiting as a WAL file does.
needs_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL"),
    reason="workers beside the test need PostgreSQL: set DATABASE_URL and GRIDCASE_TEST_DB_NAME",
)


@needs_postgres
def test_two_redis_workers_deliver_each_message_once(redis_huey, receiver):
    huey, registered = redis_huey
    receiver.delay = 0.005
    with time_machine.travel(START, tick=True):
        t = make_town()
        webhook_for(t.office, receiver)
        notifications = emit_many(t, 12)
        assert huey.pending_count() == 12
        # The sweep racing the queue: every delivery enqueued a second time.
        for delivery_id in Delivery.objects.values_list("id", flat=True):
            registered.deliver_task(delivery_id)
        with Workers(huey, 2) as workers:
            wait_until(lambda: not Delivery.objects.exclude(status="sent").exists())
            wait_until(lambda: queue_idle(huey))
        assert not workers.errors
    assert sorted(r.json()["id"] for r in receiver.requests) == sorted(
        str(n.uid) for n in notifications
    )


@needs_postgres
def test_with_redis_and_the_receiver_down_everything_arrives_once_when_it_is_back(redis_huey):
    huey, registered = redis_huey
    down = Receiver().start()
    port = down.port
    down.stop()
    with time_machine.travel(START, tick=True) as traveller:
        t = make_town()
        webhook_for(t.office, down)
        notifications = emit_many(t, 3)
        with Workers(huey, 1) as workers:
            wait_until(lambda: queue_idle(huey))
            wait_until(
                lambda: set(Delivery.objects.values_list("attempts", "status")) == {(1, "pending")}
            )
        assert not workers.errors
        back = Receiver().start(port)
        try:
            # Well past every back-off (1 minute after each first attempt), also when the
            # first attempts were spread out by a slow machine.
            traveller.shift(timedelta(minutes=2))
            registered.deliver_due_task()  # what the scheduler enqueues every minute
            registered.deliver_due_task()  # twice: two consumers' schedulers
            with Workers(huey, 1) as workers:
                wait_until(lambda: not Delivery.objects.exclude(status="sent").exists())
                wait_until(lambda: queue_idle(huey))
            assert not workers.errors
            assert sorted(r.json()["id"] for r in back.requests) == sorted(
                str(n.uid) for n in notifications
            )
            assert huey.result_count() == 0  # nothing piles up in Redis
        finally:
            back.stop()
