"""平安通, the grid officer's offline field terminal (issue 12): the app shell, its service
worker and its web manifest.

The terminal is a page of plain ES modules (static/field/) that talks to the REST API with a
device token (docs: FIELD_PROTOCOL, "the sync contract") and keeps its drafts, queue and photos
in IndexedDB. Nothing on these three URLs depends on who asks: the shell is cached by the
service worker and shown offline to whoever holds the phone, so it carries no person's data,
no session and no CSRF token (the API is called with `Authorization: Token`, never the session).

The service worker's cache is named after a digest of every file it precaches (and of the
templates it renders), so a deploy that changes any of them installs a new worker, which fills
a new cache and drops the old one.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gridcase.cases import elements
from gridcase.cases.models import Category

SCOPE = "/field/"

# The static files of the shell, precached by the service worker (besides the page and the
# manifest). The modules import each other by relative URLs, which resolve to these.
SHELL_STATIC = (
    "field/app.js",
    "field/db.js",
    "field/sync.js",
    "field/photos.js",
    "field/place.js",
    "field/field.css",
    "field/icons/icon-192.png",
    "field/icons/icon-512.png",
    "vendor/idb/idb.js",
    "web/workbench.css",
    "web/favicon.svg",
    "web/apple-touch-icon.png",
)
TEMPLATES = ("field/app.html", "field/sw.js")

# What the modules say, in the page's language (json_script): the cached shell carries them,
# so the terminal speaks the officer's language offline too.
TEXTS = {
    "state_draft": gettext_lazy("草稿"),
    "state_queued": gettext_lazy("待发送"),
    "state_sending": gettext_lazy("发送中"),
    "state_sent": gettext_lazy("已发送"),
    "state_incomplete": gettext_lazy("需补充"),
    "state_conflict": gettext_lazy("冲突"),
    "state_auth": gettext_lazy("等待登录"),
    "state_refused": gettext_lazy("被拒绝"),
    "pending": gettext_lazy("待发送 %(n)s"),
    "online": gettext_lazy("在线"),
    "offline": gettext_lazy("离线:录入的事件保存在本机,有网络时自动发送"),
    "last_sync": gettext_lazy("最后同步于 %(time)s"),
    "never_synced": gettext_lazy("尚未同步"),
    "signed_in_as": gettext_lazy("已登录:%(name)s"),
    "sign_in_again": gettext_lazy(
        "登录已失效(过期或被撤销)。待发送的事件都保留在本机,请重新登录,登录后自动继续发送。"
    ),
    "sign_in_failed": gettext_lazy("登录失败:%(message)s"),
    "sign_in_offline": gettext_lazy("登录需要网络,请在有信号的地方登录"),
    "saved_draft": gettext_lazy("草稿已保存在本机"),
    "queued": gettext_lazy("已放入待发送,有网络时自动发送"),
    "number": gettext_lazy("编号 %(number)s"),
    "accept_due": gettext_lazy("受理期限 %(date)s"),
    "handle_due": gettext_lazy("办结期限 %(date)s"),
    "missing": gettext_lazy("提交被退回,请补充以下要素后重新发送:"),
    "conflict_client_id": gettext_lazy(
        "冲突:服务器上已有用这台设备的同一编号录入、内容不同的事件,本机的内容没有覆盖它。"
    ),
    "conflict_stale": gettext_lazy(
        "冲突:这件事件在服务器上已被修改,本机的修改没有覆盖它。请核对后重新编辑再发送。"
    ),
    "refused": gettext_lazy("服务器拒绝:%(message)s"),
    "retry_at": gettext_lazy("网络不通,%(seconds)s 秒后自动重试"),
    "edit": gettext_lazy("编辑"),
    "resend": gettext_lazy("重新发送"),
    "delete": gettext_lazy("删除"),
    "delete_confirm": gettext_lazy("确定从本机删除这件事件和它的照片?删除后不能恢复。"),
    "delete_yes": gettext_lazy("确认删除"),
    "cancel": gettext_lazy("取消"),
    "photos": gettext_lazy("照片 %(sent)s/%(total)s 已上传"),
    "photo_too_big": gettext_lazy("照片“%(name)s”无法压缩到 500 KB 以内,未保存"),
    "photo_not_image": gettext_lazy("“%(name)s”不是图片,未保存"),
    "locating": gettext_lazy("正在定位…"),
    "located": gettext_lazy("已定位:纬度 %(lat)s,经度 %(lon)s,精度 %(acc)s 米"),
    "locate_failed": gettext_lazy("定位失败:%(message)s。可手动填写发生地点"),
    "accuracy_zero": gettext_lazy(
        "注意:定位精度为 0 米,真实的卫星定位不会如此,可能来自模拟定位;将如实上报并被标记为可疑。"
    ),
    "no_cases": gettext_lazy("没有事件"),
    "no_follow_ups": gettext_lazy("没有到期的回访"),
    "follow_up_due": gettext_lazy("回访期限 %(date)s"),
    "nothing_pending": gettext_lazy("没有待发送的事件"),
    "storage_not_persisted": gettext_lazy(
        "浏览器未同意持久保存本机数据:存储紧张时可能被清除,请尽快在有网络时发送"
    ),
    "party_name": gettext_lazy("当事人姓名"),
    "party_phone": gettext_lazy("联系电话"),
    "remove_party": gettext_lazy("移除这位当事人"),
    "updated": gettext_lazy("终端已更新,下次打开时使用新版本"),
    "form_empty": gettext_lazy("请至少填写一项内容再保存"),
    "too_late": gettext_lazy("这件事件已经发送(或正在发送),本次修改没有保存"),
}


@cache
def shell_version() -> str:
    """A digest of everything the service worker precaches: a changed file is a new cache."""
    digest = hashlib.sha256()
    template_dir = Path(__file__).resolve().parents[1] / "templates"
    for name in SHELL_STATIC:
        found = finders.find(name)
        digest.update(name.encode())
        digest.update(Path(str(found)).read_bytes() if found else b"missing")
    for name in TEMPLATES:
        digest.update((template_dir / name).read_bytes())
    return digest.hexdigest()[:16]


def _send_concurrency() -> int:
    """How many cases the terminal sends at once: a few, so that a slow network's latency
    overlaps (a browser opens up to six connections to one host: the setting's bounds). Tests
    on SQLite's shared in-memory connection set 1 (Django's live server shares one connection
    between threads)."""
    return settings.GRIDCASE_FIELD_SEND_CONCURRENCY


def _config() -> dict:
    return {
        "concurrency": _send_concurrency(),
        "version": shell_version(),
        "cache": f"pingantong-{shell_version()}",
        "api": "/api/v1/",
        "sw": reverse("web:field_sw"),
        "scope": SCOPE,
        "language": get_language(),
        "texts": {key: str(text) for key, text in TEXTS.items()},
        # The elements' names as the API's refusals name them (fields → label).
        "labels": {field: _(label) for field, label in elements.LABELS.items()}
        | {"title": _("标题"), "category": _("事件类别"), "latitude": _("位置坐标")},
        "categories": [[value, str(label)] for value, label in Category.choices],
    }


@require_GET
def app(request: HttpRequest) -> HttpResponse:
    """The shell: the same page for everyone (no session), cached by the service worker."""
    response = render(request, "field/app.html", {"config": _config()})
    # The page is revalidated by the service worker; a browser without one asks each time.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, scoped to /field/; never cached by HTTP, so an update is seen at the
    browser's next check (the Service Worker spec's update check bypasses caches too)."""
    shell = [SCOPE, reverse("web:field_manifest")] + [static(name) for name in SHELL_STATIC]
    source = render_to_string(
        "field/sw.js",
        {"cache_name": json.dumps(f"pingantong-{shell_version()}"), "shell": json.dumps(shell)},
    )
    response = HttpResponse(source, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = SCOPE
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    data = {
        "name": _("平安通"),
        "short_name": _("平安通"),
        "description": _("网格员离线采集终端:没有信号也能录入事件和照片,有网络时自动发送"),
        "lang": get_language(),
        "id": SCOPE,
        "start_url": SCOPE,
        "scope": SCOPE,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#b3261e",
        "icons": [
            {"src": static("field/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("field/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("field/icons/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
            {"src": static("web/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "no-cache"
    return response
