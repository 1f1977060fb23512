"""Charts are valid, accessible SVG that show the same numbers as their table and CSV."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samen.insights import charts
from samen.insights.charts import ChartData, Series

SVG = "{http://www.w3.org/2000/svg}"

DATA = ChartData(
    title="Mentions per channel",
    description="Mentions per day and channel in the first week of November.",
    categories=("1 Nov", "2 Nov", "3 Nov", "4 Nov"),
    series=(Series("Mastodon", (12, 30, 7.5, 0)), Series("Bluesky", (3, 0, 14, 22))),
    category_label="Date",
    unit="posts",
)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output)


def marks(root: ET.Element) -> dict[tuple[str, str], str]:
    """(series, category) -> the value the chart draws there."""
    found = {}
    for el in root.iter():
        if "data-value" in el.attrib:
            found[(el.attrib["data-series"], el.attrib["data-category"])] = el.attrib["data-value"]
    return found


def csv_values(data: ChartData) -> dict[tuple[str, str], str]:
    rows = list(csv.reader(io.StringIO(charts.to_csv(data))))
    header = rows[0]
    return {(header[j], row[0]): row[j] for row in rows[1:] for j in range(1, len(header))}


@pytest.mark.parametrize("kind", ["line", "area", "bar", "stacked", "radar"])
def test_every_chart_is_valid_svg_labelled_by_its_title_and_description(kind):
    root = parse(charts.render(kind, DATA, chart_id=f"c-{kind}"))
    assert root.tag == f"{SVG}svg"
    assert root.attrib["role"] == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.text == DATA.title
    assert desc is not None and desc.text == DATA.description
    assert root.attrib["aria-labelledby"] == f"{title.attrib['id']} {desc.attrib['id']}"
    assert title.attrib["id"] == f"c-{kind}-title"


@pytest.mark.parametrize("kind", ["line", "area", "bar", "stacked", "radar"])
def test_the_chart_the_table_and_the_csv_hold_the_same_numbers(kind):
    drawn = marks(parse(charts.render(kind, DATA, chart_id="c")))
    in_csv = csv_values(DATA)
    in_table = {(DATA.header()[j], row[0]): row[j]
                for row in DATA.rows() for j in range(1, len(DATA.header()))}
    assert drawn == in_csv == in_table
    assert in_csv[("Mastodon", "3 Nov")] == "7.5"
    assert in_csv[("Bluesky", "4 Nov")] == "22"


def test_colour_is_not_the_only_cue():
    line = parse(charts.line_chart(DATA, chart_id="l"))
    # Each line carries its name as text next to it, and its own dash pattern.
    texts = [t.text for t in line.iter(f"{SVG}text")]
    assert "Mastodon" in texts and "Bluesky" in texts
    dashes = [p.attrib.get("stroke-dasharray", "") for p in line.iter(f"{SVG}polyline")]
    assert len(set(dashes)) == 2
    # Stacked segments differ by hatching, repeated in the legend.
    stacked = charts.stacked_bar_chart(DATA, chart_id="s")
    assert stacked.count('stroke="#FFFFFF" stroke-width="1.5"') > 0
    legend_texts = [t.text for t in parse(stacked).iter(f"{SVG}text")]
    assert "Mastodon" in legend_texts and "Bluesky" in legend_texts


def test_palette_and_text_meet_wcag_contrast_against_white():
    for colour in charts.PALETTE:
        assert charts.contrast_ratio(colour, "#FFFFFF") >= 3.0, colour
    assert charts.contrast_ratio(charts.TEXT, "#FFFFFF") >= 4.5
    assert charts.contrast_ratio(charts.MUTED, "#FFFFFF") >= 4.5


def test_markup_in_labels_is_escaped_data():
    data = ChartData(title="<script>alert(1)</script>", description="a & b",
                     categories=("#<b>tag</b>",), series=(Series("x\"y", (1,)),))
    for kind in ("line", "bar", "stacked"):
        svg = charts.render(kind, data, chart_id="e")
        root = parse(svg)
        assert root.find(f"{SVG}title").text == "<script>alert(1)</script>"
        assert "<script>" not in svg and "<b>" not in svg


def test_an_empty_chart_says_so():
    empty = ChartData(title="Nothing", description="No data.", categories=(), series=())
    root = parse(charts.line_chart(empty, chart_id="n", empty_message="No data for this period."))
    assert [t.text for t in root.iter(f"{SVG}text")] == ["No data for this period."]


def test_csv_cells_cannot_become_spreadsheet_formulas():
    data = ChartData(title="t", description="d", categories=("=cmd()", "@x", "ok"),
                     series=(Series("-s", (1, 2, 3)),), category_label="Tag")
    rows = list(csv.reader(io.StringIO(charts.to_csv(data))))
    assert rows[0] == ["Tag", "'-s"]
    assert [r[0] for r in rows[1:]] == ["'=cmd()", "'@x", "ok"]


def test_mismatched_series_are_refused():
    with pytest.raises(ValueError, match="2 values for 3 categories"):
        ChartData(title="t", description="d", categories=("a", "b", "c"),
                  series=(Series("s", (1, 2)),))
    with pytest.raises(ValueError, match="unknown chart kind"):
        charts.render("pie", DATA, chart_id="p")


values = st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=40)


@settings(max_examples=40, deadline=None)
@given(values)
def test_ticks_always_cover_the_largest_value(series_values):
    ticks = charts.nice_ticks(max(series_values))
    assert ticks[0] == 0 and ticks[-1] >= max(series_values)
    assert ticks == sorted(ticks)


@settings(max_examples=30, deadline=None)
@given(values, st.sampled_from(["line", "area", "bar", "stacked"]))
def test_any_numbers_render_to_parseable_svg_with_every_value(series_values, kind):
    data = ChartData(title="t", description="d",
                     categories=tuple(f"d{i}" for i in range(len(series_values))),
                     series=(Series("s", tuple(float(v) for v in series_values)),))
    drawn = marks(parse(charts.render(kind, data, chart_id="h")))
    assert [drawn[("s", f"d{i}")] for i in range(len(series_values))] == \
        [charts.format_number(v) for v in series_values]
