"""The map's vendored libraries: present, the pinned versions (static/vendor/README.md), served
as the site's static files, with their licences."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from django.contrib.staticfiles import finders

VENDOR = Path(__file__).resolve().parents[2] / "gridcase" / "web" / "static" / "vendor"

# sha256 of the files taken from the npm packages named in the README (leaflet@1.9.4,
# leaflet.markercluster@1.5.3, pmtiles@4.5.0, protomaps-leaflet@5.1.0): a changed file is a
# changed version, and the README says how.
PINNED = {
    "leaflet/leaflet.js": "db49d009c841f5ca34a888c96511ae936fd9f5533e90d8b2c4d57596f4e5641a",
    "leaflet.markercluster/leaflet.markercluster.js": (
        "1e4e1d22972a3926f48598e0caf14e3fe7049835d428a344fed4f9e3665b3508"
    ),
    # @geoman-io/leaflet-geoman-free@2.20.2 (the boundary editor)
    "leaflet-geoman/leaflet-geoman.min.js": (
        "20d0ba38069526be959287b8ae13234f660f92db28de86782ebcad028dda9ed3"
    ),
    "leaflet-geoman/leaflet-geoman.css": (
        "a0df8e0f6301f9f71d772b2c61913bb9094ae0735fd2223ccd1aecd871ea250c"
    ),
    "pmtiles/pmtiles.js": "caf981bc46f6327ee7e65d5dc964d89d38a69f60edca2bd4c5c890c21b554c6c",
    "protomaps-leaflet/protomaps-leaflet.js": (
        "26af014f7b1af308ec120b791cff76657bb9c3383633b52033e6edf9e5e4cdb5"
    ),
    # idb@8.0.4's build/index.js: 平安通's IndexedDB (the field terminal, /field/)
    "idb/idb.js": "e01b45d2e088a7197e8b41ba9b51a0876969da67cc08e6efbc3d5d7ab6ac836c",
}
FILES = [
    "leaflet/leaflet.css",
    "leaflet/LICENSE",
    "leaflet/images/layers.png",
    "leaflet/images/marker-icon.png",
    "leaflet.markercluster/MarkerCluster.css",
    "leaflet.markercluster/MarkerCluster.Default.css",
    "leaflet.markercluster/MIT-LICENCE.txt",
    "leaflet-geoman/LICENSE",
    "pmtiles/LICENSE",
    "protomaps-leaflet/LICENSE",
    "idb/LICENSE",
]


def test_the_pinned_builds_are_vendored():
    for name, digest in PINNED.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
    assert "Leaflet 1.9.4" in (VENDOR / "leaflet/leaflet.js").read_text()[:200]
    readme = (VENDOR / "README.md").read_text()
    assert "npm pack leaflet@1.9.4 leaflet.markercluster@1.5.3" in readme
    assert "npm pack @geoman-io/leaflet-geoman-free@2.20.2" in readme
    assert (
        '"@geoman-io/leaflet-geoman-free",version:"2.20.2"'
        in (VENDOR / "leaflet-geoman/leaflet-geoman.min.js").read_text()
    )
    assert "npm pack pmtiles@4.5.0 protomaps-leaflet@5.1.0" in readme
    assert "npm pack idb@8.0.4" in readme


def test_the_files_and_licences_are_static_files():
    for name in [*PINNED, *FILES]:
        assert finders.find(f"vendor/{name}"), name
    assert "BSD 2-Clause" in (VENDOR / "leaflet/LICENSE").read_text()
    assert "MIT" in (VENDOR / "leaflet.markercluster/MIT-LICENCE.txt").read_text()
    assert "MIT License" in (VENDOR / "leaflet-geoman/LICENSE").read_text()
    for name in ("pmtiles/LICENSE", "protomaps-leaflet/LICENSE"):
        assert "Protomaps LLC" in (VENDOR / name).read_text(), name
    assert "ISC License" in (VENDOR / "idb/LICENSE").read_text()


def test_the_stylesheets_load_only_their_own_images():
    # Every url() is relative (its images, vendored beside it), a fragment, or an image written
    # inline (data:, Leaflet-Geoman's icons): never a CDN.
    for css in VENDOR.glob("*/*.css"):
        for url in re.findall(r"url\(('[^']*'|\"[^\"]*\"|[^)]*)\)", css.read_text()):
            url = url.strip("'\"")
            if url.startswith("data:"):
                continue
            assert url.startswith("#") or ":" not in url and not url.startswith("/"), (css, url)
            if not url.startswith("#"):
                assert (css.parent / url).is_file(), (css, url)
