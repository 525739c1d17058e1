"""The boundary editor's page (without a browser): the administrator's town only, saving through
the checks, a refused save shown in Chinese with the drawing kept and nothing changed."""

from __future__ import annotations

import json

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gridcase.core.models import AuditEntry
from gridcase.org.boundary_services import set_boundaries
from gridcase.org.models import Grid, Town, Village
from tests.org.geo_fixture import polygon, rect

pytestmark = pytest.mark.django_db

EAST = polygon(rect(0, 0, 1000, 1000))
EAST_GRID = polygon(rect(0, 0, 500, 1000))


def url(t) -> str:
    return reverse("manage:boundaries", args=[t.town.pk])


@pytest.fixture
def drawn(t):
    set_boundaries(by=None, town=t.town, villages={t.village: EAST}, grids={t.grid: EAST_GRID})
    t.town.refresh_from_db()
    return t


@pytest.fixture
def admin(drawn, client):
    client.force_login(drawn.admin_user)
    return client


def _data(response) -> dict:
    text = response.content.decode()
    start = text.index('<script id="boundary-data" type="application/json">')
    body = text[start:].split(">", 1)[1].split("</script>", 1)[0]
    return json.loads(body)


def test_the_page_lists_every_place_with_its_boundary(drawn, admin):
    t = drawn
    response = admin.get(url(t) + f"?place=grid-{t.grid.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="grid-{t.grid.pk}" selected>东村·第一网格</option>' in html
    assert "西村(行政村)(未划定)" in html
    assert "vendor/leaflet-geoman/leaflet-geoman.min.js" in html
    assert "web/boundaries.js" in html and "web/map.js" not in html
    places = {p["key"]: p for p in _data(response)["places"]}
    assert places[f"village-{t.village.pk}"]["geometry"] == EAST
    assert places[f"grid-{t.grid.pk}"] == {
        "key": f"grid-{t.grid.pk}",
        "kind": "grid",
        "label": "东村·第一网格",
        "geometry": EAST_GRID,
    }
    assert places[f"village-{t.other_village.pk}"]["geometry"] is None


def test_the_page_costs_the_same_with_more_places(drawn, admin):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin.get(url(drawn)).status_code == 200
        return len(queries)

    before = count()
    for n in range(5):
        village = Village.objects.create(town=drawn.town, name=f"新村{n}")
        Grid.objects.create(village=village, name="一组")
        Grid.objects.create(village=village, name="二组")
    assert count() == before


def test_the_page_is_linked_from_the_menu_and_the_places_pages(drawn, admin):
    t = drawn
    for name in ("overview", "villages", "grids"):
        html = admin.get(reverse(f"manage:{name}", args=[t.town.pk])).content.decode()
        assert url(t) in html, name
    grids = admin.get(reverse("manage:grids", args=[t.town.pk])).content.decode()
    assert f"{url(t)}?place=grid-{t.grid.pk}" in grids


@pytest.mark.parametrize("who", ["officer", "center_user", "leader"])
def test_only_administrators_reach_the_page(drawn, client, who):
    client.force_login(getattr(drawn, who))
    assert client.get(url(drawn)).status_code == 404
    response = client.post(
        url(drawn),
        {"place": f"grid-{drawn.grid.pk}", "geometry": "", "action": "clear"},
    )
    assert response.status_code == 404
    assert Grid.objects.get(pk=drawn.grid.pk).boundary == EAST_GRID


def test_another_towns_administrator_and_places_are_404(drawn, other_town, client):
    client.force_login(other_town.admin_user)
    assert client.get(url(drawn)).status_code == 404
    # Their own page cannot name a place of 长塘镇 either.
    own = reverse("manage:boundaries", args=[other_town.town.pk])
    response = client.post(
        own, {"place": f"grid-{drawn.grid.pk}", "geometry": "", "action": "clear"}
    )
    assert response.status_code == 404
    assert Grid.objects.get(pk=drawn.grid.pk).boundary == EAST_GRID


def test_a_drawn_boundary_is_saved_through_the_checks(drawn, admin):
    t = drawn
    other_grid = Grid.objects.get(village=t.other_village)
    new = polygon(rect(1000, 0, 1500, 1000))
    response = admin.post(
        url(t),
        {"place": f"grid-{other_grid.pk}", "geometry": json.dumps(new), "action": "save"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{url(t)}?place=grid-{other_grid.pk}"
    assert "已保存“西村·第一网格”的边界" in [str(m) for m in get_messages(response.wsgi_request)]
    assert Grid.objects.get(pk=other_grid.pk).boundary == new
    entry = AuditEntry.objects.get(
        action="boundary.set", object_type="org.grid", object_id=str(other_grid.pk)
    )
    assert entry.actor == t.admin_user
    assert Town.objects.get(pk=t.town.pk).boundaries_version != t.town.boundaries_version


def test_an_overlapping_boundary_is_refused_and_the_drawing_kept(drawn, admin):
    t = drawn
    second = Grid.objects.create(village=t.village, name="第二网格")
    sent = json.dumps(EAST)
    response = admin.post(
        url(t), {"place": f"grid-{second.pk}", "geometry": sent, "action": "save"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "边界未保存" in html
    assert "重叠约" in html and "东村·第二网格" in html
    # The drawing comes back in the form; the place stays chosen.
    assert 'value="{&quot;type&quot;: &quot;Polygon&quot;' in html
    assert f'<option value="grid-{second.pk}" selected>' in html
    assert Grid.objects.get(pk=second.pk).boundary is None
    assert Town.objects.get(pk=t.town.pk).boundaries_version == t.town.boundaries_version


def test_a_grid_outside_its_village_is_refused_in_chinese(drawn, admin):
    t = drawn
    response = admin.post(
        url(t),
        {
            "place": f"grid-{t.grid.pk}",
            "geometry": json.dumps(polygon(rect(-600, 0, 500, 1000))),
            "action": "save",
        },
    )
    assert response.status_code == 400
    assert "平方米在行政村“东村”的边界之外" in response.content.decode()
    assert Grid.objects.get(pk=t.grid.pk).boundary == EAST_GRID


@pytest.mark.parametrize(
    ("geometry", "words"),
    [
        ("", "请先在地图上画出边界"),
        ("{not json", "边界数据无法读取"),
        (json.dumps({"type": "Point", "coordinates": [112.9, 28.2]}), "边界应为面"),
    ],
)
def test_what_cannot_be_a_boundary_is_refused(drawn, admin, geometry, words):
    t = drawn
    response = admin.post(
        url(t), {"place": f"village-{t.village.pk}", "geometry": geometry, "action": "save"}
    )
    assert response.status_code == 400
    assert words in response.content.decode()
    assert Village.objects.get(pk=t.village.pk).boundary == EAST


def test_clearing_a_boundary(drawn, admin):
    t = drawn
    response = admin.post(url(t), {"place": f"grid-{t.grid.pk}", "geometry": "", "action": "clear"})
    assert response.status_code == 302
    assert Grid.objects.get(pk=t.grid.pk).boundary is None
