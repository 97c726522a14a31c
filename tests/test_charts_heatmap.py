"""Heatmap and profile chart specs: raster under candles, hover read-out, zooms, legends, units, realised marks."""

from __future__ import annotations

import re

import altair as alt
import numpy as np
import pandas as pd
import pytest

import liqcore as lc
from liqcore.cells import candles, heat_cells, realised_liquidations
from liqcore.charts.heatmap import (
    heatmap_chart,
    occupied_range,
    profile_chart,
    tier_split,
    with_heat,
    with_legends,
    without_hover,
)
from liqcore.charts.raster import LEGEND_TICKS, HeatRaster, heat_raster
from liqcore.formatting import compact_usd
from liqcore.profile import Profile


@pytest.fixture(scope="module")
def parts() -> tuple[HeatRaster, pd.DataFrame, pd.DataFrame, lc.Heatmap, pd.DataFrame]:
    sim = lc.simulate("range", seed=0, bars=600)
    heatmap = lc.estimate(sim.market, lc.ModelConfig(), columns=120)
    realised = realised_liquidations(sim.market)
    return heat_raster(heatmap), heat_cells(heatmap, max_marks=500), candles(sim.market), heatmap, realised


def spec(chart: alt.TopLevelMixin) -> dict:
    with alt.data_transformers.disable_max_rows():
        return chart.to_dict()


def mark(layer: dict) -> str:
    if "layer" in layer:  # a sub-layer (the crosshair's marks)
        return "layer"
    return layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]


def test_heat_is_one_image_under_the_candles_with_hover_grid_price_on_the_right_and_two_zooms(parts) -> None:
    raster, hover, bars, heatmap, realised = parts
    out = spec(heatmap_chart(raster, hover, bars, float(heatmap.close[-1]), realised))
    marks = [mark(layer) for layer in out["layer"]]
    assert marks[0] == "image" and marks.count("image") == 1 and "rect" in marks
    assert marks.index("image") < marks.index("bar")  # candles over the heat
    image = out["layer"][0]
    assert out["datasets"][image["data"]["name"]][0]["url"].startswith("data:image/png;base64,")
    assert image["encoding"]["y"]["axis"]["orient"] == "right"
    assert image["encoding"]["x"]["field"] == "t0" and image["encoding"]["x2"]["field"] == "t1"
    hover_layer = out["layer"][marks.index("rect")]
    rows = out["datasets"][hover_layer["data"]["name"]]
    assert len(rows) == len(hover) and all(re.fullmatch(r"\$[\d.,]+[KMB]?|< \$1", r["usd_text"]) for r in rows)
    zooms = {p["name"]: p for p in out["params"] if p.get("bind") == "scales"}
    assert (
        zooms["time_zoom"]["select"]["encodings"] == ["x"] and "!event.shiftKey" in zooms["time_zoom"]["select"]["zoom"]
    )
    assert (
        zooms["price_zoom"]["select"]["encodings"] == ["y"]
        and "[event.shiftKey]" in zooms["price_zoom"]["select"]["zoom"]
    )
    assert any(f"Last {heatmap.close[-1]:,.1f}" in str(d) for d in out["datasets"].values())


def _readout(layer: dict, row: dict) -> dict[str, str]:
    """What the tooltip of `layer` (a Vega object expression of `datum["field"]` lookups) shows for `row`."""
    expr = layer["mark"]["tooltip"]["expr"]
    pairs = re.findall(r'"([^"]+)": datum\["([^"]+)"\]', expr)
    assert expr == "{" + ", ".join(f'"{title}": datum["{field}"]' for title, field in pairs) + "}"  # nothing else
    return {title: row[field] for title, field in pairs}


