"""A bounded fuzz run of the whole published schema (schemathesis, in-process over WSGI).

Every operation of /api/schema/ gets generated requests — valid and invalid — sent as an
officer's device token. No answer may be a 500, and every answer must be one the schema
documents: its status code, its content type, its headers and its body.

Bounded for CI: GRIDCASE_FUZZ_EXAMPLES examples per operation (default 15) and a total time
budget of GRIDCASE_FUZZ_SECONDS (default 240); operations left when the budget is spent are
skipped with that reason. GRIDCASE_FUZZ=0 skips the run.
"""

from __future__ import annotations

import os
import time

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis import checks

from gridcase.api.models import ApiToken
from tests.factories import local, make_town, submitted_case

EXAMPLES = int(os.environ.get("GRIDCASE_FUZZ_EXAMPLES", "15"))
BUDGET = float(os.environ.get("GRIDCASE_FUZZ_SECONDS", "240"))
STARTED: list[float] = []

pytestmark = pytest.mark.skipif(os.environ.get("GRIDCASE_FUZZ") == "0", reason="GRIDCASE_FUZZ=0")

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture
def world(db):
    """A town, an officer's token, and one case, so that generated paths can reach real rows."""
    t = make_town()
    case = submitted_case(t, local(2026, 10, 12, 9))
    _, key = ApiToken.issue(kind="device", user=t.officer, name="fuzz", scope="write")
    # The test database lives in one transaction: the WSGI handler must not close it.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {"key": key, "number": case.number, "town": t.town.code}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Loaded when the module is collected: serving the schema touches no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_500_and_every_answer_matches_the_schema(case, world):
    if not STARTED:
        STARTED.append(time.monotonic())
    if time.monotonic() - STARTED[0] > BUDGET:
        pytest.skip(f"fuzz time budget of {BUDGET:.0f}s spent")
    # Random case numbers only ever meet a 404: aim most requests at a real case instead.
    params = case.path_parameters or {}
    if "number" in params or "id" in params and "open311" in case.path:
        params["number" if "number" in params else "id"] = world["number"]
    if "code" in params and "/org/towns/" in case.path:
        params["code"] = world["town"]
    case.call_and_validate(headers={"Authorization": f"Token {world['key']}"}, checks=CHECKS)
