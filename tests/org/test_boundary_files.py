"""Reading boundary files (pure): which place each feature names."""

from __future__ import annotations

import json

import pytest

from gridcase.org.boundary_files import BoundaryFileError, read_geojson, read_kml

SQUARE = "113.0,28.0 113.01,28.0 113.01,28.01 113.0,28.01 113.0,28.0"


def test_kml_names_from_extended_data_or_the_name():
    kml = f"""\ufeff<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://earth.google.com/kml/2.1"><Document>
  <Placemark><name>随便</name>
    <ExtendedData><Data name="行政村"><value>东村</value></Data>
      <Data name="网格"><value>一组</value></Data></ExtendedData>
    <Polygon><outerBoundaryIs><LinearRing><coordinates>{SQUARE}</coordinates>
    </LinearRing></outerBoundaryIs></Polygon></Placemark>
  <Placemark><name>x</name><ExtendedData><SchemaData>
      <SimpleData name="village">西村</SimpleData></SchemaData></ExtendedData>
    <MultiGeometry><Polygon><outerBoundaryIs><LinearRing><coordinates>{SQUARE}</coordinates>
    </LinearRing></outerBoundaryIs></Polygon></MultiGeometry></Placemark>
  <Placemark><name> 北村 / 二组 </name><Point><coordinates>113,28</coordinates></Point>
  </Placemark>
</Document></kml>"""
    features, problems = read_kml(kml.encode("utf-8"))
    assert [(f.number, f.village, f.grid, f.geometry["type"]) for f in features] == [
        (1, "东村", "一组", "Polygon"),
        (2, "西村", "", "Polygon"),
    ]
    assert features[0].geometry["coordinates"][0][1] == [113.01, 28.0]
    assert problems == ["第 3 个要素(北村·二组):没有多边形(Polygon)"]


def test_geojson_names_from_name_or_名称():
    doc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"名称": "东村／三组"}, "geometry": None},
            {"type": "Feature", "properties": {"name": "西村", "village": " "}, "geometry": None},
            {"type": "Feature", "properties": None, "geometry": None},
        ],
    }
    features = read_geojson(json.dumps(doc, ensure_ascii=False).encode("utf-8"))
    assert [(f.label, f.village, f.grid) for f in features] == [
        ("第 1 个要素(东村·三组)", "东村", "三组"),
        ("第 2 个要素(西村)", "西村", ""),
        ("第 3 个要素", "", ""),
    ]


def test_a_file_in_another_encoding_or_too_large_is_refused(monkeypatch):
    with pytest.raises(BoundaryFileError, match="UTF-8"):
        read_kml("<kml>东村</kml>".encode("gb18030"))
    monkeypatch.setattr("gridcase.org.boundary_files.MAX_BYTES", 10)
    with pytest.raises(BoundaryFileError, match="文件过大"):
        read_geojson(b'{"type": "FeatureCollection"}')
