/* The map's base layer, for every map of the site (the town map, the case page's small map):
   what the server put in <meta name="gridcase-map-base"> (web/map/_head.html, from the one
   setting GRIDCASE_MAP_TILES; docs/maps.md):
   - "tiles": a tile server on the town's network, a URL template (Leaflet draws it);
   - "raster" / "vector": the town's PMTiles file, read from this site in byte ranges, drawn by
     the vendored pmtiles (images) or protomaps-leaflet (vector tiles, drawn on a canvas with
     the browser's own fonts: no glyphs or sprites fetched);
   - nothing: no base layer, the map's element gets the class no-tiles (a plain background).
   Nothing here is fetched from outside this site and the town's tile server. */
(function () {
  "use strict";

  var MAX_ZOOM = 18;

  // "west,south,east,north" -> Leaflet bounds: no tile is asked for outside the file's area.
  function bounds(text) {
    var v = (text || "").split(",").map(parseFloat);
    if (v.length !== 4 || v.some(isNaN)) return undefined;
    return L.latLngBounds([v[1], v[0]], [v[3], v[2]]);
  }

  function pmtilesOptions(meta) {
    var options = { maxZoom: MAX_ZOOM, bounds: bounds(meta.getAttribute("data-bounds")) };
    // Past the file's deepest level its tiles are enlarged rather than asked for.
    var deepest = parseInt(meta.getAttribute("data-max-zoom"), 10);
    if (!isNaN(deepest)) options.maxNativeZoom = deepest;
    return options;
  }

  function layerFor(meta) {
    var kind = meta.getAttribute("content");
    var url = meta.getAttribute("data-url");
    if (!url) return null;
    if (kind === "tiles") return L.tileLayer(url, { maxZoom: MAX_ZOOM });
    if (kind === "raster" && window.pmtiles) {
      return window.pmtiles.leafletRasterLayer(new window.pmtiles.PMTiles(url), pmtilesOptions(meta));
    }
    if (kind === "vector" && window.protomapsL) {
      var options = pmtilesOptions(meta);
      options.url = url;
      options.flavor = "light";
      options.lang = "zh-Hans";
      if (options.maxNativeZoom !== undefined) options.maxDataZoom = options.maxNativeZoom;
      delete options.maxNativeZoom; // protomaps-leaflet enlarges past maxDataZoom itself
      return window.protomapsL.leafletLayer(options);
    }
    return null;
  }

  window.GridcaseMapBase = {
    // Adds the base layer to the map (or marks el as having none); returns the layer or null.
    addTo: function (map, el) {
      var meta = document.querySelector('meta[name="gridcase-map-base"]');
      var layer = meta ? layerFor(meta) : null;
      if (layer) {
        layer.addTo(map);
        el.setAttribute("data-base", meta.getAttribute("content"));
      } else {
        el.classList.add("no-tiles");
      }
      return layer;
    }
  };
})();
