"""Uploads from several exchanges for one symbol, combined like the live aggregate.

The rule the user follows: **name each file after its exchange** (``binance``, ``bybit`` or ``okx`` anywhere in the
file name, e.g. ``okx-BTCUSDT-5m.csv``). When the names mention two or more exchanges, each exchange's files are
loaded as its own market (klines + metrics + liquidations of that venue merged as usual) and the markets are
combined by `liqcore.aggregate.combine`: open interest summed in USD and coins, prices from Binance when it is among
them (else the first exchange in the registry's order). Files naming one exchange or none load as a single market.
"""

from __future__ import annotations

import re
from pathlib import Path

from liqcore.aggregate import combine
from liqcore.errors import DataError
from liqcore.exchanges.venues import AGGREGATE_VENUES, VENUES
from liqcore.loaders import ColumnMapping, LoadLimits, Source, load_csv
from liqcore.market import Market

VENUE_RULE = (
    "To combine exchanges, name each file after its exchange (binance, bybit or okx in the file name, e.g. "
    "okx-BTCUSDT-5m.csv): open interest is then summed across them, with prices from Binance when present."
)
_WORD = re.compile(r"[a-z0-9]+")


def source_name(source: Source) -> str:
    """The file name a source carries (a path's name, a file object's `.name`), '' for bare bytes."""
    if isinstance(source, str | Path):
        return Path(source).name
    return str(getattr(source, "name", "") or "")


def venue_named(name: str) -> str | None:
    """The exchange a file name mentions as a word ('okx_btc.csv' → okx), or None when it names none or several."""
    words = set(_WORD.findall(name.lower()))
    named = [v for v in AGGREGATE_VENUES if v in words]
    return named[0] if len(named) == 1 else None


def load_files(*sources: Source, mapping: ColumnMapping | None = None, limits: LoadLimits | None = None) -> Market:
    """Load uploads: one market, or the aggregate when the file names name two or more exchanges."""
    venues = [venue_named(source_name(s)) for s in sources]
    named = list(dict.fromkeys(v for v in venues if v))
    if len(named) < 2:
        return load_csv(*sources, mapping=mapping, limits=limits)
    unnamed = [source_name(s) or f"file {i + 1}" for i, (s, v) in enumerate(zip(sources, venues, strict=True)) if not v]
    if unnamed:
        raise DataError(
            f"{', '.join(unnamed)}: the other files name their exchanges ({', '.join(named)}), this one does not, so "
            "it is unclear which venue it belongs to. Put binance, bybit or okx in its file name, or upload one "
            "exchange."
        )
    order = [v for v in AGGREGATE_VENUES if v in named]
    markets = {}
    for venue in order:
        group = [s for s, v in zip(sources, venues, strict=True) if v == venue]
        try:
            markets[venue] = load_csv(*group, mapping=mapping, limits=limits)
        except DataError as exc:
            raise DataError(f"{VENUES[venue].short} files: {exc}") from None
    symbols = {m.symbol.replace("-", "").replace("SWAP", "") for m in markets.values()}
    note = (f"Combined uploads of {', '.join(VENUES[v].short for v in order)} by file name.",)
    if len(symbols) > 1:
        note += (f"The venues' files name different symbols ({', '.join(sorted(symbols))}); check they are one coin.",)
    return combine(markets, labels={v: VENUES[v].short for v in order}, notes=note)
