"""The town's configuration pages: calendar overrides (with the missing-year warning and the
year's month grids), the assessment policy (upload, validate, which version is in force), and
the notification channels (on the notification app's services)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gridcase.core.calendar import calendar_for
from gridcase.core.models import CalendarOverride
from gridcase.notify import channels as notify_channels
from gridcase.notify.models import ChannelConfig, Delivery, Notification
from gridcase.org.models import PolicyVersion, Unit
from gridcase.web.views.manage.calendar import month_grid
from tests.factories import local
from tests.web.test_manage_helpers import WECOM, policy_source

TODAY = date(2026, 10, 14)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(local(2026, 10, 14, 10), tick=False):
        yield TODAY


def url(t, name, *args):
    return reverse(f"manage:{name}", args=[t.town.pk, *args])


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def admin(t, client):
    client.force_login(t.admin_user)
    return client


def _count(client, address):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(address).status_code == 200
    return len(ctx.captured_queries)


# ---------------------------------------------------------------- calendar


def test_the_missing_arrangement_warning_is_shown_until_next_year_is_entered(t, admin):
    page = admin.get(url(t, "calendar")).content.decode()
    assert "2027 年的节假日安排(含调休上班日)尚未录入" in page
    assert "2027 年的节假日安排" in admin.get(url(t, "overview")).content.decode()
    response = admin.post(
        url(t, "calendar"), {"day": "2027-02-07", "kind": "workday", "note": "春节调休"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?year=2027")
    assert "尚未录入" not in admin.get(url(t, "calendar")).content.decode()


def test_a_town_holiday_closes_the_day_for_deadlines(t, admin):
    wednesday = date(2026, 12, 23)
    assert calendar_for(t.town.pk, 2026).is_working_day(wednesday)
    admin.post(url(t, "calendar"), {"day": "2026-12-23", "kind": "holiday", "note": "镇庆"})
    assert not calendar_for(t.town.pk, 2026).is_working_day(wednesday)
    # The month grid marks it, and marks it as the town's own change.
    months = admin.get(url(t, "calendar"), {"year": "2026"}).context["months"]
    cell = next(c for week in months[11]["weeks"] for c in week if c and c["day"] == wednesday)
    assert "cal-holiday" in cell["classes"] and "cal-override" in cell["classes"]
    assert cell["mark"] == "休" and "镇庆" in cell["title"]


def test_a_second_override_of_the_same_day_is_refused(t, admin):
    admin.post(url(t, "calendar"), {"day": "2026-12-23", "kind": "holiday"})
    response = admin.post(url(t, "calendar"), {"day": "2026-12-23", "kind": "workday"})
    assert response.status_code == 400
    assert "2026-12-23 已有本镇的日历调整" in response.content.decode()
    assert CalendarOverride.objects.filter(town=t.town).count() == 1


def test_an_override_is_deleted_but_not_a_national_one(t, admin):
    own = CalendarOverride.objects.create(town=t.town, day=date(2026, 12, 23), kind="holiday")
    national = CalendarOverride.objects.create(town=None, day=date(2026, 12, 24), kind="holiday")
    assert admin.post(url(t, "calendar_delete", own.pk)).status_code == 302
    assert not CalendarOverride.objects.filter(pk=own.pk).exists()
    assert admin.post(url(t, "calendar_delete", national.pk)).status_code == 404
    assert CalendarOverride.objects.filter(pk=national.pk).exists()


def test_a_bad_override_is_refused_beside_its_field(t, admin):
    response = admin.post(url(t, "calendar"), {"day": "2026-13-01", "kind": "holiday"})
    assert response.status_code == 400
    assert not CalendarOverride.objects.exists()


def test_the_month_grid_marks_holidays_and_make_up_days(db):
    cal = calendar_for(None, 2026)
    grid = month_grid(2026, 10, cal, {date(2026, 10, 1): "国庆节"}, {}, TODAY)
    cells = {c["day"]: c for week in grid["weeks"] for c in week if c}
    assert len(cells) == 31
    assert grid["weeks"][0][:3] == [None, None, None]  # 1 October 2026 is a Thursday
    assert (
        cells[date(2026, 10, 1)]["mark"] == "休" and cells[date(2026, 10, 1)]["title"] == "国庆节"
    )
    assert cells[date(2026, 10, 10)]["mark"] == "班"  # Saturday, a make-up working day
    assert "cal-makeup" in cells[date(2026, 10, 10)]["classes"]
    assert cells[date(2026, 10, 11)]["classes"] == "cal-weekend"
    assert cells[date(2026, 10, 12)]["classes"] == ""
    assert "cal-today" in cells[TODAY]["classes"]


def test_the_calendar_page_costs_the_same_with_more_overrides(t, admin):
    before = _count(admin, url(t, "calendar"))
    for day in range(1, 10):
        CalendarOverride.objects.create(town=t.town, day=date(2026, 11, day), kind="holiday")
    assert _count(admin, url(t, "calendar")) == before


# ---------------------------------------------------------------- policy


def test_a_pasted_policy_is_stored_and_in_force_from_its_date(t, admin):
    source = policy_source(effective_from="2026-10-20")
    response = admin.post(url(t, "policy"), {"source": source, "action": "upload"})
    assert response.status_code == 302
    version = PolicyVersion.objects.get(town=t.town)
    assert (version.code, version.effective_from, version.uploaded_by) == (
        "ct-2026",
        date(2026, 10, 20),
        t.admin_user,
    )
    page = admin.get(url(t, "policy"))
    assert page.context["current"] is None  # not yet: the default is in force today
    assert "尚未生效" in page.content.decode()
    with time_machine.travel(local(2026, 10, 21, 9), tick=False):
        page = admin.get(url(t, "policy"))
        assert page.context["current"] == version
        assert "今天生效" in page.content.decode()


def test_a_policy_file_is_uploaded(t, admin):
    upload = SimpleUploadedFile("ct.toml", policy_source().encode("utf-8"), "application/toml")
    response = admin.post(url(t, "policy"), {"file": upload, "action": "upload"})
    assert response.status_code == 302
    assert PolicyVersion.objects.filter(town=t.town, code="ct-2026").exists()


@pytest.mark.parametrize(
    ("source", "key"),
    [
        (policy_source(**{"quota = 8\n": ""}), "base.quota 缺失"),
        (policy_source(**{"quota = 8": "quota = -1"}), "base.quota 必须是非负整数"),
        (policy_source() + "\n[extra]\nx = 1\n", "extra 是未知的键"),
        ("not toml ===", "不是有效的 TOML"),
        (
            policy_source(**{'timezone = "Asia/Shanghai"': 'timezone = "Asia/Urumqi"'}),
            "policy.timezone",
        ),
    ],
)
def test_a_bad_policy_is_refused_naming_the_key(t, admin, source, key):
    response = admin.post(url(t, "policy"), {"source": source, "action": "upload"})
    assert response.status_code == 400
    assert key in response.content.decode()
    assert not PolicyVersion.objects.exists()
    # What was pasted is still there to be corrected.
    assert "quota" in response.content.decode() or source == "not toml ==="


def test_checking_a_policy_stores_nothing(t, admin):
    response = admin.post(url(t, "policy"), {"source": policy_source(), "action": "check"})
    assert response.status_code == 200
    assert "检查通过" in response.content.decode()
    assert not PolicyVersion.objects.exists()


def test_an_empty_policy_form_says_what_to_do(t, admin):
    response = admin.post(url(t, "policy"), {"source": "  ", "action": "upload"})
    assert response.status_code == 400
    assert "请上传策略文件或粘贴其内容" in response.content.decode()


def test_a_second_version_on_the_same_day_is_refused(t, admin):
    admin.post(url(t, "policy"), {"source": policy_source(), "action": "upload"})
    response = admin.post(
        url(t, "policy"), {"source": policy_source(code="ct-b"), "action": "upload"}
    )
    assert response.status_code == 400
    assert "policy.effective_from" in response.content.decode()
    assert PolicyVersion.objects.count() == 1


def test_the_policy_page_shows_the_default_when_the_town_has_none(t, admin):
    page = admin.get(url(t, "policy")).content.decode()
    assert "系统内置的默认策略" in page and "changtang-2016" in page
    assert "矛盾纠纷结案后 10 个工作日内回访" in page
    source = admin.get(url(t, "policy_default")).content.decode()
    assert "[deadlines]" in source


def test_the_policy_page_costs_the_same_with_more_versions(t, admin):
    PolicyVersion.objects.create(
        town=t.town, code="a", name="a", effective_from=date(2025, 1, 1), source=policy_source()
    )
    before = _count(admin, url(t, "policy"))
    for year in (2022, 2023, 2024):
        PolicyVersion.objects.create(
            town=t.town, code=f"v{year}", name="v", effective_from=date(year, 1, 1), source="x"
        )
    assert _count(admin, url(t, "policy")) == before


# ---------------------------------------------------------------- channels


def test_a_channel_is_added_edited_and_its_secret_kept(t, admin):
    response = admin.post(
        url(t, "channels"),
        {"unit": t.center.pk, "kind": "dingtalk", "name": "中心群",
         "target": "https://oapi.dingtalk.com/robot/send?access_token=x",
         "secret": "SECabc", "enabled": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    channel = ChannelConfig.objects.get(unit=t.center)
    assert channel.secret == "SECabc"
    page = admin.get(url(t, "channel_edit", channel.pk)).content.decode()
    assert "SECabc" not in page  # never shown back
    response = admin.post(
        url(t, "channel_edit", channel.pk),
        {"name": "中心值班群", "target": channel.target, "secret": "", "enabled": "on"},
    )
    assert response.status_code == 302
    channel.refresh_from_db()
    assert (channel.name, channel.secret) == ("中心值班群", "SECabc")


def test_a_wrong_channel_address_is_refused_beside_the_field(t, admin):
    response = admin.post(
        url(t, "channels"),
        {"unit": t.center.pk, "kind": "wecom", "target": "not a url", "enabled": "on"},
    )
    assert response.status_code == 400
    assert "请填写以 http:// 或 https:// 开头的完整地址" in response.content.decode()
    assert not ChannelConfig.objects.exists()


def test_a_channel_with_history_is_not_deleted(t, admin):
    channel = ChannelConfig.objects.create(unit=t.center, kind="wecom", target=WECOM)
    notification = Notification.objects.create(town=t.town, kind="test", title="t", body="b")
    Delivery.objects.create(notification=notification, channel=channel, status="failed")
    response = admin.post(url(t, "channel_delete", channel.pk), follow=True)
    assert "该渠道已有发送记录,不能删除" in response.content.decode()
    assert ChannelConfig.objects.filter(pk=channel.pk).exists()
    fresh = ChannelConfig.objects.create(unit=t.office, kind="wecom", target=WECOM)
    assert admin.post(url(t, "channel_delete", fresh.pk)).status_code == 302
    assert not ChannelConfig.objects.filter(pk=fresh.pk).exists()


def test_failed_pushes_are_listed_and_resent(t, admin, django_capture_on_commit_callbacks):
    channel = ChannelConfig.objects.create(unit=t.center, kind="wecom", target=WECOM)
    notification = Notification.objects.create(
        town=t.town, kind="test", title="事件上报:CT-1", body="b"
    )
    delivery = Delivery.objects.create(
        notification=notification, channel=channel, status="failed", last_error="HTTP 500"
    )
    page = admin.get(url(t, "channels"))
    assert page.context["failed_count"] == 1
    assert "事件上报:CT-1" in page.content.decode() and "HTTP 500" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=False):
        response = admin.post(url(t, "resend_failed"))
    assert "已重新发送 1 条失败的通知" in said(response)
    delivery.refresh_from_db()
    assert delivery.status == "pending"


def test_a_channel_test_reports_the_error_in_words(t, admin, monkeypatch):
    channel = ChannelConfig.objects.create(unit=t.center, kind="wecom", target=WECOM)

    def down(**kwargs):
        raise notify_channels.ChannelError("企业微信返回错误:invalid webhook url")

    monkeypatch.setattr(notify_channels, "send", down)
    response = admin.post(url(t, "channel_test", channel.pk))
    assert response.status_code == 302
    assert said(response) == ["测试消息发送失败:企业微信返回错误:invalid webhook url"]
    monkeypatch.setattr(notify_channels, "send", lambda **kwargs: None)
    response = admin.post(url(t, "channel_test", channel.pk))
    assert said(response)[-1] == "测试消息已发送,请在对应的群或邮箱查看"


def test_the_channels_page_costs_the_same_with_more_channels(t, admin):
    ChannelConfig.objects.create(unit=t.center, kind="wecom", target=WECOM)
    before = _count(admin, url(t, "channels"))
    for n, unit in enumerate(Unit.objects.filter(town=t.town)):
        ChannelConfig.objects.create(unit=unit, kind="wecom", target=f"{WECOM}{n}")
    assert _count(admin, url(t, "channels")) == before


def test_the_overview_costs_a_fixed_number_of_queries(t, admin, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        admin.get(url(t, "overview"))
