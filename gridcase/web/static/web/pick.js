/* A point picked on a map (issue 13): on the case form, a tap on the small map fills the
   latitude and longitude (WGS-84, the map's own system) and says so to what listens for a new
   point (locate.js names the village and grid, the duplicates check looks around it), as the
   phone's fix does. A picked point is no fix: its accuracy is cleared. Without JavaScript the
   map stays hidden and the fields are typed. */
(() => {
  "use strict";
  const el = document.getElementById("pick-map");
  if (!el || !window.L || !window.GridcaseMapBase) return;
  const form = el.closest("form");
  const { latitude, longitude, crs, location_accuracy: accuracy } = form.elements;
  if (!latitude || !longitude) return;
  el.hidden = false;
  document.getElementById("pick-help")?.removeAttribute("hidden");

  const map = L.map(el);
  GridcaseMapBase.addTo(map, el);
  let marker = null;
  const show = (latlng) => {
    if (marker) marker.setLatLng(latlng);
    else marker = L.circleMarker(latlng, { radius: 9, color: "#fff", weight: 2, fillColor: "#b3261e", fillOpacity: 1, className: "pick-marker" }).addTo(map);
  };
  // The current point, when it is in the map's system (a point typed in GCJ-02 or BD-09 is
  // not drawn: it would lie hundreds of metres off).
  const current = () => {
    const lat = parseFloat(latitude.value), lon = parseFloat(longitude.value);
    const wgs84 = !crs || !crs.value || crs.value === "wgs84";
    return wgs84 && Number.isFinite(lat) && Number.isFinite(lon) ? L.latLng(lat, lon) : null;
  };
  const box = (el.dataset.bounds || "").split(",").map(parseFloat);
  const start = current();
  if (start) {
    map.setView(start, 16);
    show(start);
  } else if (box.length === 4 && box.every(Number.isFinite)) {
    map.fitBounds([[box[1], box[0]], [box[3], box[2]]]);
  } else {
    map.setView([32, 112], 5); // no point and no boundary yet: the country
  }

  map.on("click", (event) => {
    latitude.value = event.latlng.lat.toFixed(6);
    longitude.value = event.latlng.lng.toFixed(6);
    if (crs) crs.value = "wgs84";
    if (accuracy) accuracy.value = "";
    show(event.latlng);
    latitude.dispatchEvent(new Event("change", { bubbles: true }));
    el.dataset.picked = `${latitude.value},${longitude.value}`;
  });
  // A point typed or fixed moves the marker there.
  for (const input of [latitude, longitude, crs]) {
    input?.addEventListener("change", () => {
      const point = current();
      if (point) { show(point); map.panTo(point); }
    });
  }
})();
