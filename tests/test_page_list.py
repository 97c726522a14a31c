"""The page list is found from the page files themselves: adding a page is adding its file."""

from __future__ import annotations

from pathlib import Path

import pytest

from pages.components import page_list


def _page(folder: Path, name: str, body: str) -> None:
    (folder / f"{name}.py").write_text(f'"""A page."""\n\nimport streamlit as st\n\n{body}\nst.title("x")\n')


def test_every_page_file_is_listed_once_in_its_declared_order() -> None:
    files = sorted(p.stem for p in page_list.PAGES_DIR.glob("*.py"))
    assert sorted(p.name for p in page_list.PAGES) == files
    orders = [p.order for p in page_list.PAGES]
    assert orders == sorted(orders) and len(set(orders)) == len(orders)
    assert page_list.PAGES[0].name == "heatmap", "the map is the default page"
    assert [p.name for p in page_list.PAGES if not p.reads_analysis] == ["scanner"]


def test_a_new_page_file_is_discovered_with_its_title_icon_and_order(tmp_path: Path) -> None:
    _page(tmp_path, "alpha", 'PAGE_TITLE = "Alpha"\nPAGE_ICON = ":material/star:"\nPAGE_ORDER = 2\n')
    beta = 'PAGE_TITLE = "Beta"\nPAGE_ICON = ":material/radar:"\nPAGE_ORDER = 1\nREADS_ANALYSIS = False\n'
    _page(tmp_path, "beta", beta)
    found = page_list.discover(tmp_path)
    assert [(p.name, p.title, p.icon, p.order, p.reads_analysis) for p in found] == [
        ("beta", "Beta", ":material/radar:", 1, False),
        ("alpha", "Alpha", ":material/star:", 2, True),
    ]
    assert found[0].script == "pages/beta.py"


def test_a_page_file_without_its_listing_is_named_not_skipped(tmp_path: Path) -> None:
    _page(tmp_path, "gamma", 'PAGE_TITLE = "Gamma"\nPAGE_ORDER = 3\n')
    with pytest.raises(ValueError, match=r"gamma\.py .*PAGE_ICON"):
        page_list.discover(tmp_path)
    _page(tmp_path, "gamma", 'PAGE_TITLE = "Gamma"\nPAGE_ICON = ":material/star:"\nPAGE_ORDER = "3"\n')
    with pytest.raises(ValueError, match=r"gamma\.py: PAGE_ORDER must be of type int"):
        page_list.discover(tmp_path)
