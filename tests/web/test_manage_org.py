"""Villages, grids and units: add, rename, delete; duplicates and rows in use are refused with
a clear Chinese message, never a 500; the pages' query counts do not grow with the rows."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gridcase.core.errors import ServiceError
from gridcase.org import checks, places
from gridcase.org.models import Grid, Unit, Village
from tests.factories import local, submitted_case


def url(t, name, *args):
    return reverse(f"manage:{name}", args=[t.town.pk, *args])


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def admin(t, client):
    client.force_login(t.admin_user)
    return client


# ---------------------------------------------------------------- villages


def test_an_administrator_adds_a_village(t, admin):
    response = admin.post(url(t, "villages"), {"name": "  南村 "})
    assert response.status_code == 302
    assert Village.objects.filter(town=t.town, name="南村").exists()
    assert "已添加行政村“南村”" in said(response)
    assert "南村" in admin.get(url(t, "villages")).content.decode()


def test_a_duplicate_village_name_is_refused_beside_the_field(t, admin):
    response = admin.post(url(t, "villages"), {"name": "东村"})
    assert response.status_code == 400
    assert "本镇已有名为“东村”的行政村" in response.content.decode()
    assert Village.objects.filter(town=t.town, name="东村").count() == 1


def test_the_same_village_name_is_fine_in_another_town(t, other_town, admin):
    assert admin.post(url(t, "villages"), {"name": "南村"}).status_code == 302
    places.village_create(by=other_town.admin_user, town=other_town.town, name="南村")
    assert Village.objects.filter(name="南村").count() == 2


def test_a_blank_village_name_is_refused(t, admin):
    response = admin.post(url(t, "villages"), {"name": "   "})
    assert response.status_code == 400
    assert Village.objects.filter(town=t.town).count() == 2


def test_a_village_is_renamed_but_not_onto_another(t, admin):
    assert admin.post(url(t, "village_edit", t.village.pk), {"name": "东风村"}).status_code == 302
    t.village.refresh_from_db()
    assert t.village.name == "东风村"
    response = admin.post(url(t, "village_edit", t.village.pk), {"name": "西村"})
    assert response.status_code == 400
    assert "本镇已有名为“西村”的行政村" in response.content.decode()


def test_an_unused_village_is_deleted_after_confirmation(t, admin):
    village = Village.objects.create(town=t.town, name="空村")
    page = admin.get(url(t, "village_delete", village.pk))
    assert page.status_code == 200 and "删除行政村“空村”?" in page.content.decode()
    assert Village.objects.filter(pk=village.pk).exists()  # a GET deletes nothing
    response = admin.post(url(t, "village_delete", village.pk))
    assert response.status_code == 302
    assert not Village.objects.filter(pk=village.pk).exists()


def test_a_village_in_use_is_not_deleted_and_the_page_says_what_uses_it(t, admin):
    submitted_case(t, local(2026, 10, 12, 9))
    response = admin.post(url(t, "village_delete", t.village.pk), follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "行政村“东村”仍在使用中" in text
    assert "网格 1" in text and "村站 1" in text and "事件 1" in text
    assert Village.objects.filter(pk=t.village.pk).exists()


# ---------------------------------------------------------------- grids


def test_a_grid_is_added_to_a_village(t, admin):
    response = admin.post(url(t, "grids"), {"village": t.village.pk, "name": "第二网格"})
    assert response.status_code == 302
    assert Grid.objects.filter(village=t.village, name="第二网格").exists()


def test_a_duplicate_grid_in_the_same_village_is_refused(t, admin):
    response = admin.post(url(t, "grids"), {"village": t.village.pk, "name": "第一网格"})
    assert response.status_code == 400
    assert "东村已有名为“第一网格”的网格" in response.content.decode()


def test_a_grid_needs_a_village(t, admin):
    response = admin.post(url(t, "grids"), {"name": "第三网格"})
    assert response.status_code == 400
    assert not Grid.objects.filter(name="第三网格").exists()


def test_a_grid_in_use_is_not_deleted(t, admin):
    response = admin.post(url(t, "grid_delete", t.grid.pk), follow=True)
    assert "仍在使用中(人员角色 1)" in response.content.decode()
    assert Grid.objects.filter(pk=t.grid.pk).exists()


def test_an_unused_grid_is_renamed_and_deleted(t, admin):
    grid = Grid.objects.create(village=t.village, name="临时网格")
    assert admin.post(url(t, "grid_edit", grid.pk), {"name": "第九网格"}).status_code == 302
    grid.refresh_from_db()
    assert grid.name == "第九网格" and grid.village == t.village
    assert admin.post(url(t, "grid_delete", grid.pk)).status_code == 302
    assert not Grid.objects.filter(pk=grid.pk).exists()


# ---------------------------------------------------------------- units


def test_a_village_station_needs_its_village(t, admin):
    response = admin.post(url(t, "units"), {"kind": "village_station", "name": "南村站"})
    assert response.status_code == 400
    assert "请选择所属行政村" in response.content.decode()
    response = admin.post(
        url(t, "units"),
        {"kind": "village_station", "name": "西村二站", "village": t.other_village.pk},
    )
    assert response.status_code == 302
    assert Unit.objects.get(name="西村二站").village == t.other_village


def test_a_department_belongs_to_no_village(t, admin):
    response = admin.post(
        url(t, "units"), {"kind": "department", "name": "司法所", "village": t.village.pk}
    )
    assert response.status_code == 302
    assert Unit.objects.get(name="司法所").village is None


def test_a_duplicate_unit_name_is_refused(t, admin):
    response = admin.post(url(t, "units"), {"kind": "department", "name": t.department.name})
    assert response.status_code == 400
    assert f"本镇已有名为“{t.department.name}”的单位" in response.content.decode()


def test_a_unit_in_use_is_not_deleted(t, admin):
    response = admin.post(url(t, "unit_delete", t.department.pk), follow=True)
    assert "仍在使用中(人员角色 1)" in response.content.decode()
    assert Unit.objects.filter(pk=t.department.pk).exists()


def test_a_unit_is_renamed_and_an_unused_one_deleted(t, admin):
    unit = Unit.objects.create(town=t.town, kind="department", name="水利站")
    response = admin.post(url(t, "unit_edit", unit.pk), {"name": "水务站"})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "水务站" and unit.kind == "department"
    assert admin.post(url(t, "unit_delete", unit.pk)).status_code == 302
    assert not Unit.objects.filter(pk=unit.pk).exists()


# ---------------------------------------------------------------- the services themselves


def test_the_services_refuse_another_towns_administrator(t, other_town):
    with pytest.raises(checks.NotInScope):
        places.village_create(by=other_town.admin_user, town=t.town, name="南村")
    with pytest.raises(checks.NotInScope):
        places.grid_create(
            by=t.admin_user, town=t.town, village=other_town.village, name="越界网格"
        )
    with pytest.raises(checks.NotInScope):
        places.village_delete(by=t.leader, village=t.other_village)


def test_a_protected_row_is_refused_in_words_even_when_not_foreseen(t, monkeypatch):
    """Something the counts do not know (another part of the system) still refers to it."""
    from django.db.models import ProtectedError

    village = Village.objects.create(town=t.town, name="空村")

    def protected(*args, **kwargs):
        raise ProtectedError("protected", {t.grid})

    monkeypatch.setattr(Village, "delete", protected)
    with pytest.raises(ServiceError) as exc:
        places.village_delete(by=t.admin_user, village=village)
    assert "仍被其他记录引用(网格)" in exc.value.message


# ---------------------------------------------------------------- queries


def _count(client, address):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(address).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["villages", "grids", "units"])
def test_list_pages_cost_the_same_with_more_rows(t, admin, page, django_assert_max_num_queries):
    before = _count(admin, url(t, page))
    for n in range(8):
        village = Village.objects.create(town=t.town, name=f"新村{n}")
        Grid.objects.create(village=village, name="第一网格")
        Unit.objects.create(town=t.town, kind="village_station", name=f"新村{n}站", village=village)
    assert _count(admin, url(t, page)) == before
    with django_assert_max_num_queries(8):
        admin.get(url(t, page))
