"""The upload source under AppTest: a good file draws the map, a bad one gives an error box, not a traceback."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from liqcore.loaders import template_csv

ROOT = Path(__file__).resolve().parents[1]


def _script(content: bytes, name: str) -> str:
    return f"""
import streamlit as st
from pages.components.upload import market_from_files

main = st.container()
market = market_from_files(main, (({name!r}, {content!r}),))
st.write("bars", 0 if market is None else len(market))
"""


def test_template_upload_loads() -> None:
    at = AppTest.from_string(_script(template_csv().encode(), "template.csv"), default_timeout=60).run()
    assert not at.exception
    assert "bars" in at.markdown[-1].value and "3" in at.markdown[-1].value


def test_bad_upload_shows_error_and_mapping_form_instead_of_a_traceback() -> None:
    content = b"when;a;b;c;d\n2026-01-01 00:00;1;2;0.5;1\n2026-01-01 01:00;1;2;0.5;1\n"
    at = AppTest.from_string(_script(content, "odd.csv"), default_timeout=60).run()
    assert not at.exception
    assert at.error and "odd.csv" in at.error[0].value
    assert any("Map the columns" in m.value for m in at.markdown)
