"""Recognise columns: which user column is the time, the prices, volume, open interest, liquidations, funding.

Names are compared after lower-casing and turning anything but letters and digits into underscores, so
"Open Interest", "open_interest" and "openInterest" all match. Header-less files are recognised by shape: Binance
archive klines have 12 numeric columns, CCXT-style OHLCV has 6.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ALIASES: dict[str, tuple[str, ...]] = {
    "time": (
        "timestamp",
        "time",
        "date",
        "datetime",
        "open_time",
        "opentime",
        "datetime_utc",
        "open_time_ms",
        "open_time_utc",
        "time_ms",
        "time_utc",
        "t",
        "ts",
        "create_time",
        "starttime",
        "start_time",
        "unix",
        "date_time",
        "candle_begin_time",
    ),
    "open": ("open", "o", "price_open", "open_price", "openprice"),
    "high": ("high", "h", "price_high", "high_price", "highprice"),
    "low": ("low", "l", "price_low", "low_price", "lowprice"),
    "close": ("close", "c", "price_close", "close_price", "closeprice", "last"),
    "volume": ("volume", "vol", "v", "base_volume", "volume_base", "volccy", "vol_ccy"),
    "quote_volume": (
        "quote_volume",
        "quote_asset_volume",
        "volume_usd",
        "quote_vol",
        "volccyquote",
        "vol_ccy_quote",
        "turnover",
        "volume_usdt",
    ),
    "taker_buy_volume": (
        "taker_buy_volume",
        "taker_buy_base",
        "taker_buy_base_asset_volume",
        "taker_buy_base_volume",
        "taker_buy_vol",
    ),
    "open_interest": (
        "open_interest",
        "oi",
        "sum_open_interest",
        "sumopeninterest",
        "open_interest_coins",
        "oi_coins",
        "openinterest",
        "oi_close",
        "open_interest_close",
    ),
    "open_interest_usd": (
        "open_interest_usd",
        "oi_usd",
        "sum_open_interest_value",
        "sumopeninterestvalue",
        "open_interest_value",
        "oi_value",
        "openinterestvalue",
        "oi_usd_close",
    ),
    "funding_rate": ("funding_rate", "funding", "fundingrate", "funding_close", "last_funding_rate"),
    "long_short_ratio": (
        "long_short_ratio",
        "count_long_short_ratio",
        "longshortratio",
        "ls_ratio",
        "long_short_account_ratio",
    ),
    "liq_long_usd": (
        "liq_long_usd",
        "liquidation_long_usd",
        "long_liquidation_usd",
        "longusd",
        "long_usd",
        "liq_long",
        "long_liquidations",
        "liquidations_long_usd",
    ),
    "liq_short_usd": (
        "liq_short_usd",
        "liquidation_short_usd",
        "short_liquidation_usd",
        "shortusd",
        "short_usd",
        "liq_short",
        "short_liquidations",
        "liquidations_short_usd",
    ),
}
BINANCE_KLINE_COLUMNS = (
    "time",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "close_time",
    "quote_volume",
    "count",
    "taker_buy_volume",
    "taker_buy_quote_volume",
    "ignore",
)
CCXT_COLUMNS = ("time", "open", "high", "low", "close", "volume")
INSTRUMENT_COLUMNS = ("venue", "exchange", "coin", "symbol", "instrument", "instid", "pair")


def normalise(name: str) -> str:
    """Lower-case, camelCase split, non-alphanumerics to single underscores."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip())
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


_LOOKUP = {normalise(alias): field for field, aliases in ALIASES.items() for alias in aliases}


@dataclass(frozen=True)
class ColumnMapping:
    """Which user column feeds each model column, and the units of open interest.

    `columns` maps a model column name (time, open, high, low, close, volume, open_interest, ...) to a user column.
    `oi_unit` is "coins" or "usd"; `oi_sides` is 1 when the figure counts one side (exchanges' usual open interest) or
    2 when it adds longs and shorts. `interval` optionally forces the bar length (e.g. "1h").
    """

    columns: tuple[tuple[str, str], ...]
    oi_unit: str = "coins"
    oi_sides: int = 1
    interval: str | None = None

    def get(self, model_column: str) -> str | None:
        return dict(self.columns).get(model_column)


@dataclass(frozen=True)
class Detection:
    """What the loader made of one file: a format name, the mapping it would use, and what it is unsure about."""

    name: str
    format: str
    mapping: ColumnMapping
    unsure: tuple[str, ...] = field(default_factory=tuple)


def detect(name: str, columns: list[str], has_header: bool) -> Detection:
    """Guess the format and column mapping of a table from its header (or its width when it has none)."""
    if not has_header:
        width = len(columns)
        if width >= 12:
            pairs = tuple(
                (model, columns[i])
                for i, model in enumerate(BINANCE_KLINE_COLUMNS)
                if model in ("time", "open", "high", "low", "close", "volume", "quote_volume", "taker_buy_volume")
            )
            return Detection(name, "Binance klines (no header)", ColumnMapping(pairs))
        if width >= 6:
            pairs = tuple((model, columns[i]) for i, model in enumerate(CCXT_COLUMNS))
            return Detection(
                name,
                "OHLCV without header (time, open, high, low, close, volume)",
                ColumnMapping(pairs),
                ("no header row: columns read as time, open, high, low, close, volume",),
            )
        return Detection(name, "unknown", ColumnMapping(()), (f"no header row and only {width} column(s)",))
    found: dict[str, str] = {}
    for column in columns:
        model = _LOOKUP.get(normalise(column))
        if model and model not in found:
            found[model] = column
    unsure = []
    if "time" not in found:
        unsure.append("no time column recognised")
    has_prices = all(c in found for c in ("open", "high", "low", "close"))
    extras = [
        c
        for c in (
            "open_interest",
            "open_interest_usd",
            "liq_long_usd",
            "liq_short_usd",
            "funding_rate",
            "long_short_ratio",
        )
        if c in found
    ]
    if not has_prices and not extras:
        unsure.append("no open/high/low/close columns recognised")
    normalised = {normalise(c) for c in columns}
    if {"sum_open_interest", "create_time"} <= normalised:
        kind = "Binance metrics (open interest, long/short ratios)"
    elif {"sumopeninterest", "timestamp"} <= normalised or {"sum_open_interest_value"} <= normalised:
        kind = "Binance open-interest history"
    elif (
        "taker_buy_base" in normalised
        or "taker_buy_base_asset_volume" in normalised
        or "taker_buy_volume" in normalised
    ):
        kind = "Binance klines (with header)"
    elif has_prices:
        kind = "OHLCV" + (" + open interest" if extras else "")
    elif extras:
        kind = "extra columns (" + ", ".join(extras) + ")"
    else:
        kind = "unknown"
    return Detection(name, kind, ColumnMapping(tuple(found.items())), tuple(unsure))
