"""PNG downloads of charts: the chart with its title, the dataset it shows and the word "estimate".

The image is made by vl-convert (Vega-Lite to PNG without a browser) only when the button is pressed.
"""

from __future__ import annotations

import streamlit as st

from liqcore.export import chart_png


def png_download(label: str, spec: dict, file_name: str, title: str, data_label: str, key: str) -> None:
    """A download button that renders `spec` to a PNG titled `title` with `data_label` beneath it, when clicked."""
    st.download_button(
        label,
        lambda: chart_png(spec, title, data_label),
        file_name,
        "image/png",
        key=key,
        icon=":material/image:",
        on_click="ignore",
    )
