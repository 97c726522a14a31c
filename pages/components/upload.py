"""The sidebar's "Upload CSV" source: file picker, accepted formats, template, errors, and a column-mapping form.

All parsing lives in `liqcore.loaders`; this module only asks, shows and remembers. When a file cannot be read as
it is, a preview and a mapping form appear in the main area; the mapping is kept for the session.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

import streamlit as st

from liqcore.errors import DataError
from liqcore.loaders import ColumnMapping, load_csv, sniff, template_csv
from liqcore.market import Market

MAPPING_KEY = "upload_mapping"
MODEL_FIELDS = ("time", "open", "high", "low", "close", "volume", "open_interest", "liq_long_usd", "liq_short_usd")
FORMATS_NOTE = """
- **Binance** futures archive klines (with or without header, epoch ms or µs) and daily `metrics` files
  (open interest, long/short ratios); `openInterestHist` exports.
- **Bybit / OKX** candle exports (newest first is fine), **TradingView** chart exports
  (`time,open,high,low,close,Volume`, optional open interest), **CCXT** OHLCV.
- **Generic** files with common names: `timestamp`/`time`/`date`, `open high low close` (or `o h l c`), `volume`,
  `open_interest`/`oi`/`oi_usd`, `liq_long_usd`/`liq_short_usd`.
- Times as epoch seconds/ms/µs/ns or ISO text (no zone = UTC). `,` `;` or tab. `.csv`, `.csv.gz`, `.zip`.
- Several files at once are merged on time (e.g. klines + metrics + liquidations).
"""


def _named(name: str, data: bytes) -> io.BytesIO:
    """The bytes as a file object carrying the upload's name, so messages name the file."""
    handle = io.BytesIO(data)
    handle.name = name
    return handle


@st.cache_data(max_entries=8, ttl=3600, show_spinner="Reading your files…")
def _load(digest: str, _files: tuple[tuple[str, bytes], ...], mapping: ColumnMapping | None) -> Market:
    return load_csv(*(_named(name, data) for name, data in _files), mapping=mapping)


def _mapping_form(main: Any, name: str, data: bytes) -> None:
    """Preview the file and let the user say which column is which; stores the mapping in session state."""
    try:
        detection = sniff(_named(name, data))
    except DataError as exc:
        main.error(str(exc), icon=":material/error:")
        return
    preview = detection.preview
    columns = ["—", *map(str, preview.columns)]
    guessed = dict(detection.mapping.columns)
    with main.form("column_mapping"):
        st.markdown(f"**Map the columns of {name}**")
        st.caption("We could not recognise every column. Preview of the first rows:")
        st.dataframe(preview, hide_index=True)
        chosen = {}
        cells = st.columns(3)
        for i, model in enumerate(MODEL_FIELDS):
            default = guessed.get(model, "—")
            chosen[model] = cells[i % 3].selectbox(
                model.replace("_", " "), columns, index=columns.index(default) if default in columns else 0
            )
        unit = st.radio("Open interest is in", ["coins", "usd"], horizontal=True, format_func=str.upper)
        sides = st.radio(
            "Open interest counts",
            [1, 2],
            horizontal=True,
            format_func={1: "one side (usual)", 2: "longs + shorts"}.get,
        )
        interval = st.text_input("Bar interval (blank = infer)", placeholder="e.g. 5m, 1h")
        if st.form_submit_button("Use this mapping", type="primary"):
            pairs = tuple((model, column) for model, column in chosen.items() if column != "—")
            st.session_state[MAPPING_KEY] = ColumnMapping(pairs, unit, sides, interval.strip() or None)
            st.rerun()


def upload_source(main: Any) -> Market | None:
    """Sidebar picker; returns the loaded market, or None while there is nothing usable (with guidance shown)."""
    files = st.file_uploader(
        "CSV files",
        type=["csv", "gz", "zip", "txt"],
        accept_multiple_files=True,
        key="upload_files",
        help="Prices plus, optionally, open interest / liquidation files: they are merged on time.",
    )
    with st.expander("Accepted formats", icon=":material/help:"):
        st.markdown(FORMATS_NOTE)
        st.download_button("Template CSV", template_csv(), "liquidation-lab-template.csv", "text/csv")
    if not files:
        st.session_state.pop(MAPPING_KEY, None)
        return None
    return market_from_files(main, tuple((f.name, f.getvalue()) for f in files))


def market_from_files(main: Any, payload: tuple[tuple[str, bytes], ...]) -> Market | None:
    """Load (name, bytes) pairs; show errors in the sidebar and, for one unreadable file, a mapping form in `main`."""
    digest = hashlib.sha256(b"".join(name.encode() + data for name, data in payload)).hexdigest()
    mapping = st.session_state.get(MAPPING_KEY)
    try:
        market = _load(digest, payload, mapping)
    except DataError as exc:
        st.error(str(exc), icon=":material/error:")
        if len(payload) == 1:
            _mapping_form(main, *payload[0])
        else:
            main.info("Fix the file named in the sidebar message, or upload one file at a time to map its columns.")
        return None
    if mapping is not None:
        st.caption("Using your column mapping.")
        if st.button("Forget the mapping"):
            st.session_state.pop(MAPPING_KEY, None)
            st.rerun()
    return market