def test_hover_read_out_gives_time_price_range_side_usd_and_leverage_mix_of_the_cell(parts) -> None:
    raster, hover, bars, heatmap, realised = parts
    out = spec(heatmap_chart(raster, hover, bars, float(heatmap.close[-1]), realised))
    cells = next(layer for layer in out["layer"] if mark(layer) == "rect")
    rows = out["datasets"][cells["data"]["name"]]
    # a multi-day cell and its source row, to check each value against the cell it describes
    k = next(i for i, (a, b) in enumerate(zip(hover["t0"], hover["t1"], strict=True)) if a.date() != b.date())
    cell, shown = hover.iloc[k], _readout(cells, rows[k])
    assert list(shown) == ["Time (UTC)", "Price (USD)", "Would liquidate", "Estimated notional (USD)", "Leverage mix"]
    assert shown["Time (UTC)"] == f"{cell.t0:%Y-%m-%d %H:%M} → {cell.t1:%Y-%m-%d %H:%M}"
    same_day = next(i for i, (a, b) in enumerate(zip(hover["t0"], hover["t1"], strict=True)) if a.date() == b.date())
    one_day = hover.iloc[same_day]
    assert _readout(cells, rows[same_day])["Time (UTC)"] == f"{one_day.t0:%Y-%m-%d %H:%M} → {one_day.t1:%H:%M}"
    assert shown["Price (USD)"] == f"{cell.p0:,.0f} – {cell.p1:,.0f}"
    assert shown["Would liquidate"] == cell.side
    assert shown["Estimated notional (USD)"] == compact_usd(cell.usd)
    assert shown["Leverage mix"] == cell.tiers and "%" in shown["Leverage mix"]
    # the crosshair marks the hovered cell's middle, from the one cell the pointer selects
    crosshair = next(layer for layer in out["layer"] if layer.get("name") == "heat_hover_crosshair")
    assert crosshair["data"] == cells["data"]
    assert crosshair["transform"][0] == {"filter": {"param": "crosshair", "empty": False}}
    assert {t["as"] for t in crosshair["transform"][1:]} == {"tm", "pm"}
    point = next(p for p in out["params"] if p["name"] == "crosshair")
    assert point["select"]["on"] == "pointerover" and point["select"]["fields"] == ["t0", "p0"]


def test_realised_liquidations_are_marked_only_when_the_data_has_them(parts) -> None:
    raster, hover, bars, heatmap, realised = parts
    assert realised is not None and len(realised) > 0
    shapes = lambda out: [  # noqa: E731
        layer for layer in out["layer"] if "shape" in layer.get("encoding", {})
    ]
    marked = shapes(spec(heatmap_chart(raster, hover, bars, float(heatmap.close[-1]), realised)))
    assert len(marked) == 1 and marked[0]["encoding"]["shape"]["scale"]["range"] == ["triangle-down", "triangle-up"]
    assert shapes(spec(heatmap_chart(raster, hover, bars, float(heatmap.close[-1]), None))) == []


def _legends(out: dict) -> list[dict]:
    return [
        layer["encoding"]["color"]
        for layer in out["layer"]
        if "color" in layer.get("encoding", {}) and layer["encoding"]["color"].get("legend") is not None
    ]


def test_one_legend_per_side_shown_with_the_scale_in_its_ticks(parts) -> None:
    _, hover, bars, heatmap, _ = parts
    for side, count in (("both", 2), ("long", 1), ("short", 1)):
        for scale in ("linear", "log", "percentile"):
            chart = heatmap_chart(heat_raster(heatmap, side, scale), hover, bars, float(heatmap.close[-1]))
            with alt.data_transformers.disable_max_rows():  # one build is validated below; nine took ~10 s
                legends = _legends(chart.to_dict(validate=False))
            assert len(legends) == count
            assert all(c["legend"]["values"] == [v for v, _ in LEGEND_TICKS[scale]] for c in legends)
            for colour in legends:  # each tick's own label, whatever the scale
                assert all(f'"{label}"' in colour["legend"]["labelExpr"] for _, label in LEGEND_TICKS[scale])
            # shorts' legend above the map, longs' below: one row of three overflowed a phone
            placed = {c["legend"]["title"].split(":")[0]: c["legend"]["orient"] for c in legends}
            assert placed == {"both": {"Longs": "bottom", "Shorts": "top"}, "long": {"Longs": "bottom"}}.get(
                side, {"Shorts": "top"}
            )
            hues = {c["legend"]["title"].split(":")[0]: c["scale"]["range"][-1] for c in legends}
            assert all(
                hue.startswith("rgba(245,138,11," if who == "Longs" else "rgba(157,92,246,")
                for who, hue in hues.items()
            )
    assert spec(heatmap_chart(heat_raster(heatmap), hover, bars, 1.0))["resolve"]["scale"]["color"] == "independent"
    without = spec(heatmap_chart(heat_raster(heatmap), hover, bars, 1.0, legends=False))
    assert not [layer for layer in without["layer"] if layer.get("name", "").startswith("heat_legend")]


