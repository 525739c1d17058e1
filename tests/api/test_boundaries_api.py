"""The boundaries through the API: published as GeoJSON in the caller's towns (WGS-84 unless
asked otherwise), written by the town's administrators only, through the checks."""

from __future__ import annotations

import pytest

from gridcase.core import coords
from gridcase.core.models import AuditEntry
from gridcase.org.boundary_services import set_boundaries
from gridcase.org.models import Grid, Town, Village
from tests.api.conftest import device_client, system_client
from tests.org.geo_fixture import polygon, rect

pytestmark = pytest.mark.django_db

EAST = polygon(rect(0, 0, 1000, 1000))
WEST = polygon(rect(1000, 0, 2000, 1000))
EAST_GRID = polygon(rect(0, 0, 500, 1000))


@pytest.fixture
def drawn(t):
    """东村 and 西村 side by side, 东村's grid on its west half; 西村's grid not drawn yet."""
    set_boundaries(
        by=None,
        town=t.town,
        villages={t.village: EAST, t.other_village: WEST},
        grids={t.grid: EAST_GRID},
    )
    t.town.refresh_from_db()
    return t


def _url(kind: str, pk: int, query: str = "") -> str:
    return f"/api/v1/org/{kind}/{pk}/boundary/{query}"


def _features(response) -> dict[str, dict]:
    return {f["id"]: f for f in response.json()["features"]}


def test_the_boundaries_are_a_feature_collection_in_wgs84(
    drawn, other_town, django_assert_num_queries
):
    t = drawn
    client = device_client(t.officer)
    with django_assert_num_queries(5):  # the token, its use, the roles, villages, grids
        response = client.get("/api/v1/org/boundaries/", {"town": "ct"})
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert body["coordinate_system"] == "wgs84"
    features = _features(response)
    other_grid = Grid.objects.get(village=t.other_village)
    assert set(features) == {
        f"village-{t.village.pk}",
        f"village-{t.other_village.pk}",
        f"grid-{t.grid.pk}",
        f"grid-{other_grid.pk}",
    }
    east = features[f"village-{t.village.pk}"]
    assert east["type"] == "Feature"
    assert east["geometry"] == EAST
    assert east["properties"] == {
        "kind": "village",
        "id": t.village.pk,
        "name": "东村",
        "village": None,
        "village_name": None,
        "town": "ct",
    }
    grid = features[f"grid-{t.grid.pk}"]
    assert grid["geometry"] == EAST_GRID
    assert grid["properties"]["kind"] == "grid"
    assert grid["properties"]["village"] == t.village.pk
    assert grid["properties"]["village_name"] == "东村"
    # Not drawn yet: listed, with no geometry (RFC 7946 allows a null geometry).
    assert features[f"grid-{other_grid.pk}"]["geometry"] is None


def test_only_the_callers_towns_are_published(drawn, other_town):
    response = device_client(other_town.officer).get("/api/v1/org/boundaries/")
    assert response.status_code == 200
    assert {f["properties"]["town"] for f in response.json()["features"]} == {"bs"}
    assert (
        device_client(other_town.officer).get("/api/v1/org/boundaries/", {"town": "ct"}).status_code
        == 404
    )
    # A system token reads its own town's.
    system = system_client(drawn.town).get("/api/v1/org/boundaries/")
    assert {f["properties"]["town"] for f in system.json()["features"]} == {"ct"}


def test_gcj02_is_given_on_request_and_says_so(drawn):
    t = drawn
    response = device_client(t.leader).get("/api/v1/org/boundaries/", {"crs": "gcj02"})
    assert response.json()["coordinate_system"] == "gcj02"
    got = _features(response)[f"village-{t.village.pk}"]["geometry"]["coordinates"][0]
    for (lon, lat), (glon, glat) in zip(EAST["coordinates"][0], got, strict=True):
        assert (glat, glon) == pytest.approx(coords.wgs84_to_gcj02(lat, lon))
        assert abs(glon - lon) > 1e-4  # moved by hundreds of metres near Changsha
    bad = device_client(t.leader).get("/api/v1/org/boundaries/", {"crs": "mars"})
    assert bad.status_code == 400 and "crs" in bad.json()["fields"]


