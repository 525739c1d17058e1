"""Fixtures shared by the cases' tests."""

import pytest
import time_machine

from tests.factories import local


@pytest.fixture
def frozen():
    """A Wednesday mid-morning in October 2026, China time: the searches' day."""
    with time_machine.travel(local(2026, 10, 14, 10), tick=False):
        yield