def test_chart_draws_with_no_hover_cells(parts) -> None:
    raster, hover, bars, heatmap, _ = parts
    out = spec(heatmap_chart(raster, hover.iloc[0:0], bars, float(heatmap.close[-1])))
    domain = out["layer"][0]["encoding"]["y"]["scale"]["domain"]
    assert domain[0] < bars["low"].min() and domain[1] > bars["high"].max()


def test_profile_chart_has_bars_curves_and_price_marker() -> None:
    edges = np.arange(90.0, 111.0)
    long = np.where(edges[:-1] < 100, 5.0, 0.0)
    short = np.where(edges[:-1] >= 100, 3.0, 0.0)
    profile = Profile(pd.Timestamp("2026-01-01", tz="UTC"), 100.0, edges, long, short)
    out = spec(profile_chart(profile, "Estimated"))
    marks = [layer["mark"]["type"] for layer in out["layer"]]
    assert marks == ["bar", "line", "rule"]
    assert out["title"]["text"] == "Estimated"
    assert "USD" in out["layer"][0]["encoding"]["x"]["title"]
    assert "'G', 'B'" in out["layer"][0]["encoding"]["x"]["axis"]["labelExpr"]  # $1.2B, not d3's $1.2G
    tips = {t["field"] for t in out["layer"][0]["encoding"]["tooltip"]}
    assert "usd_text" in tips
    assert out["resolve"]["scale"]["x"] == "independent"


def test_profile_bars_are_merged_to_readable_rows_without_losing_usd_or_straddling_price() -> None:
    edges = np.arange(0.0, 1001.0)
    rng = np.random.default_rng(3)
    long = np.where(edges[:-1] < 500.5, rng.random(1000), 0.0)
    short = np.where(edges[:-1] >= 500.5, rng.random(1000), 0.0)
    profile = Profile(pd.Timestamp("2026-01-01", tz="UTC"), 500.5, edges, long, short)
    out = spec(profile_chart(profile, "Estimated", max_rows=100))
    rows = pd.DataFrame(out["datasets"][out["layer"][0]["data"]["name"]])
    assert rows.groupby("side")["p0"].nunique().sum() <= 2 * 101
    assert rows.loc[rows["side"] == "long", "usd"].sum() == pytest.approx(long.sum())
    assert rows.loc[rows["side"] == "short", "usd"].sum() == pytest.approx(short.sum())
    straddles = (rows["p0"] < 500.5) & (rows["p1"] > 500.5)
    assert rows.loc[straddles, "p0"].nunique() <= 1  # only the bin that holds the price itself
    assert out["layer"][0]["encoding"]["x"]["stack"] is None


def test_side_by_side_profiles_share_one_price_axis() -> None:
    edges = np.arange(90.0, 111.0)
    at = pd.Timestamp("2026-01-01", tz="UTC")
    narrow = Profile(at, 100.0, edges, np.where(edges[:-1] == 98, 5.0, 0.0), np.zeros(20))
    wide = Profile(at, 100.0, edges, np.where(edges[:-1] == 91, 5.0, 0.0), np.where(edges[:-1] == 107, 1.0, 0.0))
    assert occupied_range(narrow, wide) == (91.0, 108.0)
    assert occupied_range(Profile(at, 100.0, edges, np.zeros(20), np.zeros(20))) == (100.0, 100.0)
    domains = [
        spec(profile_chart(p, "x", price_range=occupied_range(narrow, wide)))["layer"][0]["encoding"]["y"]["scale"]
        for p in (narrow, wide)
    ]
    assert domains[0] == domains[1]


