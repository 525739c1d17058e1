"""A notification reads in its reader's language; what goes out through the channels stays
Chinese (the town's own systems), whoever's request caused it."""

from __future__ import annotations

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from gridcase.cases import services
from gridcase.cases.errors import CaseError
from gridcase.notify import delivery, messages
from gridcase.notify import services as notify_services
from gridcase.notify.models import InboxItem, Notification
from tests.factories import local, submitted_case

from .conftest import Receiver, webhook_for

pytestmark = pytest.mark.django_db

NOW = local(2026, 10, 12, 11)  # Monday; the village station must accept by Wednesday the 14th


def escalated_case(t):
    case = submitted_case(t, local(2026, 10, 12, 9))
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 10))
    services.case_escalate(case=case, by=t.officer, note="需村站协调")
    return case


def reader(user, language: str) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


def inbox(user, language: str) -> str:
    response = reader(user, language).get("/inbox/")
    assert response.status_code == 200
    return response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_the_same_item_reads_in_english_for_an_english_reader_and_in_chinese_for_a_chinese_one(t):
    case = escalated_case(t)
    n = Notification.objects.get(kind="escalate")
    # Stored as a message id and its arguments (the case as it was), plus the Chinese text.
    assert n.message == "escalate"
    assert n.args["note"] == "需村站协调"
    assert (n.args["case"]["number"], n.args["case"]["due"]) == (case.number, "2026-10-14")
    assert n.title == f"【事件上报】{case.number} 已上报至村社会服务管理站,请及时受理"

    english = inbox(t.station_user, "en")
    assert (
        f"[Escalated] {case.number} was escalated to the Village station: "
        "please accept it in time" in english
    )
    assert "Reason for escalating: 需村站协调" in english
    assert "Accept by: Wednesday 14 October 2026" in english
    assert "Now at: Village station · To accept" in english
    for chinese in ("已上报至", "上报理由", "受理期限", "星期", "当前层级"):
        assert chinese not in english

    chinese_page = inbox(t.station_user, "zh-hans")
    assert f"【事件上报】{case.number} 已上报至村社会服务管理站,请及时受理" in chinese_page
    assert "上报理由:需村站协调" in chinese_page
    assert "受理期限:2026年10月14日(星期三)" in chinese_page
    assert "Escalated" not in chinese_page and "Accept by" not in chinese_page


@time_machine.travel(NOW, tick=False)
def test_an_item_keeps_the_case_as_it_was_when_it_was_written(t):
    case = escalated_case(t)
    services.case_accept(case=case, by=t.station_user, at=local(2026, 10, 12, 11))
    n = Notification.objects.get(kind="escalate")
    with translation.override("en"):
        body = n.shown.body
    # The case is being handled now; the message tells what was asked of the station then.
    assert "Now at: Village station · To accept" in body


@time_machine.travel(NOW, tick=False)
def test_worded_in_chinese_the_arguments_give_the_text_stored_for_the_channels(t):
    """The two homes of the text agree: the inbox in Chinese shows what the channels sent."""
    case = escalated_case(t)
    services.case_accept(case=case, by=t.station_user)
    services.case_escalate(case=case, by=t.station_user, note="村级无法处理")
    services.case_accept(case=case, by=t.center_user)
    services.case_dispatch(case=case, by=t.center_user, department=t.department, note="请处理")
    services.case_accept(case=case, by=t.department_user)
    services.case_urge(case=case, by=t.center_user, note="请尽快")
    services.case_report(case=case, by=t.department_user, result="已调解")
    notifications = list(Notification.objects.order_by("id"))
    assert [n.kind for n in notifications] == ["escalate", "escalate", "dispatch", "urge", "report"]
    for n in notifications:
        with translation.override("zh-hans"):
            shown = messages.shown(n)
        assert (shown.title, shown.body, shown.link) == (n.title, n.body, n.link), n.kind


