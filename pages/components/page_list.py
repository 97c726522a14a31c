"""The app's pages, found once: the frame's navigation and the tests both read `PAGES`.

Every file in `pages/` is a page and says how it is listed in three lines of its own (`PAGE_TITLE`, `PAGE_ICON`,
`PAGE_ORDER`, and `READS_ANALYSIS = False` for a page that does not render the frame's `Analysis`), so adding a page
is adding its file. The lines are read with `ast`, not by importing the page: a page is a script that draws when run.
The lowest `PAGE_ORDER` is the default page.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

PAGES_DIR = Path(__file__).resolve().parents[1]
_FIELDS = {"PAGE_TITLE": str, "PAGE_ICON": str, "PAGE_ORDER": int, "READS_ANALYSIS": bool}
_REQUIRED = ("PAGE_TITLE", "PAGE_ICON", "PAGE_ORDER")


@dataclass(frozen=True)
class PageEntry:
    """One page: `name` is its file in `pages/` without `.py`; `reads_analysis` when it renders the frame's
    `Analysis` (the Scanner fetches its own symbols instead)."""

    name: str
    title: str
    icon: str
    order: int
    reads_analysis: bool = True

    @property
    def script(self) -> str:
        """The page file relative to the repository root, as `st.Page` and `AppTest.switch_page` take it."""
        return f"pages/{self.name}.py"


def read_entry(path: Path) -> PageEntry:
    """The listing a page file declares at module level; ValueError naming the file and the line it lacks."""
    found: dict[str, object] = {}
    for node in ast.parse(path.read_text(encoding="utf-8"), filename=str(path)).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name in _FIELDS:
                value = ast.literal_eval(node.value)
                if type(value) is not _FIELDS[name]:
                    raise ValueError(f"{path.name}: {name} must be of type {_FIELDS[name].__name__}, not {value!r}")
                found[name] = value
    missing = [name for name in _REQUIRED if name not in found]
    if missing:
        raise ValueError(f"{path.name} is in pages/ but does not say {', '.join(missing)}: add them to list it")
    return PageEntry(
        path.stem,
        str(found["PAGE_TITLE"]),
        str(found["PAGE_ICON"]),
        int(found["PAGE_ORDER"]),  # type: ignore[call-overload]
        bool(found.get("READS_ANALYSIS", True)),
    )


def discover(folder: Path = PAGES_DIR) -> tuple[PageEntry, ...]:
    """Every page file in `folder`, in `PAGE_ORDER` (ties by file name)."""
    entries = [read_entry(path) for path in sorted(folder.glob("*.py"))]
    return tuple(sorted(entries, key=lambda e: (e.order, e.name)))


PAGES: tuple[PageEntry, ...] = discover()
ANALYSIS_PAGES: tuple[PageEntry, ...] = tuple(p for p in PAGES if p.reads_analysis)


def navigation() -> StreamlitPage:
    """`st.navigation` over `PAGES`, the first one the default."""
    return st.navigation([st.Page(p.script, title=p.title, icon=p.icon, default=i == 0) for i, p in enumerate(PAGES)])
