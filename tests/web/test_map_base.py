"""The map's base layer from the one setting GRIDCASE_MAP_TILES: a PMTiles file served to
signed-in users in byte ranges (and nothing else), its header checked at start and told to
the page; or a tile server's URL template; or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils.http import http_date
from pmtiles.tile import TileType

from gridcase.settings import map_pmtiles_path, map_tiles_source
from gridcase.web import checks
from tests.basemaps import write_archive

pytestmark = pytest.mark.django_db

URL = "/map/base.pmtiles"


@pytest.fixture
def archive(tmp_path, settings) -> bytes:
    path = write_archive(tmp_path / "town.pmtiles")
    settings.GRIDCASE_MAP_PMTILES = path
    settings.GRIDCASE_MAP_TILES = ""
    return path.read_bytes()


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- the setting ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ("", None),
        ("https://tiles.example.gov.cn/{z}/{x}/{y}.png", None),
        ("/srv/maps/town.pmtiles", Path("/srv/maps/town.pmtiles")),
        ("town.PMTiles", Path("/var/gridcase/town.PMTiles")),  # relative: in the data directory
        ("maps/town.pmtiles", Path("/var/gridcase/maps/town.pmtiles")),
    ],
)
def test_a_value_ending_in_pmtiles_names_a_file_on_this_machine(value, path):
    assert map_pmtiles_path(value, Path("/var/gridcase")) == path


@pytest.mark.parametrize("value", ["https://maps.example.gov.cn/town.pmtiles", "//x/t.pmtiles"])
def test_a_pmtiles_url_is_refused_with_the_settings_name(value):
    with pytest.raises(ImproperlyConfigured, match="GRIDCASE_MAP_TILES.*path on this machine"):
        map_pmtiles_path(value, Path("/var/gridcase"))


def test_the_variable_naming_a_file_sets_the_file_and_no_template(tmp_path):
    # Settings are read once, at start: a fresh interpreter with the variable set.
    import json
    import os
    import subprocess
    import sys

    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps([str(settings.GRIDCASE_MAP_PMTILES), settings.GRIDCASE_MAP_TILES,"
        " settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gridcase.settings",
        "GRIDCASE_DATA_DIR": str(tmp_path),
        "GRIDCASE_MAP_TILES": "maps/town.pmtiles",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    path, template, img_src = json.loads(out.stdout.strip().splitlines()[-1])
    assert path == str(tmp_path / "maps" / "town.pmtiles")
    assert template == "" and map_tiles_source(template) is None
    assert img_src == ["'self'", "data:", "blob:"]  # the tiles come from this site


def test_the_check_is_silent_for_a_good_file_or_none(archive, settings):
    assert checks.map_pmtiles_file() == []
    settings.GRIDCASE_MAP_PMTILES = None
    assert checks.map_pmtiles_file() == []


def test_the_check_warns_of_a_missing_file_or_one_that_is_not_pmtiles(tmp_path, settings):
    settings.GRIDCASE_MAP_PMTILES = tmp_path / "missing.pmtiles"
    [warning] = checks.map_pmtiles_file()
    assert warning.id == "gridcase.W001"
    assert "GRIDCASE_MAP_TILES" in warning.msg and "无法读取 (cannot be read" in warning.msg
    assert "missing.pmtiles" in warning.msg and "docs/maps.md" in warning.hint
    mbtiles = tmp_path / "town.pmtiles"
    mbtiles.write_bytes(b"SQLite format 3\x00" + bytes(200))
    settings.GRIDCASE_MAP_PMTILES = mbtiles
    [warning] = checks.map_pmtiles_file()
    assert "不是 PMTiles 第3版文件 (is not a PMTiles v3 file" in warning.msg


def test_the_check_warns_of_tiles_the_map_cannot_draw(tmp_path, settings):
    path = write_archive(tmp_path / "t.pmtiles", tile=b"x", tile_type=TileType.MLT)
    settings.GRIDCASE_MAP_PMTILES = path
    [warning] = checks.map_pmtiles_file()
    assert "cannot draw: mlt" in warning.msg


# --- the page --------------------------------------------------------------------------------


def meta(html: str) -> str:
    start = html.index('<meta name="gridcase-map-base"')
    return html[start : html.index(">", start) + 1]


def test_the_page_is_told_a_raster_file_and_loads_its_library(login, t, archive, frozen):
    html = login(t.leader).get("/map/").content.decode()
    assert meta(html) == (
        '<meta name="gridcase-map-base" content="raster" data-url="/map/base.pmtiles"'
        ' data-max-zoom="12" data-bounds="112.8500000,28.0500000,112.9500000,28.1500000">'
    )
    assert "vendor/pmtiles/pmtiles.js" in html and "protomaps-leaflet" not in html
    assert "town.pmtiles" not in html  # the file's path stays on the server


def test_the_page_is_told_a_vector_file_and_loads_its_library(login, t, tmp_path, settings, frozen):
    path = write_archive(tmp_path / "v.pmtiles", tile=b"", tile_type=TileType.MVT, max_zoom=14)
    settings.GRIDCASE_MAP_PMTILES = path
    html = login(t.leader).get("/map/").content.decode()
    assert 'content="vector" data-url="/map/base.pmtiles" data-max-zoom="14"' in meta(html)
    assert "vendor/protomaps-leaflet/protomaps-leaflet.js" in html
    assert "vendor/pmtiles/pmtiles.js" not in html


def test_a_tile_server_or_nothing_is_told_to_the_page(login, t, settings, frozen):
    settings.GRIDCASE_MAP_TILES = "https://t{s}.tianditu.gov.cn/x={x}&y={y}&l={z}"
    html = login(t.leader).get("/map/").content.decode()
    assert meta(html) == (
        '<meta name="gridcase-map-base" content="tiles"'
        ' data-url="https://t{s}.tianditu.gov.cn/x={x}&amp;y={y}&amp;l={z}">'
    )
    settings.GRIDCASE_MAP_TILES = ""
    html = login(t.leader).get("/map/").content.decode()
    assert meta(html) == '<meta name="gridcase-map-base" content="" data-url="">'
    assert "pmtiles" not in html


def test_a_broken_file_leaves_the_page_without_a_base_layer(login, t, tmp_path, settings, frozen):
    settings.GRIDCASE_MAP_PMTILES = tmp_path / "gone.pmtiles"
    html = login(t.leader).get("/map/").content.decode()
    assert meta(html) == '<meta name="gridcase-map-base" content="" data-url="">'


# --- the file, in ranges --------------------------------------------------------------------


def test_without_a_range_the_whole_file_is_sent(login, t, archive):
    response = login(t.officer).get(URL)
    assert response.status_code == 200 and response.streaming
    assert body(response) == archive
    assert response["Content-Length"] == str(len(archive))
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "application/octet-stream"
    assert response["ETag"].startswith('"') and response["Last-Modified"]
    assert response["Cache-Control"] == "private, no-cache"


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-126", 0, 126),  # the header, as the reader asks first
        ("bytes=100-199", 100, 199),
        ("bytes=900-", 900, None),
        ("bytes=-50", -50, None),
        ("bytes=0-16383", 0, None),  # more than the file: what there is
    ],
)
def test_a_range_is_answered_206_with_those_bytes(login, t, archive, header, first, last):
    size = len(archive)
    expected = archive[first : None if last is None else last + 1]
    response = login(t.officer).get(URL, headers={"Range": header})
    assert response.status_code == 206
    assert body(response) == expected
    start = first % size
    assert response["Content-Range"] == f"bytes {start}-{start + len(expected) - 1}/{size}"
    assert response["Content-Length"] == str(len(expected))


def test_a_range_past_the_end_is_416_with_the_size(login, t, archive):
    response = login(t.officer).get(URL, headers={"Range": f"bytes={len(archive)}-"})
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(archive)}"


def test_a_range_it_does_not_read_sends_the_whole_file(login, t, archive):
    response = login(t.officer).get(URL, headers={"Range": "bytes=0-1,5-9"})
    assert response.status_code == 200 and body(response) == archive


def test_head_tells_the_size_and_sends_nothing(login, t, archive):
    client = login(t.officer)
    response = client.head(URL)
    assert response.status_code == 200 and response.content == b""
    assert response["Content-Length"] == str(len(archive))
    response = client.head(URL, headers={"Range": "bytes=10-19"})
    assert response.status_code == 206 and response.content == b""
    assert response["Content-Length"] == "10"
    assert response["Content-Range"] == f"bytes 10-19/{len(archive)}"


def test_if_range_serves_the_range_only_while_the_file_is_unchanged(login, t, archive):
    client = login(t.officer)
    etag = client.head(URL)["ETag"]
    last_modified = client.head(URL)["Last-Modified"]
    for validator in (etag, last_modified):
        response = client.get(URL, headers={"Range": "bytes=0-9", "If-Range": validator})
        assert response.status_code == 206 and body(response) == archive[:10]
    for stale in ('"0-0"', "W/" + etag, http_date(0)):
        response = client.get(URL, headers={"Range": "bytes=0-9", "If-Range": stale})
        assert response.status_code == 200 and body(response) == archive


def test_a_cached_copy_is_revalidated(login, t, archive):
    client = login(t.officer)
    etag = client.head(URL)["ETag"]
    response = client.get(URL, headers={"If-None-Match": etag})
    assert response.status_code == 304 and response["ETag"] == etag


def test_a_replaced_file_has_a_new_etag(login, t, archive, settings):
    client = login(t.officer)
    before = client.head(URL)["ETag"]
    write_archive(settings.GRIDCASE_MAP_PMTILES, max_zoom=10)
    assert client.head(URL)["ETag"] != before


def test_someone_not_signed_in_is_sent_to_sign_in(client, archive):
    response = client.get(URL, headers={"Range": "bytes=0-126"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_nothing_in_the_request_picks_another_file(login, t, archive, tmp_path):
    secret = tmp_path / "secret.pmtiles"
    secret.write_bytes(b"PMTiles\x03 not the base map")
    client = login(t.officer)
    response = client.get(URL + f"?path={secret}&file=../secret.pmtiles")
    assert body(response) == archive
    for url in (URL + "/../secret.pmtiles", URL + "/secret.pmtiles", "/map/secret.pmtiles"):
        assert client.get(url).status_code == 404, url


def test_without_a_file_or_with_one_gone_it_is_404(login, t, settings, tmp_path):
    client = login(t.officer)
    settings.GRIDCASE_MAP_PMTILES = None
    assert client.get(URL).status_code == 404
    settings.GRIDCASE_MAP_PMTILES = tmp_path / "gone.pmtiles"
    assert client.get(URL).status_code == 404


def test_only_reading_methods_are_allowed(login, t, archive):
    assert login(t.officer).post(URL).status_code == 405


def test_a_large_file_is_streamed_in_chunks_not_read_whole(login, t, settings, tmp_path):
    from gridcase.web.views.tiles import CHUNK_BYTES

    path = tmp_path / "big.pmtiles"
    data = bytes(range(256)) * (3 * CHUNK_BYTES // 256 + 7)
    path.write_bytes(data)
    settings.GRIDCASE_MAP_PMTILES = path
    response = login(t.officer).get(URL, headers={"Range": "bytes=10-"})
    chunks = list(response.streaming_content)
    assert len(chunks) == 4 and max(map(len, chunks)) == CHUNK_BYTES
    assert b"".join(chunks) == data[10:]
