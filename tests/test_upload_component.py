"""The upload source under AppTest: good files load with what was dropped shown, bad ones give an error box and a
column-mapping form (kept for the session), never a traceback."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from liqcore.loaders import template_csv

ODD = b"when;a;b;c;d\n2026-01-01 00:00;1;2;0.5;1\n2026-01-01 01:00;1;2;0.5;1\n2026-01-01 02:00;1;2;0.5;1\n"


def _script(files: tuple[tuple[str, bytes], ...]) -> str:
    return f"""
import streamlit as st
from pages.components.upload import market_from_files

main = st.container()
with st.sidebar:
    market = market_from_files(main, {files!r})
st.write("bars", 0 if market is None else len(market))
"""


def _app(files: tuple[tuple[str, bytes], ...]) -> AppTest:
    return AppTest.from_string(_script(files), default_timeout=60).run()


def test_template_upload_loads() -> None:
    at = _app((("template.csv", template_csv().encode()),))
    assert not at.exception and not at.error
    assert at.markdown[-1].value.endswith("`3`")


def test_dropped_rows_are_shown_in_an_info_box() -> None:
    lines = template_csv().splitlines()
    content = ("\n".join([*lines, lines[-1], "2026-01-01T03:00:00Z,abc,1,1,1,1,1,1,1,1"]) + "\n").encode()
    at = _app((("dups.csv", content),))
    assert not at.exception and at.info
    details = " ".join(m.value for m in at.sidebar.markdown)
    assert "exact duplicate" in details and "line 5" in details and "line 6" in details


def test_bad_upload_shows_error_then_the_mapping_is_used_and_kept() -> None:
    at = _app((("odd.csv", ODD),))
    assert not at.exception
    assert at.error and "odd.csv" in at.error[0].value
    assert any("Map the columns" in m.value for m in at.markdown)
    for model, column in {"time": "when", "open": "a", "high": "b", "low": "c", "close": "d"}.items():
        at.selectbox(key=f"map_{model}").select(column)
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert at.markdown[-1].value.endswith("`3`")
    assert at.session_state["upload_mapping"].get("time") == "when"
    at.run()  # the mapping is kept across reruns
    assert at.markdown[-1].value.endswith("`3`")


def test_extra_file_alone_says_a_price_file_is_needed() -> None:
    liq = b"time,longUsd,shortUsd\n1700000000000,1,2\n1700001800000,3,4\n"
    at = _app((("liq.csv", liq),))
    assert not at.exception and "price file is needed" in at.error[0].value
    assert any("yourself" in e.label for e in at.expander)  # recognised file: the mapping form is folded away


def test_garbage_gives_an_error_box_not_a_traceback() -> None:
    at = _app((("x.csv", b"\x00\x01\x02\xff"), ("y.zip", b"PK\x03\x04broken")))
    assert not at.exception and at.error
