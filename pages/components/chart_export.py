"""PNG downloads of charts: the chart with its title, the dataset it shows and the word "estimate".

The image is made by vl-convert (Vega-Lite to PNG without a browser) only when the button is pressed: the button
holds a callable, so a rerun neither serialises the chart again nor renders anything.
"""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import streamlit as st

from liqcore.export import chart_png

Spec = dict | alt.TopLevelMixin


def spec_of(chart: Spec) -> dict:
    """The Vega-Lite dict of `chart` (a dict is returned as it is; big datasets are allowed).

    Without Altair's jsonschema validation: it was a sixth to a third of building a page's charts for each new
    analysis. tests/test_page_chart_specs.py validates every chart the pages send against the Vega-Lite schema.
    """
    if isinstance(chart, dict):
        return chart
    with alt.data_transformers.disable_max_rows():
        return chart.to_dict(validate=False)


def png_bytes(chart: Spec, title: str, data_label: str) -> bytes:
    """`chart` rendered to a titled PNG (what the download button hands over)."""
    return chart_png(spec_of(chart), title, data_label)


def png_download(
    label: str,
    chart: Spec,
    file_name: str,
    title: str,
    data_label: str,
    key: str,
    render: Callable[[], bytes] | None = None,
) -> None:
    """A download button that renders `chart` to a PNG titled `title` with `data_label` beneath it, when clicked;
    `render`, when given, makes those bytes instead (say a cached image of a chart too big to render per click)."""
    if render is None:
        render = lambda: png_bytes(chart, title, data_label)  # noqa: E731 (deferred by Streamlit)
    st.download_button(
        label,
        render,
        file_name,
        "image/png",
        key=key,
        icon=":material/image:",
        on_click="ignore",
        type="tertiary",
        help="The chart as an image, titled, with the dataset's name and the word “estimate”.",
    )


def chart_with_png(chart: Spec, title: str, data_label: str, name: str, container=None) -> None:
    """`chart` (an Altair chart or its cached spec) at full width in `container` (default: here) with its PNG
    download, `name`.png, just beneath it."""
    with container if container is not None else st.container():
        if isinstance(chart, dict):
            st.vega_lite_chart(chart, width="stretch")
        else:
            st.altair_chart(chart, width="stretch")
        png_download("Chart (PNG)", chart, f"{name}.png", title, data_label, f"png_{name}")