def test_profile_bars_split_by_leverage_tier_stack_to_each_bars_total(parts) -> None:
    from liqcore.charts.heatmap import _merged_bins, _merged_tier_bins, tier_split

    heatmap = parts[3]
    at = heatmap.times[-40]
    tiers = tier_split(heatmap, at)
    assert tiers.labels == tuple(f"{t:g}x" for t in heatmap.config.leverage_tiers)
    profile = heatmap.profile(at)
    split = _merged_tier_bins(profile, tiers, max_rows=60)
    totals = _merged_bins(profile, max_rows=60)
    for side in ("long", "short"):
        rows = split[split["side"] == side]
        outer = rows.groupby("p0")["x1"].max().to_numpy()
        assert np.allclose(outer, totals[side].to_numpy())  # the stack ends at the bar's total
        lowest = rows[rows["order"] == 0]
        assert np.allclose(lowest["x0"], 0)  # low leverage starts at the axis
    out = spec(profile_chart(profile, "Profile", tiers=tiers))
    colour = out["layer"][0]["encoding"]["color"]
    assert colour["field"] == "tier" and colour["scale"]["domain"] == list(tiers.labels)
    assert spec(profile_chart(profile, "Profile"))["layer"][0]["encoding"]["color"]["field"] == "side"


def _by_name(out: dict) -> dict[str, list]:
    """Each named layer's rows (the hover layers share theirs)."""
    return {layer["name"]: out["datasets"][layer["data"]["name"]] for layer in out["layer"] if "name" in layer}


VIEWS = (("both", "log", 0.0), ("short", "linear", 0.0), ("long", "percentile", 0.4), ("both", "log", 0.2))


def test_swapping_a_views_heat_into_a_built_spec_equals_building_it(parts) -> None:
    """`with_heat` must draw exactly what a full build of the other view draws, and carry no stale data."""
    _, _, bars, heatmap, realised = parts
    price = float(heatmap.close[-1])
    hover = heat_cells(heatmap, max_marks=500)
    built = spec(heatmap_chart(heat_raster(heatmap), hover, bars, price, realised, legends=False))
    for side, scale, threshold in VIEWS[1:]:
        raster = heat_raster(heatmap, side, scale, threshold)
        hover = heat_cells(heatmap, side=side, scale=scale, threshold=threshold, max_marks=500)
        swapped = with_heat(built, raster, hover)
        direct = spec(heatmap_chart(raster, hover, bars, price, realised, legends=False))
        assert _by_name(swapped) == _by_name(direct)
        assert [layer.get("name") for layer in swapped["layer"]] == [layer.get("name") for layer in direct["layer"]]
        assert swapped["params"] == direct["params"]
        assert sorted(map(len, swapped["datasets"].values())) == sorted(map(len, direct["datasets"].values()))


def test_every_view_has_the_same_spec_and_dataset_names_only_the_data_change(parts) -> None:
    """A browser keeps the chart it has and swaps in new data only when nothing but named datasets changed."""
    _, _, bars, heatmap, realised = parts
    price = float(heatmap.close[-1])
    built = spec(
        heatmap_chart(heat_raster(heatmap), heat_cells(heatmap, max_marks=500), bars, price, realised, legends=False)
    )
    views = [
        with_heat(built, heat_raster(heatmap, side, scale, cut), heat_cells(heatmap, side, 500, scale, cut))
        for side, scale, cut in VIEWS
    ]
    for view in views:
        assert {k: v for k, v in view.items() if k != "datasets"} == {
            k: v for k, v in views[0].items() if k != "datasets"
        }
        assert list(view["datasets"]) == list(views[0]["datasets"])
    assert len({view["datasets"]["heat_image"][0]["url"] for view in views}) == len(VIEWS)
    hovers = [view["datasets"]["heat_hover"] for view in views]
    assert all(a != b for i, a in enumerate(hovers) for b in hovers[i + 1 :])
    assert {row["side"] for row in views[1]["datasets"]["heat_hover"]} == {"short"}


