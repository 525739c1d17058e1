"""The SVG charts are pure functions: valid SVG, labelled, and bars proportional to values."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from gridcase.web import charts

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def bars(root: ET.Element) -> list[ET.Element]:
    return root.findall(".//svg:rect[@class='bar']", NS)


def test_bar_chart_is_valid_svg_with_a_title_and_a_description():
    svg = charts.bar_chart(
        ident="c1",
        title="各月事件数",
        desc="说明",
        labels=["2026-09", "2026-10"],
        series=[charts.Series("矛盾纠纷", [3, 5])],
        y_label="事件数(件)",
        x_label="月份",
    )
    root = parse(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find("svg:title", NS).text == "各月事件数"
    assert root.find("svg:desc", NS).text == "说明"
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "事件数(件)" in texts and "月份" in texts
    assert "2026-09" in texts and "2026-10" in texts


def test_bar_heights_are_proportional_to_the_values():
    svg = charts.bar_chart(
        ident="c",
        title="t",
        labels=["甲", "乙", "丙"],
        series=[charts.Series("s", [10, 25, 40])],
        y_label="件",
    )
    heights = [float(b.get("height")) for b in bars(parse(svg))]
    assert len(heights) == 3
    assert heights[1] / heights[0] == pytest.approx(2.5, rel=1e-3)
    assert heights[2] / heights[0] == pytest.approx(4.0, rel=1e-3)
    # Each bar stands on the axis: y + height is the same for all.
    bottoms = {round(float(b.get("y")) + float(b.get("height")), 1) for b in bars(parse(svg))}
    assert len(bottoms) == 1


def test_bars_carry_their_value_and_a_tooltip():
    svg = charts.bar_chart(
        ident="c",
        title="t",
        labels=["东村"],
        series=[charts.Series("本级", [7]), charts.Series("镇中心", [2])],
        y_label="件",
    )
    found = bars(parse(svg))
    assert [b.get("data-value") for b in found] == ["7", "2"]
    assert [b.find("svg:title", NS).text for b in found] == ["东村 · 本级: 7", "东村 · 镇中心: 2"]


def test_stacked_bars_pile_up_to_the_total():
    svg = charts.bar_chart(
        ident="c",
        title="t",
        labels=["9月"],
        series=[charts.Series("a", [3]), charts.Series("b", [1])],
        y_label="件",
        stacked=True,
    )
    a, b = bars(parse(svg))
    assert float(a.get("height")) / float(b.get("height")) == pytest.approx(3.0, rel=1e-3)
    # b sits on top of a
    assert float(b.get("y")) + float(b.get("height")) == pytest.approx(float(a.get("y")), abs=0.02)


def test_percent_charts_run_to_one_hundred():
    svg = charts.bar_chart(
        ident="c",
        title="t",
        labels=["本级", "镇中心"],
        series=[charts.Series("按时率", [50, None])],
        y_label="按时率(%)",
        percent=True,
    )
    root = parse(svg)
    ticks = [t.text for t in root.findall(".//svg:text[@class='tick']", NS)]
    assert ticks[0] == "0%" and ticks[-1] == "100%"
    (bar,) = bars(root)  # None draws nothing
    # 50% is half the plot's height: the axis runs from 0 to 100.
    grid = root.findall(".//svg:line[@class='grid']", NS)
    top, bottom = float(grid[-1].get("y1")), float(grid[0].get("y1"))
    assert float(bar.get("height")) == pytest.approx((bottom - top) / 2, abs=0.02)


def test_decimal_values_are_drawn():
    svg = charts.bar_chart(
        ident="c",
        title="t",
        labels=["东村", "西村"],
        series=[charts.Series("2026-Q3", [Decimal("120.50"), Decimal("241.00")])],
        y_label="元",
    )
    heights = [float(b.get("height")) for b in bars(parse(svg))]
    assert heights[1] / heights[0] == pytest.approx(2.0, rel=1e-3)


def test_an_empty_chart_says_so_and_draws_no_bars():
    svg = charts.bar_chart(
        ident="c",
        title="t",
        labels=["东村"],
        series=[charts.Series("s", [0])],
        y_label="件",
        empty="当前没有超期事件",
    )
    root = parse(svg)
    assert bars(root) == []
    assert root.find(".//svg:text[@class='empty']", NS).text == "当前没有超期事件"


def test_a_zero_percent_rate_is_a_value_not_an_empty_chart():
    svg = charts.bar_chart(
        ident="c",
        title="t",
        labels=["本级", "部门"],
        series=[charts.Series("按时率", [0, None])],
        y_label="%",
        percent=True,
    )
    root = parse(svg)
    assert root.find(".//svg:text[@class='empty']", NS) is None
    assert [b.get("data-value") for b in bars(root)] == ["0"]
    nothing = charts.bar_chart(
        ident="c",
        title="t",
        labels=["本级"],
        series=[charts.Series("按时率", [None])],
        y_label="%",
        percent=True,
    )
    assert parse(nothing).find(".//svg:text[@class='empty']", NS) is not None


def test_text_is_escaped():
    svg = charts.bar_chart(
        ident="c",
        title="<script>alert(1)</script>",
        labels=["a&b"],
        series=[charts.Series('"x"', [1])],
        y_label="<y>",
    )
    root = parse(svg)  # would not parse if anything were left unescaped
    assert root.find("svg:title", NS).text == "<script>alert(1)</script>"
    assert "<script>" not in svg


def test_long_labels_are_rotated_so_they_do_not_overlap():
    labels = [f"非常长的行政村名称{i}" for i in range(12)]
    svg = charts.bar_chart(
        ident="c", title="t", labels=labels, series=[charts.Series("s", [1] * 12)], y_label="件"
    )
    label_nodes = parse(svg).findall(".//svg:text[@class='label']", NS)
    assert len(label_nodes) == 12
    assert all("rotate(-40" in node.get("transform", "") for node in label_nodes)


def test_line_chart_draws_a_point_per_value_and_breaks_at_gaps():
    svg = charts.line_chart(
        ident="l",
        title="按时率趋势",
        labels=["06", "07", "08", "09"],
        series=[charts.Series("本级", [90, 80, None, 100])],
        y_label="按时率(%)",
        percent=True,
    )
    root = parse(svg)
    points = root.findall(".//svg:circle[@class='point']", NS)
    assert [p.get("data-value") for p in points] == ["90", "80", "100"]
    lines = root.findall(".//svg:polyline", NS)
    assert len(lines) == 1  # 06–07; 09 stands alone after the gap
    assert len(lines[0].get("points").split()) == 2
    # Higher values are drawn higher (smaller y).
    ys = [float(p.get("cy")) for p in points]
    assert ys[2] < ys[0] < ys[1]


def test_series_of_the_wrong_length_are_refused():
    with pytest.raises(ValueError):
        charts.bar_chart(
            ident="c", title="t", labels=["a", "b"], series=[charts.Series("s", [1])], y_label="y"
        )


@pytest.mark.parametrize(
    ("value", "step", "top"),
    [(0, 1, 5), (7, 2, 8), (10, 2, 10), (13, 5, 15), (95, 20, 100), (1234, 250, 1250)],
)
def test_axis_maximum_is_a_round_number_at_or_above_the_peak(value, step, top):
    assert charts.nice_ceiling(value) == (pytest.approx(step), pytest.approx(top))
