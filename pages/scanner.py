"""Scanner page: rank many perpetuals by estimated liquidation fuel near price, and open any one's heatmap.

The scan runs on Dask through `liqcore.scan`: on the cluster named by LIQCORE_DASK_SCHEDULER when it is set, else on
a local cluster kept for the server's life. This page only asks, shows progress and lays out the ranking.
"""

from __future__ import annotations

import os
from urllib.parse import urlencode

import streamlit as st

from liqcore.exchanges.venues import VENUES
from liqcore.export import to_csv_safe
from liqcore.scanner import ARCHIVE, SCHEDULER_ENV, ScanResult, local_cluster, scan
from liqcore.symbols import PRESETS, parse_symbols, top_symbols
from pages.components.text import plain

PAGE_TITLE = "Scanner"  # navigation: pages/components/page_list.py reads these three lines
PAGE_ICON = ":material/radar:"
PAGE_ORDER = 7
READS_ANALYSIS = False  # fetches its own symbols instead of rendering the frame's Analysis

SOURCES = {ARCHIVE: "Binance archive (daily files; works where exchange APIs refuse)"} | {
    name: f"{v.label} (live REST)" for name, v in VENUES.items() if v.live
}
LISTS = {"top20": "Top 20 by volume", "top50": "Top 50 by volume", "own": "My own list"}
INTERVALS = ("5m", "15m", "1h")
SPANS = ("1d", "3d", "7d")
RESULT_KEY = "scan_result"


def _close(connection: dict[str, object]) -> None:
    """Close the client, and the local cluster it started (a scheduler given by address belongs to someone else)."""
    client = connection["client"]
    cluster = client.cluster
    client.close()
    if cluster is not None:
        cluster.close()


@st.cache_resource(max_entries=1, show_spinner="Starting the Dask cluster…", on_release=_close)
def _connection(address: str | None) -> dict[str, object]:
    """One Dask client per server: on the given scheduler, or on a local cluster sized to the machine. (Held in a
    dict: a Client is awaitable, which Streamlit's cache would mistake for an async result. The address comes from
    the environment, so there is one key per process; the client is closed when the entry is cleared, instead of
    trying to reconnect to a scheduler that went away.)"""
    from distributed import Client

    return {"client": Client(address, timeout="10s") if address else Client(local_cluster())}


def heatmap_link(symbol: str, source: str, interval: str, span: str) -> str:
    """A link to the heatmap page with this symbol loaded from the same source (fetched on arrival)."""
    if source == ARCHIVE:
        query = {"src": "archive", "archive_symbol": symbol, "archive_interval": interval}
    else:
        query = {
            "src": "live",
            "live_exchange": source,
            "live_symbol": symbol,
            "live_interval": interval,
            "live_span": span,
        }
    return "./?" + urlencode({**query, "fetch": "1"})


def _symbols(choice: str, own: str) -> tuple[tuple[str, ...], str] | None:
    if choice in PRESETS:
        return top_symbols(PRESETS[choice])
    try:
        symbols = parse_symbols(own)
    except ValueError as exc:
        st.error("That list has an entry that is not a symbol:", icon=":material/error:")
        st.text(str(exc))
        return None
    if not symbols:
        st.info("Type at least one symbol, e.g. BTCUSDT, ETHUSDT.")
        return None
    return symbols, f"{len(symbols)} symbols of yours"


def _run(symbols: tuple[str, ...], source: str, interval: str, span: str) -> ScanResult:
    bar = st.progress(0.0, text=f"Scanning {len(symbols)} symbols…")

    def update(done: int, total: int, symbol: str) -> None:
        bar.progress(done / total, text=f"Scanned {done}/{total} · {symbol}")

    result = scan(
        symbols,
        source,
        interval,
        span,
        client=_connection(os.environ.get(SCHEDULER_ENV))["client"],
        on_progress=update,
    )
    bar.empty()
    return result


