"""The channels a notification goes out through.

The inbox (`inbox.py`) is written in the action's transaction and is always on. The push
channels (e-mail, WeCom and DingTalk group robots, a generic signed webhook) are configured
per unit (`ChannelConfig`) and sent by the worker: `send(channel, message)` either returns or
raises `ChannelError` (with `permanent=True` when retrying cannot help, e.g. a robot that
refuses the signature).
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from . import dingtalk, email, webhook, wecom
from .message import ChannelError, Message

PUSH_KINDS = ("email", "wecom", "dingtalk", "webhook")


def _senders() -> dict[str, Callable]:
    # Looked up at each send, so that a test may replace one channel's `send`.
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
        raise ChannelError(_("未知的渠道类型:%(kind)s") % {"kind": kind}, permanent=True)
    sender(target=target, secret=secret, message=message)
