"""Each push channel against a real local HTTP receiver: content, format and signature."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from gridcase.cases import services
from gridcase.notify import delivery
from gridcase.notify.channels import dingtalk, webhook
from gridcase.notify.models import ChannelConfig, Delivery
from tests.factories import local, submitted_case

from .conftest import DINGTALK_SECRET, WEBHOOK_SECRET, webhook_for

NOW = local(2026, 10, 12, 11)


def escalated_case(t, **overrides):
    case = submitted_case(t, local(2026, 10, 12, 9), **overrides)
    services.case_accept(case=case, by=t.officer, at=local(2026, 10, 12, 10))
    services.case_escalate(case=case, by=t.officer, note="需村站协调")
    return case


@time_machine.travel(NOW, tick=False)
def test_escalation_arrives_at_the_webhook_in_chinese_with_a_valid_signature(t, receiver):
    webhook_for(t.station, receiver)
    case = escalated_case(t)
    assert delivery.deliver_due() == {"sent": 1}

    (request,) = receiver.requests
    headers = request.headers
    assert headers["X-Gridcase-Event"] == "escalate"
    assert headers["X-Gridcase-Delivery"] == str(Delivery.objects.get().pk)
    assert webhook.verify(
        WEBHOOK_SECRET,
        body=request.body,
        timestamp=headers["X-Gridcase-Timestamp"],
        signature_header=headers["X-Gridcase-Signature"],
        now=time.time(),
    )
    assert not webhook.verify(
        "another-secret-0123456789",
        body=request.body,
        timestamp=headers["X-Gridcase-Timestamp"],
        signature_header=headers["X-Gridcase-Signature"],
        now=time.time(),
    )
    payload = request.json()
    assert payload["kind"] == "escalate"
    assert payload["town"] == "长塘镇"
    assert payload["title"] == f"【事件上报】{case.number} 已上报至村社会服务管理站,请及时受理"
    for line in (
        f"事件编号:{case.number}",
        "事件类别:矛盾纠纷",
        "所属村:东村 第一网格",
        "当前层级:村社会服务管理站 · 待受理",
        "受理期限:2026年10月14日(星期三)",
        "上报理由:需村站协调",
        "操作人:officer",
    ):
        assert line in payload["text"].splitlines()
    assert payload["link"] == f"{settings.SITE_URL}/cases/{case.number}/"
    assert payload["case"]["deadline"] == "2026-10-14"
    assert payload["case"]["village"] == "东村"


@time_machine.travel(NOW, tick=False)
def test_a_webhook_signature_is_refused_when_the_body_or_the_age_is_wrong(t, receiver):
    webhook_for(t.station, receiver)
    escalated_case(t)
    delivery.deliver_due()
    (request,) = receiver.requests
    ts = request.headers["X-Gridcase-Timestamp"]
    sig = request.headers["X-Gridcase-Signature"]
    assert sig.startswith("sha256=") and len(sig) == 7 + 64
    tampered = request.body.replace("东村".encode(), "西村".encode())
    assert not webhook.verify(
        WEBHOOK_SECRET, body=tampered, timestamp=ts, signature_header=sig, now=time.time()
    )
    assert not webhook.verify(
        WEBHOOK_SECRET, body=request.body, timestamp=ts, signature_header=sig, now=time.time() + 600
    )


def test_the_dingtalk_signature_follows_dingtalks_documented_scheme():
    secret = "SECthis-is-a-secret"
    ts = 1_760_000_000_000
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    url = dingtalk.signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc", secret, ts)
    from urllib.parse import parse_qs, urlsplit

    query = parse_qs(urlsplit(url).query)
    assert query == {"access_token": ["abc"], "timestamp": [str(ts)], "sign": [expected]}


@time_machine.travel(NOW, tick=False)
def test_dingtalk_robot_gets_a_signed_markdown_message(t, receiver):
    ChannelConfig.objects.create(
        unit=t.station,
        kind="dingtalk",
        target=receiver.url("/robot/send") + "?access_token=tok123",
        secret=DINGTALK_SECRET,
    )
    case = escalated_case(t)
    assert delivery.deliver_due() == {"sent": 1}
    (request,) = receiver.requests
    assert request.query["access_token"] == "tok123"
    ts = int(request.query["timestamp"])
    assert abs(ts - time.time() * 1000) < 5000  # milliseconds, now
    digest = hmac.new(
        DINGTALK_SECRET.encode(), f"{ts}\n{DINGTALK_SECRET}".encode(), hashlib.sha256
    ).digest()
    # parse_qsl has already URL-decoded the sign: it is the plain base64 of the HMAC.
    assert request.query["sign"] == base64.b64encode(digest).decode()
    payload = request.json()
    assert payload["msgtype"] == "markdown"
    assert payload["markdown"]["title"].startswith(f"【事件上报】{case.number}")
    assert f"[查看详情]({settings.SITE_URL}/cases/{case.number}/)" in payload["markdown"]["text"]
    assert "受理期限:2026年10月14日(星期三)" in payload["markdown"]["text"]


@time_machine.travel(NOW, tick=False)
def test_wecom_robot_gets_a_markdown_message_in_its_format(t, receiver):
    ChannelConfig.objects.create(
        unit=t.station, kind="wecom", target=receiver.url("/cgi-bin/webhook/send") + "?key=k-1"
    )
    case = escalated_case(t, major=True)
    assert delivery.deliver_due() == {"sent": 1}
    (request,) = receiver.requests
    assert request.path == "/cgi-bin/webhook/send"
    assert request.query == {"key": "k-1"}
    assert request.headers["Content-Type"].startswith("application/json")
    payload = request.json()
    assert set(payload) == {"msgtype", "markdown"}
    assert payload["msgtype"] == "markdown"
    content = payload["markdown"]["content"]
    assert content.startswith('<font color="warning">【重大】</font>**【事件上报】')
    assert "事件类别:矛盾纠纷(重大)" in content
    assert content.endswith(f"[查看详情]({settings.SITE_URL}/cases/{case.number}/)")
    assert len(content.encode()) <= 4096


@time_machine.travel(NOW, tick=False)
def test_a_robot_that_is_rate_limited_is_retried_and_a_wrong_address_fails_at_once(t, receiver):
    ChannelConfig.objects.create(unit=t.station, kind="wecom", target=receiver.url() + "?key=1")
    receiver.reply = b'{"errcode":45009,"errmsg":"api freq out of limit"}'
    escalated_case(t)
    assert delivery.deliver_due() == {"retry": 1}
    d = Delivery.objects.get()
    assert "errcode=45009" in d.last_error
    receiver.reply = b'{"errcode":93000,"errmsg":"invalid webhook url"}'
    with time_machine.travel(local(2026, 10, 12, 11, 2), tick=False):
        assert delivery.deliver_due() == {"failed": 1}
    d.refresh_from_db()
    assert (d.status, d.attempts) == ("failed", 2)
    assert "errcode=93000" in d.last_error


@time_machine.travel(NOW, tick=False)
def test_email_goes_through_djangos_mail_settings(t, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ChannelConfig.objects.create(
        unit=t.station, kind="email", target="zhan@example.cn, zhang@example.cn"
    )
    case = escalated_case(t)
    assert delivery.deliver_due() == {"sent": 1}
    (message,) = mail.outbox
    assert message.to == ["zhan@example.cn", "zhang@example.cn"]
    assert message.subject == f"【事件上报】{case.number} 已上报至村社会服务管理站,请及时受理"
    assert "受理期限:2026年10月14日(星期三)" in message.body
    assert f"查看详情:{settings.SITE_URL}/cases/{case.number}/" in message.body


@pytest.mark.parametrize("status", [500, 503])
@time_machine.travel(NOW, tick=False)
def test_a_server_error_is_retried(t, receiver, status):
    webhook_for(t.station, receiver)
    receiver.status = status
    escalated_case(t)
    assert delivery.deliver_due() == {"retry": 1}
    assert f"HTTP {status}" in Delivery.objects.get().last_error


@time_machine.travel(NOW, tick=False)
def test_a_refused_webhook_address_fails_for_good_at_once(t, receiver):
    webhook_for(t.station, receiver)
    receiver.status = 404
    escalated_case(t)
    assert delivery.deliver_due() == {"failed": 1}
