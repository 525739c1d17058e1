"""Idempotency-Key: a resent request returns the first response and creates nothing new."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection

from gridcase.api import idempotency
from gridcase.api.models import ApiToken, IdempotencyKey
from gridcase.cases.models import Attachment, Case, FollowUp
from tests.api.conftest import device_client, png, system_client
from tests.factories import CLOSE_DISPUTE, local, submitted_case

DRAFT = {"category": "dispute", "title": "围墙纠纷", "location": "东村3组"}


def _key() -> str:
    return str(uuid.uuid4())


def test_the_same_key_and_body_returns_the_first_response_and_creates_nothing(t):
    client = device_client(t.officer)
    key = _key()
    first = client.post("/api/v1/cases/", DRAFT, format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = client.post("/api/v1/cases/", DRAFT, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert again["Location"] == first["Location"]
    assert Case.objects.count() == 1


def test_the_same_body_in_another_json_layout_is_the_same_request(t):
    client = device_client(t.officer)
    key = _key()
    first = client.post(
        "/api/v1/cases/",
        '{"category": "dispute", "title": "围墙纠纷", "location": "东村3组"}',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    again = client.post(
        "/api/v1/cases/",
        '{"location":"东村3组","title":"围墙纠纷","category":"dispute"}',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert (first.status_code, again.status_code) == (201, 201)
    assert Case.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(t):
    client = device_client(t.officer)
    key = _key()
    client.post("/api/v1/cases/", DRAFT, format="json", HTTP_IDEMPOTENCY_KEY=key)
    other = client.post(
        "/api/v1/cases/", dict(DRAFT, title="另一件"), format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_mismatch"
    assert Case.objects.count() == 1


def test_the_same_key_on_another_endpoint_is_refused(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    client = device_client(t.officer)
    key = _key()
    assert (
        client.post(
            f"/api/v1/cases/{case.number}/accept/", {}, format="json", HTTP_IDEMPOTENCY_KEY=key
        ).status_code
        == 200
    )
    response = client.post("/api/v1/cases/", {}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 422


def test_keys_belong_to_their_caller(t):
    key = _key()
    device_client(t.officer).post("/api/v1/cases/", DRAFT, format="json", HTTP_IDEMPOTENCY_KEY=key)
    device_client(t.other_officer).post(
        "/api/v1/cases/", DRAFT, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert set(Case.objects.values_list("officer__username", flat=True)) == {
        "officer",
        "other_officer",
    }


def test_a_refused_request_keeps_no_key_so_the_corrected_one_goes_through(t):
    client = device_client(t.officer)
    key = _key()
    bad = client.post(
        "/api/v1/cases/",
        dict(DRAFT, parties=[{"name": "张三", "phone": "12345"}]),
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert bad.status_code == 400
    assert not IdempotencyKey.objects.exists()
    good = client.post("/api/v1/cases/", DRAFT, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert good.status_code == 201


def test_a_resent_action_is_not_done_twice(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    client = device_client(t.officer)
    key = _key()
    url = f"/api/v1/cases/{case.number}/accept/"
    first = client.post(url, {"note": "已受理"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = client.post(url, {"note": "已受理"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    without_key = client.post(url, {"note": "已受理"}, format="json")
    assert (first.status_code, again.status_code) == (200, 200)
    assert without_key.status_code == 403  # a real second acceptance is refused
    assert case.timeline.filter(action="accept").count() == 1


def test_a_resent_upload_with_a_new_multipart_boundary_is_the_same_request(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    client = device_client(t.officer)
    key = _key()
    url = f"/api/v1/cases/{case.number}/attachments/"
    first = client.post(url, {"file": png()}, format="multipart", HTTP_IDEMPOTENCY_KEY=key)
    again = client.post(url, {"file": png()}, format="multipart", HTTP_IDEMPOTENCY_KEY=key)
    other = client.post(
        url, {"file": png("另一张.png")}, format="multipart", HTTP_IDEMPOTENCY_KEY=key
    )
    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 422)
    assert Attachment.objects.count() == 1


def test_a_resent_follow_up_is_recorded_once(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    from gridcase.cases import services

    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 10))
    services.case_close(case=case, by=t.officer, data=CLOSE_DISPUTE, at=local(2026, 10, 12, 11))
    client = device_client(t.officer)
    body = {"visited_on": "2026-10-14", "method": "visit", "satisfied": True}
    key = _key()
    url = f"/api/v1/cases/{case.number}/follow-ups/"
    for _ in range(3):
        assert client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key).status_code == 201
    assert FollowUp.objects.count() == 1


def test_an_expired_key_may_be_used_again(t, settings):
    client = device_client(t.officer)
    key = _key()
    client.post("/api/v1/cases/", DRAFT, format="json", HTTP_IDEMPOTENCY_KEY=key)
    IdempotencyKey.objects.update(expires_at=local(2026, 10, 1))
    again = client.post("/api/v1/cases/", DRAFT, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again
    assert Case.objects.count() == 2


def test_expired_keys_are_purged(t):
    client = device_client(t.officer)
    client.post("/api/v1/cases/", DRAFT, format="json", HTTP_IDEMPOTENCY_KEY=_key())
    now = IdempotencyKey.objects.get().expires_at
    assert idempotency.purge_expired(now - timedelta(seconds=1)) == 0
    assert idempotency.purge_expired(now) == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "键"])
def test_a_malformed_key_is_refused(t, key):
    response = device_client(t.officer).post(
        "/api/v1/cases/", DRAFT, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["fields"]
    assert not Case.objects.exists()


def test_open311_posts_are_idempotent_for_their_system_token(t):
    client = system_client(t.town, "write")
    key = _key()
    token = client._credentials["HTTP_AUTHORIZATION"].split()[1]
    body = {
        "api_key": token,
        "service_code": "livelihood_service",
        "address_string": "东村5组",
        "description": "路灯坏了",
    }
    first = client.post("/open311/v2/requests.json", body, HTTP_IDEMPOTENCY_KEY=key)
    again = client.post("/open311/v2/requests.json", body, HTTP_IDEMPOTENCY_KEY=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert Case.objects.count() == 1


def test_a_duplicate_that_loses_the_race_replays_the_winners_response(t):
    """The lookup found nothing, but a concurrent request committed the key before our insert:
    the unique constraint catches it and the committed response is returned."""
    client = device_client(t.officer)
    key = _key()
    first = client.post("/api/v1/cases/", DRAFT, format="json", HTTP_IDEMPOTENCY_KEY=key)
    real_filter = IdempotencyKey.objects.filter

    class Nothing:
        def first(self):
            return None

    with mock.patch.object(
        IdempotencyKey.objects,
        "filter",
        side_effect=lambda **kw: Nothing() if "key" in kw else real_filter(**kw),
    ):
        again = client.post("/api/v1/cases/", DRAFT, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert again.status_code == 201
    assert again.json()["number"] == first.json()["number"]
    assert Case.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_create_one_case():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): SQLite serialises writers anyway")
    from tests.factories import make_town

    t = make_town()
    _, raw = ApiToken.issue(kind="device", user=t.officer, name="并发", scope="write")
    key = _key()
    barrier = threading.Barrier(4)
    statuses, numbers = [], []

    def send():
        from django.db import connections

        from tests.api.conftest import token_client

        try:
            barrier.wait()
            response = token_client(raw).post(
                "/api/v1/cases/", DRAFT, format="json", HTTP_IDEMPOTENCY_KEY=key
            )
            statuses.append(response.status_code)
            numbers.append(response.json().get("number"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * 4
    assert len(set(numbers)) == 1
    assert Case.objects.count() == 1
