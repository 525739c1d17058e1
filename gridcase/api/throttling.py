"""The API's throttles count per client address as the rest of gridcase sees it.

DRF's own `get_ident` believes `X-Forwarded-For` from anyone (or trusts a fixed number of
proxies); `gridcase.core.client_address` believes it only from the configured proxies.
"""

from __future__ import annotations

from rest_framework.throttling import ScopedRateThrottle

from gridcase.core.client_address import client_address


class ClientAddressMixin:
    def get_ident(self, request) -> str:
        return client_address(request) or "unknown"


class ScopedAddressThrottle(ClientAddressMixin, ScopedRateThrottle):
    """`ScopedRateThrottle` keyed by the client's address."""
