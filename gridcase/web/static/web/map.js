/* The town's map (一张图): draws the open cases the server sends (JSON rows, the list's filters and
   scope) as markers coloured by their light, clustered when many. Everything it loads comes from
   this site: Leaflet is vendored, and the base layer is the town's own tile server or PMTiles
   file, if any (map_base.js); without one the cases lie on a plain background. */
(function () {
  "use strict";

  var COLOURS = { red: "#c62828", yellow: "#e0a800", green: "#2e7d32" };
  var RANK = { red: 3, yellow: 2, green: 1 };
  // With no cases to show, a view of the country (the town's own area comes with its boundaries).
  var FALLBACK_VIEW = [[32, 112], 5];

  // A case's light as the lists show it: a coloured dot and its words.
  function lightBadge(light, data) {
    var badge = document.createElement("span");
    badge.className = "light light-" + light;
    var dot = document.createElement("span");
    dot.className = "dot";
    dot.setAttribute("aria-hidden", "true");
    badge.appendChild(dot);
    badge.appendChild(document.createTextNode(data.lights[light] || ""));
    return badge;
  }

  function popup(point, data, openLabel) {
    // Built from nodes, never HTML strings: the title is what an officer typed.
    var box = document.createElement("div");
    box.className = "map-popup";
    var number = document.createElement("a");
    number.href = data.case_url.replace("NUMBER", encodeURIComponent(point[2]));
    number.textContent = point[2];
    var title = document.createElement("p");
    title.textContent = point[3];
    var light = lightBadge(point[4], data);
    var open = document.createElement("a");
    open.href = number.href;
    open.textContent = openLabel;
    box.appendChild(number);
    box.appendChild(title);
    box.appendChild(light);
    box.appendChild(document.createTextNode(" "));
    box.appendChild(open);
    return box;
  }

  // A cluster takes the colour of the worst light inside it, so a red case is never hidden.
  function clusterIcon(cluster) {
    var worst = "green";
    var children = cluster.getAllChildMarkers();
    for (var i = 0; i < children.length; i++) {
      var light = children[i].caseLight;
      if (RANK[light] > RANK[worst]) { worst = light; if (worst === "red") break; }
    }
    var count = cluster.getChildCount();
    var label = document.createElement("span");
    label.textContent = count;
    var inner = document.createElement("div");
    inner.appendChild(label);
    return L.divIcon({
      html: inner,
      className: "marker-cluster map-cluster map-cluster-" + worst,
      iconSize: L.point(40, 40)
    });
  }

  function draw(el, map, data) {
    var clusters = L.markerClusterGroup({
      iconCreateFunction: clusterIcon,
      showCoverageOnHover: false,
      maxClusterRadius: 60
    });
    var markers = [];
    var bounds = [];
    var openLabel = el.getAttribute("data-open");
    data.points.forEach(function (point) {
      // [latitude, longitude, number, title, light]
      var latlng = [point[0], point[1]];
      var marker = L.circleMarker(latlng, {
        radius: 8,
        color: "#fff",
        weight: 2,
        fillColor: COLOURS[point[4]] || "#52606d",
        fillOpacity: 0.95,
        className: "case-marker case-marker-" + (point[4] || "none")
      });
      marker.caseLight = point[4];
      marker.bindPopup(function () { return popup(point, data, openLabel); });
      markers.push(marker);
      bounds.push(latlng);
    });
    // The boundaries under the cases (no fill: the lights stay readable), the grids dashed.
    var areas = L.featureGroup();
    (data.villages || []).forEach(function (v) {
      L.geoJSON(v.geometry, { interactive: false, style: { className: "map-village", color: "#1f2933", weight: 2, fill: false } }).addTo(areas);
    });
    (data.grids || []).forEach(function (g) {
      L.geoJSON(g.geometry, { interactive: false, style: { className: "map-grid", color: "#1c5fb8", weight: 1, dashArray: "4 4", fill: false } }).addTo(areas);
    });
    areas.addTo(map);
    var box = L.latLngBounds(bounds);
    if (areas.getLayers().length) box.extend(areas.getBounds());
    // The view first: clusters added before it would be animated away from the fallback view.
    if (box.isValid()) map.fitBounds(box, { padding: [24, 24], maxZoom: 16, animate: false });
    clusters.addLayers(markers);
    map.addLayer(clusters);
    return markers.length;
  }

  // 附近: the open cases near the person's position (the browser's geolocation, WGS-84 as the
  // cases are stored) or near a case (?near=NUMBER), in a layer of their own over the map and
  // listed under it. The server decides which cases (its scope, 300 m, 30 days).
  function initNear(el, map) {
    var button = document.getElementById("map-near");
    var box = document.getElementById("near-cases");
    if (!button || !box) return null;
    var status = document.getElementById("near-status");
    var list = document.getElementById("near-list");
    var layer = L.layerGroup().addTo(map);
    var openLabel = el.getAttribute("data-open");

    function fail(text) {
      layer.clearLayers();
      list.textContent = "";
      status.textContent = text;
      status.classList.add("map-warning");
      box.hidden = false;
      el.setAttribute("data-near-markers", "error");
    }

    function item(point, data) {
      // [latitude, longitude, number, title, light, metres]
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = data.case_url.replace("NUMBER", encodeURIComponent(point[2]));
      link.textContent = point[2];
      var light = lightBadge(point[4], data);
      var far = document.createElement("span");
      far.className = "muted";
      far.textContent = el.getAttribute("data-metres").replace("%(m)s", point[5]);
      li.appendChild(link);
      li.appendChild(document.createTextNode(" " + point[3] + " "));
      li.appendChild(light);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(far);
      return li;
    }

    function show(data) {
      layer.clearLayers();
      list.textContent = "";
      status.classList.remove("map-warning");
      var centre = L.latLng(data.center[0], data.center[1]);
      var circle = L.circle(centre, {
        radius: data.radius_m, color: "#1c5fb8", weight: 2, fillOpacity: 0.06,
        interactive: false, className: "near-circle"
      }).addTo(layer);
      L.circleMarker(centre, {
        radius: 7, color: "#fff", weight: 3, fillColor: "#1c5fb8", fillOpacity: 1,
        interactive: false, className: "near-here"
      }).addTo(layer);
      data.points.forEach(function (point) {
        var marker = L.circleMarker([point[0], point[1]], {
          radius: 10, color: "#1f2933", weight: 3, fillColor: COLOURS[point[4]] || "#52606d",
          fillOpacity: 1, className: "near-marker near-marker-" + (point[4] || "none")
        }).addTo(layer);
        marker.bindPopup(function () { return popup(point, data, openLabel); });
        list.appendChild(item(point, data));
      });
      status.textContent = data.message;
      box.hidden = false;
      map.fitBounds(circle.getBounds(), { padding: [16, 16], animate: false });
      el.setAttribute("data-near-markers", String(data.points.length));
    }

    function ask(query) {
      fetch(el.getAttribute("data-near") + "?" + query, { credentials: "same-origin" })
        .then(function (response) {
          return response.json().then(function (body) {
            if (!response.ok) throw { said: body.error };
            return body;
          });
        })
        .then(show)
        .catch(function (error) {
          // The server's words when it said what is wrong; else (offline, a 404 page) ours.
          fail((error && error.said) || el.getAttribute("data-near-failed"));
        });
    }

    button.addEventListener("click", function () {
      if (!navigator.geolocation) { fail(el.getAttribute("data-geo-failed")); return; }
      status.classList.remove("map-warning");
      status.textContent = el.getAttribute("data-locating");
      box.hidden = false;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          ask("lat=" + position.coords.latitude.toFixed(6) +
              "&lon=" + position.coords.longitude.toFixed(6));
        },
        function () { fail(el.getAttribute("data-geo-failed")); },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });

    return {
      // After the town's cases are drawn (their view first, then the case's neighbourhood).
      ready: function () {
        var number = el.getAttribute("data-near-case");
        if (number) ask("case=" + encodeURIComponent(number));
      }
    };
  }

  function init(el) {
    var status = document.getElementById("map-status");
    var map = L.map(el, { preferCanvas: false, zoomControl: true, maxZoom: 18 });
    GridcaseMapBase.addTo(map, el);
    map.setView(FALLBACK_VIEW[0], FALLBACK_VIEW[1]);
    var nearby = initNear(el, map);
    fetch(el.getAttribute("data-points"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        el.setAttribute("data-fetched-ms", String(Math.round(performance.now())));
        var n = draw(el, map, data);
        var count = el.getAttribute(n === 1 ? "data-count-one" : "data-count");
        var text = data.message || count.replace("%(n)s", n);
        status.textContent = text;
        if (data.capped || !n) status.classList.add("map-warning");
        // Drawn: the next frame is painted. The bench and the tests read these.
        window.requestAnimationFrame(function () {
          el.setAttribute("data-markers", String(n));
          el.setAttribute("data-drawn-ms", String(Math.round(performance.now())));
        });
        if (nearby) nearby.ready();
      })
      .catch(function () {
        status.textContent = el.getAttribute("data-failed");
        status.classList.add("map-warning");
        el.setAttribute("data-markers", "error");
        if (nearby) nearby.ready();
      });
  }

  // The case page: its point on a small, still map (a picture: no controls, nothing to focus).
  function initCasePoint(el) {
    var latlng = [parseFloat(el.getAttribute("data-lat")), parseFloat(el.getAttribute("data-lon"))];
    if (isNaN(latlng[0]) || isNaN(latlng[1])) return;
    var map = L.map(el, {
      zoomControl: false, attributionControl: false, dragging: false, touchZoom: false,
      scrollWheelZoom: false, doubleClickZoom: false, boxZoom: false, keyboard: false
    });
    GridcaseMapBase.addTo(map, el);
    map.setView(latlng, 16);
    var light = el.getAttribute("data-light");
    L.circleMarker(latlng, {
      radius: 9, color: "#fff", weight: 2, fillColor: COLOURS[light] || "#1c5fb8",
      fillOpacity: 0.95, interactive: false, className: "case-marker case-marker-" + (light || "none")
    }).addTo(map);
    el.setAttribute("data-markers", "1");
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.L) return;
    var el = document.getElementById("town-map");
    if (el) init(el);
    var point = document.getElementById("case-map");
    if (point) initCasePoint(point);
  });
})();
