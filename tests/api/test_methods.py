"""A method an address does not have is 405 for everyone, before credentials or scope.

schemathesis's unsupported-method check sends TRACE (and the other methods a path lacks) with
whatever credentials it holds; the answer must be the same 405 whoever asks, not a 401 for a
stranger or a 403 for a read token or a bad api_key.
"""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import device_client, system_client

METHODS = ("get", "post", "put", "patch", "delete", "trace")
SAMPLE = {
    "number": "CT-2026-00001",
    "fmt": "json",
    "quarter": "2026-Q3",
    "code": "CT",
}


def _addresses() -> list[tuple[str, set[str]]]:
    schema = APIClient().get("/api/schema/?format=json").json()
    found = []
    for path, operations in schema["paths"].items():
        url = re.sub(r"\{(\w+)\}", lambda m: SAMPLE.get(m.group(1), "1"), path)
        found.append((url, {m for m in operations if m in METHODS}))
    return found


def test_every_missing_method_of_every_address_is_405_for_anyone(db, t):
    clients = {
        "anonymous": APIClient(),
        "officer": device_client(t.officer),
        "read system token": system_client(t.town, scope="read"),
    }
    addresses = _addresses()
    assert len(addresses) > 40
    for url, has in addresses:
        for method in sorted(set(METHODS) - has):
            for who, client in clients.items():
                response = client.generic(method.upper(), url)
                assert response.status_code == 405, (who, method, url, response.content)
                if url.startswith("/api/"):
                    assert response.json()["code"] == "method_not_allowed"
            bad_key = APIClient().generic(method.upper(), url + "?api_key=wrong")
            assert bad_key.status_code == 405, (method, url, bad_key.content)


@pytest.mark.parametrize("scope", ["read", "write"])
def test_trace_on_open311_is_405_with_any_api_key(db, t, scope):
    response = system_client(t.town, scope=scope).generic(
        "TRACE", "/open311/v2/requests.json?api_key=not-a-key"
    )
    assert response.status_code == 405
    assert response.json()[0]["code"] == 405
