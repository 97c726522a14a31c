"""Symbol lists for a scan: the top USDⓈ-M perpetuals by traded volume, live from Binance or from a stored snapshot.

Why a snapshot: hosted users whose region Binance's REST API refuses still need a sensible list for the archive
source; the ranking of the biggest perpetuals changes slowly. `top_symbols` says which one it used.
"""

from __future__ import annotations

import re

from liqcore.errors import FetchError
from liqcore.exchanges.http import HttpClient, HttpSettings
from liqcore.exchanges.venues import VENUES

SNAPSHOT_DATE = "2025-06"
TOP_BY_VOLUME: tuple[str, ...] = (
    "BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT", "DOGEUSDT", "BNBUSDT", "SUIUSDT", "ADAUSDT", "1000PEPEUSDT",
    "LINKUSDT", "AVAXUSDT", "TRXUSDT", "LTCUSDT", "WIFUSDT", "ENAUSDT", "TONUSDT", "DOTUSDT", "BCHUSDT", "NEARUSDT",
    "AAVEUSDT", "UNIUSDT", "APTUSDT", "ARBUSDT", "OPUSDT", "FILUSDT", "HBARUSDT", "ETCUSDT", "INJUSDT", "TIAUSDT",
    "SEIUSDT", "ATOMUSDT", "CRVUSDT", "LDOUSDT", "ONDOUSDT", "WLDUSDT", "FETUSDT", "RENDERUSDT", "TAOUSDT", "JUPUSDT",
    "1000BONKUSDT", "1000SHIBUSDT", "ORDIUSDT", "XLMUSDT", "ALGOUSDT", "ICPUSDT", "STXUSDT", "GALAUSDT", "SANDUSDT",
    "POLUSDT", "PENDLEUSDT",
)  # fmt: skip
PRESETS = {"top20": 20, "top50": 50}
_SYMBOL = re.compile(r"^[A-Z0-9]{2,20}$")
MAX_SYMBOLS = 200


def parse_symbols(text: str) -> tuple[str, ...]:
    """Symbols from user text ("btcusdt, ETHUSDT sol-usdt"): upper-cased, '-'/'/' removed, de-duplicated in order.

    Raises ValueError naming the first entry that is not a plain symbol, so odd text never reaches a URL.
    """
    out: list[str] = []
    for raw in re.split(r"[\s,;]+", text.strip()):
        if not raw:
            continue
        symbol = raw.upper().replace("-", "").replace("/", "")
        if not _SYMBOL.match(symbol):
            raise ValueError(f"'{raw[:40]}' is not a symbol (letters and digits, e.g. BTCUSDT).")
        out.append(symbol)
    symbols = tuple(dict.fromkeys(out))
    if len(symbols) > MAX_SYMBOLS:
        raise ValueError(f"{len(symbols)} symbols is more than the {MAX_SYMBOLS} one scan allows.")
    return symbols


def top_symbols(
    count: int, live: bool = False, base_url: str | None = None, settings: HttpSettings | None = None
) -> tuple[tuple[str, ...], str]:
    """The `count` biggest USDT perpetuals and where the list came from.

    With `live`, Binance's 24-hour tickers ranked by quote volume; when Binance refuses, the stored snapshot (and the
    reason is in the returned text).
    """
    snapshot = (TOP_BY_VOLUME[:count], f"top {count} by volume (snapshot of {SNAPSHOT_DATE})")
    if not live:
        return snapshot
    client = HttpClient(VENUES["binance"].base_url(base_url), "Binance", settings=settings or HttpSettings())
    try:
        tickers = client.get_json("/fapi/v1/ticker/24hr")
    except FetchError as exc:
        return snapshot[0], f"{snapshot[1]}; live ranking unavailable: {exc}"
    usdt = [t for t in tickers if isinstance(t, dict) and str(t.get("symbol", "")).endswith("USDT")]
    ranked = sorted(usdt, key=lambda t: float(t.get("quoteVolume") or 0), reverse=True)
    return tuple(t["symbol"] for t in ranked[:count]), f"top {count} by 24-hour quote volume (Binance, live)"
