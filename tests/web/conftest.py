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
