"""Every list endpoint costs a pinned number of queries, however many rows it returns."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from gridcase.api.models import ApiToken
from gridcase.cases import attachments, services
from gridcase.org.models import Grid, Unit, Village
from tests.api.conftest import device_client, png, system_client
from tests.factories import CLOSE_DISPUTE, local, submitted_case

AT = local(2026, 10, 12, 9)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


def _cases(t, n):
    for _ in range(n):
        case = submitted_case(t, AT)
        services.case_accept(case=case, by=t.officer, at=AT)


def _closed_case_with_rows(t, n):
    case = submitted_case(t, AT)
    for i in range(n):
        attachments.case_attach(case=case, by=t.officer, upload=png(f"{i}.png"), at=AT)
    services.case_accept(case=case, by=t.officer, at=AT)
    services.case_close(case=case, by=t.officer, data=CLOSE_DISPUTE, at=AT)
    for i in range(n):
        services.case_follow_up(
            case=case,
            by=t.officer,
            visited_on=AT.date(),
            method="phone",
            satisfied=True,
            note=str(i),
            at=AT,
        )
    return case


def _org(t, n):
    start = Village.objects.count()
    for i in range(start, start + n):
        village = Village.objects.create(town=t.town, name=f"新村{i}")
        Grid.objects.create(village=village, name="一网格")
        Grid.objects.create(village=village, name="二网格")
        Unit.objects.create(town=t.town, kind="village_station", name=f"新村{i}站", village=village)


# Pinned: the token, the person's roles, the rows, and (cases) the town's calendar overrides.
@pytest.mark.parametrize(
    "url,grow,pinned",
    [
        ("/api/v1/cases/", _cases, 4),
        # (a search reads the n-gram index once more first: cases.search.candidates_q)
        ("/api/v1/cases/?light=red&q=东村&submitted_from=2026-10-01", _cases, 5),
        ("/api/v1/org/villages/", _org, 4),
        ("/api/v1/org/grids/", _org, 3),
        ("/api/v1/org/units/", _org, 3),
        ("/api/v1/org/towns/ct/", _org, 6),
    ],
)
def test_list_queries_do_not_grow_with_rows(t, url, grow, pinned):
    client = device_client(t.center_user)
    client.get("/api/v1/me/")  # the token's first use writes last_used_at; not counted here
    grow(t, 2)
    few = _count(client, url)
    grow(t, 15)
    many = _count(client, url)
    assert few == many <= pinned


@pytest.mark.parametrize(
    "path,pinned",
    [("follow-ups/", 4), ("attachments/", 4), ("extensions/", 4)],
)
def test_a_cases_lists_do_not_grow_with_rows(t, path, pinned):
    client = device_client(t.officer)
    client.get("/api/v1/me/")
    few_case = _closed_case_with_rows(t, 2)
    many_case = _closed_case_with_rows(t, 12)
    few = _count(client, f"/api/v1/cases/{few_case.number}/{path}")
    many = _count(client, f"/api/v1/cases/{many_case.number}/{path}")
    assert few == many <= pinned


def test_the_detail_does_not_grow_with_its_timeline(t):
    client = device_client(t.officer)
    client.get("/api/v1/me/")
    few = _closed_case_with_rows(t, 1)
    many = _closed_case_with_rows(t, 10)
    assert (
        _count(client, f"/api/v1/cases/{few.number}/")
        == _count(client, f"/api/v1/cases/{many.number}/")
        <= 12
    )


def test_token_lists_do_not_grow(t):
    client = APIClient()
    client.force_login(t.admin_user)
    for i in range(2):
        ApiToken.issue(kind="device", user=t.admin_user, name=str(i), scope="read")
        ApiToken.issue(kind="system", town=t.town, name=str(i), scope="read")
    few = (_count(client, "/api/v1/tokens/"), _count(client, "/api/v1/system-tokens/"))
    for i in range(10):
        ApiToken.issue(kind="device", user=t.admin_user, name=str(i), scope="read")
        ApiToken.issue(kind="system", town=t.town, name=str(i), scope="read")
    many = (_count(client, "/api/v1/tokens/"), _count(client, "/api/v1/system-tokens/"))
    assert few == many
    assert max(many) <= 4


def test_open311_lists_do_not_grow(t):
    client = system_client(t.town, "read")
    client.get("/api/v1/me/")
    key_free = APIClient()
    _cases(t, 2)
    few = (
        _count(client, "/open311/v2/requests.json"),
        _count(key_free, "/open311/v2/services.xml"),
    )
    _cases(t, 15)
    many = (
        _count(client, "/open311/v2/requests.json"),
        _count(key_free, "/open311/v2/services.xml"),
    )
    assert few == many
    assert many[0] <= 4
