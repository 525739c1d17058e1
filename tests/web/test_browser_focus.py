"""The keyboard's focus in a real browser (issue 16): on a phone the fixed bottom bar never covers
the focused field, and every tab stop shows the same ring, which stands out from what is around
it (WCAG 2.4.7, 2.4.11, 1.4.11)."""

from __future__ import annotations

import pytest

from tests.factories import local, submitted_case
from tests.web import test_browser_workbench as workbench

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = workbench.browser
page_for = workbench.page_for
t = workbench.t

# The focused element, where it is, what is in front of it at the bottom, and its ring against
# the first opaque background behind it (relative luminance contrast, WCAG's formula).
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const box = el.getBoundingClientRect();
  const bar = document.querySelector(".action-bar");
  const barBox = bar ? bar.getBoundingClientRect() : null;
  const style = getComputedStyle(el);
  const rgb = (text) => (text.match(/\\d+(\\.\\d+)?/g) || []).slice(0, 4).map(Number);
  const lum = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  let node = el.parentElement, background = [255, 255, 255];
  while (node) {
    const c = rgb(getComputedStyle(node).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] === 1)) { background = c.slice(0, 3); break; }
    node = node.parentElement;
  }
  const ring = rgb(style.outlineColor).slice(0, 3);
  const halo = rgb(style.boxShadow).slice(0, 3);
  const text = (el.textContent || el.name || "").trim().slice(0, 20);
  return {
    name: `${el.tagName.toLowerCase()}#${el.id || ""} ${text}`,
    top: box.top, bottom: box.bottom, viewport: window.innerHeight,
    inBar: bar ? bar.contains(el) : false,
    barTop: barBox ? barBox.top : null,
    outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
    boxShadow: style.boxShadow,
    contrast: Math.max(ratio(ring, background), halo.length === 3 ? ratio(halo, background) : 0),
  };
}"""

RING = "solid 3px rgb(31, 41, 51)"
HALO = "rgb(255, 255, 255) 0px 0px 0px 2px"


def tab_stops(page, limit: int = 80) -> list[dict]:
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        page.wait_for_timeout(30)  # the scroll that brings the focus into view
        stop = page.evaluate(FOCUSED)
        if stop is None or (stops and stop["name"] == stops[0]["name"]):
            break
        stops.append(stop)
    return stops


def test_the_bottom_bar_never_covers_the_focused_field_on_a_phone(page_for, t, live_server):
    page = page_for(t.officer, phone=True)
    page.goto(f"{live_server.url}/cases/new/")
    # A dispute: its parties' rows (the lowest fields before the bar) are shown.
    page.select_option("#id_category", "dispute")
    page.evaluate("() => { document.activeElement.blur(); window.scrollTo(0, 0); }")
    stops = tab_stops(page)
    names = [s["name"] for s in stops]
    assert any("id_parties-1-phone" in n for n in names), names
    covered = [
        s["name"]
        for s in stops
        if not s["inBar"] and (s["top"] < 0 or s["bottom"] > (s["barTop"] or s["viewport"]) + 0.5)
    ]
    assert covered == [], covered


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_every_tab_stop_shows_the_same_ring_standing_out_at_3_to_1(page_for, t, live_server, phone):
    case = submitted_case(t, local(2026, 10, 12, 9))
    page = page_for(t.officer, phone=phone)
    for path in ("cases/new/", f"cases/{case.number}/"):
        page.goto(f"{live_server.url}/{path}")
        # The collapsed sections' headers (当场办结, the case's actions) are tab stops too.
        stops = tab_stops(page)
        assert len(stops) > 10
        assert any(s["name"].startswith("summary") for s in stops), path
        odd = [(s["name"], s["outline"], s["boxShadow"]) for s in stops if s["outline"] != RING]
        odd += [(s["name"], s["boxShadow"]) for s in stops if HALO not in s["boxShadow"]]
        assert odd == [], (path, odd)
        faint = [(s["name"], round(s["contrast"], 2)) for s in stops if s["contrast"] < 3]
        assert faint == [], (path, faint)
