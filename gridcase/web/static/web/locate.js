/* Where the case's point lies, said as it is typed or fixed: "位置属于:东村 · 第一网格", or
   that it lies outside every grid. The server places the case by the same rules on save
   (cases/placing.py), so the form works without this; with it, the officer sees the place
   before saving and the village and grid choices follow the point. */
(function () {
  "use strict";

  function init() {
    var status = document.getElementById("place-status");
    var form = document.getElementById("case-form");
    if (!status || !form || !window.fetch) return;
    var url = status.getAttribute("data-locate-url");
    var els = form.elements;
    var timer = null, asked = 0;
    // What this script last chose: a choice the officer made by hand is never undone.
    var chosen = { village: null, grid: null };

    function choose(name, id) {
      var select = els[name];
      if (!select) return;
      var value = id === null || id === undefined ? "" : String(id);
      for (var i = 0; i < select.options.length; i++) {
        if (select.options[i].value === value) {
          select.value = chosen[name] = value;
          return;
        }
      }
    }

    function unchoose(name) {
      var select = els[name];
      if (select && chosen[name] !== null && select.value === chosen[name]) select.value = "";
      chosen[name] = null;
    }

    function ask(setChoices) {
      var lat = els.latitude.value.trim(), lon = els.longitude.value.trim();
      if (!lat || !lon) return;
      var crs = els.crs ? els.crs.value : "wgs84";
      var query = "?lat=" + encodeURIComponent(lat) + "&lon=" + encodeURIComponent(lon) +
        "&crs=" + encodeURIComponent(crs || "wgs84");
      var mine = ++asked;
      fetch(url + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (mine !== asked) return; // a later point has been asked for since
          status.textContent = data.message || "";
          if (!setChoices) return;
          if (data.found && data.yours) {
            choose("village", data.village.id);
            choose("grid", data.grid ? data.grid.id : "");
          } else {
            // A point that cannot place the case: back to "by the point", so that the save
            // says so, unless the officer chose by hand.
            unchoose("village");
            unchoose("grid");
          }
        })
        .catch(function () { /* offline: the save will place it */ });
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { ask(true); }, 300);
    }

    // The phone's fix is WGS-84 whatever was chosen for typing (workbench.js fills the
    // fields, then sends "change").
    var fix = form.querySelector("[data-locate]");
    if (fix && els.crs) fix.addEventListener("click", function () { els.crs.value = "wgs84"; });
    [els.latitude, els.longitude, els.crs].forEach(function (input) {
      if (input) input.addEventListener("change", later);
    });
    // A new form's point (typed, then the page re-shown): say where it is, choose nothing.
    // A draft's page says where the draft is instead.
    if (!status.textContent.trim()) ask(false);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
