/* The administrators' boundary editor (manage/<town>/boundaries/): the town's villages and
 * grids on a Leaflet map; the chosen one is drawn anew or its vertices moved with
 * Leaflet-Geoman (vendored), and the form sends it as GeoJSON (WGS-84, [longitude, latitude]).
 * The checks are the server's (org.boundaries through set_boundaries): this script only draws.
 * No inline script (the CSP): the places come in a JSON block (#boundary-data). */
(function () {
  "use strict";

  // With no boundary at all to show, a view of the country.
  var FALLBACK_VIEW = [[35.0, 105.0], 4];
  var STYLES = {
    village: { className: "boundary-other-village", color: "#1f2933", weight: 2, fill: false },
    grid: { className: "boundary-other-grid", color: "#1c5fb8", weight: 1, fill: false },
    editing: { className: "boundary-editing", color: "#c62828", weight: 3, fillOpacity: 0.12 }
  };

  function text(el, name) { return el.getAttribute("data-" + name) || ""; }

  // One GeoJSON geometry for the layers being edited: a Polygon, or a MultiPolygon when the
  // place has several parts (an exclave). Coordinates exactly as drawn (no rounding), so an
  // untouched vertex is saved as it was.
  function geometryOf(group) {
    var polygons = [];
    group.eachLayer(function (layer) {
      if (!layer.toGeoJSON) return;
      var g = layer.toGeoJSON(false).geometry;
      if (g.type === "Polygon") polygons.push(g.coordinates);
      else if (g.type === "MultiPolygon") polygons = polygons.concat(g.coordinates);
    });
    if (!polygons.length) return null;
    if (polygons.length === 1) return { type: "Polygon", coordinates: polygons[0] };
    return { type: "MultiPolygon", coordinates: polygons };
  }

  function init(el) {
    var data = JSON.parse(document.getElementById("boundary-data").textContent);
    var form = document.getElementById("boundary-form");
    var select = document.getElementById("boundary-place");
    var field = document.getElementById("boundary-geometry");
    var status = document.getElementById("boundary-status");
    var drawButton = document.getElementById("boundary-draw");
    var editButton = document.getElementById("boundary-edit");
    var places = {};
    data.places.forEach(function (p) { places[p.key] = p; });

    var map = L.map(el, { zoomControl: true, maxZoom: 20 });
    el.boundaryMap = map; // for the browser tests: pixels to coordinates
    var tiles = text(el, "tiles");
    if (tiles) L.tileLayer(tiles, { maxZoom: 20, maxNativeZoom: 18 }).addTo(map);
    else el.classList.add("no-tiles");
    if (map.pm.setLang && document.documentElement.lang.indexOf("zh") === 0) map.pm.setLang("zh");

    var context = {}; // key -> layer of every place but the one being edited
    var editing = L.featureGroup().addTo(map);
    var current = null;

    function say(message) { status.textContent = message; }

    function setEditMode(on) {
      editing.eachLayer(function (layer) {
        if (!layer.pm) return;
        if (on) layer.pm.enable({ allowSelfIntersection: true, snappable: true });
        else layer.pm.disable();
      });
      editButton.setAttribute("aria-pressed", on ? "true" : "false");
      if (on) say(text(el, "editing"));
    }

    function editGeometry(geometry) {
      setEditMode(false);
      editing.clearLayers();
      if (geometry) {
        L.geoJSON(geometry, { style: STYLES.editing }).eachLayer(function (layer) {
          editing.addLayer(layer);
        });
      }
      el.setAttribute("data-parts", String(editing.getLayers().length));
    }

    function drawContext() {
      Object.keys(context).forEach(function (key) { map.removeLayer(context[key]); });
      context = {};
      data.places.forEach(function (p) {
        if (!p.geometry || p.key === current) return;
        context[p.key] = L.geoJSON(p.geometry, { style: STYLES[p.kind] }).addTo(map);
      });
    }

    function fit() {
      var box = editing.getLayers().length ? editing.getBounds() : null;
      if (!box) {
        var all = L.latLngBounds([]);
        Object.keys(context).forEach(function (key) { all.extend(context[key].getBounds()); });
        if (all.isValid()) box = all;
      }
      if (box && box.isValid()) map.fitBounds(box, { padding: [24, 24], maxZoom: 17, animate: false });
      else map.setView(FALLBACK_VIEW[0], FALLBACK_VIEW[1]);
    }

    function choose(key, geometry) {
      map.pm.disableDraw();
      current = key;
      drawContext();
      editGeometry(geometry);
      fit();
      say(editing.getLayers().length ? "" : text(el, "empty"));
    }

    map.on("pm:create", function (e) {
      // A new polygon replaces the place's boundary (draw again to try another shape).
      setEditMode(false);
      editing.clearLayers();
      e.layer.setStyle(STYLES.editing);
      editing.addLayer(e.layer);
      el.setAttribute("data-parts", "1");
      say(text(el, "drawn"));
    });

    drawButton.addEventListener("click", function () {
      setEditMode(false);
      map.pm.enableDraw("Polygon", {
        snappable: true, allowSelfIntersection: true, continueDrawing: false,
        pathOptions: STYLES.editing, templineStyle: { color: "#c62828" }, hintlineStyle: { color: "#c62828", dashArray: [5, 5] }
      });
      say(text(el, "drawing"));
    });
    editButton.addEventListener("click", function () {
      map.pm.disableDraw();
      setEditMode(editButton.getAttribute("aria-pressed") !== "true");
    });
    document.getElementById("boundary-undo").addEventListener("click", function () {
      choose(current, places[current] ? places[current].geometry : null);
    });
    select.addEventListener("change", function () {
      field.value = "";
      choose(select.value, places[select.value] ? places[select.value].geometry : null);
    });
    form.addEventListener("submit", function (e) {
      var action = e.submitter ? e.submitter.value : "save";
      if (action === "clear" && !window.confirm(text(el, "confirm-clear"))) {
        e.preventDefault();
        return;
      }
      map.pm.disableDraw();
      var geometry = geometryOf(editing);
      field.value = geometry ? JSON.stringify(geometry) : "";
    });

    // After a refused save the page comes back with the drawing as it was sent: keep it.
    var draft = null;
    if (field.value) {
      try { draft = JSON.parse(field.value); } catch (err) { draft = null; }
    }
    var first = select.value;
    choose(first, draft || (places[first] ? places[first].geometry : null));
    el.setAttribute("data-ready", "1");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("boundary-map");
    if (el && window.L && L.PM) init(el);
  });
})();
