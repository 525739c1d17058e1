"""What anyone reaching the server sees: security headers on every page, uploaded files only
through the scoped views (never a /media/ URL, in any mode), and Chinese error pages — never
Django's debug pages — with debug off, as `gridcase serve` runs by default."""

import importlib
import io
import re
from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.urls import clear_url_caches, path
from django.views import defaults

import gridcase
from gridcase.cases import attachments
from tests.factories import local, submitted_case

pytestmark = pytest.mark.django_db

TEMPLATES = sorted(Path(gridcase.__file__).parent.rglob("templates/**/*.html"))


def png():
    upload = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    upload.name = "photo.png"
    upload.size = 72
    return upload


def test_pages_carry_the_security_headers(login, t, frozen):
    for response in (Client().get("/accounts/login/"), login(t.officer).get("/")):
        assert response.status_code == 200
        csp = dict(
            (d.split(" ")[0], d.split(" ")[1:])
            for d in response["Content-Security-Policy"].split("; ")
        )
        assert csp["script-src"] == ["'self'"]
        assert csp["style-src"] == ["'self'"]
        assert csp["object-src"] == ["'none'"]
        assert csp["frame-ancestors"] == ["'none'"]
        assert response["Referrer-Policy"] == "same-origin"
        policy = dict(p.split("=") for p in response["Permissions-Policy"].split(", "))
        assert policy["geolocation"] == "(self)"
        assert policy["camera"] == "(self)"
        assert policy["microphone"] == "()"
        assert policy["payment"] == "()"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(p.parents[2])))
def test_no_template_has_inline_script_handlers_or_styles(template):
    html = re.sub(
        r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", "", template.read_text(), flags=re.S
    )
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert not re.search(r"\sstyle\s*=", html), "style attribute"
    assert "<style" not in html, "<style> element"
    assert "javascript:" not in html


def test_the_api_docs_load_their_script_from_a_file():
    client = Client()
    html = client.get("/api/docs/").content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_redoc_alone_may_use_inline_styles():
    response = Client().get("/api/docs/redoc/")
    assert "style-src 'self' 'unsafe-inline'" in response["Content-Security-Policy"]
    assert "script-src 'self';" in response["Content-Security-Policy"] + ";"


@pytest.mark.parametrize("debug", [False, True], ids=["debug off", "debug on"])
def test_uploaded_files_have_no_url_in_any_mode(settings, login, t, frozen, debug):
    case = submitted_case(t, local(2026, 10, 13, 9))
    attachment = attachments.case_attach(case=case, by=t.officer, upload=png())
    settings.DEBUG = debug
    import gridcase.urls

    importlib.reload(gridcase.urls)  # the URLs as they are built in this mode
    clear_url_caches()
    try:
        stored = f"/media/{attachment.file.name}"
        assert Path(settings.MEDIA_ROOT, attachment.file.name).exists()
        assert Client().get(stored).status_code in (302, 404)
        assert login(t.officer).get(stored).status_code == 404
        page = login(t.officer).get(f"/cases/{case.number}/").content.decode()
        assert "/media/" not in page
        assert f"/cases/{case.number}/files/{attachment.pk}/" in page
    finally:
        settings.DEBUG = False
        importlib.reload(gridcase.urls)
        clear_url_caches()


def test_a_mistyped_case_number_shows_the_chinese_404_page(login, t, frozen):
    for url in ("/cases/CT-2026-99999/", "/no-such-page/"):
        response = login(t.officer).get(url)
        html = response.content.decode()
        assert response.status_code == 404
        assert "找不到页面" in html
        assert "URLconf" not in html and "Page not found" not in html


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom)]


@pytest.mark.urls(__name__)
def test_a_server_error_shows_the_chinese_500_page(django_assert_num_queries):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "服务器出错" in html and "a bug" not in html and "Traceback" not in html
    assert "Content-Security-Policy" in response
    # Drawn without the database: it must work when the database is what failed.
    with django_assert_num_queries(0):
        assert "服务器出错" in defaults.server_error(RequestFactory().get("/")).content.decode()


def test_a_bad_request_shows_the_chinese_400_page():
    response = Client().get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert "请求有误" in response.content.decode()


def test_the_403_page_is_chinese(login, t, frozen):
    response = login(t.admin_user).get("/cases/new/")  # the administrator enters no cases
    assert response.status_code == 403
    assert "不能访问" in response.content.decode()
