"""The sidebar's "Upload CSV" source: file picker, accepted formats, template, errors, and a column-mapping form.

All parsing lives in `liqcore.loaders`; this module only asks, shows and remembers. When a file cannot be read as
it is, a preview and a mapping form appear in the main area; the mapping is kept for the session.
"""

from __future__ import annotations

import hashlib
import io
import logging
from functools import partial
from typing import Any

import streamlit as st

from liqcore.errors import DataError
from liqcore.loaders import ColumnMapping, Detection, repairs, sniff, template_csv
from liqcore.loaders.venue_files import VENUE_RULE, load_files
from liqcore.market import Market, format_interval
from pages.components.cache import DATA, PREVIEWS, fingerprint, stored
from pages.components.text import plain

MAPPING_KEY = "upload_mapping"
FORMATS_OPEN_KEY = "upload_formats_open"  # whether "Accepted formats" is open
UNSET = "—"
MODEL_FIELDS = (
    "time",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "open_interest",
    "liq_long_usd",
    "liq_short_usd",
    "funding_rate",
)
FORMATS_NOTE = """
- **Binance** futures archive klines (with or without header, epoch ms or µs) and daily `metrics` files
  (open interest, long/short ratios); `openInterestHist` exports.
- **Bybit / OKX** candle exports (newest first is fine; OKX volume is read from `volCcy`, in coins),
  **TradingView** chart exports (`time,open,high,low,close,Volume`, optional open interest), **CCXT** OHLCV.
- **Generic** files with common names: `timestamp`/`time`/`date`, `open high low close` (or `o h l c`,
  `price_open`…), `volume`, `open_interest`/`oi`/`oi_usd`, `liq_long_usd`/`liq_short_usd`, `funding_rate`.
- Times as epoch seconds/ms/µs/ns or ISO text (no zone = UTC). `,` `;` or tab. `.csv`, `.csv.gz`, `.zip`.
- Several files at once are merged on time (e.g. klines + metrics + liquidations). A file with only open interest
  or liquidations needs a price file beside it.
"""
FORMATS_NOTE += f"- **Several exchanges**: {VENUE_RULE}\n"
_LOG = logging.getLogger(__name__)


def _named(name: str, data: bytes) -> io.BytesIO:
    """The bytes as a file object carrying the upload's name, so messages name the file."""
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def _load(digest: str, files: tuple[tuple[str, bytes], ...], mapping: ColumnMapping | None) -> Market:
    """Parse once per (files, mapping), kept in the shared byte-bounded cache: `digest` hashes names and bytes."""

    def parse() -> Market:
        return load_files(*(_named(name, data) for name, data in files), mapping=mapping)

    return stored(DATA, f"upload|{digest}|{fingerprint(mapping)}", parse, spinner="Reading your files…")


def _sniff(digest: str, name: str, data: bytes) -> Detection | DataError:
    """What the loader makes of one file; a DataError is returned (not raised) so the caller can show it."""
    return stored(PREVIEWS, f"sniff|{digest}", partial(_detect, name, data))


def _detect(name: str, data: bytes) -> Detection | DataError:
    try:
        return sniff(_named(name, data))
    except DataError as exc:
        return exc
    except Exception as exc:  # a loader bug must not take the page down; the load error box says what to do
        _LOG.exception("sniff failed on %s", name)
        return DataError(f"{name}: could not be previewed ({type(exc).__name__}).")


def _digest(payload: tuple[tuple[str, bytes], ...]) -> str:
    hasher = hashlib.sha256()
    for name, data in payload:
        hasher.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return hasher.hexdigest()


def _mapping_form(main: Any, name: str, detection: Detection) -> None:
    """Preview one file and let the user say which column is which; stores the mapping in session state."""
    preview = detection.preview
    columns = [UNSET, *map(str, preview.columns)]
    guessed = dict(detection.mapping.columns)
    with main.form("column_mapping"):
        st.markdown(f"**Map the columns of {plain(name)}**")
        doubts = "; ".join(detection.unsure) or "the file could not be read as detected"
        st.caption(f"Not sure about this file: {plain(doubts)}. Preview of the first rows:")
        st.dataframe(preview, hide_index=True)
        chosen = {}
        cells = st.columns(3)
        for i, model in enumerate(MODEL_FIELDS):
            default = guessed.get(model, UNSET)
            chosen[model] = cells[i % 3].selectbox(
                model.replace("_", " "),
                columns,
                index=columns.index(default) if default in columns else 0,
                key=f"map_{model}",
            )
        unit = st.radio(
            "Open interest is in",
            ["auto", "coins", "usd"],
            horizontal=True,
            format_func={"auto": "detect", "coins": "coins (base units)", "usd": "USD"}.get,
            key="map_oi_unit",
        )
        sides = st.radio(
            "Open interest counts",
            [1, 2],
            horizontal=True,
            format_func={1: "one side (usual)", 2: "longs + shorts"}.get,
            key="map_oi_sides",
        )
        interval = st.text_input("Bar interval (blank = infer)", placeholder="e.g. 5m, 1h", key="map_interval")
        if st.form_submit_button("Use this mapping", type="primary"):
            pairs = {model: column for model, column in chosen.items() if column != UNSET}
            st.session_state[MAPPING_KEY] = ColumnMapping(pairs, unit, sides, interval.strip() or None)
            st.rerun()


