"""DingTalk (钉钉) group robot: a markdown message, signed when the robot uses 加签.

DingTalk's documented scheme: string_to_sign = f"{timestamp}\\n{secret}" with the timestamp in
milliseconds; sign = urlencode(base64(HMAC-SHA256(key=secret, msg=string_to_sign))); both are
appended to the webhook URL as `&timestamp=…&sign=…`. DingTalk refuses a timestamp more than
an hour off, so the signature is made at sending time, never stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse

from .http import post_json, robot_result
from .message import Message

# 310000: the robot's security settings refused the message (signature, keyword or IP);
# 300001: the access token does not exist (robot removed).
PERMANENT_CODES = (310000, 300001)


def sign(secret: str, timestamp_ms: int) -> str:
    """The `sign` query value (already URL-encoded)."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def signed_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    if not secret:
        return url
    if timestamp_ms is None:
        timestamp_ms = int(time.time() * 1000)
    joiner = "&" if urllib.parse.urlparse(url).query else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={sign(secret, timestamp_ms)}"


def payload(message: Message) -> dict:
    head = f"#### {'【重大】' if message.major else ''}{message.title}"
    # DingTalk markdown needs a blank line (or two trailing spaces) to break a line.
    lines = "\n\n".join(line for line in message.body.splitlines() if line.strip())
    text = f"{head}\n\n{lines}\n\n[查看详情]({message.link})"
    return {"msgtype": "markdown", "markdown": {"title": message.title, "text": text}}


def send(*, target: str, secret: str, message: Message) -> None:
    _, body = post_json(signed_url(target, secret), payload(message))
    robot_result(body, permanent_codes=PERMANENT_CODES)
