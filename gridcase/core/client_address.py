"""The client's address: the one home for "who is on the other end of this request".

Sign-in limits (django-axes), the API's throttles and anything that records an address ask
here. `X-Forwarded-For` is believed only when the request comes from a trusted proxy
(`GRIDCASE_TRUSTED_PROXIES`): anyone can send that header, so trusting it from everyone would
let one client pretend to be a new address with every request. Behind trusted proxies the
header is read from the right, the end the proxies themselves wrote, and the first address
that is not a trusted proxy is the client; whatever the client wrote on the left is ignored.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_address(raw: str) -> Address | None:
    """An IP address, IPv4-mapped IPv6 written as IPv4; None for anything else."""
    try:
        address = ipaddress.ip_address(raw.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def _networks(configured: tuple[str, ...]) -> tuple[Network, ...]:
    # The setting was checked strictly when the settings were read (gridcase/settings.py).
    return tuple(ipaddress.ip_network(item) for item in configured)


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_address_of(
    remote_addr: str, forwarded_for: str, trusted: tuple[Network, ...]
) -> str | None:
    """The client's address from the peer's address and the `X-Forwarded-For` header."""
    peer = parse_address(remote_addr or "")
    if peer is None:
        return None
    if not _trusted(peer, trusted):
        return str(peer)
    nearest = peer
    for hop in reversed(forwarded_for.split(",") if forwarded_for else []):
        address = parse_address(hop)
        if address is None:
            # A trusted proxy never writes a malformed hop: stop at the last one it vouched for.
            break
        if not _trusted(address, trusted):
            return str(address)
        nearest = address
    return str(nearest)


def client_address(request) -> str | None:
    """The address of the client of a Django (or DRF) request; None when there is none
    (a request built in code, as `Client.force_login` does)."""
    request = getattr(request, "_request", request)  # DRF's Request wraps Django's
    meta = getattr(request, "META", {})
    return client_address_of(
        meta.get("REMOTE_ADDR", ""),
        meta.get("HTTP_X_FORWARDED_FOR", ""),
        _networks(tuple(getattr(settings, "GRIDCASE_TRUSTED_PROXIES", ()))),
    )
