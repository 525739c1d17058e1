"""The site's icon: browsers ask for /favicon.ico whatever the page links, so it is served at the
root (WhiteNoise's WHITENOISE_ROOT), to anyone, without signing in; the pages link the SVG."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_favicon_ico_is_served_at_the_root_without_signing_in(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file's header


def test_pages_link_the_svg_icon(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'rel="icon"' in html and "favicon.svg" in html
    assert finders.find("web/favicon.svg") and finders.find("web/apple-touch-icon.png")
