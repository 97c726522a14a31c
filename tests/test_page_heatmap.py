"""The heatmap page under AppTest: contrast and side controls, target readout, answer key, downloads."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


def _caption(at: AppTest, start: str) -> str:
    return next(c.value for c in at.caption if c.value.startswith(start) or start in c.value)


def _legend(at: AppTest) -> str:
    return next(h.proto.body for h in at.get("html") if "heat-legends" in h.proto.body)


def test_controls_readout_and_downloads_follow_the_widgets() -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    assert "Shorts: share of densest (log)" in _legend(at) and "Longs: share of densest (log)" in _legend(at)
    assert "**estimate**" in at.caption[0].value
    assert "300 snapshots" in _caption(at, "Full resolution")
    bars = len(at.session_state["analysis"].market.bars)
    factor = -(-bars // 400)  # at most 400 candles are drawn
    assert f"each candle spans {factor} bars ({5 * factor} min)" in _caption(at, "Full resolution")

    price = float(at.session_state["analysis"].heatmap.close[-1])
    target = at.number_input(key="hm_target")
    assert target.value == round(price * 1.02, 1)
    assert 0 < target.min < price < target.max  # 0 and negative prices are refused; the range is the map's
    at.session_state["hm_target_for"] = price / 2  # as if the target had been typed for another market
    at.number_input(key="hm_target").set_value(round(price * 1.01, 1)).run()
    assert at.number_input(key="hm_target").value == round(price * 1.02, 1)
    assert next(m for m in at.metric if "liquidated" in m.label).delta.startswith("+2.00 %")
    at.number_input(key="hm_target").set_value(round(price * 0.97, 1))
    at.button_group(key="hm_side").set_value("long")
    at.selectbox(key="hm_scale").set_value("percentile")
    at.slider(key="hm_threshold").set_value(0.5).run()
    assert not at.exception
    readout = next(m for m in at.metric if "liquidated on the way" in m.label)
    assert readout.label.startswith("≈ longs") and readout.value.startswith("$")
    assert at.query_params["hm_side"] == "long" and at.query_params["hm_scale"] == "percentile"
    assert at.query_params["hm_threshold"] == "0.5"
    assert "Longs: percentile rank" in _legend(at) and "Shorts" not in _legend(at)

    labels = [b.label for b in at.get("download_button")]
    assert labels[:4] == ["Map (PNG)", "Heat cells (CSV)", "Profile (PNG)", "Clusters (CSV)"]
    table = at.dataframe[0].value
    assert list(table.columns) == ["range", "side", "notional_usd", "distance_pct"]


def test_answer_key_draws_the_true_book_beside_the_estimate() -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    charts = len(at.get("vega_lite_chart"))
    at.toggle(key="hm_truth").set_value(True).run()
    assert not at.exception
    assert len(at.get("vega_lite_chart")) == charts + 1


def _subheaders(at: AppTest) -> list[str]:
    return [s.value for s in at.subheader]


def test_only_the_chosen_section_below_the_map_is_rendered_and_the_link_restores_it() -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    chooser = at.button_group(key="hm_section")
    assert chooser.value == "book"  # one venue: no by-venue section offered
    assert chooser.options == ["The book at one moment", "Fakeout scanner", "How to read this map"]
    assert "The book at one moment" in _subheaders(at) and not any(s.startswith("Fakeout") for s in _subheaders(at))
    picked = at.session_state["analysis"].heatmap.times[3]
    at.select_slider(key="hm_at").set_value(picked).run()
    at.button_group(key="hm_section").set_value("scanner").run()
    assert not at.exception
    assert any(s.startswith("Fakeout scanner") for s in _subheaders(at)) and not at.get("select_slider")
    assert "The book at one moment" not in _subheaders(at) and at.query_params["hm_section"] == "scanner"
    assert at.query_params["hm_at"] == str(picked)  # the hidden book's time stays in the link
    at.button_group(key="hm_section").set_value("guide").run()
    assert any("Violet band above price" in m.value for m in at.markdown) and not at.table
    at.button_group(key="hm_section").set_value("book").run()
    assert at.select_slider(key="hm_at").value == picked  # the book comes back at the time it was left at

    shared = AppTest.from_file(APP, default_timeout=120)
    shared.query_params["hm_section"] = "scanner"
    shared.run()
    assert shared.button_group(key="hm_section").value == "scanner" and shared.table  # the scanner's hit-rate table