def test_the_administrator_sets_a_grids_boundary(drawn):
    t = drawn
    other_grid = Grid.objects.get(village=t.other_village)
    new = polygon(rect(1000, 0, 1500, 1000))
    response = device_client(t.admin_user).put(
        _url("grids", other_grid.pk), {"boundary": new}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["geometry"] == new and body["coordinate_system"] == "wgs84"
    assert body["properties"]["name"] == "第一网格"
    assert Grid.objects.get(pk=other_grid.pk).boundary == new
    entry = AuditEntry.objects.get(
        action="boundary.set", object_type="org.grid", object_id=str(other_grid.pk)
    )
    assert entry.actor == t.admin_user
    version = t.town.boundaries_version
    assert Town.objects.get(pk=t.town.pk).boundaries_version != version


def test_an_overlapping_boundary_is_refused_in_chinese_and_nothing_changes(drawn):
    t = drawn
    second = Grid.objects.create(village=t.village, name="第二网格")
    version = t.town.boundaries_version
    # Over the whole of 东村: it covers the first grid.
    response = device_client(t.admin_user).put(
        _url("grids", second.pk), {"boundary": EAST}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    [message] = body["fields"]["boundary"]
    assert "网格“东村·第二网格”与“东村·第一网格”重叠约" in message or (
        "网格“东村·第一网格”与“东村·第二网格”重叠约" in message
    )
    assert message in body["message"]
    assert Grid.objects.get(pk=second.pk).boundary is None
    assert Town.objects.get(pk=t.town.pk).boundaries_version == version
    assert not AuditEntry.objects.filter(
        action="boundary.set", object_type="org.grid", object_id=str(second.pk)
    ).exists()


def test_a_boundary_that_is_not_a_polygon_is_refused_naming_the_place(drawn):
    t = drawn
    client = device_client(t.admin_user)
    for bad, words in [
        ({"type": "Point", "coordinates": [112.9, 28.2]}, "边界应为面"),
        (5, "边界应为 GeoJSON 几何对象"),
        (
            {
                "type": "Polygon",
                "coordinates": [
                    [[112.9, 28.2], [113, 28.3], [113, 28.2], [112.9, 28.3], [112.9, 28.2]]
                ],
            },
            "自相交",
        ),
    ]:
        response = client.put(_url("villages", t.village.pk), {"boundary": bad}, format="json")
        assert response.status_code == 400, bad
        [message] = response.json()["fields"]["boundary"]
        assert message.startswith("行政村“东村”:") and words in message, message
    assert Village.objects.get(pk=t.village.pk).boundary == EAST
    unknown = client.put(
        _url("villages", t.village.pk), {"boundary": EAST, "shape": 1}, format="json"
    )
    assert unknown.status_code == 400 and "shape" in unknown.json()["fields"]
    missing = client.put(_url("villages", t.village.pk), {}, format="json")
    assert missing.status_code == 400 and "boundary" in missing.json()["fields"]


def test_null_clears_a_boundary(drawn):
    t = drawn
    response = device_client(t.admin_user).put(
        _url("grids", t.grid.pk), {"boundary": None}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["geometry"] is None
    assert Grid.objects.get(pk=t.grid.pk).boundary is None


def test_a_boundary_given_in_gcj02_is_stored_in_wgs84(drawn):
    t = drawn
    other_grid = Grid.objects.get(village=t.other_village)
    wanted = polygon(rect(1000, 0, 1500, 1000))
    shifted = [
        [glon, glat]
        for glat, glon in (coords.wgs84_to_gcj02(lat, lon) for lon, lat in wanted["coordinates"][0])
    ]
    response = device_client(t.admin_user).put(
        _url("grids", other_grid.pk, "?crs=gcj02"),
        {"boundary": {"type": "Polygon", "coordinates": [shifted]}},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["coordinate_system"] == "gcj02"
    stored = Grid.objects.get(pk=other_grid.pk).boundary["coordinates"][0]
    for (lon, lat), (slon, slat) in zip(wanted["coordinates"][0], stored, strict=True):
        assert coords.distance_m(lat, lon, slat, slon) < 0.01


@pytest.mark.parametrize("who", ["officer", "station_user", "center_user", "leader"])
def test_only_the_administrator_may_write(drawn, who):
    t = drawn
    response = device_client(getattr(t, who)).put(
        _url("villages", t.village.pk), {"boundary": WEST}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["message"] == "只有本镇的系统管理员可以修改边界"
    assert Village.objects.get(pk=t.village.pk).boundary == EAST


def test_another_towns_administrator_finds_nothing_to_write(drawn, other_town):
    t = drawn
    client = device_client(other_town.admin_user)
    for url in (_url("villages", t.village.pk), _url("grids", t.grid.pk)):
        response = client.put(url, {"boundary": None}, format="json")
        assert response.status_code == 404, url
    assert Grid.objects.get(pk=t.grid.pk).boundary == EAST_GRID


def test_tokens_that_may_not_write_are_refused(drawn):
    t = drawn
    for client in (device_client(t.admin_user, scope="read"), system_client(t.town, scope="write")):
        response = client.put(_url("grids", t.grid.pk), {"boundary": None}, format="json")
        assert response.status_code == 403
    assert Grid.objects.get(pk=t.grid.pk).boundary == EAST_GRID


def test_the_schema_states_the_coordinate_system(client):
    schema = client.get("/api/schema/?format=json").json()
    read = schema["paths"]["/api/v1/org/boundaries/"]["get"]
    assert "WGS-84" in read["description"] and "RFC 7946" in read["description"]
    [crs] = [p for p in read["parameters"] if p["name"] == "crs"]
    assert crs["schema"]["enum"] == ["wgs84", "cgcs2000", "gcj02", "bd09"]
    write = schema["paths"]["/api/v1/org/grids/{id}/boundary/"]["put"]
    assert "WGS-84" in write["description"]
    collection = schema["components"]["schemas"]["BoundaryCollection"]
    assert "coordinate_system" in collection["required"]
