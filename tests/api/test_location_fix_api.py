"""The location fix over HTTP: a field terminal states the accuracy and the mock provider; the
API keeps them, returns them, and names the field it cannot read."""

from __future__ import annotations

import pytest

from gridcase.cases.models import Case
from tests.api.conftest import device_client


def test_the_fix_is_kept_and_returned(t):
    client = device_client(t.officer)
    created = client.post(
        "/api/v1/cases/",
        {
            "category": "dispute",
            "latitude": 28.123456,
            "longitude": 112.654321,
            "location_accuracy": 0,
            "location_mock": True,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["location_accuracy"], body["location_mock"]) == (0, True)
    case = Case.objects.get(number=body["number"])
    assert (case.location_accuracy, case.location_mock) == (0, True)

    patched = client.patch(
        f"/api/v1/cases/{case.number}/",
        {"location_accuracy": 7.5, "location_mock": False},
        format="json",
    )
    assert patched.status_code == 200, patched.content
    assert (patched.json()["location_accuracy"], patched.json()["location_mock"]) == (7.5, False)


def test_without_a_fix_the_fields_are_unknown(t):
    body = device_client(t.officer).post("/api/v1/cases/", {}, format="json").json()
    assert (body["location_accuracy"], body["location_mock"]) == (None, False)


@pytest.mark.parametrize(
    "field,value",
    [("location_accuracy", -1), ("location_accuracy", "near"), ("location_mock", "maybe")],
)
def test_a_bad_fix_is_refused_naming_its_field(t, field, value):
    response = device_client(t.officer).post("/api/v1/cases/", {field: value}, format="json")
    assert response.status_code == 400
    assert field in str(response.json())
    assert not Case.objects.exists()
