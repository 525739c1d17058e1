"""平安通's three URLs (gridcase.web.views.field): the shell page, the service worker and the
manifest — their types, caching headers, scope, and that the shell carries no person's data."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from gridcase.web.views import field

pytestmark = pytest.mark.django_db


def test_the_service_worker_is_javascript_scoped_to_field_and_never_cached(client):
    response = client.get("/field/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/field/"
    assert "no-cache" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    source = response.content.decode()
    cache_name = json.loads(re.search(r"const CACHE = (\"[^\"]+\");", source).group(1))
    assert cache_name == f"pingantong-{field.shell_version()}"
    shell = json.loads(re.search(r"const SHELL = (\[[^\]]+\]);", source).group(1))
    assert shell[:2] == ["/field/", "/field/manifest.webmanifest"]
    # Every precached file exists: one missing would make the worker's install fail.
    for url in shell[2:]:
        assert url.startswith("/static/") and finders.find(url.removeprefix("/static/")), url
    assert "/static/vendor/idb/idb.js" in shell and "/static/field/sync.js" in shell
    # Never a POST from the cache; the API is not among the cached URLs.
    assert 'request.method !== "GET"' in source
    assert not any(url.startswith("/api/") for url in shell)


def test_the_service_worker_is_get_only(client):
    assert client.post("/field/sw.js").status_code == 405


def test_the_manifest_names_the_terminal_its_scope_and_icons(client):
    response = client.get("/field/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == "平安通" and data["short_name"] == "平安通"
    assert data["start_url"] == data["scope"] == data["id"] == "/field/"
    assert data["display"] == "standalone"
    sizes = set()
    for icon in data["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon
        if icon["type"] == "image/png":
            width, height = Image.open(path).size
            assert icon["sizes"] == f"{width}x{height}"
            sizes.add(width)
    assert {192, 512} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in data["icons"])


def test_the_shell_is_the_same_for_everyone_and_carries_its_texts(client, django_user_model):
    anonymous = client.get("/field/")
    assert anonymous.status_code == 200
    assert anonymous["Cache-Control"] == "no-cache"
    html = anonymous.content.decode()
    assert '<link rel="manifest" href="/field/manifest.webmanifest">' in html
    assert 'type="module"' in html and "/static/field/app.js" in html
    # The only inline script is data (json_script), which the CSP does not run.
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline == [' id="field-config" type="application/json"']
    config = json.loads(re.search(r'id="field-config"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert config["texts"]["state_queued"] == "待发送"
    assert config["labels"]["course"] == "经过"
    assert config["cache"] == f"pingantong-{field.shell_version()}"
    assert "csrfmiddlewaretoken" not in html
    # Signed in to the workbench or not, the cached shell is the same page.
    user = django_user_model.objects.create_user(username="officer9", password="pw")
    client.force_login(user)
    assert client.get("/field/").content.decode() == html
    assert "script-src 'self'" in anonymous["Content-Security-Policy"]


def test_english_texts_follow_the_language_cookie(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/field/").content.decode()
    assert '<html lang="en">' in html


def test_a_changed_shell_file_is_a_new_cache(monkeypatch, tmp_path):
    before = field.shell_version()
    changed = tmp_path / "app.js"
    changed.write_text("// a new version")
    real = finders.find

    def find(name, *args, **kwargs):
        return str(changed) if name == "field/app.js" else real(name, *args, **kwargs)

    monkeypatch.setattr(field.finders, "find", find)
    field.shell_version.cache_clear()
    try:
        assert field.shell_version() != before
    finally:
        monkeypatch.undo()
        field.shell_version.cache_clear()
    assert field.shell_version() == before
