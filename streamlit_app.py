"""Liquidation Heatmap Lab — the frame: page config, the shared sidebar, one cached `liqcore.analyse`, navigation.

Every page receives that one `liqcore.Analysis` through `pages.components.session`; the sidebar choices that
define the view are bound to query parameters so a link reproduces it.
"""

from __future__ import annotations

import streamlit as st

from liqcore.analysis import market_of
from pages.components import data_sources, live, model_settings, page_list, session, truth, view_state

st.set_page_config(
    page_title="Liquidation Heatmap Lab",
    page_icon=":material/local_fire_department:",
    layout="wide",
    initial_sidebar_state="auto",  # open on a desktop, closed on a phone (where it would cover the page)
)

navigation = page_list.navigation()
main_area = st.container()  # the upload's column-mapping form needs room, so it goes above the page, not in the sidebar

with st.sidebar:
    st.markdown("### :material/local_fire_department: Liquidation Heatmap Lab")
    data = data_sources.choose_source(main_area)
    if data is not None:
        window = data_sources.choose_window(market_of(data))
        config = model_settings.choose_config(market_of(data))
view_state.publish(data_sources.VIEW_KEYS + live.VIEW_KEYS + model_settings.view_keys())
view_state.tell_ignored()

if data is None:
    st.info(data_sources.NO_DATA_HINT, icon=":material/upload_file:")
    st.stop()

analysis = session.analyse_or_stop(data, window, config)
session.share(analysis)
with st.sidebar:
    data_sources.describe(analysis)

navigation.run()
if not st.context.headers:  # no browser behind this run: the readiness probe (.streamlit/config.toml) or a test
    truth.warm(analysis)
