"""Push channels never make the server call itself, unless the administrator allows it."""

from __future__ import annotations

import ipaddress

import pytest
import time_machine

from gridcase.cases.errors import CaseError
from gridcase.notify import delivery, services
from gridcase.notify.channels.destinations import refusal
from gridcase.notify.models import Delivery
from tests.factories import local

from .conftest import webhook_for
from .test_delivery import emit_many

LOOPBACK = [ipaddress.ip_network("127.0.0.0/8")]


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1", "0.0.0.0", "::", "169.254.169.254"]
    + ["fe80::1%eth0", "fe80::1"],
)
def test_loopback_unspecified_and_link_local_addresses_are_refused(address):
    assert "GRIDCASE_WEBHOOK_ALLOW" in refusal(address, [])


@pytest.mark.parametrize("address", ["10.2.3.4", "192.168.1.20", "172.16.0.9", "202.96.1.1"])
def test_intranet_and_public_addresses_are_allowed(address):
    assert refusal(address, []) is None


def test_the_allow_list_opens_exactly_what_it_names():
    assert refusal("127.0.0.1", LOOPBACK) is None
    assert refusal("::ffff:127.0.0.2", LOOPBACK) is None
    assert refusal("::1", LOOPBACK) is not None
    assert refusal("169.254.169.254", LOOPBACK) is not None


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "https://LOCALHOST:8443/",
        "http://[::1]/x",
        "http://169.254.169.254/latest/meta-data",
        "http://0.0.0.0:6379/",
    ],
)
def test_an_administrator_cannot_point_a_channel_at_the_server(t, settings, target):
    settings.GRIDCASE_WEBHOOK_ALLOW = []
    with pytest.raises(CaseError) as caught:
        services.channel_config_create(
            by=t.admin_user, unit=t.office, kind="webhook", target=target, secret="s" * 20
        )
    assert "GRIDCASE_WEBHOOK_ALLOW" in caught.value.fields["target"][0]


def test_an_intranet_receiver_is_accepted(t, settings):
    settings.GRIDCASE_WEBHOOK_ALLOW = []
    config = services.channel_config_create(
        by=t.admin_user,
        unit=t.office,
        kind="webhook",
        target="http://10.8.0.5/hook",
        secret="s" * 20,
    )
    assert config.pk


def test_an_address_that_connects_to_loopback_is_refused_before_anything_is_sent(
    t, settings, receiver
):
    # A channel stored before the rule (or a name resolving to 127.0.0.1) still reaches the
    # connection: the worker judges the address it connected to and sends nothing.
    with time_machine.travel(local(2026, 10, 12, 10), tick=False):
        webhook_for(t.office, receiver)
        settings.GRIDCASE_WEBHOOK_ALLOW = []
        emit_many(t, 1)
        assert delivery.deliver_due() == {"failed": 1}
    assert receiver.requests == []
    assert "不允许推送到本机地址 127.0.0.1" in Delivery.objects.get().last_error


def test_with_loopback_allowed_the_same_channel_delivers(t, receiver):
    with time_machine.travel(local(2026, 10, 12, 10), tick=False):
        webhook_for(t.office, receiver)
        emit_many(t, 1)
        assert delivery.deliver_due() == {"sent": 1}
    assert len(receiver.requests) == 1