def upload_source(main: Any) -> Market | None:
    """Sidebar picker; returns the loaded market, or None while there is nothing usable (with guidance shown)."""
    files = st.file_uploader(
        "CSV files",
        type=["csv", "gz", "zip", "txt"],
        accept_multiple_files=True,
        key="upload_files",
        help="Prices plus, optionally, open interest / liquidation / funding files: they are merged on time. "
        + VENUE_RULE,
    )
    # drawn only while open: the list and the template are two elements on every run of the upload source
    with st.expander("Accepted formats", icon=":material/help:", key=FORMATS_OPEN_KEY, on_change="rerun") as box:
        if box.open:
            st.markdown(FORMATS_NOTE)
            st.download_button(
                "Template CSV", template_csv(), "liquidation-lab-template.csv", "text/csv", key="upload_template"
            )
    if not files:
        st.session_state.pop(MAPPING_KEY, None)
        return None
    return market_from_files(main, tuple((f.name, f.getvalue()) for f in files))


def market_from_files(main: Any, payload: tuple[tuple[str, bytes], ...]) -> Market | None:
    """Load (name, bytes) pairs; errors go to the sidebar and, for a file detection is unsure of, a form to `main`."""
    mapping = st.session_state.get(MAPPING_KEY)
    try:
        market = _load(_digest(payload), payload, mapping)
    except DataError as exc:
        st.error(plain(str(exc)), icon=":material/error:")
        _offer_mapping(main, payload)
        return None
    except Exception as exc:  # a loader bug: say which files, keep the page running, log the traceback
        _LOG.exception("loading %s failed", [name for name, _ in payload])
        names = ", ".join(name for name, _ in payload)
        st.error(
            plain(
                f"{names}: could not be read ({type(exc).__name__}: {str(exc)[:200]}). This is a fault in the app, "
                "not necessarily in your file: save it again as a plain CSV (UTF-8, comma-separated) and retry, "
                "and please report the file."
            ),
            icon=":material/error:",
        )
        return None
    _report(market, mapping is not None)
    return market


def _offer_mapping(main: Any, payload: tuple[tuple[str, bytes], ...]) -> None:
    """A mapping form for the first file detection is unsure of; for one recognised file, the form folded away."""
    detections = [(name, _sniff(_digest(((name, data),)), name, data)) for name, data in payload]
    readable = [(name, d) for name, d in detections if isinstance(d, Detection)]
    unsure = next(((name, d) for name, d in readable if not d.is_sure), None)
    if unsure is not None:
        _mapping_form(main, *unsure)
    elif len(payload) == 1 and readable:
        name, detection = readable[0]
        _mapping_form(main.expander(f"Map the columns of {plain(name)} yourself"), name, detection)
    else:
        main.info("Fix the file named in the sidebar message and upload it again.", icon=":material/info:")


def _report(market: Market, mapped: bool) -> None:
    """Say what was loaded, and what was dropped or repaired on the way."""
    st.caption(f"Loaded {len(market):,} bars of {format_interval(market.interval)} ({plain(market.symbol)}).")
    fixes = repairs(market.notes)
    if fixes:
        st.info(f"{len(fixes)} repair(s) or drop(s) while reading: see the details.", icon=":material/build:")
        with st.expander("What was dropped or repaired"):
            st.markdown("\n".join(f"- {plain(note)}" for note in fixes))  # one element, however many notes
    if mapped:
        st.caption("Using your column mapping.")
        if st.button("Forget the mapping", key="upload_forget_mapping"):
            st.session_state.pop(MAPPING_KEY, None)
            st.rerun()
