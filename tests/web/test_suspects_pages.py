"""The office's review queue of suspected duplicates and the case page's suspects
(integrity.md): scope (404), roles, confirm and dismiss."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gridcase.assessment.models import SuspectPair
from tests.assessment.test_integrity import AGAIN, T0, case_at
from tests.factories import local

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(local(2026, 10, 20, 9), tick=False)


@pytest.fixture
def pair(t):
    first = case_at(t, T0)
    second = case_at(t, T0 + timedelta(days=2), metres=40, data=AGAIN)
    return first, second


def test_the_queue_lists_the_pair_for_the_office_only(t, login, pair, other_town):
    first, second = pair
    html = login(t.office_user).get("/assessment/suspects/?month=2026-10").content.decode()
    assert f"{second.number}</a> ≈ <a" in html and first.number in html
    assert "两处地点相距 40 米" in html
    assert login(t.officer).get("/assessment/suspects/").status_code == 404
    assert login(t.leader).get("/assessment/suspects/").status_code == 404
    outsider = login(other_town.office_user)
    assert outsider.get(f"/assessment/suspects/?town={t.town.pk}").status_code == 404
    assert login(t.office_user).get("/assessment/suspects/?month=2026-13").status_code == 404


def test_the_office_confirms_from_the_queue_and_the_pair_moves_to_decided(t, login, pair):
    first, second = pair
    client = login(t.office_user)
    post = {
        "case": second.pk,
        "similar_to": first.pk,
        "decision": "confirm",
        "reason": "同一纠纷两次录入",
        "month": "2026-10",
    }
    # Irreversible for the later case's pay: refused without the tick that says so.
    response = client.post("/assessment/suspects/decide/", post, follow=True)
    assert "请勾选确认后再确认重复" in response.content.decode()
    assert not SuspectPair.objects.filter(case=second, status="confirmed").exists()
    response = client.post("/assessment/suspects/decide/", post | {"confirm": "on"})
    assert response.status_code == 302
    kept = SuspectPair.objects.get(case=second, similar_to=first)
    assert kept.status == "confirmed" and kept.decided_by == t.office_user
    html = client.get("/assessment/suspects/?month=2026-10").content.decode()
    assert "确认重复" in html and "同一纠纷两次录入" in html
    page = client.get(f"/cases/{second.number}/").content.decode()
    assert 'id="suspects"' in page and "确认重复" in page


def test_a_dismissed_pair_is_not_suggested_again(t, login, pair):
    first, second = pair
    client = login(t.office_user)
    client.post(
        "/assessment/suspects/decide/",
        {"case": second.pk, "similar_to": first.pk, "decision": "dismiss", "month": "2026-10"},
    )
    assert SuspectPair.objects.get(case=second).status == "dismissed"
    html = client.get("/assessment/suspects/?month=2026-10").content.decode()
    assert "本月没有待核查的疑似重复" in html


def test_a_pair_from_another_town_is_no_page(t, login, pair, other_town):
    first, second = pair
    response = login(other_town.office_user).post(
        "/assessment/suspects/decide/",
        {"case": second.pk, "similar_to": first.pk, "decision": "confirm", "reason": "x"},
    )
    assert response.status_code == 404


def test_the_case_page_shows_its_suspects_to_the_people_who_handle_it(t, login, pair):
    first, second = pair
    page = login(t.officer).get(f"/cases/{second.number}/").content.decode()
    assert 'id="suspects"' in page and first.number in page and "描述相似度" in page


def test_the_form_is_warned_of_a_likely_duplicate_before_submitting(t, login, pair):
    first, _second = pair
    client = login(t.officer)
    form = client.get("/cases/new/").content.decode()
    assert 'id="suspects-check"' in form and "/cases/suspects-check/" in form
    response = client.post(
        "/cases/suspects-check/",
        {
            "category": "dispute",
            "title": "东村三组两户围墙边界争执",
            "cause": "宅基地界线不清",
            "course": "张三与李四因新砌围墙的位置发生争执",
            "latitude": "28.123456",
            "longitude": "112.654321",
            "parties-0-name": "张三",
            "parties-0-phone": "13800138001",
        },
    )
    html = response.content.decode()
    assert "附近 30 天内有相似事件" in html and f"/cases/{first.number}/" in html


def test_a_point_typed_in_gcj02_is_compared_in_wgs84(t, login, pair):
    from gridcase.core import coords

    client = login(t.officer)
    base = {"category": "dispute", "title": "东村三组两户围墙边界争执", "cause": "宅基地界线不清"}
    glat, glon = coords.wgs84_to_gcj02(28.123456, 112.654321)
    said = [
        client.post("/cases/suspects-check/", {**base, **point}).content.decode()
        for point in (
            {"latitude": "28.123456", "longitude": "112.654321"},
            {"latitude": f"{glat:.6f}", "longitude": f"{glon:.6f}", "crs": "gcj02"},
            {"latitude": f"{glat:.6f}", "longitude": f"{glon:.6f}"},  # read as WGS-84
        )
    ]
    assert "相似事件" in said[0]
    assert said[1] == said[0]
    assert said[2] != said[0]  # hundreds of metres off: not the same reasons


def test_nothing_alike_gives_no_warning(t, login, pair):
    response = login(t.officer).post(
        "/cases/suspects-check/", {"category": "livelihood_service", "title": "路灯损坏"}
    )
    assert "相似事件" not in response.content.decode()


def test_the_officers_month_shows_its_padding_signals_to_the_office_only(t, login):
    from tests.assessment.builders import submitted

    submitted(t, local(2026, 10, 12, 9), occurred_at=local(2026, 8, 20, 9))
    page = login(t.office_user).get("/assessment/2026-10/").content.decode()
    assert "核查提示 1 条" in page
    assert "1 起事件在发生 30 天以上后才录入 (最长 53 天)" in page
    assert "核查提示" not in login(t.leader).get("/assessment/2026-10/").content.decode()


def test_the_case_page_lists_its_most_similar_suspects_and_counts_the_rest(t, login):
    from gridcase.web.views.case_detail import SUSPECTS_SHOWN

    earlier = [case_at(t, T0 + timedelta(minutes=n), metres=n) for n in range(SUSPECTS_SHOWN + 2)]
    last = case_at(t, T0 + timedelta(days=2), metres=10, data=AGAIN)
    page = login(t.officer).get(f"/cases/{last.number}/").content.decode()
    section = page.split('id="suspects"')[1].split("</section>")[0]
    listed = [c.number for c in earlier if f">{c.number}</a>" in section]
    assert len(listed) == SUSPECTS_SHOWN
    assert f"({SUSPECTS_SHOWN + 2})" in section
    assert f"按相似度列出前 {SUSPECTS_SHOWN} 条,共 {SUSPECTS_SHOWN + 2} 条。" in section
