"""The heatmap page's map views: one spec for every side, scale and contrast (only named datasets change, so the
browser swaps data into the chart it has), legends drawn beside it that match the view, and a still image (PNG)
that carries the same legends inside it."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from streamlit.elements.vega_charts import _marshall_chart_data
from streamlit.proto.VegaLiteChart_pb2 import VegaLiteChart

from liqcore import analyse, simulate
from liqcore.charts.raster import LEGEND_TICKS, LONG_RGB, SHORT_RGB, LegendRamp
from pages.components.heat_views import MapView, _ramp_html, chart_spec, legend_html, map_spec, still_spec

VIEWS = [MapView("both", "log", 0.0), MapView("short", "linear", 0.0), MapView("long", "percentile", 0.4)]


@pytest.fixture(scope="module")
def small_analysis():
    return analyse(simulate("long_cascade", seed=2, bars=500))


def test_every_view_sends_one_spec_and_only_its_datasets_change(small_analysis) -> None:
    specs = [map_spec(small_analysis, view) for view in VIEWS]
    frame = [{key: value for key, value in spec.items() if key != "datasets"} for spec in specs]
    assert all(part == frame[0] for part in frame[1:])  # legends, params, encodings: nothing follows the view
    assert all(list(spec["datasets"]) == list(specs[0]["datasets"]) for spec in specs)
    # pinned: left to the frontend, the renderer follows row counts, which differ by view
    assert specs[0]["usermeta"]["embedOptions"]["renderer"] == "canvas" and specs[0]["config"]["aria"] is False
    images = [spec["datasets"]["heat_image"][0]["url"] for spec in specs]
    assert len(set(images)) == len(VIEWS)
    sides = [{row["side"] for row in spec["datasets"]["heat_hover"]} for spec in specs]
    assert sides == [{"long", "short"}, {"short"}, {"long"}]


def test_a_new_contrast_alone_changes_the_image_and_hides_faint_hover_cells(small_analysis) -> None:
    plain, faint_hidden = (map_spec(small_analysis, MapView("both", "log", t))["datasets"] for t in (0.0, 0.5))
    assert plain["heat_image"][0]["url"] != faint_hidden["heat_image"][0]["url"]
    assert 0 < len(faint_hidden["heat_hover"]) < len(plain["heat_hover"])


def _sent(spec: dict) -> VegaLiteChart:
    """What Streamlit's `st.vega_lite_chart` puts on the wire for `spec` (its datasets as Arrow tables)."""
    proto = VegaLiteChart()
    _marshall_chart_data(proto, dict(spec), None)
    return proto


def test_the_chart_gets_its_datasets_as_arrow_made_once_the_very_tables_streamlit_would_send(small_analysis) -> None:
    view = VIEWS[1]
    plain, ready = map_spec(small_analysis, view), chart_spec(small_analysis, view)
    assert {k: v for k, v in ready.items() if k != "datasets"} == {k: v for k, v in plain.items() if k != "datasets"}
    assert all(isinstance(table, bytes) for table in ready["datasets"].values())
    assert _sent(ready) == _sent(plain)  # passed through unchanged: the browser gets the very same tables
    again = chart_spec(small_analysis, view)
    assert all(again["datasets"][name] is table for name, table in ready["datasets"].items())  # made once per view
    other, mine = chart_spec(small_analysis, VIEWS[2])["datasets"], ready["datasets"]
    assert other["heat_hover"] != mine["heat_hover"] and other["heat_image"] != mine["heat_image"]


class _Legends(HTMLParser):
    """Each legend's side, title, ramp colours and tick labels from `legend_html`."""

    def __init__(self) -> None:
        super().__init__()
        self.legends: list[dict] = []
        self._depth, self._in = 0, None

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if attrs.get("class") == "heat-legend":
            self.legends.append({"side": attrs["data-side"], "text": [], "style": []})
        if self.legends:
            self.legends[-1]["style"].append(attrs.get("style") or "")

    def handle_data(self, data) -> None:
        if self.legends and data.strip():
            self.legends[-1]["text"].append(data.strip())


def _legends(view: MapView) -> list[dict]:
    parser = _Legends()
    parser.feed(legend_html(view))
    return parser.legends


@pytest.mark.parametrize("scale", ["linear", "log", "percentile"])
def test_the_legends_beside_the_map_name_the_sides_shown_and_the_scales_ticks(scale) -> None:
    for side, shown in (("both", ["short", "long"]), ("long", ["long"]), ("short", ["short"])):
        legends = _legends(MapView(side, scale, 0.3))
        assert [legend["side"] for legend in legends] == shown
        for legend in legends:
            title, *ticks = legend["text"]
            assert title.startswith({"long": "Longs:", "short": "Shorts:"}[legend["side"]])
            assert ("log" in title) == (scale == "log") and ("percentile" in title) == (scale == "percentile")
            assert ticks == [label for _, label in LEGEND_TICKS[scale]]
            rgb = {"long": LONG_RGB, "short": SHORT_RGB}[legend["side"]]
            ramp = next(style for style in legend["style"] if "linear-gradient" in style)
            assert (
                ramp.count(f"rgba({rgb[0]},{rgb[1]},{rgb[2]},") == 9 and "1.000)" in ramp
            )  # its own hue, faint to opaque


def test_legend_text_is_escaped() -> None:
    ramp = LegendRamp(
        "long", "<b>Longs</b> & co", ((0.0, "rgba(1,2,3,0.1)"), (1.0, "rgba(1,2,3,1)")), ((0.0, "<i>0</i>"),)
    )
    out = _ramp_html(ramp)
    assert "<b>" not in out and "<i>" not in out
    assert "&lt;b&gt;Longs&lt;/b&gt; &amp; co" in out and "&lt;i&gt;0&lt;/i&gt;" in out


def test_the_png_draws_the_legends_of_its_view_inside_the_image(small_analysis) -> None:
    import vl_convert

    for view, titles, absent in (
        (MapView("long", "percentile", 0.0), ["Longs: percentile rank"], "Shorts:"),
        (MapView("both", "log", 0.2), ["Shorts: share of densest (log)", "Longs: share of densest (log)"], "rank"),
    ):
        spec = still_spec(small_analysis, view)
        assert not [layer for layer in spec["layer"] if layer.get("name", "").startswith("heat_hover")]
        svg = vl_convert.vegalite_to_svg(spec)
        assert all(title in svg for title in titles) and absent not in svg
        where = [svg.find(f">{label}<") for _, label in LEGEND_TICKS[view.scale]]
        assert -1 not in where and (where == sorted(where) or view.side == "both")  # each tick its own label, in order
