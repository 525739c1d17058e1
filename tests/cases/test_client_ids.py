"""The field terminal's re-send rule and the version rule, as pure functions (no database)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from gridcase.cases import client_ids, versions
from gridcase.cases.client_ids import Resend

SHANGHAI = ZoneInfo("Asia/Shanghai")
BASE = {
    "category": "dispute",
    "title": "围墙纠纷",
    "latitude": Decimal("28.123400"),
    "occurred_at": datetime(2026, 10, 12, 9, tzinfo=SHANGHAI),
    "parties": [{"name": "张三", "phone": "13800138001"}],
}


def test_the_same_content_in_another_form_has_the_same_digest():
    other = {
        "parties": [{"phone": "13800138001", "name": "张三"}],
        "occurred_at": datetime(2026, 10, 12, 1, tzinfo=UTC),
        "latitude": Decimal("28.1234"),
        "title": "围墙纠纷",
        "category": "dispute",
    }
    assert client_ids.digest(BASE) == client_ids.digest(other)


def test_the_client_id_itself_is_not_content():
    assert client_ids.digest(BASE) == client_ids.digest({**BASE, "client_id": uuid.uuid4()})


@pytest.mark.parametrize(
    "change",
    [
        {"title": "围墙纠纷 "},
        {"latitude": Decimal("28.123401")},
        {"occurred_at": datetime(2026, 10, 12, 9, 1, tzinfo=SHANGHAI)},
        {"parties": []},
        {"parties": [{"name": "张三", "phone": "13800138002"}]},
        {"major": False},
    ],
)
def test_any_change_of_content_changes_the_digest(change):
    assert client_ids.digest(BASE) != client_ids.digest({**BASE, **change})


def test_rows_are_compared_by_their_id():
    assert client_ids.digest({"village": SimpleNamespace(pk=3)}) == client_ids.digest(
        {"village": SimpleNamespace(pk=3)}
    )
    assert client_ids.digest({"village": SimpleNamespace(pk=3)}) != client_ids.digest(
        {"village": SimpleNamespace(pk=4)}
    )


def test_a_naive_time_has_no_digest():
    with pytest.raises(ValueError):
        client_ids.digest({"occurred_at": datetime(2026, 10, 12, 9)})


@pytest.mark.parametrize(
    ("stored_by", "sent_by", "same_content", "outcome"),
    [
        (1, 1, True, Resend.REPLAY),
        (1, 1, False, Resend.CONFLICT),
        (1, 2, True, Resend.CONFLICT),
        (1, 2, False, Resend.CONFLICT),
    ],
)
def test_only_the_same_person_with_the_same_content_replays(
    stored_by, sent_by, same_content, outcome
):
    stored = client_ids.digest(BASE)
    sent = stored if same_content else client_ids.digest({**BASE, "title": "另一件"})
    assert (
        client_ids.resend(
            stored_digest=stored, stored_by=stored_by, sent_digest=sent, sent_by=sent_by
        )
        is outcome
    )


@pytest.mark.parametrize(
    ("posted", "current", "stale"),
    [(None, 3, False), (3, 3, False), (2, 3, True), (4, 3, True), (0, 0, False)],
)
def test_a_version_is_stale_only_when_given_and_not_the_current_one(posted, current, stale):
    assert versions.is_stale(posted, current) is stale


def test_a_stale_refusal_carries_the_current_version():
    error = versions.Stale(7)
    assert (error.code, error.extra, error.version) == ("stale", {"version": 7}, 7)
    assert "version" in error.fields
