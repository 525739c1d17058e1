"""The field terminal's sync protocol (docs/field_protocol.md): create once by client_id, photos
by content, versions, submit re-sent — each branch, its scope, and the races on PostgreSQL."""

from __future__ import annotations

import hashlib
import os
import threading
import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from gridcase.api.models import ApiToken, IdempotencyKey
from gridcase.cases import filing
from gridcase.cases.models import Attachment, Case
from tests.api.conftest import NOW, PNG, device_client, token_client
from tests.factories import complete_data, local, make_town, submitted_case

JPEG = b"\xff\xd8\xff\xe0" + b"\x10JFIF" + bytes(range(256)) * 4
DRAFT = {
    "category": "dispute",
    "title": "围墙纠纷",
    "location": "东村3组",
    "latitude": 28.1234,
    "longitude": 112.98,
    "location_accuracy": 8.5,
    "occurred_at": "2026-10-14T09:30:00+08:00",
    "parties": [{"name": "张三", "phone": "13800138001"}],
}

pg_only = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL (DATABASE_URL): SQLite serialises writers anyway",
)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _photo(data: bytes = JPEG, name: str = "现场.jpg"):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def _create(client, body=None, client_id=None, **headers):
    body = dict(DRAFT if body is None else body)
    body["client_id"] = str(client_id or uuid.uuid4())
    return client.post("/api/v1/cases/", body, format="json", **headers)


# ---------------------------------------------------------------- 1. create exactly once


def test_the_first_create_with_a_client_id_is_a_new_case_that_carries_it(t):
    cid = uuid.uuid4()
    response = _create(device_client(t.officer), client_id=cid)
    assert response.status_code == 201, response.content
    assert response.json()["client_id"] == str(cid)
    assert "Idempotent-Replayed" not in response
    case = Case.objects.get()
    assert case.client_id == cid and len(case.client_digest) == 64


def test_the_same_id_and_content_again_is_the_same_case_as_it_is_now(t):
    client = device_client(t.officer)
    cid = uuid.uuid4()
    first = _create(client, client_id=cid)
    number = first.json()["number"]
    # Changed since (the officer completed it): the re-send answers with the case as it is now.
    client.patch(f"/api/v1/cases/{number}/", {"persons": "张三、李四"}, format="json")
    again = _create(client, client_id=cid)
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    body = again.json()
    assert (body["number"], body["persons"], body["version"]) == (number, "张三、李四", 1)
    assert Case.objects.count() == 1


def test_the_same_content_written_otherwise_is_the_same_content(t):
    client = device_client(t.officer)
    cid = uuid.uuid4()
    assert _create(client, client_id=cid).status_code == 201
    written_otherwise = dict(
        DRAFT,
        latitude="28.123400",
        occurred_at="2026-10-14T01:30:00Z",
        crs="wgs84",
        parties=[{"phone": "13800138001", "name": "张三"}],
    )
    again = _create(client, written_otherwise, client_id=str(cid).upper())
    assert again.status_code == 200
    assert Case.objects.count() == 1


def test_the_same_id_with_other_content_is_a_conflict_naming_the_case(t):
    client = device_client(t.officer)
    cid = uuid.uuid4()
    number = _create(client, client_id=cid).json()["number"]
    other = _create(client, dict(DRAFT, title="另一件事"), client_id=cid)
    assert other.status_code == 409
    body = other.json()
    assert body["code"] == "client_id_conflict"
    assert body["number"] == number
    assert "client_id" in body["fields"] and "内容不同" in body["message"]
    assert Case.objects.count() == 1


@pytest.mark.parametrize("who", ["other_officer", "other_town_officer"])
def test_an_id_another_person_used_is_a_conflict_that_does_not_say_their_case(t, other_town, who):
    cid = uuid.uuid4()
    assert _create(device_client(t.officer), client_id=cid).status_code == 201
    sender = t.other_officer if who == "other_officer" else other_town.officer
    response = _create(device_client(sender), client_id=cid)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "client_id_conflict"
    assert "number" not in body  # the officer's draft is not theirs to see
    assert "另一事件" in body["message"]
    assert Case.objects.count() == 1


