"""Every analysis page on data a user brings (not the simulator): an OHLCV + open-interest file, a plain OHLCV file
(volume proxy) and, when the team's data is beside the repo, a real file with realised liquidations."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from liqcore import analyse, load_csv, simulate
from liqcore.market import Market
from pages.components import page_list
from tests.test_chart_titles import lines_too_long_for_a_phone

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "real"
PAGES = [page.name for page in page_list.ANALYSIS_PAGES]


def _uploaded(kind: str) -> Market:
    bars = simulate("long_cascade", seed=2, bars=900).market.bars
    if kind == "ohlcv-oi":
        columns = ["open", "high", "low", "close", "volume", "open_interest"]
    else:
        columns = ["open", "high", "low", "close", "volume"]
    text = bars[columns].rename_axis("timestamp").to_csv()
    return load_csv(text.encode())


def _run(page: str, market: Market, label: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=120)
    at.session_state["analysis"] = analyse(market, label=label)
    return at.run()


@pytest.mark.parametrize("kind", ["ohlcv-oi", "ohlcv"])
@pytest.mark.parametrize("page", PAGES)
def test_page_works_on_uploaded_data(page: str, kind: str) -> None:
    market = _uploaded(kind)
    at = _run(page, market, f"Uploaded ({kind})")
    assert not at.exception, at.exception[0].message if at.exception else ""
    assert at.title, "the page drew its title"
    png_buttons = [b for b in at.get("download_button") if b.proto.label.endswith("(PNG)")]
    assert len(png_buttons) == len(at.get("vega_lite_chart")), "every chart has its PNG download"
    assert lines_too_long_for_a_phone(at.get("vega_lite_chart")) == [], "a phone would cut these title lines"
    text = " ".join(e.value for e in [*at.markdown, *at.caption, *at.info] if isinstance(e.value, str))
    if page == "heatmap":
        expected = "open interest" if kind == "ohlcv-oi" else "volume proxy"
        assert f"driven by **{expected}**" in text
        assert "hm_truth" not in {t.key for t in at.toggle}  # no "show the true book" for data without one
    if page == "validation":
        assert "no realised liquidations" in text  # says what to upload instead of scoring nothing


@pytest.mark.realdata
@pytest.mark.skipif(not REAL.exists(), reason="../shared/data/real is not beside the repo")
@pytest.mark.parametrize("page", PAGES)
def test_page_works_on_a_real_file_with_realised_liquidations(page: str) -> None:
    market = load_csv(REAL / "cg_ismethanhtung" / "cg_btc_30m_price_liq_oi_funding_2026-05-21_2026-06-08.csv")
    at = _run(page, market, "cg_btc_30m")
    assert not at.exception, at.exception[0].message if at.exception else ""
    if page == "validation":
        # the scores, and the presets as one table per side (long, short); no simulator book shares or truth table
        assert "realised" in at.subheader[0].value and len(at.dataframe) == 3


def test_walkthrough_steps_through_on_uploaded_data() -> None:
    at = _run("walkthrough", _uploaded("ohlcv-oi"), "Uploaded (ohlcv-oi)")
    for step in range(1, 8):
        assert at.subheader[0].value.startswith(f"{step} ·")
        if step == 2 and at.radio:
            at.radio(key="wt_guess").set_value("follow-through").run()
        if step == 5:
            at.radio(key="wt_choice").set_value("long").run()
        assert lines_too_long_for_a_phone(at.get("vega_lite_chart")) == [], f"step {step}"
        if step < 7:
            at.button(key="wt_next").click().run()
            assert not at.exception, f"step {step + 1}: {at.exception}"
    assert at.metric[0].label == "Exit"
    assert at.table[0].value.loc["Enter or wait", "Your answer"] == "Enter long"
