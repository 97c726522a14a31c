"""The validated market every source produces and every model reads.

A `Market` is a frozen bundle of bars (UTC-indexed OHLC plus whatever else the source knew: volume, taker flow, open
interest, funding, realised liquidations) with the symbol, the bar interval, a human description of the source and
the notes of every repair or assumption made while loading. Validation happens once, here, so the engine and the
analytics can trust their input.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from liqcore.durations import parse_duration
from liqcore.errors import DataError
from liqcore.notes import Note, NoteKind

PRICE_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close")
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "volume",  # base units traded in the bar
    "quote_volume",  # quote (USD) traded in the bar
    "taker_buy_volume",  # base units bought by takers
    "open_interest",  # base units, one side, at the bar close
    "open_interest_usd",  # USD, one side, at the bar close
    "funding_rate",  # fraction per funding period (0.0001 = 0.01 %)
    "long_short_ratio",  # accounts long / accounts short
    "liq_long_usd",  # realised long liquidations in the bar, USD
    "liq_short_usd",  # realised short liquidations in the bar, USD
)
KNOWN_COLUMNS: tuple[str, ...] = PRICE_COLUMNS + OPTIONAL_COLUMNS
SIGNED_COLUMNS: tuple[str, ...] = ("funding_rate",)  # the only column that may be negative
# A market aggregated over several exchanges keeps each venue's share as `<column>_<venue>`, e.g.
# `open_interest_usd_binance`, so a map can be split by venue; the model itself reads only the summed columns.
VENUE_COLUMN_BASES: tuple[str, ...] = (
    "open_interest",
    "open_interest_usd",
    "quote_volume",
    "liq_long_usd",
    "liq_short_usd",
)
_VENUE_COLUMN = re.compile(rf"^({'|'.join(sorted(VENUE_COLUMN_BASES, key=len, reverse=True))})_([a-z][a-z0-9]*)$")


def venue_column(base: str, venue: str) -> str:
    """The name of one venue's share of a column: ``venue_column("open_interest_usd", "okx")``."""
    return f"{base}_{venue}"


def split_venue_column(column: object) -> tuple[str, str] | None:
    """(base column, venue) for a per-venue column such as ``open_interest_usd_okx``; None for any other name."""
    if not isinstance(column, str) or column in KNOWN_COLUMNS:
        return None
    match = _VENUE_COLUMN.match(column)
    return (match.group(1), match.group(2)) if match else None


def _row_label(index: pd.DatetimeIndex, position: int) -> str:
    """Name a bar so a user can find it: its position (1-based) and its time."""
    return f"row {position + 1} ({index[position]:%Y-%m-%d %H:%M} UTC)"


