"""The administrator's channel configuration, the inbox, and the worker command."""

from __future__ import annotations

import pytest
import time_machine
from django.core.management import call_command

from gridcase.cases import services as case_services
from gridcase.cases.errors import ActionNotAllowed, CaseError
from gridcase.notify import selectors, services
from gridcase.notify.models import ChannelConfig, Delivery, InboxItem
from tests.factories import local, submitted_case

from .conftest import WEBHOOK_SECRET


def test_an_administrator_configures_a_units_channels(t):
    config = services.channel_config_create(
        by=t.admin_user,
        unit=t.center,
        kind="dingtalk",
        target="https://oapi.dingtalk.com/robot/send?access_token=abc",
        secret="SECabc",
        name="中心值班群",
    )
    assert list(selectors.channel_configs(t.admin_user)) == [config]
    services.channel_config_update(by=t.admin_user, config=config, enabled=False, secret=None)
    config.refresh_from_db()
    assert (config.enabled, config.secret) == (False, "SECabc")  # None keeps the secret
    services.channel_config_delete(by=t.admin_user, config=config)
    assert not ChannelConfig.objects.exists()


def test_only_the_towns_administrator_configures_channels(t, other_town):
    for user in (t.center_user, other_town.admin_user):
        with pytest.raises(ActionNotAllowed):
            services.channel_config_create(
                by=user, unit=t.center, kind="email", target="zhongxin@example.cn"
            )
    assert list(selectors.channel_configs(other_town.admin_user)) == []


@pytest.mark.parametrize(
    ("kind", "target", "secret", "field", "words"),
    [
        ("email", "not-an-address", "", "target", "邮箱地址不正确"),
        ("wecom", "ftp://x", "", "target", "http://"),
        ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send", "", "target", "key="),
        ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=a", "abc", "secret", "SEC"),
        ("webhook", "https://example.cn/hook", "", "secret", "签名密钥"),
        ("webhook", "https://example.cn/hook", "short", "secret", "16"),
        ("sms", "13800138000", "", "kind", "渠道类型"),
    ],
)
def test_a_wrong_channel_is_refused_with_the_field_named(t, kind, target, secret, field, words):
    with pytest.raises(CaseError) as err:
        services.channel_config_create(
            by=t.admin_user, unit=t.center, kind=kind, target=target, secret=secret
        )
    assert field in err.value.fields
    assert words in err.value.fields[field][0]
    assert not ChannelConfig.objects.exists()


def test_a_channel_with_history_is_disabled_not_deleted(t, receiver):
    config = services.channel_config_create(
        by=t.admin_user,
        unit=t.station,
        kind="webhook",
        target=receiver.url(),
        secret=WEBHOOK_SECRET,
    )
    with time_machine.travel(local(2026, 10, 12, 11), tick=False):
        case = submitted_case(t, local(2026, 10, 12, 9))
        case_services.case_accept(case=case, by=t.officer)
        case_services.case_escalate(case=case, by=t.officer, note="需村站协调")
    assert Delivery.objects.count() == 1
    with pytest.raises(CaseError) as err:
        services.channel_config_delete(by=t.admin_user, config=config)
    assert "停用" in err.value.message


def test_the_test_message_reports_success_or_the_error(t, receiver):
    config = services.channel_config_create(
        by=t.admin_user, unit=t.center, kind="webhook", target=receiver.url(), secret=WEBHOOK_SECRET
    )
    assert services.channel_config_test(by=t.admin_user, config=config) is None
    assert receiver.requests[0].json()["title"] == "【测试】gridcase 通知渠道测试"
    receiver.status = 403
    assert "HTTP 403" in services.channel_config_test(by=t.admin_user, config=config)


@time_machine.travel(local(2026, 10, 12, 11), tick=False)
def test_the_inbox_counts_unread_and_marks_read(t, django_assert_num_queries):
    cases = []
    for _ in range(3):
        case = submitted_case(t, local(2026, 10, 12, 9))
        case_services.case_accept(case=case, by=t.officer)
        case_services.case_escalate(case=case, by=t.officer, note="需村站协调")
        cases.append(case)
    with django_assert_num_queries(1):
        assert selectors.unread_count(t.station_user) == 3
    with django_assert_num_queries(1):
        items = list(selectors.inbox_for(t.station_user))
        assert [i.notification.case.number for i in items] == [c.number for c in reversed(cases)]
    assert selectors.unread_count(t.officer) == 0
    # Nobody marks another person's items read.
    assert services.inbox_mark_read(user=t.center_user, item_ids=[items[0].pk]) == 0
    assert services.inbox_mark_read(user=t.station_user, item_ids=[items[0].pk]) == 1
    assert services.inbox_mark_case_read(user=t.station_user, case_id=cases[0].pk) == 1
    assert selectors.unread_count(t.station_user) == 1
    assert [i.pk for i in selectors.inbox_for(t.station_user, unread_only=True)] == [items[1].pk]
    assert services.inbox_mark_all_read(user=t.station_user) == 1
    assert selectors.unread_count(t.station_user) == 0
    assert InboxItem.objects.filter(read_at__isnull=True).count() == 0


def test_the_worker_command_runs_a_scan_and_a_sweep_once(t, receiver, capsys):
    from datetime import date

    config = services.channel_config_create(
        by=t.admin_user,
        unit=t.station,
        kind="webhook",
        target=receiver.url(),
        secret=WEBHOOK_SECRET,
    )
    with time_machine.travel(local(2026, 9, 28, 9), tick=False):
        case = submitted_case(t, local(2026, 9, 28, 9))
        case_services.case_accept(case=case, by=t.officer)
        case_services.case_escalate(case=case, by=t.officer, note="需村站协调")
    assert case.accept_due == date(2026, 9, 30)
    with time_machine.travel(local(2026, 9, 29, 9), tick=False):
        call_command("worker", "--once")
    out = capsys.readouterr().out
    assert "'yellow': 1" in out and "'sent': 2" in out
    kinds = sorted(r.json()["kind"] for r in receiver.requests)
    assert kinds == ["escalate", "yellow"]
    assert config.deliveries.filter(status="sent").count() == 2
