"""Where a push channel may point: never at the server itself unless the administrator says so.

A town administrator configures webhook and robot addresses. Without this rule they could make
the server POST to its own loopback services (the database's HTTP admin, Redis, the app's
internal ports) or to the link-local cloud metadata address. Private networks stay allowed:
a town's receivers usually live on the government intranet (10.x, 192.168.x).

The rule is checked twice: on the address as typed (an IP literal or `localhost`, so the
administrator is told at once), and on the address actually connected to (so a host name that
resolves to 127.0.0.1, or changes its answer later, is refused before any request is sent).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.utils.translation import gettext as _

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def refusal(address: str, allowed: Iterable[IPNetwork]) -> str | None:
    """Why `address` (an IP) must not be called, in the active language; None when it may be."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in network for network in allowed):
        return None
    if ip.is_loopback or ip.is_unspecified:
        return _(
            "不允许推送到本机地址 %(ip)s(如确需使用,请由系统管理员在服务器上设置 "
            "GRIDCASE_WEBHOOK_ALLOW)"
        ) % {"ip": ip}
    if ip.is_link_local:
        return _(
            "不允许推送到链路本地地址 %(ip)s(如确需使用,请由系统管理员在服务器上设置 "
            "GRIDCASE_WEBHOOK_ALLOW)"
        ) % {"ip": ip}
    return None


def allowed_networks() -> list[IPNetwork]:
    return settings.GRIDCASE_WEBHOOK_ALLOW


def host_refusal(host: str) -> str | None:
    """The rule applied to a host as typed: IP literals and `localhost` are judged at once;
    other names are judged when the worker connects (see `http.py`)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        host = "127.0.0.1"
    try:
        return refusal(host, allowed_networks())
    except ValueError:
        return None  # a name, not an address
