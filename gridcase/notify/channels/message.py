"""What every channel shares: the message it sends and the error it raises.

They live apart from the package's `__init__`, which imports every channel to choose among
them: a channel importing them from the package would make a circle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
