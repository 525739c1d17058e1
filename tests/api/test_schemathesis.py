"""schemathesis 4 over the whole published schema, in-process over WSGI, with every check.

Every operation of /api/schema/ gets generated requests — valid (positive) and invalid
(negative) — as an officer, the town center and the governance office (a device token each).
Every check schemathesis has runs (`call_and_validate` without a `checks` list), among them
positive data acceptance (a request the schema allows is not refused with 400) and negative
data rejection (a request it forbids is refused): the schema and the server must say the same.

Two kinds of adjustment, each explicit below:
- `_as_a_client_would`: valid requests are shaped as a correct client shapes them where the
  schema cannot say it (a fresh Idempotency-Key per request, a cursor only from a previous
  page, exactly one of month and quarter);
- `BUSINESS_RULES`: operations whose valid-looking requests the workflow may refuse with 400
  for a reason no schema can state (rows that must belong together). Only that finding (ST202,
  "schema-valid request rejected") with status 400 is let through there, and only for them.

Bounded for CI (the suite runs twice, on SQLite and PostgreSQL): GRIDCASE_SCHEMATHESIS_EXAMPLES
examples per operation and role (default 6). GRIDCASE_SCHEMATHESIS=0 skips the run.
"""

from __future__ import annotations

import os
import uuid

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis import GenerationMode
from schemathesis.errors import FailureGroup

from gridcase.api.models import ApiToken
from tests.factories import local, make_town, submitted_case

EXAMPLES = int(os.environ.get("GRIDCASE_SCHEMATHESIS_EXAMPLES", "6"))
ROLES = ["officer", "center_user", "office_user"]

# operation -> why a schema-valid request may still be refused with 400 there.
BUSINESS_RULES = {
    "POST /api/v1/cases/": (
        "the grid must lie in the village, the village in the caller's town; a point stated "
        "in gcj02 or bd09 needs both coordinates to convert"
    ),
    "POST /api/v1/cases/suspects-check/": "the village must be one of the caller's town",
    "POST /api/v1/assessment/suspects/{number}/confirm/": (
        "similar_to must be a case of the same town as the one in the path"
    ),
    "POST /api/v1/assessment/suspects/{number}/dismiss/": (
        "similar_to must be a case of the same town as the one in the path"
    ),
    "POST /api/v1/cases/{number}/attachments/": (
        "the file's type is read from its name and content (png, jpg, pdf, …)"
    ),
    "PUT /api/v1/cases/{number}/photos/{sha256}/": (
        "the path's sha256 must be the hash of the file's bytes, and its type is read from its "
        "name and content"
    ),
    "POST /api/v1/cases/{number}/follow-ups/": (
        "visited_on lies between the case's close and today: a date's schema has no 'today'"
    ),
    "POST /api/v1/cases/{number}/appeals/": "a case has at most one pending appeal at a time",
    "POST /api/v1/cases/{number}/review/": (
        "a reason is required when the quality is judged nonconforming (a condition on another "
        "field's value; not stated as oneOf yet)"
    ),
    "POST /api/v1/assessment/quarters/{quarter}/finalise/": (
        "a quarter is finalised only once its cases' deadlines have passed (from a date the "
        "calendar gives, e.g. 2040-01-01 for 2039-Q4): a path pattern has no 'today'"
    ),
    "POST /api/v1/assessment/quarters/{quarter}/adjustments/": (
        "an amount has at most 9 digits, 2 after the point: JSON Schema's multipleOf 0.01 is "
        "not exact for binary numbers"
    ),
}

pytestmark = pytest.mark.skipif(
    os.environ.get("GRIDCASE_SCHEMATHESIS") == "0", reason="GRIDCASE_SCHEMATHESIS=0"
)

# Loaded when the module is collected: serving the schema touches no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], deterministic=True
)


@pytest.fixture(params=ROLES)
def world(request, db):
    """A town, one case, and the role's device token, so generated paths can reach real rows."""
    t = make_town()
    case = submitted_case(t, local(2026, 10, 12, 9))
    user = getattr(t, request.param)
    _, key = ApiToken.issue(kind="device", user=user, name="schemathesis", scope="write")
    # The test database lives in one transaction: the WSGI handler must not close it.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {"key": key, "number": case.number, "town": t.town.code}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _as_a_client_would(case, world) -> None:
    """Shape a valid request as a correct client does where the schema cannot say it."""
    # Aimed at a real case and town, valid requests reach the views' logic, not only a 404.
    params = case.path_parameters or {}
    if "number" in params or ("id" in params and "open311" in case.path):
        params["number" if "number" in params else "id"] = world["number"]
    if "code" in params and "/org/towns/" in case.path:
        params["code"] = world["town"]
    # A key is used once: the same key with another body is 422 by design (idempotency.py).
    if case.headers and "Idempotency-Key" in case.headers:
        case.headers["Idempotency-Key"] = str(uuid.uuid4())
    query = case.query if case.query is not None else {}
    # A cursor is opaque: a client only ever sends one a previous page gave it.
    query.pop("cursor", None)
    # Exactly one of month and quarter (stated in the operation's description; OpenAPI 3.0
    # cannot combine query parameters); on the suspects report month or since+until.
    if case.path in ("/api/v1/assessment/result/", "/api/v1/assessment/statements/{officer}/"):
        if "month" in query and "quarter" in query:
            del query["quarter"]
        elif "month" not in query and "quarter" not in query:
            query["month"] = "2026-09"
    if case.path == "/api/v1/assessment/suspects/":
        if "month" in query:
            query.pop("since", None)
            query.pop("until", None)
        elif not ("since" in query and "until" in query):
            query.pop("since", None)
            query.pop("until", None)
            query["month"] = "2026-09"
    case.query = query


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_schema_and_the_server_agree(case, world):
    # Only valid ones: an invalid part replaced by a valid one would be valid again.
    if case.meta is not None and case.meta.generation.mode.is_positive:
        _as_a_client_would(case, world)
    try:
        case.call_and_validate(headers={"Authorization": f"Token {world['key']}"})
    except FailureGroup as group:
        label = f"{case.method.upper()} {case.path}"
        allowed = label in BUSINESS_RULES
        if not allowed or any(
            failure.code != "ST202" or getattr(failure, "status_code", 400) != 400
            for failure in group.exceptions
        ):
            raise
