/* Small enhancements; every page works without them. */
(function () {
  "use strict";

  // "定位" fills latitude and longitude from the phone's position; without it people type them.
  // The fix's accuracy goes with it (a hidden field, for the padding signal on zero-accuracy
  // fixes); a typed coordinate is no fix, so editing either one clears it. A browser cannot tell
  // a mock provider: a new point here is never one.
  function initLocate(button) {
    var form = button.form;
    var status = document.getElementById(button.getAttribute("data-status"));
    var accuracy = form.elements.location_accuracy, mock = form.elements.location_mock;
    function setFix(value) {
      if (accuracy) accuracy.value = value;
      if (mock) mock.value = "False";
    }
    [form.elements.latitude, form.elements.longitude].forEach(function (input) {
      if (input) input.addEventListener("input", function () { setFix(""); });
    });
    if (!("geolocation" in navigator)) { button.hidden = true; return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (status) status.textContent = button.getAttribute("data-waiting");
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.elements.latitude.value = pos.coords.latitude.toFixed(6);
        form.elements.longitude.value = pos.coords.longitude.toFixed(6);
        setFix(pos.coords.accuracy.toFixed(2));
        // As if typed: what listens for a new point (locate.js, the duplicates check) hears it.
        form.elements.latitude.dispatchEvent(new Event("change", { bubbles: true }));
        if (status) status.textContent = button.getAttribute("data-done") + " ±" + Math.round(pos.coords.accuracy) + "m";
      }, function (err) {
        if (status) status.textContent = button.getAttribute("data-failed") + " (" + err.message + ")";
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  // The parties are required for disputes: say so next to the fieldset when the category changes.
  function initCategory(select) {
    var target = document.getElementById(select.getAttribute("data-parties"));
    if (!target) return;
    function update() { target.classList.toggle("not-dispute", select.value !== "dispute"); }
    select.addEventListener("change", update);
    update();
  }

  // On a phone the action bar is fixed at the bottom. CSS (scroll-padding-bottom) keeps most
  // focused fields above it, but the browser brings only a text area's caret into view, not the
  // whole box: scroll the rest of it above the bar.
  function keepFocusAboveBar(event) {
    var bar = document.querySelector(".action-bar");
    var el = event.target;
    if (!bar || bar.contains(el) || getComputedStyle(bar).position !== "fixed") return;
    window.requestAnimationFrame(function () {
      var box = el.getBoundingClientRect();
      var top = bar.getBoundingClientRect().top;
      if (box.bottom > top && box.height < top) window.scrollBy(0, box.bottom - top + 12);
    });
  }
  document.addEventListener("focusin", keepFocusAboveBar);

  function init(root) {
    root.querySelectorAll("[data-locate]").forEach(initLocate);
    root.querySelectorAll("select[data-parties]").forEach(initCategory);
    root.querySelectorAll("[data-confirm]").forEach(function (el) {
      el.addEventListener("click", function (ev) {
        if (!window.confirm(el.getAttribute("data-confirm"))) ev.preventDefault();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
})();
