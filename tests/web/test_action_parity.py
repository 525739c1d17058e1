"""The workbench and the API offer exactly the same actions, for every person and case.

Both ask `cases.selectors.allowed_actions` (the workflow table, less the extension action
that makes no sense now); this walks the demo town to show that nothing on either side
adds or hides an action of its own.
"""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from rest_framework.request import Request

from gridcase.api.views.common import case_detail_data
from gridcase.cases import selectors, services
from gridcase.cases.models import Case
from gridcase.demo import town as demo
from gridcase.org.models import Town, User
from gridcase.web.views.case_detail import detail_context

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quiet_notifications(settings):
    settings.HUEY = {**settings.HUEY, "immediate": True}


def _request_an_extension(town: Town) -> Case:
    """A handling case at the town center or a department with an extension pending, so
    that the walk meets the rule the web once kept to itself (decide, not request again)."""
    people = User.objects.filter(roles__town=town).distinct()
    for case in Case.objects.filter(town=town, state="handling", level__in=["town", "department"]):
        for person in people:
            if "request_extension" in selectors.allowed_actions(person, case):
                services.case_request_extension(
                    case=case, by=person, working_days=2, reason="等待现场勘测结果"
                )
                return case
    raise AssertionError("the demo town has no case at the center or a department to extend")


def _web_actions(user: User, case: Case) -> set[str]:
    request = RequestFactory().get(f"/cases/{case.number}/")
    request.user = user
    page = detail_context(request, case)
    return {action["name"] for action in page["actions"]} | (
        {"edit"} if page["can_edit"] else set()
    )


def _api_actions(user: User, case: Case) -> set[str]:
    request = Request(RequestFactory().get(f"/api/v1/cases/{case.number}"))
    request.user = user
    return set(case_detail_data(request, case)["allowed_actions"])


def test_the_workbench_and_the_api_offer_the_same_actions_over_the_demo_town():
    town = demo.build_demo(days=12, out=lambda *_: None)
    extended = _request_an_extension(town)
    walked, offered, deciding = 0, 0, 0
    for user in User.objects.filter(roles__town=town).distinct().order_by("username"):
        for case in selectors.visible_cases(user).select_related(
            "town", "village", "grid", "officer", "department"
        ):
            web, api = _web_actions(user, case), _api_actions(user, case)
            assert web == api, (user.username, case.number, web ^ api)
            walked += 1
            offered += bool(api)
            deciding += case.pk == extended.pk and "decide_extension" in api
    assert walked > 100 and offered > 0
    assert deciding  # someone may decide the pending request, on both sides
