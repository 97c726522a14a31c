"""Recognise a file's format: which user column is the time, the prices, volume, open interest, liquidations, funding.

Names are compared after lower-casing and turning anything but letters and digits into underscores, so
"Open Interest", "open_interest" and "openInterest" all match. Header-less files are recognised by shape: Binance
archive klines have 12 numeric columns, CCXT-style OHLCV has 6. OKX candles count `vol` in contracts, so their
`volCcy` (base coin) column is preferred for volume.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from liqcore.loaders.notes import repair

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
    "volume": ("volume", "vol", "v", "base_volume", "volume_base"),
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
        "oi_coins_close",
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
        "open_interest_usd_close",
        "oi_notional",
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
        "long_liquidation_usd",
        "long_liquidations_usd",
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
        "short_liquidation_usd",
        "short_liquidations_usd",
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
INSTRUMENT_COLUMNS = ("venue", "exchange", "coin", "symbol", "instrument", "instid", "inst_id", "pair", "ticker")


def normalise(name: str) -> str:
    """Lower-case, camelCase split, non-alphanumerics to single underscores."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip())
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


_LOOKUP = {normalise(alias): field for field, aliases in ALIASES.items() for alias in aliases}
UNIT_WORDS = ("usd", "usdt", "usdc", "btc", "eth", "base", "quote", "coin", "coins", "utc", "ms")


def _without_unit(name: str) -> str:
    """'volume_btc' -> 'volume', 'close_usd' -> 'close': a trailing unit word removed (open interest keeps its
    'usd', which the unit rule reads from the original name)."""
    head, _, tail = name.rpartition("_")
    return head if head and tail in UNIT_WORDS else name


MODEL_FIELDS = tuple(ALIASES)
OI_UNITS = ("auto", "coins", "usd")


@dataclass(frozen=True)
class ColumnMapping:
    """Which user column feeds each model column, and the units of open interest.

    `columns` maps a model column name (time, open, high, low, close, volume, open_interest, ...) to a user column; a
    dict is accepted and stored as sorted pairs so the mapping stays hashable. `oi_unit` is "auto" (decide from the
    column name and size), "coins" or "usd"; `oi_sides` is 1 when the figure counts one side (exchanges' usual open
    interest) or 2 when it adds longs and shorts. `interval` optionally forces the bar length (e.g. "1h").
    """

    columns: tuple[tuple[str, str], ...] | dict[str, str]
    oi_unit: str = "auto"
    oi_sides: int = 1
    interval: str | None = None

    def __post_init__(self) -> None:
        pairs = self.columns.items() if isinstance(self.columns, dict) else self.columns
        pairs = tuple((str(model), str(column)) for model, column in pairs)
        unknown = [model for model, _ in pairs if model not in MODEL_FIELDS]
        if unknown:
            raise ValueError(f"Unknown model column(s) {unknown}; use {', '.join(MODEL_FIELDS)}.")
        if self.oi_unit not in OI_UNITS:
            raise ValueError(f"oi_unit must be one of {OI_UNITS}, got {self.oi_unit!r}.")
        if self.oi_sides not in (1, 2):
            raise ValueError(f"oi_sides must be 1 or 2, got {self.oi_sides!r}.")
        object.__setattr__(self, "columns", tuple(sorted(pairs)))

    def get(self, model_column: str) -> str | None:
        """The user column mapped to a model column, if any."""
        return dict(self.columns).get(model_column)


@dataclass(frozen=True)
class Detection:
    """What the loader made of one file: a format name, the mapping it would use, what it is unsure about, a preview.

    `preview` holds the first rows as text cells (filled by `liqcore.loaders.sniff`); `notes` say what the format
    implies (e.g. which volume unit was assumed).
    """

    name: str
    format: str
    mapping: ColumnMapping
    unsure: tuple[str, ...] = field(default_factory=tuple)
    notes: tuple[str, ...] = field(default_factory=tuple)
    preview: pd.DataFrame | None = field(default=None, compare=False)

    @property
    def is_sure(self) -> bool:
        """True when a time column and prices (or extras to merge) were recognised."""
        return not self.unsure


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
        if width >= 5:
            models = CCXT_COLUMNS[:6] if width >= 6 else CCXT_COLUMNS[:5]
            pairs = tuple((model, columns[i]) for i, model in enumerate(models))
            return Detection(
                name,
                f"OHLC{'V' if width >= 6 else ''} without header ({', '.join(models)})",
                ColumnMapping(pairs),
                (f"no header row: columns read as {', '.join(models)}",),
            )
        return Detection(name, "unknown", ColumnMapping(()), (f"no header row and only {width} column(s)",))
    found: dict[str, str] = {}
    for column in columns:
        model = _LOOKUP.get(normalise(column)) or _LOOKUP.get(_without_unit(normalise(column)))
        if model and model not in found:
            found[model] = column
    notes: list[str] = []
    normalised = {normalise(c): c for c in columns}
    if "vol_ccy" in normalised and {"o", "h", "l", "c"} <= set(normalised):
        found["volume"] = normalised["vol_ccy"]
        if "vol_ccy_quote" in normalised:
            found["quote_volume"] = normalised["vol_ccy_quote"]
        notes.append(
            f"{name}: OKX candles — volume taken from '{found['volume']}' (base coin); 'vol' counts contracts."
        )
    elif {"o", "h", "l", "c", "vol"} <= set(normalised) and "volume" not in normalised:
        found.pop("volume", None)
        notes.append(
            repair(
                f"{name}: OKX-style 'vol' counts contracts of unknown size, so volume was left out; "
                "map it as volume only if it is in coins."
            )
        )
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
    if {"sum_open_interest", "create_time"} <= set(normalised):
        kind = "Binance metrics (open interest, long/short ratios)"
    elif "sum_open_interest_value" in normalised:
        kind = "Binance open-interest history"
    elif (
        "taker_buy_base" in normalised
        or "taker_buy_base_asset_volume" in normalised
        or "taker_buy_volume" in normalised
    ):
        kind = "Binance klines (with header)"
    elif "vol_ccy" in normalised or ("confirm" in normalised and "o" in normalised):
        kind = "OKX candles"
    elif "turnover" in normalised and "start_time" in normalised:
        kind = "Bybit candles"
    elif has_prices:
        kind = "OHLCV" + (" + " + ", ".join(extras) if extras else "")
    elif extras:
        kind = "extra columns (" + ", ".join(extras) + ")"
    else:
        kind = "unknown"
    return Detection(name, kind, ColumnMapping(found), tuple(unsure), tuple(notes))