@time_machine.travel(NOW, tick=False)
def test_a_channel_message_stays_chinese_when_an_english_reader_caused_it(t, receiver):
    webhook_for(t.station, receiver)
    with translation.override("en"):  # the officer's request, in English
        case = escalated_case(t)
        assert delivery.deliver_due() == {"sent": 1}
    payload = receiver.requests[0].json()
    assert payload["title"] == f"【事件上报】{case.number} 已上报至村社会服务管理站,请及时受理"
    assert "受理期限:2026年10月14日(星期三)" in payload["text"]
    assert payload["kind_label"] == "事件上报"
    assert payload["case"]["category_label"] == "矛盾纠纷"
    assert payload["case"]["deadline_label"] == "受理期限"
    # ... while the officer's own reader would see it in English.
    n = Notification.objects.get()
    with translation.override("en"):
        assert n.shown.title.startswith(f"[Escalated] {case.number}")


@time_machine.travel(NOW, tick=False)
def test_the_test_message_is_chinese_and_its_error_in_the_administrators_language(t, receiver):
    channel = webhook_for(t.station, receiver)
    with translation.override("en"):
        assert notify_services.channel_config_test(by=t.admin_user, config=channel) is None
    payload = receiver.requests[0].json()
    assert payload["title"] == "【测试】gridcase 通知渠道测试"
    assert payload["kind_label"] == "渠道测试"
    assert payload["text"] == "这是长塘镇管理员发送的测试消息,收到即表示该渠道配置正确。"

    closed = Receiver().start()
    closed.stop()  # nobody listens on its port any more
    channel.target = closed.url()
    channel.save()
    with translation.override("en"):
        error = notify_services.channel_config_test(by=t.admin_user, config=channel)
    assert error is not None and error.startswith("Cannot connect to 127.0.0.1:")
    with translation.override("zh-hans"):
        error = notify_services.channel_config_test(by=t.admin_user, config=channel)
    assert error is not None and error.startswith("无法连接 127.0.0.1:")


def test_an_old_item_without_a_message_id_shows_its_stored_text(t):
    n = Notification.objects.create(
        town=t.town, kind="urge", title="【督办】旧消息", body="督办意见:旧的内容", created_at=NOW
    )
    InboxItem.objects.create(notification=n, user=t.station_user, created_at=NOW)
    with time_machine.travel(NOW, tick=False):
        assert "【督办】旧消息" in inbox(t.station_user, "en")
        assert "督办意见:旧的内容" in inbox(t.station_user, "zh-hans")


def test_the_digest_and_its_dates_are_worded_in_each_language():
    args = {
        "town": "Riverside",
        "day": "2026-10-08",
        "link": "/cases/",
        "digest": {
            "total": 3,
            "overdue": [["grid", [["East", 1], ["West", 1]]], ["village", [["North", 1]]]],
            "soon": 1,
            "follow_ups": 2,
            "follow_up_days": 30,
        },
    }
    with translation.override("en"):
        english = messages.render("digest", args)
    assert english.title == "[Daily digest] Riverside Thursday 8 October 2026"
    assert english.body.splitlines() == [
        "3 overdue cases:",
        "· Grid: East 1 case, West 1 case",
        "· Village station: North 1 case",
        "Due today or the next working day: 1 case",
        "Follow-up visits overdue (last 30 days): 2 cases",
    ]
    with translation.override("zh-hans"):
        chinese = messages.render("digest", args)
    assert chinese.title == "【每日汇总】Riverside 2026年10月8日(星期四)"
    assert chinese.body.splitlines()[:2] == ["超期事件共 3 件:", "· 网格:East 1 件、West 1 件"]


def test_the_channel_forms_errors_and_the_audits_secret_read_in_english(t):
    with translation.override("en"), pytest.raises(CaseError) as refused:
        notify_services.clean_channel("webhook", "ftp://hooks.example.cn/x", "", "")
    assert refused.value.fields == {
        "target": ["Enter the full address, starting with http:// or https://"],
        "secret": [
            "A generic webhook needs a signing secret (the receiver checks "
            "X-Gridcase-Signature with it)"
        ],
    }
    notify_services.channel_config_create(
        by=t.admin_user,
        unit=t.center,
        kind="webhook",
        target="https://hooks.example.cn/gridcase",
        secret="s" * 32,
    )
    url = reverse("manage:audit", args=[t.town.pk])
    assert "<ins>(set)</ins>" in reader(t.admin_user, "en").get(url).content.decode()
    assert "<ins>(已设置)</ins>" in reader(t.admin_user, "zh-hans").get(url).content.decode()
