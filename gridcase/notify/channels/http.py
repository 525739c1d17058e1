"""A small JSON POST over the standard library: no redirects, a timeout, errors in words."""

from __future__ import annotations

import errno
import http.client
import json
import socket
import ssl
import urllib.error
import urllib.request
from typing import Any

from django.utils.translation import gettext as _

from .destinations import allowed_networks, refusal
from .message import ChannelError

TIMEOUT_SECONDS = 10
USER_AGENT = "gridcase-notify/1.0"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirected POST would be re-sent as a GET without its body: count it as a failure.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class _Refused(OSError):
    pass


def _check_peer(connection: http.client.HTTPConnection) -> None:
    # Judge the address really connected to, after DNS: a name that resolves to 127.0.0.1
    # (or starts to, later) is refused before a byte of the request is sent.
    reason = refusal(connection.sock.getpeername()[0], allowed_networks())
    if reason:
        connection.close()
        raise _Refused(reason)


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def connect(self):
        super().connect()
        _check_peer(self)


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def connect(self):
        super().connect()
        _check_peer(self)


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_GuardedHTTPConnection, req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_GuardedHTTPSConnection, req, context=self._context)


_opener = urllib.request.build_opener(_NoRedirect, _GuardedHTTPHandler, _GuardedHTTPSHandler)


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """POST `body`; return (status, response body) for a 2xx answer, else ChannelError."""
    all_headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
    all_headers.update(headers or {})
    request = urllib.request.Request(url, data=body, headers=all_headers, method="POST")
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, response.read(65536)
    except urllib.error.HTTPError as exc:
        detail = exc.read(300).decode("utf-8", "replace") if exc.fp else ""
        # 4xx (other than 408/429) will not heal by itself: the address or secret is wrong.
        permanent = 400 <= exc.code < 500 and exc.code not in (408, 425, 429)
        raise ChannelError(f"HTTP {exc.code}: {detail}".strip(), permanent=permanent) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, _Refused):
            # The address will not become allowed by waiting: the administrator must act.
            raise ChannelError(str(reason), permanent=True) from None
        raise ChannelError(
            _("无法连接 %(host)s:%(reason)s") % {"host": _host(url), "reason": in_words(reason)}
        ) from None


def in_words(reason: object) -> str:
    """A network failure as the administrator reads it (in the active language), with what to
    check; the
    system's own words only for a failure not named here."""
    if isinstance(reason, ConnectionRefusedError):
        return _("对方拒绝连接(地址或端口不对,或接收方服务未运行)")
    if isinstance(reason, TimeoutError | socket.timeout):
        return _("%(n)s 秒内没有响应(网络不通或接收方过忙)") % {"n": TIMEOUT_SECONDS}
    if isinstance(reason, socket.gaierror):
        return _("找不到该主机名(域名无法解析,请检查地址或本机的 DNS 设置)")
    if isinstance(reason, ssl.SSLError):
        return _("加密连接(HTTPS)失败,请检查对方证书")
    if isinstance(reason, ConnectionResetError | ConnectionAbortedError):
        return _("连接被对方中断")
    if isinstance(reason, OSError) and reason.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return _("网络不可达(本机到对方没有路由)")
    return _("网络错误(%(reason)s)") % {"reason": reason}


def post_json(url: str, payload: Any, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    return post(url, dumps(payload), headers)


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def robot_result(body: bytes, *, permanent_codes: tuple[int, ...]) -> None:
    """WeCom and DingTalk answer 200 with {"errcode": 0} on success, another code otherwise.

    Codes that say the robot's address or security setting is wrong fail at once (the
    administrator must fix the channel); any other code (rate limits, busy) is retried.
    """
    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        raise ChannelError(
            _("机器人返回了无法识别的内容:%(body)s") % {"body": repr(body[:200])}
        ) from None
    code = answer.get("errcode", 0)
    if code != 0:
        message = (
            _("机器人拒绝了消息:errcode=%(code)s %(message)s")
            % {"code": code, "message": answer.get("errmsg", "")}
        ).strip()
        raise ChannelError(message, permanent=code in permanent_codes)


def _host(url: str) -> str:
    return urllib.request.urlparse(url).netloc or url
