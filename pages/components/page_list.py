"""The app's pages, listed once: the frame's navigation and the tests both read `PAGES`.

Adding a page is one line here (its file in `pages/`, its title and icon); the first entry is the default page.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.navigation.page import StreamlitPage


@dataclass(frozen=True)
class PageEntry:
    """One page: `name` is its file in `pages/` without `.py`; `reads_analysis` when it renders the frame's
    `Analysis` (the Scanner fetches its own symbols instead)."""

    name: str
    title: str
    icon: str
    reads_analysis: bool = True

    @property
    def script(self) -> str:
        """The page file relative to the repository root, as `st.Page` and `AppTest.switch_page` take it."""
        return f"pages/{self.name}.py"


PAGES: tuple[PageEntry, ...] = (
    PageEntry("heatmap", "Heatmap", ":material/local_fire_department:"),
    PageEntry("sentiment", "Sentiment", ":material/balance:"),
    PageEntry("volatility", "Volatility", ":material/speed:"),
    PageEntry("validation", "Validation", ":material/fact_check:"),
    PageEntry("walkthrough", "Trade walkthrough", ":material/school:"),
    PageEntry("replay", "Replay", ":material/play_circle:"),
    PageEntry("scanner", "Scanner", ":material/radar:", reads_analysis=False),
)
ANALYSIS_PAGES: tuple[PageEntry, ...] = tuple(p for p in PAGES if p.reads_analysis)


def navigation() -> StreamlitPage:
    """`st.navigation` over `PAGES`, the first one the default."""
    return st.navigation([st.Page(p.script, title=p.title, icon=p.icon, default=i == 0) for i, p in enumerate(PAGES)])
