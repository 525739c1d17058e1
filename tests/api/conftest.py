"""Fixtures of the API tests: a frozen clock and a client per person (a device token each)."""

from __future__ import annotations

import pytest
import time_machine
from rest_framework.test import APIClient

from gridcase.api.models import ApiToken
from tests.factories import local

NOW = local(2026, 10, 14, 10)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def device_client(user, scope: str = "write") -> APIClient:
    _, key = ApiToken.issue(kind=ApiToken.Kind.DEVICE, user=user, name="测试设备", scope=scope)
    return token_client(key)


def system_client(town, scope: str = "read") -> APIClient:
    _, key = ApiToken.issue(kind=ApiToken.Kind.SYSTEM, town=town, name="省平台", scope=scope)
    return token_client(key)


@pytest.fixture
def as_user():
    """as_user(t.officer) -> an APIClient authenticated by that person's device token."""
    return device_client


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def png(name: str = "现场.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PNG, content_type="image/png")
