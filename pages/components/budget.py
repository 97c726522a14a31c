"""Pages decline an analysis too large to answer in seconds, with the bound and what to do (`liqcore.budget`)."""

from __future__ import annotations

import streamlit as st

from liqcore.analysis import Analysis
from liqcore.budget import too_large


def fits(analysis: Analysis, what: str) -> bool:
    """True when `what` can run on this analysis; otherwise a warning with the stated bound is shown."""
    message = too_large(analysis.market, what)
    if message is not None:
        st.warning(message, icon=":material/hourglass_disabled:")
    return message is None
