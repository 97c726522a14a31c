"""One market across several exchanges: open interest summed in USD (and in coins), prices from a reference venue.

Why: one exchange's open interest is a noisy sample of the market's positions; the sum over the big venues is
closer to the whole. Rules, each stated in the result's notes:

- **Price, volume, taker flow, funding and ratios** come from the reference venue (the first venue given that has
  data; Binance by default), so candles and entry prices are one exchange's real trades, not a blend.
- **Open interest** is the sum over the venues, in USD (`open_interest_usd`) and in coins (`open_interest`, each
  venue's own coin count, so the model's ΔOI does not move with price); each venue's share stays as
  `open_interest_usd_<venue>` / `open_interest_<venue>`.
- A venue whose open interest covers less than `min_coverage` of the bars is **left out of the sum** (kept as its own
  column and said so): summing it only where it has values would make a step that the model reads as positions
  opening. Inside the sum a bar where a summed venue has no value has no total (never a venue counted as zero); the
  model holds the last total across it.
- **Realised liquidations** are summed over the venues that have them, only on bars every such venue covers.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from liqcore.errors import DataError
from liqcore.market import Market, format_interval, venue_column
from liqcore.notes import Note, kind_of

MIN_COVERAGE = 0.9
REFERENCE_COLUMNS = (
    "open",
    "high",
    "low",
    "close",
    "volume",
    "quote_volume",
    "taker_buy_volume",
    "funding_rate",
    "long_short_ratio",
)
LIQ_COLUMNS = ("liq_long_usd", "liq_short_usd")


def open_interest_usd(market: Market) -> pd.Series:
    """The venue's open interest in USD per bar: as published, else coins × the venue's own close."""
    bars = market.bars
    if market.has("open_interest_usd"):
        return bars["open_interest_usd"]
    if market.has("open_interest"):
        return bars["open_interest"] * bars["close"]
    return pd.Series(np.nan, index=bars.index)


def open_interest_coins(market: Market) -> pd.Series:
    """The venue's open interest in coins per bar: as published, else USD / the venue's own close."""
    bars = market.bars
    if market.has("open_interest"):
        return bars["open_interest"]
    if market.has("open_interest_usd"):
        return bars["open_interest_usd"] / bars["close"]
    return pd.Series(np.nan, index=bars.index)


def coverage(series: pd.Series) -> float:
    """Share of the bars with a value."""
    return float(np.isfinite(series.to_numpy(dtype=float)).mean()) if len(series) else 0.0


def summed_venues(market: Market, min_coverage: float = MIN_COVERAGE) -> tuple[str, ...]:
    """The venues whose open interest an aggregate market's total sums (the same coverage rule as `combine`)."""
    return tuple(
        v for v in market.venues if coverage(market.bars[venue_column("open_interest_usd", v)]) >= min_coverage
    )


def combine(
    markets: Mapping[str, Market],
    reference: str | None = None,
    *,
    labels: Mapping[str, str] | None = None,
    min_coverage: float = MIN_COVERAGE,
    notes: tuple[str, ...] = (),
) -> Market:
    """Aggregate one symbol's markets from several venues ({venue key: Market}) into one Market.

    `reference` (default: the first key) gives the bars' time grid and the price columns; `labels` names venues in
    notes (default: the keys). The venues must share the bar interval; `notes` are prepended (e.g. failed venues).
    """
    if not markets:
        raise DataError("No venue's data to combine.")
    labels = dict(labels or {})
    name = {v: labels.get(v, v) for v in markets}
    reference = reference or next(iter(markets))
    ref = markets[reference]
    intervals = {v: m.interval for v, m in markets.items()}
    if len(set(intervals.values())) > 1:
        listed = ", ".join(f"{name[v]} {format_interval(i)}" for v, i in intervals.items())
        raise DataError(f"The venues' bars have different intervals ({listed}); use one interval for every venue.")
    index = ref.bars.index
    out = ref.bars.reindex(columns=[c for c in REFERENCE_COLUMNS if c in ref.bars.columns]).copy()
    text = list(notes)
    text.append(
        f"Aggregate of {', '.join(name.values())}: prices, volume, taker flow, funding and ratios from "
        f"{name[reference]} (the reference venue); open interest summed over the venues in USD and in coins."
    )

    summed: list[str] = []
    usd_parts, coin_parts = [], []
    for v, market in markets.items():
        usd = open_interest_usd(market).reindex(index)
        coins = open_interest_coins(market).reindex(index)
        covered = coverage(usd)
        if covered == 0:
            text.append(f"{name[v]} has no open interest for these bars; not in the sum.")
            continue
        out[venue_column("open_interest_usd", v)] = usd
        out[venue_column("open_interest", v)] = coins
        if covered < min_coverage:
            first = usd.first_valid_index()
            text.append(
                f"{name[v]} open interest covers {covered:.0%} of the bars (from {first:%Y-%m-%d %H:%M} UTC), less "
                f"than the {min_coverage:.0%} needed: left out of the sum (summing it only from there would read as "
                "positions opening); its own column is kept."
            )
            continue
        if covered < 1:
            text.append(f"{name[v]} open interest covers {covered:.0%} of the bars; bars it lacks have no total.")
        summed.append(v)
        usd_parts.append(usd)
        coin_parts.append(coins)
    if summed:
        out["open_interest_usd"] = pd.concat(usd_parts, axis=1).sum(axis=1, min_count=len(summed))
        out["open_interest"] = pd.concat(coin_parts, axis=1).sum(axis=1, min_count=len(summed))
        text.append(f"Open interest summed over {', '.join(name[v] for v in summed)}.")
    else:
        text.append("No venue has enough open interest to sum: the map falls back to the volume proxy.")

    text += _liquidations(markets, index, out, name)
    for v, market in markets.items():
        # A venue's gaps show as its coverage above; the aggregate's own validation notes the reference grid's gaps.
        text += [Note(f"{name[v]}: {n}", kind_of(n)) for n in market.notes if n not in market._span_notes]
    symbol = ref.symbol
    venues_text = " + ".join(name.values())
    source = f"{venues_text} aggregate {symbol} {format_interval(ref.interval)} (price from {name[reference]})"
    return Market(out, symbol, ref.interval, source, tuple(text))


def _liquidations(
    markets: Mapping[str, Market], index: pd.DatetimeIndex, out: pd.DataFrame, name: Mapping[str, str]
) -> list[str]:
    """Sum realised liquidations over the venues that report them; per-venue columns kept."""
    having = [v for v, m in markets.items() if any(m.has(c) for c in LIQ_COLUMNS)]
    if not having:
        return ["No venue's data has realised liquidations."]
    for column in LIQ_COLUMNS:
        parts = []
        for v in having:
            series = markets[v].bars[column].reindex(index) if column in markets[v].bars else pd.Series(np.nan, index)
            out[venue_column(column, v)] = series
            parts.append(series)
        out[column] = pd.concat(parts, axis=1).sum(axis=1, min_count=len(parts))
    lacking = [name[v] for v in markets if v not in having]
    tail = f"; {', '.join(lacking)} report none, so the totals cover only those venues" if lacking else ""
    return [f"Realised liquidations summed over {', '.join(name[v] for v in having)}{tail}."]
