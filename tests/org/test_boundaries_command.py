"""`gridcase boundaries`: GeoJSON and KML files, all or nothing, every problem named."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from gridcase.core import coords
from gridcase.core.models import AuditEntry
from gridcase.org.models import Grid, Town, Village
from tests.org.geo_fixture import GRIDS, VILLAGES

pytestmark = pytest.mark.django_db


@pytest.fixture
def town(db):
    town = Town.objects.create(name="界镇", code="jz")
    villages = {name: Village.objects.create(town=town, name=name) for name in VILLAGES}
    for village, grid in GRIDS:
        Grid.objects.create(village=villages[village], name=grid)
    return town


def geojson(features: list[tuple[dict, dict]]) -> str:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": props, "geometry": geometry}
                for props, geometry in features
            ],
        },
        ensure_ascii=False,
    )


FIXTURE_FEATURES = [({"village": v}, g) for v, g in VILLAGES.items()] + [
    ({"行政村": v, "网格": n}, g) for (v, n), g in GRIDS.items()
]


def stored(town: Town) -> tuple[dict, dict]:
    villages = {v.name: v.boundary for v in Village.objects.filter(town=town)}
    grids = {
        (g.village.name, g.name): g.boundary
        for g in Grid.objects.filter(village__town=town).select_related("village")
    }
    return villages, grids


def run(path, *args):
    call_command("boundaries", str(path), "--town", "界镇", *args)


def test_a_geojson_file_sets_every_boundary(town, tmp_path, capsys):
    path = tmp_path / "界镇.geojson"
    path.write_text(geojson(FIXTURE_FEATURES), encoding="utf-8")
    run(path, "--dry-run")
    assert "将更新 8 个边界" in capsys.readouterr().out
    assert stored(town) == ({v: None for v in VILLAGES}, {k: None for k in GRIDS})
    run(path)
    assert "更新了 8 个边界" in capsys.readouterr().out
    assert stored(town) == (VILLAGES, GRIDS)
    assert AuditEntry.objects.filter(town=town, action="boundary.set").count() == 8
    run(path)  # the same file again changes nothing
    assert "更新了 0 个边界" in capsys.readouterr().out


def _kml_polygon(geometry: dict) -> str:
    def ring(points):
        text = " ".join(f"{lon!r},{lat!r},0" for lon, lat in points)
        return f"<LinearRing><coordinates>{text}</coordinates></LinearRing>"

    outer, *holes = geometry
    inner = "".join(f"<innerBoundaryIs>{ring(h)}</innerBoundaryIs>" for h in holes)
    return f"<Polygon><outerBoundaryIs>{ring(outer)}</outerBoundaryIs>{inner}</Polygon>"


def kml(placemarks: list[tuple[str, dict]]) -> str:
    marks = []
    for name, geometry in placemarks:
        if geometry["type"] == "Polygon":
            shape = _kml_polygon(geometry["coordinates"])
        else:
            parts = "".join(_kml_polygon(p) for p in geometry["coordinates"])
            shape = f"<MultiGeometry>{parts}</MultiGeometry>"
        marks.append(f"<Placemark><name>{name}</name>{shape}</Placemark>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder>'
        + "".join(marks)
        + "</Folder></Document></kml>"
    )


def test_a_kml_file_with_holes_and_multigeometry(town, tmp_path):
    placemarks = [(v, g) for v, g in VILLAGES.items()]
    placemarks += [(f"{v}·{n}", g) for (v, n), g in GRIDS.items()]
    path = tmp_path / "界镇.kml"
    path.write_text(kml(placemarks), encoding="utf-8")
    run(path)
    assert stored(town) == (VILLAGES, GRIDS)


def test_every_problem_is_named_and_nothing_is_written(town, tmp_path, capsys):
    features = [
        *FIXTURE_FEATURES[:2],
        ({"village": "南村"}, VILLAGES["东村"]),
        ({"name": "东村·九组"}, GRIDS[("东村", "一组")]),
        ({"name": "东村"}, VILLAGES["东村"]),
        ({"village": "北村"}, {"type": "Point", "coordinates": [112.9, 28.2]}),
        ({}, VILLAGES["东村"]),
    ]
    path = tmp_path / "有误.geojson"
    path.write_text(geojson(features), encoding="utf-8")
    with pytest.raises(CommandError, match="未导入: 5 处问题"):
        run(path)
    assert capsys.readouterr().err.splitlines() == [
        "第 3 个要素(南村):本镇没有名为“南村”的行政村",
        "第 4 个要素(东村·九组):东村没有名为“九组”的网格",
        "第 5 个要素(东村):与第 1 个要素是同一个地方",
        "第 6 个要素(北村):边界应为面(Polygon 或 MultiPolygon),而不是 Point",
        "第 7 个要素:没有写明行政村(属性 village 或 行政村,或名称)",
    ]
    assert stored(town) == ({v: None for v in VILLAGES}, {k: None for k in GRIDS})


def test_the_checks_of_the_town_stop_the_import(town, tmp_path, capsys):
    features = [({"village": "东村"}, VILLAGES["东村"]), ({"village": "西村"}, VILLAGES["东村"])]
    path = tmp_path / "重叠.geojson"
    path.write_text(geojson(features), encoding="utf-8")
    with pytest.raises(CommandError, match="未导入: 1 处问题"):
        run(path)
    assert capsys.readouterr().err.startswith("行政村“东村”与“西村”重叠约")
    assert stored(town)[0] == {v: None for v in VILLAGES}


def test_a_bad_kml_coordinate_is_named(town, tmp_path, capsys):
    path = tmp_path / "坏.kml"
    path.write_text(
        kml([("东村", VILLAGES["东村"])]).replace("<coordinates>", "<coordinates>abc "),
        encoding="utf-8",
    )
    with pytest.raises(CommandError):
        run(path)
    assert capsys.readouterr().err.strip() == "第 1 个要素(东村):坐标“abc”不是 经度,纬度"


@pytest.mark.parametrize(
    "name,content,message",
    [
        (
            "laughs.kml",
            '<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaa">]><kml>&a;</kml>',
            "不能包含 DOCTYPE 或实体声明",
        ),
        ("broken.kml", "<kml><Placemark></kml>", "不是有效的 KML(第 1 行)"),
        ("broken.geojson", "{", "不是有效的 JSON"),
        ("list.geojson", "[]", "GeoJSON 应为 FeatureCollection"),
        ("empty.geojson", '{"type": "FeatureCollection", "features": []}', "没有任何边界"),
        ("boundaries.shp", "", "文件应为 .geojson、.json 或 .kml"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused(town, tmp_path, capsys, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        run(path)
    assert message in str(caught.value) + capsys.readouterr().err


def test_a_missing_file_and_an_unknown_town_are_named(town, tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        run(tmp_path / "none.geojson")
    with pytest.raises(CommandError, match="找不到镇“无名镇”"):
        call_command("boundaries", str(tmp_path / "x.geojson"), "--town", "无名镇")


def test_gcj02_coordinates_are_converted_to_wgs84(town, tmp_path):
    def to_gcj(geometry: dict) -> dict:
        rings = [
            [list(coords.wgs84_to_gcj02(lat, lon)[::-1]) for lon, lat in ring]
            for ring in geometry["coordinates"]
        ]
        return {"type": "Polygon", "coordinates": rings}

    path = tmp_path / "gcj.geojson"
    path.write_text(geojson([({"village": "东村"}, to_gcj(VILLAGES["东村"]))]), encoding="utf-8")
    run(path, "--crs", "gcj02")
    got = Village.objects.get(town=town, name="东村").boundary["coordinates"][0]
    for (lon, lat), (wlon, wlat) in zip(got, VILLAGES["东村"]["coordinates"][0], strict=True):
        assert coords.distance_m(lat, lon, wlat, wlon) < 0.01
