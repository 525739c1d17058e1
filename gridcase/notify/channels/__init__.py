"""The channels a notification goes out through.

The inbox (`inbox.py`) is written in the action's transaction and is always on. The push
channels (e-mail, WeCom and DingTalk group robots, a generic signed webhook) are configured
per unit (`ChannelConfig`) and sent by the worker: `send(channel, message)` either returns or
raises `ChannelError` (with `permanent=True` when retrying cannot help, e.g. a robot that
refuses the signature).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PUSH_KINDS = ("email", "wecom", "dingtalk", "webhook")


class ChannelError(Exception):
    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.message = message
        self.permanent = permanent


@dataclass(frozen=True)
class Message:
    """What a channel needs to send one notification (built from a Notification row)."""

    uid: str
    kind: str
    kind_label: str
    town: str
    title: str
    body: str
    link: str
    major: bool
    created_at: str
    case: dict[str, Any] | None = None
    data: dict[str, Any] = field(default_factory=dict)
    delivery_id: int | None = None

    def text(self) -> str:
        """Plain text: the title, the body, the link (e-mail, inbox)."""
        return f"{self.title}\n\n{self.body}\n\n查看详情:{self.link}"


def _senders() -> dict[str, Callable]:
    from . import dingtalk, email, webhook, wecom

    return {
        "email": email.send,
        "wecom": wecom.send,
        "dingtalk": dingtalk.send,
        "webhook": webhook.send,
    }


def send(*, kind: str, target: str, secret: str, message: Message) -> None:
    """Send `message` through a channel of `kind` at `target`; ChannelError if it did not go."""
    sender = _senders().get(kind)
    if sender is None:
        raise ChannelError(f"未知的渠道类型:{kind}", permanent=True)
    sender(target=target, secret=secret, message=message)
