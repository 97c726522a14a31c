"""How the frame builds the current `Analysis` and hands it to the pages, including pages opened by a direct link.

On a freshly started server Streamlit runs the very first request through its legacy `pages/` discovery, so a link
straight to a page (say `/volatility?scenario=fakeout`) runs that page without the frame, and nothing is loaded yet.
The page then detours through the frame with the link's query parameters, and the frame sends it back.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from liqcore.analysis import Analysis, analyse, market_of
from liqcore.config import ModelConfig
from liqcore.errors import DataError
from liqcore.market import Market
from liqcore.simulator import Simulation
from pages.components.cache import cached
from pages.components.text import plain

ANALYSIS_KEY = "analysis"
_RETURN_KEY = "_return_to_page"
FRAME_SCRIPT = Path(__file__).resolve().parents[2] / "streamlit_app.py"


def current_analysis(page_script: str) -> Analysis:
    """The analysis the frame built for this run; detours through the frame when the page was opened on its own."""
    analysis = st.session_state.get(ANALYSIS_KEY)
    if analysis is None:
        st.session_state[_RETURN_KEY] = str(Path(page_script).resolve())
        st.switch_page(str(FRAME_SCRIPT), query_params=st.query_params.to_dict())
    return analysis


def analyse_or_stop(data: Market | Simulation, window: str, config: ModelConfig) -> Analysis:
    """`liqcore.analyse`, cached; or an error box and a stopped run when the model cannot map this data."""
    try:
        return cached(analyse, data, config, window, spinner="Estimating the liquidation map…")
    except DataError as error:
        st.error(plain(f"{market_of(data).source}: {error}"), icon=":material/error:")
        st.stop()


def share(analysis: Analysis) -> None:
    """Publish the analysis to the pages, and finish a detour started by `current_analysis`."""
    st.session_state[ANALYSIS_KEY] = analysis
    requested = st.session_state.pop(_RETURN_KEY, None)
    if requested is not None:
        st.switch_page(requested, query_params=st.query_params.to_dict())
