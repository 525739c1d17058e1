"""A generic JSON webhook, signed with HMAC-SHA256 so the receiver knows it came from us.

Headers:
  X-Gridcase-Event: the notification kind (escalate, red, digest, …)
  X-Gridcase-Delivery: the delivery id (the same on every retry of one delivery)
  X-Gridcase-Timestamp: Unix seconds when the request was signed
  X-Gridcase-Signature: sha256=<hex of HMAC-SHA256(secret, f"{timestamp}.".encode() + body)>

A receiver recomputes the signature over the raw body, compares in constant time, refuses a
timestamp more than five minutes old, and drops a repeated `id` (a retry after a lost answer).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import asdict

from django.utils.translation import gettext as _

from .http import dumps, post
from .message import ChannelError, Message

TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secret: str, *, body: bytes, timestamp: str, signature_header: str, now: float | None = None
) -> bool:
    """What a receiver does (and what the tests do): check the signature and its age."""
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - ts) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(signature(secret, ts, body), signature_header or "")


def payload(message: Message) -> dict:
    data = asdict(message)
    data["id"] = data.pop("uid")
    data["text"] = data.pop("body")
    data.pop("delivery_id")
    return data


def send(*, target: str, secret: str, message: Message) -> None:
    if not secret:
        raise ChannelError(
            _("通用 Webhook 未设置签名密钥,请管理员在渠道配置中填写"), permanent=True
        )
    body = dumps(payload(message))
    ts = int(time.time())
    headers = {
        "X-Gridcase-Event": message.kind,
        "X-Gridcase-Delivery": str(message.delivery_id or ""),
        "X-Gridcase-Timestamp": str(ts),
        "X-Gridcase-Signature": signature(secret, ts, body),
    }
    post(target, body, headers)
