"""WeCom (企业微信) group robot: a markdown message POSTed to the robot's webhook URL.

The URL carries the robot's key (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…);
WeCom robots have no signing secret. The answer is {"errcode": 0, "errmsg": "ok"}.
"""

from __future__ import annotations

from .http import post_json, robot_result
from .message import Message

# WeCom limits a markdown message to 4096 bytes (UTF-8).
MAX_BYTES = 4096
# 93000: the webhook URL is invalid (robot removed or key wrong).
PERMANENT_CODES = (93000,)


def truncate_bytes(text: str, limit: int) -> str:
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text
    return raw[: limit - 3].decode("utf-8", "ignore") + "…"


def payload(message: Message) -> dict:
    head = f"**{message.title}**"
    if message.major:
        head = f'<font color="warning">【重大】</font>{head}'
    link = f"[查看详情]({message.link})"
    room = MAX_BYTES - len(f"{head}\n\n{link}".encode()) - 2
    lines = truncate_bytes(message.body, room)
    content = f"{head}\n{lines}\n{link}"
    return {"msgtype": "markdown", "markdown": {"content": content}}


def send(*, target: str, secret: str, message: Message) -> None:
    _, body = post_json(target, payload(message))
    robot_result(body, permanent_codes=PERMANENT_CODES)
