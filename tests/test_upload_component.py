"""The upload source under AppTest: good files load with what was dropped shown, bad ones give an error box and a
column-mapping form (kept for the session), never a traceback."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from liqcore.loaders import template_csv
from tests.test_loaders_corpus import CORPUS

# The worst files of the loader corpus: binary, renamed, broken archives, empty, mixed and irregular data.
WORST = (
    "binary",
    "png-renamed",
    "xlsx-renamed",
    "zip-two-csvs",
    "gz-truncated",
    "header-only",
    "two-instruments-interleaved",
    "text-in-time-column",
    "irregular-times",
    "thousands-of-columns",
)

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


def _payload(key: str) -> tuple[tuple[str, bytes], ...]:
    return tuple((name, data.encode() if isinstance(data, str) else data) for name, data in CORPUS[key].files)


@pytest.mark.parametrize("key", WORST)
def test_worst_files_give_an_error_naming_the_file_and_the_app_keeps_running(key: str) -> None:
    files = _payload(key)
    at = _app(files)
    assert not at.exception
    shown = " ".join(e.value for e in at.error).replace("\\", "")  # user text is markdown-escaped
    assert at.error and all(name in shown for name, _ in files), shown
    assert "Traceback" not in shown
    assert at.markdown[-1].value.endswith("`0`")  # the script ran on past the upload
    at.run()
    assert not at.exception and at.error and at.markdown[-1].value.endswith("`0`")


def test_odd_but_readable_file_loads_with_its_reading_noted() -> None:
    at = _app(_payload("semicolon-european-numbers"))
    assert not at.exception and not at.error
    assert at.markdown[-1].value.endswith("`24`")


def test_an_unexpected_loader_failure_shows_an_error_box_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import pages.components.upload as upload

    def broken(*_args, **_kwargs):
        raise IndexError("index 7 is out of bounds")

    monkeypatch.setattr(upload, "load_files", broken)
    at = _app((("weird_file.csv", b"time,open\n1,2\n3,4\n"),))
    assert not at.exception
    shown = at.error[0].value.replace("\\", "")
    assert "weird_file.csv" in shown and "IndexError" in shown and "save it again" in shown
    assert at.markdown[-1].value.endswith("`0`")


def _picker() -> None:
    import streamlit as st

    from pages.components.upload import upload_source

    with st.sidebar:
        upload_source(st.container())


def test_accepted_formats_are_sent_only_while_their_expander_is_open() -> None:
    from pages.components.upload import FORMATS_OPEN_KEY

    at = AppTest.from_function(_picker).run()
    shown = lambda: any("TradingView" in m.value for m in at.sidebar.markdown)  # noqa: E731
    assert not at.exception and not shown() and not at.get("download_button")
    at.session_state[FORMATS_OPEN_KEY] = True
    at.run()
    assert shown() and at.get("download_button")[0].proto.label == "Template CSV"