@pytest.mark.parametrize("bad", ["abc", 12345, False, None, ""])
def test_a_client_id_that_is_not_a_uuid_is_refused_naming_it(t, bad):
    response = device_client(t.officer).post(
        "/api/v1/cases/", dict(DRAFT, client_id=bad), format="json"
    )
    assert response.status_code == 400
    assert "client_id" in response.json()["fields"]
    assert not Case.objects.exists()


def test_a_client_id_holds_after_the_idempotency_keys_day(t):
    client = device_client(t.officer)
    cid = uuid.uuid4()
    key = str(uuid.uuid4())
    first = _create(client, client_id=cid, HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201
    # Within the key's day, the key answers first: the first response again.
    replay = _create(client, client_id=cid, HTTP_IDEMPOTENCY_KEY=key)
    assert (replay.status_code, replay["Idempotent-Replayed"]) == (201, "true")
    IdempotencyKey.objects.update(expires_at=NOW - timedelta(seconds=1))
    later = _create(client, client_id=cid, HTTP_IDEMPOTENCY_KEY=key)
    assert (later.status_code, later["Idempotent-Replayed"]) == (200, "true")
    assert later.json()["number"] == first.json()["number"]
    assert Case.objects.count() == 1


def test_both_keys_together_a_new_key_replays_and_a_reused_key_with_other_content_is_422(t):
    client = device_client(t.officer)
    cid = uuid.uuid4()
    key = str(uuid.uuid4())
    assert _create(client, client_id=cid, HTTP_IDEMPOTENCY_KEY=key).status_code == 201
    new_key = _create(client, client_id=cid, HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert new_key.status_code == 200
    mismatch = _create(client, dict(DRAFT, title="另一件"), client_id=cid, HTTP_IDEMPOTENCY_KEY=key)
    assert mismatch.status_code == 422
    conflict = _create(
        client, dict(DRAFT, title="另一件"), client_id=cid, HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    assert conflict.status_code == 409
    assert not IdempotencyKey.objects.filter(status_code=409).exists()
    assert Case.objects.count() == 1


def test_without_a_client_id_every_create_is_a_new_case(t):
    client = device_client(t.officer)
    for _ in range(2):
        response = client.post("/api/v1/cases/", DRAFT, format="json")
        assert response.status_code == 201
        assert response.json()["client_id"] is None
    assert Case.objects.count() == 2


def test_a_create_that_loses_the_race_replays_the_winners_case(t):
    """The lookup found nothing, but a concurrent create committed the id before our insert:
    the unique constraint refuses ours, nothing of it is kept (not even its number), and the
    winner's case is the answer."""
    client = device_client(t.officer)
    cid = uuid.uuid4()
    first = _create(client, client_id=cid).json()["number"]
    real = Case.objects.filter
    calls = []

    def blind_once(*args, **kwargs):
        if "client_id" in kwargs and not calls:
            calls.append(1)
            return real(pk=-1)
        return real(*args, **kwargs)

    with mock.patch.object(Case.objects, "filter", side_effect=blind_once):
        again = _create(client, client_id=cid)
        clash = _create(client, dict(DRAFT, title="另一件"), client_id=cid)
    assert (again.status_code, again.json()["number"]) == (200, first)
    assert clash.status_code == 409
    assert Case.objects.count() == 1
    nxt = filing.case_create_draft(town=t.town, by=t.officer, data={"category": "other"})
    assert nxt.number.endswith("00002")  # the loser's number was rolled back with it


# ---------------------------------------------------------------- 2. photos by content


def _draft(t, **data):
    return filing.case_create_draft(town=t.town, by=t.officer, data=data or {"category": "other"})


def _put(client, number, data=JPEG, sha=None, name="现场.jpg"):
    return client.put(
        f"/api/v1/cases/{number}/photos/{sha or _sha(data)}/",
        {"file": _photo(data, name)},
        format="multipart",
    )


def test_a_photo_put_at_its_hash_is_attached_once(t):
    case = _draft(t)
    client = device_client(t.officer)
    first = _put(client, case.number)
    assert first.status_code == 201, first.content
    assert first.json()["sha256"] == _sha(JPEG)
    again = _put(client, case.number)
    assert (again.status_code, again["Idempotent-Replayed"]) == (200, "true")
    assert again.json()["id"] == first.json()["id"]
    listed = client.get(f"/api/v1/cases/{case.number}/attachments/").json()
    assert [a["sha256"] for a in listed] == [_sha(JPEG)]
    assert case.timeline.filter(action="attach").count() == 1
    assert Attachment.objects.get().file.read() == JPEG


def test_bytes_that_do_not_hash_to_the_address_are_refused_naming_file(t):
    case = _draft(t)
    cut_short = JPEG[:100]
    response = _put(device_client(t.officer), case.number, data=cut_short, sha=_sha(JPEG))
    assert response.status_code == 400
    body = response.json()
    assert "file" in body["fields"] and "SHA-256" in body["fields"]["file"][0]
    assert not Attachment.objects.exists()


def test_a_photo_is_still_checked_for_its_type(t):
    case = _draft(t)
    not_a_jpeg = b"just text, not a photo"
    response = _put(device_client(t.officer), case.number, data=not_a_jpeg)
    assert response.status_code == 400
    assert "file" in response.json()["fields"]
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("sha", [_sha(JPEG).upper(), _sha(JPEG)[:63], "abc"])
def test_an_address_that_is_not_a_lowercase_sha256_is_refused_naming_it(t, sha):
    case = _draft(t)
    response = _put(device_client(t.officer), case.number, sha=sha)
    assert response.status_code == 400
    assert "sha256" in response.json()["fields"]
    assert not Attachment.objects.exists()


def test_the_same_photo_on_two_cases_is_two_attachments(t):
    client = device_client(t.officer)
    one, two = _draft(t), _draft(t)
    assert _put(client, one.number).status_code == 201
    assert _put(client, two.number).status_code == 201
    assert Attachment.objects.count() == 2


@pytest.mark.parametrize("who", ["other_officer", "station_user", "other_town_officer"])
def test_another_persons_draft_does_not_exist_for_photos(t, other_town, who):
    case = _draft(t)
    user = other_town.officer if who == "other_town_officer" else getattr(t, who)
    assert _put(device_client(user), case.number).status_code == 404
    assert not Attachment.objects.exists()


def test_a_photo_on_a_case_one_may_see_but_not_attach_to_is_forbidden(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    response = _put(device_client(t.leader), case.number)
    assert response.status_code == 403
    assert not Attachment.objects.exists()


def test_the_older_upload_keeps_identical_bytes_once_per_case(t):
    case = _draft(t)
    client = device_client(t.officer)
    url = f"/api/v1/cases/{case.number}/attachments/"
    first = client.post(url, {"file": _photo()}, format="multipart")
    again = client.post(url, {"file": _photo(name="又一张.jpg")}, format="multipart")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert first.json()["sha256"] == _sha(JPEG)
    other = client.post(url, {"file": SimpleUploadedFile("b.png", PNG)}, format="multipart")
    assert other.status_code == 201
    assert Attachment.objects.count() == 2


def test_the_case_detail_lists_each_photos_hash(t):
    case = _draft(t)
    client = device_client(t.officer)
    _put(client, case.number)
    detail = client.get(f"/api/v1/cases/{case.number}/").json()
    assert [a["sha256"] for a in detail["attachments"]] == [_sha(JPEG)]


def test_a_photo_that_loses_the_race_is_the_winners_and_its_file_is_not_kept(t, settings):
    case = _draft(t)
    client = device_client(t.officer)
    first = _put(client, case.number).json()
    real = Attachment.objects.filter
    calls = []

    def blind_once(*args, **kwargs):
        if "sha256" in kwargs and not calls:
            calls.append(1)
            return real(pk=-1)
        return real(*args, **kwargs)

    with mock.patch.object(Attachment.objects, "filter", side_effect=blind_once):
        again = _put(client, case.number)
    assert (again.status_code, again.json()["id"]) == (200, first["id"])
    stored = list((settings.MEDIA_ROOT / "cases").rglob("*"))
    assert len([p for p in stored if p.is_file()]) == 1


# ---------------------------------------------------------------- 3. versions


def test_a_patch_on_an_old_version_is_refused_with_the_current_one_and_changes_nothing(t):
    case = _draft(t, title="原标题")
    client = device_client(t.officer)
    url = f"/api/v1/cases/{case.number}/"
    assert client.patch(url, {"title": "第一次", "version": 0}, format="json").status_code == 200
    stale = client.patch(url, {"title": "第二次", "version": 0}, format="json")
    assert stale.status_code == 409
    body = stale.json()
    assert (body["code"], body["version"]) == ("stale", 1)
    assert "version" in body["fields"]
    case.refresh_from_db()
    assert (case.title, case.version) == ("第一次", 1)


def test_a_version_that_is_not_a_whole_number_is_refused_naming_it(t):
    case = _draft(t)
    client = device_client(t.officer)
    for bad in ("1", -1, 1.5, True):
        response = client.patch(f"/api/v1/cases/{case.number}/", {"version": bad}, format="json")
        assert response.status_code == 400, bad
        assert "version" in response.json()["fields"]


def test_an_action_on_an_old_version_is_refused_and_nothing_happens(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    client = device_client(t.officer)
    url = f"/api/v1/cases/{case.number}/accept/"
    stale = client.post(url, {"note": "受理", "version": case.version - 1}, format="json")
    assert stale.status_code == 409
    assert stale.json() | {"message": ""} == {
        "code": "stale",
        "message": "",
        "version": case.version,
        "fields": stale.json()["fields"],
    }
    case.refresh_from_db()
    assert case.state == "pending"
    current = client.post(url, {"note": "受理", "version": case.version}, format="json")
    assert current.status_code == 200
    assert current.json()["state"] == "handling"


def test_the_version_is_checked_on_actions_that_take_a_body(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    url = f"/api/v1/cases/{case.number}/urge/"
    stale = device_client(t.center_user).post(
        url, {"note": "请尽快", "version": case.version + 5}, format="json"
    )
    assert stale.status_code == 409
    assert not case.timeline.filter(action="urge").exists()


def test_another_officers_case_is_not_found_whatever_the_version(t):
    case = _draft(t)
    response = device_client(t.other_officer).patch(
        f"/api/v1/cases/{case.number}/", {"title": "x", "version": 99}, format="json"
    )
    assert response.status_code == 404


# ---------------------------------------------------------------- 4. submit


def test_a_submit_missing_elements_lists_every_one_in_chinese(t):
    case = _draft(t, category="dispute", title="只有标题")
    response = device_client(t.officer).post(
        f"/api/v1/cases/{case.number}/submit/", {"version": 0}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"] == {
        "occurred_at": ["缺少发生时间"],
        "location": ["缺少发生地点"],
        "persons": ["缺少人物"],
        "cause": ["缺少起因"],
        "course": ["缺少经过"],
        "parties": ["矛盾纠纷需要至少两方当事人"],
    }
    assert body["message"].startswith("不能提交,缺少以下要素")
    case.refresh_from_db()
    assert case.state == "draft"


def test_a_submit_resent_with_its_key_after_it_committed_gets_the_first_answer(t):
    case = filing.case_create_draft(
        town=t.town, by=t.officer, data=complete_data(local(2026, 10, 14, 9))
    )
    client = device_client(t.officer)
    key = f"{uuid.uuid4()}:submit"
    url = f"/api/v1/cases/{case.number}/submit/"
    first = client.post(url, {"version": 0}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 200, first.content
    assert (first.json()["state"], first.json()["accept_due"]) == ("pending", "2026-10-16")
    again = client.post(url, {"version": 0}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert (again.status_code, again["Idempotent-Replayed"]) == (200, "true")
    assert again.json() == first.json()
    assert case.timeline.filter(action="submit").count() == 1


def test_a_submit_resent_after_its_key_expired_is_a_conflict_and_the_case_says_submitted(t):
    case = filing.case_create_draft(
        town=t.town, by=t.officer, data=complete_data(local(2026, 10, 14, 9))
    )
    client = device_client(t.officer)
    url = f"/api/v1/cases/{case.number}/submit/"
    assert client.post(url, {"version": 0}, format="json").status_code == 200
    with_version = client.post(url, {"version": 0}, format="json")
    assert (with_version.status_code, with_version.json()["code"]) == (409, "stale")
    without = client.post(url, {}, format="json")
    assert (without.status_code, without.json()["code"]) == (409, "conflict")
    assert "已提交" in without.json()["message"]
    assert client.get(f"/api/v1/cases/{case.number}/").json()["state"] == "pending"
    assert case.timeline.filter(action="submit").count() == 1


def test_submitting_someone_elses_submitted_case_is_still_refused_as_before(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    response = device_client(t.station_user).post(
        f"/api/v1/cases/{case.number}/submit/", {}, format="json"
    )
    assert response.status_code == 403


def test_the_whole_protocol_once_through(t):
    """Sign in, create with client_id, two photos by hash (one re-sent), submit with its key."""
    from django.test import Client

    signed_in = Client().post(
        "/api/v1/auth/token/",
        {"username": "officer", "password": "pw", "name": "平安通"},
        content_type="application/json",
    )
    assert signed_in.status_code in (200, 201), signed_in.content
    client = token_client(signed_in.json()["key"])
    cid = uuid.uuid4()
    body = dict(DRAFT, persons="张三、李四", cause="宅基地", course="争执")
    body["parties"] = [
        {"name": "张三", "phone": "13800138001"},
        {"name": "李四", "phone": "13800138002"},
    ]
    created = _create(client, body, client_id=cid)
    number = created.json()["number"]
    photos = [JPEG, JPEG + b"\x00"]
    for data in photos + photos[:1]:
        assert _put(client, number, data=data).status_code in (200, 201)
    have = {a["sha256"] for a in client.get(f"/api/v1/cases/{number}/attachments/").json()}
    assert have == {_sha(p) for p in photos}
    submitted = client.post(
        f"/api/v1/cases/{number}/submit/",
        {"version": created.json()["version"]},
        format="json",
        HTTP_IDEMPOTENCY_KEY=f"{cid}:submit",
    )
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["state"] == "pending"


# ---------------------------------------------------------------- races on PostgreSQL


def _together(n: int, send) -> list:
    barrier = threading.Barrier(n)
    results: list = []

    def run(i):
        try:
            barrier.wait(timeout=10)
            results.append(send(i))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pg_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_with_one_client_id_make_one_case():
    assert connection.vendor == "postgresql"
    t = make_town()
    _, raw = ApiToken.issue(kind="device", user=t.officer, name="并发", scope="write")
    cid = str(uuid.uuid4())

    def send(i):
        body = dict(DRAFT, client_id=cid, title="同一件" if i < 3 else "另一件")
        response = token_client(raw).post("/api/v1/cases/", body, format="json")
        return i, response.status_code, response.json().get("number")

    results = _together(4, send)
    statuses = sorted(s for i, s, _n in results if i < 3)
    assert Case.objects.count() == 1
    number = Case.objects.get().number
    if Case.objects.get().title == "同一件":
        assert statuses == [200, 200, 201]
        assert [s for i, s, _n in results if i == 3] == [409]
    else:  # the other content won: every same-content send is then the clash
        assert statuses == [409, 409, 409]
    assert {n for _i, s, n in results if s in (200, 201)} == {number}


@pg_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_puts_of_one_photo_attach_it_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    t = make_town()
    case = _draft(t)
    _, raw = ApiToken.issue(kind="device", user=t.officer, name="并发", scope="write")

    def send(_i):
        return _put(token_client(raw), case.number).status_code

    statuses = sorted(_together(4, send))
    assert statuses == [200, 200, 200, 201]
    assert Attachment.objects.filter(case=case).count() == 1
    files = [p for p in (settings.MEDIA_ROOT / "cases").rglob("*") if p.is_file()]
    assert len(files) == 1


@pg_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_with_one_key_submit_once():
    t = make_town()
    case = filing.case_create_draft(
        town=t.town, by=t.officer, data=complete_data(local(2026, 10, 14, 9))
    )
    _, raw = ApiToken.issue(kind="device", user=t.officer, name="并发", scope="write")
    key = f"{uuid.uuid4()}:submit"

    def send(_i):
        return (
            token_client(raw)
            .post(
                f"/api/v1/cases/{case.number}/submit/",
                {"version": 0},
                format="json",
                HTTP_IDEMPOTENCY_KEY=key,
            )
            .status_code
        )

    statuses = _together(3, send)
    assert statuses == [200, 200, 200]
    assert case.timeline.filter(action="submit").count() == 1
