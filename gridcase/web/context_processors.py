"""Values every page's header needs."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from gridcase.notify.selectors import unread_count


def inbox(request: HttpRequest) -> dict:
    """The unread count for the header's inbox link: one indexed COUNT, run only when a page
    actually shows it (not for redirects or downloads), and none for anonymous visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": SimpleLazyObject(lambda: unread_count(user))}
