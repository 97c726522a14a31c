"""Shared pieces of the exchange clients: the time window, epoch conversion, aligning snapshots to bars, coverage.

Exchanges publish candles by open time and open interest, ratios and funding as snapshots at their own times. A
`Market` stores open interest at each bar's close, so a snapshot is joined to the bar whose close it precedes most
closely (as-of, within a tolerance) and nothing is interpolated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from liqcore.durations import parse_duration
from liqcore.errors import DataError, FetchError


@dataclass(frozen=True)
class Window:
    """Bars with open time in [start, end), both UTC and on the interval grid."""

    start: pd.Timestamp
    end: pd.Timestamp
    interval: pd.Timedelta

    @property
    def start_ms(self) -> int:
        return to_ms(self.start)

    @property
    def end_ms(self) -> int:
        return to_ms(self.end)

    @property
    def bars(self) -> int:
        return int((self.end - self.start) / self.interval)

    def chunks(self, bars_per_call: int) -> list[tuple[int, int]]:
        """(start_ms, end_ms inclusive) pieces of at most `bars_per_call` bars, oldest first."""
        step = self.interval * bars_per_call
        out = []
        t = self.start
        while t < self.end:
            stop = min(t + step, self.end)
            out.append((to_ms(t), to_ms(stop) - 1))
            t = stop
        return out


MAX_PAGES = 400  # more pages than any fetch the app offers needs: a server repeating or inventing pages is stopped


def pages(label: str, limit: int = MAX_PAGES) -> Iterator[int]:
    """Page numbers for one paging loop; asking for one more than `limit` is a FetchError, so no loop is endless."""
    yield from range(limit)
    raise FetchError(
        f"{label}: the exchange kept sending pages past {limit:,} without reaching the end of the range, so the fetch "
        "was stopped. Try a shorter span or a longer interval."
    )


def utc(value: object) -> pd.Timestamp:
    """A UTC timestamp from text, a datetime or a date (naive means UTC)."""
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def to_ms(ts: pd.Timestamp) -> int:
    return int(ts.value // 1_000_000)


def from_ms(values: Iterable[object]) -> pd.DatetimeIndex:
    return pd.to_datetime(np.asarray([int(v) for v in values], dtype="int64"), unit="ms", utc=True).as_unit("ns")


def resolve_window(
    interval: str, span: str, start: object | None, end: object | None, max_bars: int = 200_000
) -> Window:
    """The bars to fetch: `end` (default now) floored to the grid, back `span` (the fetch span) or to `start`."""
    step = parse_interval(interval)
    stop = utc(end) if end is not None else pd.Timestamp.now(tz="UTC")
    stop = stop.floor(step)
    first = utc(start).ceil(step) if start is not None else stop - parse_interval(span)
    if first >= stop:
        raise FetchError(f"The time range is empty: start {first} is not before end {stop}.", None)
    window = Window(first, stop, step)
    if window.bars > max_bars:
        raise FetchError(
            f"{window.bars:,} bars of {interval} is more than the {max_bars:,} one fetch allows; "
            "choose a shorter fetch span or a longer interval.",
            None,
        )
    return window


def parse_interval(interval: str) -> pd.Timedelta:
    """'5m', '1h', '1d' to a Timedelta, with a plain error for anything else."""
    try:
        return parse_duration(interval)
    except DataError:
        raise FetchError(f"Unknown interval '{interval}'. Use e.g. 1m, 5m, 15m, 1h, 4h or 1d.", None) from None


def check_interval(exchange: str, interval: str, supported: Iterable[str]) -> None:
    supported = list(supported)
    if interval not in supported:
        raise FetchError(f"{exchange} does not serve {interval} bars; choose one of {', '.join(supported)}.", None)


def align_at_close(index: pd.DatetimeIndex, interval: pd.Timedelta, snapshots: pd.DataFrame, tolerance: pd.Timedelta):
    """Each bar gets the latest snapshot taken at or before its close, if within `tolerance` of it."""
    if snapshots.empty:
        return pd.DataFrame(index=index, columns=snapshots.columns, dtype="float64")
    snaps = snapshots.sort_index()
    snaps = snaps[~snaps.index.duplicated(keep="last")]
    left = pd.DataFrame({"close_time": index + interval}, index=index)
    right = snaps.reset_index(names="snap_time").astype({"snap_time": left["close_time"].dtype})
    merged = pd.merge_asof(
        left.reset_index(names="time"),
        right,
        left_on="close_time",
        right_on="snap_time",
        direction="backward",
        tolerance=tolerance,
    )
    return merged.set_index("time")[list(snapshots.columns)].astype("float64").set_axis(index)


def coverage_note(label: str, series: pd.Series, why: str = "") -> str | None:
    """Say when a column covers only part of the bars (or none), so the user knows the map's input."""
    known = series.notna()
    if known.all():
        return None
    tail = f" {why}" if why else ""
    if not known.any():
        return f"No {label} for these bars.{tail}"
    first = series.index[known.to_numpy().argmax()]
    return f"{label.capitalize()} covers {known.mean():.0%} of the bars (from {first:%Y-%m-%d %H:%M} UTC).{tail}"


def records_frame(records: list[dict], time_key: str) -> pd.DataFrame:
    """List of JSON objects with a ms time field to a float frame indexed by UTC time (text fields dropped)."""
    if not records:
        return pd.DataFrame()
    frame = pd.DataFrame.from_records(records)
    index = from_ms(frame.pop(time_key))
    numeric = frame.apply(pd.to_numeric, errors="coerce")
    return numeric.set_axis(index).dropna(axis=1, how="all")


class Progress:
    """Counts finished calls and reports ``on_progress(done, total)``; the total grows if paging needs more."""

    def __init__(self, total: int, on_progress: Callable[[int, int], None] | None) -> None:
        self.total = max(total, 1)
        self.done = 0
        self.on_progress = on_progress

    def __call__(self) -> None:
        self.done += 1
        self.total = max(self.total, self.done)
        if self.on_progress is not None:
            self.on_progress(self.done, self.total)


def without_empty_columns(bars: pd.DataFrame) -> pd.DataFrame:
    """Drop extra columns with no value at all, so `Market.has` and the column list agree."""
    return bars.loc[:, bars.notna().any(axis=0)]


def symbols_or_none(list_symbols: Callable[[object], list[str]], client: object) -> list[str] | None:
    """The exchange's symbol list for a "did you mean" hint, or None when that request fails too."""
    try:
        return list_symbols(client)
    except FetchError:
        return None


def array_frame(rows: list[list], columns: dict[str, int], window: Window) -> pd.DataFrame:
    """Exchange candle arrays (any order, time in ms at position 0) to ascending float columns taken by position,
    cut to the window; a bar repeated across pages keeps its first copy, a position past a row's end reads NaN."""
    frame = pd.DataFrame(
        {name: [r[i] if len(r) > i else "nan" for r in rows] for name, i in columns.items()},
        index=from_ms(r[0] for r in rows),
    ).astype("float64")
    frame = frame[~frame.index.duplicated(keep="first")].sort_index()
    frame = frame[(frame.index >= window.start) & (frame.index < window.end)]
    frame.index.name = "time"
    return frame