@dataclass(frozen=True)
class Market:
    """Validated bars of one instrument at one regular interval.

    Parameters
    ----------
    bars
        DataFrame indexed by the bar open time (UTC, strictly increasing) with float64 columns `open high low close`
        and any of `OPTIONAL_COLUMNS`. Unknown columns are dropped (and said so in `notes`).
    symbol
        Instrument name as the user knows it, e.g. ``"BTCUSDT"``.
    interval
        Bar length. When None it is inferred as the most common spacing between bars.
    source
        Human text saying where the bars came from.
    notes
        Every repair, drop or assumption made while loading, in words a user reads.
    """

    bars: pd.DataFrame
    symbol: str = "UNKNOWN"
    interval: pd.Timedelta | None = None
    source: str = "user data"
    notes: tuple[str, ...] = field(default_factory=tuple)
    # Notes that describe this exact span of bars (gaps): `tail` drops them, the cut span gets its own.
    _span_notes: tuple[str, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        bars, interval, column_notes, span_notes = _validate(self.bars, self.interval)
        object.__setattr__(self, "bars", bars)
        object.__setattr__(self, "interval", interval)
        object.__setattr__(self, "notes", tuple(self.notes) + column_notes + span_notes)
        object.__setattr__(self, "_span_notes", span_notes)

    def __len__(self) -> int:
        return len(self.bars)

    @cached_property
    def digest(self) -> str:
        """A hash of the content (times, every column's values, symbol, interval): the cache key for this data.

        Two markets with the same name, span and row count but other prices get different digests, so a cache shared
        by every session never hands one user's map to another.
        """
        hasher = hashlib.blake2b(digest_size=16)
        hasher.update(f"{self.symbol}\0{self.interval.value}\0".encode())
        hasher.update(np.ascontiguousarray(self.bars.index.asi8).data)
        for column in self.bars.columns:
            hasher.update(f"\0{column}\0".encode())
            hasher.update(np.ascontiguousarray(self.bars[column].to_numpy(dtype="float64")).data)
        return hasher.hexdigest()

    @property
    def start(self) -> pd.Timestamp:
        """Open time of the first bar."""
        return self.bars.index[0]

    @property
    def end(self) -> pd.Timestamp:
        """Close time of the last bar."""
        return self.bars.index[-1] + self.interval

    @property
    def last_price(self) -> float:
        """Close of the last bar."""
        return float(self.bars["close"].iloc[-1])

    def has(self, column: str) -> bool:
        """True when the column exists and holds at least one finite value."""
        return column in self.bars.columns and bool(np.isfinite(self.bars[column].to_numpy()).any())

    @property
    def venues(self) -> tuple[str, ...]:
        """The exchanges whose open interest this market sums (from its per-venue columns); () for one venue."""
        found = [split_venue_column(c) for c in self.bars.columns]
        return tuple(dict.fromkeys(v for b, v in filter(None, found) if b == "open_interest_usd"))

    def tail(self, span: pd.Timedelta | str) -> Market:
        """The last `span` of bars (e.g. ``"7d"``), keeping symbol, source and notes."""
        span = parse_duration(span)
        cutoff = self.end - span
        bars = self.bars[self.bars.index >= cutoff]
        if bars.empty:
            bars = self.bars.iloc[-1:]
        kept = tuple(n for n in self.notes if n not in self._span_notes)
        return Market(bars, self.symbol, self.interval, self.source, kept)


def _validate(
    bars: pd.DataFrame, interval: pd.Timedelta | None
) -> tuple[pd.DataFrame, pd.Timedelta, tuple[str, ...], tuple[str, ...]]:
    """Check and normalise bars; raise DataError naming the column and row of the first problem.

    Returns the bars, the interval, notes about the columns and notes about this span of bars (gaps). The checks run
    in this order, so the error a user sees is the first problem in the order they would fix it.
    """
    _check_frame(bars)
    per_venue = [c for c in bars.columns if split_venue_column(c)]
    notes = _check_columns(bars, per_venue)
    index = _utc_index(bars.index)
    out = pd.DataFrame(index=index)
    for column in [c for c in KNOWN_COLUMNS if c in bars.columns] + per_venue:
        out[column] = _numeric(bars[column], column, index)
    out.index.name = "time"
    diffs = np.diff(index.asi8)
    _check_time_order(index, diffs)
    _check_prices(out, index)
    _check_optional_values(out, index, [c for c in OPTIONAL_COLUMNS if c in out.columns] + per_venue)
    interval = _bar_interval(interval, diffs, len(index))
    _check_grid(index, diffs, interval)
    return out, interval, notes, _gap_notes(index, diffs, interval)


def _check_frame(bars: object) -> None:
    """A non-empty DataFrame."""
    if not isinstance(bars, pd.DataFrame):
        raise DataError("Market bars must be a pandas DataFrame indexed by time.")
    if bars.empty:
        raise DataError("The data has no bars. Provide at least two rows of open/high/low/close.")


def _check_columns(bars: pd.DataFrame, per_venue: list[str]) -> tuple[str, ...]:
    """Each column once and every price column present; a note naming the columns the model ignores."""
    repeated = bars.columns[bars.columns.duplicated()].unique()
    if len(repeated):
        raise DataError(
            f"Column '{repeated[0]}' appears more than once. Keep one column per name (rename or drop the others)."
        )
    missing = [c for c in PRICE_COLUMNS if c not in bars.columns]
    if missing:
        raise DataError(f"Missing price column(s) {', '.join(missing)}. Every bar needs open, high, low and close.")
    unknown = [c for c in bars.columns if c not in KNOWN_COLUMNS and c not in per_venue]
    if unknown:
        return (f"Ignored column(s) the model does not use: {', '.join(map(str, unknown))}.",)
    return ()


def _utc_index(index: pd.Index) -> pd.DatetimeIndex:
    """The bar open times in UTC at nanosecond resolution (naive means UTC), with no empty time."""
    if not isinstance(index, pd.DatetimeIndex):
        raise DataError("Market bars must be indexed by a DatetimeIndex of bar open times.")
    no_time = np.flatnonzero(index.isna())
    if no_time.size:
        raise DataError(
            f"The time index is empty at row {int(no_time[0]) + 1}. Every bar needs its open time: fix or drop the row."
        )
    return (index.tz_localize("UTC") if index.tz is None else index.tz_convert("UTC")).as_unit("ns")


def _check_time_order(index: pd.DatetimeIndex, diffs: np.ndarray) -> None:
    """Times strictly increasing: no repeat, no step back."""
    bad = np.flatnonzero(diffs <= 0)
    if bad.size:
        pos = int(bad[0]) + 1
        kind = "repeats" if diffs[bad[0]] == 0 else "goes back in time"
        raise DataError(
            f"The time index {kind} at {_row_label(index, pos)}. Sort the rows by time and remove duplicates."
        )


def _check_prices(out: pd.DataFrame, index: pd.DatetimeIndex) -> None:
    """Prices finite and above zero, and each bar's low and high enclosing its open and close."""
    prices = out[list(PRICE_COLUMNS)].to_numpy()
    finite_positive = np.isfinite(prices) & (prices > 0)
    if not finite_positive.all():
        row, col = np.argwhere(~finite_positive)[0]
        raise DataError(
            f"Column '{PRICE_COLUMNS[col]}' at {_row_label(index, int(row))} is {prices[row, col]!r}; "
            "prices must be finite and above zero."
        )
    o, h, lo, c = prices.T
    tol = 1e-9 * np.maximum(np.abs(h), 1.0)
    low_bad = np.flatnonzero(lo > np.minimum(o, c) + tol)
    if low_bad.size:
        r = int(low_bad[0])
        raise DataError(
            f"Column 'low' at {_row_label(index, r)} is {lo[r]:g}, above the open ({o[r]:g}) or close ({c[r]:g}). "
            "Check that the columns are in the right order."
        )
    high_bad = np.flatnonzero(h < np.maximum(o, c) - tol)
    if high_bad.size:
        r = int(high_bad[0])
        raise DataError(
            f"Column 'high' at {_row_label(index, r)} is {h[r]:g}, below the open ({o[r]:g}) or close ({c[r]:g}). "
            "Check that the columns are in the right order."
        )


def _check_optional_values(out: pd.DataFrame, index: pd.DatetimeIndex, columns: list[str]) -> None:
    """Optional columns hold no infinity, and none but the signed ones (funding) a negative value."""
    for column in columns:
        values = out[column].to_numpy()
        infinite = np.flatnonzero(np.isinf(values))
        if infinite.size:
            r = int(infinite[0])
            raise DataError(
                f"Column '{column}' at {_row_label(index, r)} is {values[r]:g}. Leave unknown values empty instead."
            )
        if column not in SIGNED_COLUMNS:
            negative = np.flatnonzero(values < 0)
            if negative.size:
                r = int(negative[0])
                raise DataError(
                    f"Column '{column}' at {_row_label(index, r)} is {values[r]:g}; it cannot be negative. "
                    "Check the column mapping and units."
                )


def _bar_interval(interval: pd.Timedelta | None, diffs: np.ndarray, bars: int) -> pd.Timedelta:
    """The given interval, else the most common step between bars; positive either way."""
    if interval is None:
        if bars < 2:
            raise DataError("Cannot tell the bar interval from a single bar; give at least two bars.")
        values, counts = np.unique(diffs, return_counts=True)
        interval = pd.Timedelta(int(values[np.argmax(counts)]), unit="ns")
    interval = pd.Timedelta(interval)
    if interval <= pd.Timedelta(0):
        raise DataError(f"The bar interval must be positive, got {interval}.")
    return interval


def _check_grid(index: pd.DatetimeIndex, diffs: np.ndarray, interval: pd.Timedelta) -> None:
    """Every step a whole number of intervals (gaps are allowed, bars between grid points are not)."""
    off_grid = np.flatnonzero(diffs % interval.value != 0)
    if off_grid.size:
        pos = int(off_grid[0]) + 1
        raise DataError(
            f"Bars are not on one regular {format_interval(interval)} grid: {_row_label(index, pos)} is "
            f"{pd.Timedelta(int(diffs[off_grid[0]]), unit='ns')} after the previous bar. "
            "Resample the data to one interval before loading."
        )


def _gap_notes(index: pd.DatetimeIndex, diffs: np.ndarray, interval: pd.Timedelta) -> tuple[str, ...]:
    """One note counting the gaps and missing bars of this span, naming the first; () when there is none."""
    step = interval.value
    gaps = np.flatnonzero(diffs > step)
    if not gaps.size:
        return ()
    missing_bars = int((diffs[gaps] // step - 1).sum())
    first = _row_label(index, int(gaps[0]) + 1)
    return (
        Note(
            f"{gaps.size} gap(s) in the bars, {missing_bars} missing bar(s) in all (first before {first}); "
            "the model treats the time across a gap as one step.",
            NoteKind.REPAIR,
        ),
    )


def _numeric(values: pd.Series, column: str, index: pd.DatetimeIndex) -> np.ndarray:
    """The column as float64 (empty cells become NaN); DataError naming the first cell that is not a number."""
    try:
        return pd.to_numeric(values, errors="raise").to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError):
        pass
    for r, value in enumerate(values):
        if pd.isna(value):
            continue
        try:
            float(value)
        except (TypeError, ValueError):
            raise DataError(
                f"Column '{column}' at {_row_label(index, r)} holds {value!r}, which is not a number. "
                "Fix or clear that cell."
            ) from None
    raise DataError(f"Column '{column}' holds values that are not numbers. Check its format.")


def format_interval(interval: pd.Timedelta) -> str:
    """Short interval text such as 5m, 1h, 1d, for labels."""
    seconds = int(interval.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