def _ranking(result: ScanResult) -> None:
    spec = result.spec
    table = result.table.copy()
    table["heatmap"] = [heatmap_link(s, spec.source, spec.interval, spec.span) for s in table["symbol"]]
    shown = [
        "rank", "symbol", "spark", "reading", "balance", "long_cluster", "long_distance_pct", "long_cluster_usd",
        "short_cluster", "short_distance_pct", "short_cluster_usd", "fuel_usd", "fuel_to_volume", "coverage", "heatmap",
    ]  # fmt: skip
    st.dataframe(
        table[shown],
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(table), 760),
        column_config={
            "rank": st.column_config.NumberColumn("#", width=40),
            "symbol": st.column_config.TextColumn("Symbol", width=110),
            "spark": st.column_config.LineChartColumn("Price", width=110, help="Close over the scanned span"),
            "reading": st.column_config.TextColumn("Reading", help="Squeeze risk from the balance within ±3 %"),
            "balance": st.column_config.NumberColumn(
                "Balance", format="%+.2f", help="+1: all nearby exposure is shorts above; −1: longs below"
            ),
            "long_cluster": st.column_config.TextColumn("Longs below (USD range)"),
            "long_distance_pct": st.column_config.NumberColumn("Dist.", format="%+.1f %%"),
            "long_cluster_usd": st.column_config.NumberColumn("Longs (est.)", format="compact"),
            "short_cluster": st.column_config.TextColumn("Shorts above (USD range)"),
            "short_distance_pct": st.column_config.NumberColumn("Dist. ", format="%+.1f %%"),
            "short_cluster_usd": st.column_config.NumberColumn("Shorts (est.)", format="compact"),
            "fuel_usd": st.column_config.NumberColumn(
                "Fuel ±3 % (est.)", format="compact", help="Estimated liquidations within 3 % of price, both sides"
            ),
            "fuel_to_volume": st.column_config.NumberColumn(
                "Fuel / day's volume", format="percent", help="Fuel relative to the average daily traded USD: the rank"
            ),
            "coverage": st.column_config.ProgressColumn(
                "Data", format="percent", min_value=0.0, max_value=1.0, help="Bars loaded of the span asked for"
            ),
            "heatmap": st.column_config.LinkColumn("Heatmap", display_text="Open map", width=90),
        },
    )


st.title("Scanner")
st.caption(
    "Which coins have estimated liquidation **fuel close to price**? Each symbol's map is estimated and summarised "
    "on a Dask cluster; the ranking puts most fuel for its traded volume first. Every number is a model estimate."
)
with st.form("scan_form"):
    cols = st.columns([2, 1.4, 1, 1])
    source = cols[0].selectbox("Source", list(SOURCES), format_func=SOURCES.get, key="scan_source")
    choice = cols[1].radio("Symbols", list(LISTS), format_func=LISTS.get, key="scan_list")
    interval = cols[2].selectbox("Bars", INTERVALS, key="scan_interval")
    span = cols[3].selectbox("Fetch span", SPANS, index=2, key="scan_span")
    own = st.text_input("My own list", placeholder="BTCUSDT, ETHUSDT, SOLUSDT", key="scan_own")
    submitted = st.form_submit_button("Scan", type="primary", icon=":material/radar:")

if submitted:
    picked = _symbols(choice, own)
    if picked is not None:
        symbols, origin = picked
        st.session_state[RESULT_KEY] = (_run(symbols, source, interval, span), origin)

stored = st.session_state.get(RESULT_KEY)
if stored is None:
    st.info("Pick a source and a list, then press **Scan**. Rescans read the cached archive files.")
else:
    result, origin = stored
    st.caption(plain(f"{result.summary()} List: {origin}.") + " Click a column header to sort.")
    if result.table.empty:
        st.warning("No symbol could be scanned; the reasons are below.")
    else:
        _ranking(result)
    if len(result.errors):
        with st.expander(f"{len(result.errors)} symbol(s) could not be scanned"):
            st.dataframe(result.errors[["symbol", "error"]], hide_index=True, width="stretch")
    export = to_csv_safe(result.table.drop(columns=["spark"]))
    st.download_button("Download ranking (CSV)", export, "scan.csv", "text/csv", icon=":material/download:")
