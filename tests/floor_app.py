"""The smallest page like ours, for scale: Streamlit's own first-paint cost on this machine.

A sidebar with a heading and a few lines, a title, 40 lines of markdown and one small Vega-Lite chart; no data, no
model. The browser test times its first paint the same way as the app's (`floor_first_paint_seconds`), so the timing
table can say how much of the app's first paint is the framework's and how much is ours.
"""

import streamlit as st

st.set_page_config(page_title="Streamlit floor", layout="wide")
with st.sidebar:
    st.markdown("### Floor")
    for line in range(10):
        st.markdown(f"Sidebar line **{line}**")
st.title("Streamlit floor")
for line in range(40):
    st.markdown(f"Line **{line}** of plain markdown, like a caption or a help text.")
st.vega_lite_chart(
    {
        "data": {"values": [{"t": i, "p": (i * 7) % 11} for i in range(50)]},
        "mark": "line",
        "encoding": {"x": {"field": "t", "type": "quantitative"}, "y": {"field": "p", "type": "quantitative"}},
    },
    width="stretch",
)
