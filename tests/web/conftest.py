import pytest
import time_machine

from tests.factories import local

# Wednesday 14 October 2026, 10:00 in Shanghai: after the National Day holiday.
NOW = local(2026, 10, 14, 10)


@pytest.fixture
def frozen():
    """The workbench's tests run at a fixed instant (lights and deadlines depend on today)."""
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files go to a temporary directory, never the data directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def layout_queries():
    """The queries the shared layout (base.html and its context processors) makes for a user,
    beyond the session, the user and their roles: page tests pin their own queries plus this,
    so a header feature of another part (say, an unread count) does not unpin them."""
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from gridcase.org.selectors import roles_in_force

    def count(user=None) -> int:
        request = RequestFactory().get("/")
        request.user = user or AnonymousUser()
        if user is not None:
            roles_in_force(user)  # loaded by every page's view already
        with CaptureQueriesContext(connection) as ctx:
            render_to_string("base.html", request=request)
        return len(ctx)

    return count