def test_a_still_image_of_the_map_drops_only_the_hover_grid(parts) -> None:
    raster, hover, bars, heatmap, realised = parts
    full = spec(heatmap_chart(raster, hover, bars, float(heatmap.close[-1]), realised))
    still = without_hover(full)
    names = [layer.get("name") or "" for layer in still["layer"]]
    assert not [name for name in names if name.startswith("heat_hover")]
    assert len(still["layer"]) == len(full["layer"]) - 2 and names[0] == "heat_image"  # the cells and the crosshair
    assert [p["name"] for p in still["params"]] == ["time_zoom", "price_zoom"]
    used = {layer["data"]["name"] for layer in still["layer"]}
    assert set(still["datasets"]) == used  # the hover rows are not carried along


def test_the_profile_names_each_side_once_in_its_legends(parts) -> None:
    heatmap = parts[3]
    legends = lambda out: [  # noqa: E731
        (layer["encoding"]["color"].get("field"), layer["encoding"]["color"].get("legend"))
        for layer in out["layer"]
        if "color" in layer.get("encoding", {}) and layer["encoding"]["color"].get("legend", {}) is not None
    ]
    plain = legends(spec(profile_chart(heatmap.profile(), "Profile")))
    assert [field for field, _ in plain] == ["side"]
    tiers = tier_split(heatmap)
    if tiers is not None:  # tier bars carry the leverage legend; the curves then name the sides
        assert sorted(field for field, _ in legends(spec(profile_chart(heatmap.profile(), "P", tiers=tiers)))) == [
            "side",
            "tier",
        ]


def test_a_still_image_gets_the_legends_of_its_side_and_scale(parts) -> None:
    _, hover, bars, heatmap, realised = parts
    price = float(heatmap.close[-1])
    built = spec(heatmap_chart(heat_raster(heatmap), hover, bars, price, realised, legends=False))
    for side, scale, _ in VIEWS:
        still = with_legends(built, heat_raster(heatmap, side, scale), price)
        direct = spec(heatmap_chart(heat_raster(heatmap, side, scale), hover, bars, price, realised))
        titles = lambda out: sorted(c["legend"]["title"] for c in _legends(out))  # noqa: E731
        assert titles(still) == titles(direct) and len(titles(still)) == (2 if side == "both" else 1)
        assert {c["legend"]["title"]: c["scale"]["range"] for c in _legends(still)} == {
            c["legend"]["title"]: c["scale"]["range"] for c in _legends(direct)
        }
        assert set(_data_names(still["layer"])) <= set(still["datasets"]) | {None}


def _data_names(layers: list[dict]):
    for layer in layers:
        yield layer.get("data", {}).get("name") if "values" not in layer.get("data", {}) else None
        yield from _data_names(layer.get("layer", []))


def test_legends_work_while_altair_leaves_data_inline(parts, monkeypatch) -> None:
    """Streamlit's Altair support can switch dataset consolidation off while another session builds a legend."""
    _, _, bars, heatmap, realised = parts
    price = float(heatmap.close[-1])
    built = spec(
        heatmap_chart(heat_raster(heatmap), heat_cells(heatmap, max_marks=500), bars, price, realised, legends=False)
    )
    monkeypatch.setattr(alt.data_transformers, "consolidate_datasets", False)
    still = with_legends(built, heat_raster(heatmap, "long"), price)
    legends = [layer for layer in still["layer"] if layer.get("name", "").startswith("heat_legend")]
    assert len(legends) == 1 and all(layer["data"]["values"] for layer in legends)
