"""The client's address: X-Forwarded-For is believed only from trusted proxies, read from the
right; a malformed GRIDCASE_TRUSTED_PROXIES stops the start, naming the variable."""

from __future__ import annotations

import ipaddress

import pytest
from django.test import RequestFactory

from gridcase.core.client_address import client_address, client_address_of
from tests.core.test_settings import manage

PROXIES = (ipaddress.ip_network("10.0.0.0/24"), ipaddress.ip_network("fd00::/64"))


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        # Nobody trusted (the default): the peer is the client, whatever the header says.
        ("203.0.113.7", "198.51.100.1", (), "203.0.113.7"),
        ("203.0.113.7", "", (), "203.0.113.7"),
        # An untrusted peer cannot claim another address.
        ("203.0.113.7", "198.51.100.1", PROXIES, "203.0.113.7"),
        # Behind a trusted proxy: the address it saw.
        ("10.0.0.2", "198.51.100.1", PROXIES, "198.51.100.1"),
        # The client's own header is on the left; the proxy appended the real peer.
        ("10.0.0.2", "1.2.3.4, 198.51.100.1", PROXIES, "198.51.100.1"),
        # Two trusted proxies in a row are both skipped.
        ("10.0.0.2", "1.2.3.4, 198.51.100.1, 10.0.0.9", PROXIES, "198.51.100.1"),
        # A trusted proxy without a header: the proxy is all we know.
        ("10.0.0.2", "", PROXIES, "10.0.0.2"),
        # Garbage a trusted proxy vouches for: stop at the last address it vouched for.
        ("10.0.0.2", "nonsense, 10.0.0.9", PROXIES, "10.0.0.9"),
        # IPv6 proxies, and IPv4 written as IPv4-mapped IPv6.
        ("fd00::1", "2001:db8::5", PROXIES, "2001:db8::5"),
        ("::ffff:10.0.0.2", "198.51.100.1", PROXIES, "198.51.100.1"),
        ("::ffff:203.0.113.7", "", (), "203.0.113.7"),
        # No peer at all (a request made in code).
        ("", "198.51.100.1", PROXIES, None),
    ],
)
def test_the_client_address_is_read_from_the_right_behind_trusted_proxies(
    remote, forwarded, trusted, expected
):
    assert client_address_of(remote, forwarded, trusted) == expected


def test_the_setting_decides_whom_to_believe(settings):
    request = RequestFactory().post(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1"
    )
    settings.GRIDCASE_TRUSTED_PROXIES = ()
    assert client_address(request) == "10.0.0.2"
    settings.GRIDCASE_TRUSTED_PROXIES = ("10.0.0.0/24",)
    assert client_address(request) == "198.51.100.1"


@pytest.mark.parametrize("value", ["10.0.0.1/24", "10.0.0.300", "proxy.example", "10.0.0.0/33"])
def test_a_malformed_trusted_proxy_is_named(tmp_path, value):
    result = manage(
        "check", GRIDCASE_TRUSTED_PROXIES=f"127.0.0.1, {value}", GRIDCASE_DATA_DIR=str(tmp_path)
    )
    assert result.returncode != 0
    assert "GRIDCASE_TRUSTED_PROXIES" in result.stderr and value in result.stderr


def test_trusted_proxies_are_read_as_networks(tmp_path):
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; "
        "print([str(n) for n in settings.GRIDCASE_TRUSTED_PROXIES])",
        GRIDCASE_TRUSTED_PROXIES=" 10.0.0.5 , 192.168.0.0/16,::1,",
        GRIDCASE_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "['10.0.0.5/32', '192.168.0.0/16', '::1/128']"
