"""Validation page: fitting the model to realised liquidations, using the fit on every page, and the WHERE section."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import APP, run_page
from streamlit.testing.v1 import AppTest

from liqcore.analysis import Analysis, analyse
from liqcore.config import ModelConfig
from liqcore.engine import estimate
from liqcore.errors import DataError
from liqcore.loaders.events import load_liquidations
from liqcore.simulator import simulate
from liqcore.validation import where_score
from pages.components.where import score_upload

PAGE = "pages/validation.py"


def _sidebar_captions(at: AppTest) -> list[str]:
    return [c.value for c in at.sidebar.caption]


def test_fit_shows_fitted_assumptions_and_block_sizes_then_use_changes_every_pages_model() -> None:
    at = run_page(PAGE)
    assert not at.exception
    preset = at.session_state["analysis"].config
    at.button(key="cal_fit").click().run()
    assert not at.exception
    fitted = at.session_state["_calibration_result"][1].calibration
    assert fitted.config != preset
    shown = next(m.value for m in at.markdown if m.value.startswith("**Fitted assumptions"))
    changed = [line for line in fitted.config.describe() if line not in preset.describe()]
    assert changed and all(line.split(";")[0][:30] in shown.replace("\\", "") for line in changed)
    blocks = next(df.value for df in at.dataframe if "calibrated partial ρ" in df.value.columns)
    assert len(blocks) == len(fitted.blocks) >= 2 and (blocks["bars"] > 0).all()
    assert {"preset partial ρ", "candle ρ"} <= set(blocks.columns)
    assert fitted.verdict in [i.value for i in at.info]
    assert not any("calibrated on" in c for c in _sidebar_captions(at))

    at.button(key="cal_use").click().run()
    at.switch_page("streamlit_app.py").run()  # AppTest reruns only the page; the app reruns the frame on a click
    assert not at.exception
    assert at.session_state["analysis"].config == fitted.config
    assert any(c.startswith("Model: calibrated on") and fitted.span in c for c in _sidebar_captions(at))
    assert at.query_params["calibrated"] == "1"

    at.button(key="cal_back_sidebar").click().run()
    assert at.session_state["analysis"].config == preset
    assert not any("calibrated on" in c for c in _sidebar_captions(at))
    assert "calibrated" not in at.query_params


def test_a_link_with_calibrated_1_refits_and_maps_with_the_fitted_model() -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["calibrated"] = "1"
    at.run()
    assert not at.exception
    config = at.session_state["analysis"].config
    assert config != ModelConfig.preset("balanced")
    assert config == at.session_state["_calibrated_model"].config
    assert any(c.startswith("Model: calibrated on") for c in _sidebar_captions(at))


def _render_on_plain_candles() -> None:
    import numpy as np
    from conftest import make_market

    from liqcore.analysis import Analysis
    from liqcore.engine import estimate
    from pages.components import calibration

    closes = 100 + np.cumsum(np.sin(np.arange(400) / 7))
    market = make_market(closes, open_interest=np.full(400, 1e6), interval="1h")
    calibration.render(Analysis.of(market, estimate(market, columns=20)), "balanced")


def test_data_without_realised_liquidations_explains_which_file_enables_the_fit() -> None:
    at = AppTest.from_function(_render_on_plain_candles, default_timeout=60).run()
    assert not at.exception
    info = " ".join(i.value for i in at.info)
    assert "no realised liquidations" in info and "liq_long_usd" in info and "CoinGlass" in info
    assert not at.button


@pytest.fixture(scope="module")
def sim_analysis() -> Analysis:
    return analyse(simulate("short_squeeze", seed=0), ModelConfig.preset("balanced"), None)


def _events_csv(analysis: Analysis, bars: slice) -> bytes:
    """Generic events: a long liquidated at each bar's low and a short at its high, one coin each."""
    frame = analysis.market.bars.iloc[bars]
    rows = [f"{t.isoformat()},long,{low},1" for t, low in zip(frame.index, frame["low"], strict=True)]
    rows += [f"{t.isoformat()},short,{high},1" for t, high in zip(frame.index, frame["high"], strict=True)]
    return ("time,side,price,size\n" + "\n".join(rows)).encode()


def test_where_score_of_an_upload_is_the_liqcore_score_of_its_events_with_sizes(sim_analysis: Analysis) -> None:
    data = _events_csv(sim_analysis, slice(2500, 3400))
    result = score_upload(data, "events.csv", sim_analysis)
    events = load_liquidations(data, symbol=sim_analysis.market.symbol).events
    bars = sim_analysis.history.bars
    market = sim_analysis.history.__class__(
        bars[(bars.index >= events.index[0] - pd.Timedelta("7D")) & (bars.index <= events.index[-1])],
        sim_analysis.history.symbol,
    )
    direct = where_score(market, estimate(market, sim_analysis.config), events)
    assert result.bars == len(market) < len(bars)
    table = result.score.table()
    assert list(table.index) == ["distance only (baseline)", "map", "map × distance"]
    assert table["bits per USD"].to_numpy() == pytest.approx(direct.table()["bits per USD"].to_numpy())
    assert result.score.hours == direct.hours > 0 and result.score.events == direct.events > 0
    assert result.score.verdict == direct.verdict


def test_where_upload_errors_name_the_file_and_what_to_do(sim_analysis: Analysis) -> None:
    with pytest.raises(DataError, match=r"bad\.csv"):
        score_upload(b"when,what\n1,2\n", "bad.csv", sim_analysis)
    late = sim_analysis.market.end + pd.Timedelta("30D")
    outside = f"time,side,price,size\n{late.isoformat()},long,100,1\n".encode()
    with pytest.raises(DataError, match="cover the events' span"):
        score_upload(outside, "later.csv", sim_analysis)


def test_where_section_renders_its_instructions_and_uploader() -> None:
    at = run_page(PAGE)
    assert not at.exception
    assert "Where: does the map put liquidations at the right prices?" in [s.value for s in at.subheader]
    assert any("Binance forceOrder" in c.value and "time, side, price, size" in c.value for c in at.caption)
    assert at.get("file_uploader")


def test_where_table_shows_bits_with_three_decimals_and_the_gain_with_its_sign() -> None:
    at = run_page(PAGE)
    events = _events_csv(at.session_state["analysis"], slice(-120, -60))
    at.file_uploader(key="where_upload").set_value(("events.csv", events, "text/csv")).run()
    assert not at.exception
    [table] = [d for d in at.dataframe if "forecaster" in d.value.columns]
    formats = {
        name: config.get("type_config", {}).get("format") for name, config in json.loads(table.proto.columns).items()
    }
    assert formats["bits per USD"] == "%.3f"  # a score in bits per USD: three decimals, as the CLI prints it
    assert formats["gain vs distance (bits)"] == "%+.3f"  # a gain over the baseline carries its sign
    assert formats["in densest 10 %"] == "percent"
