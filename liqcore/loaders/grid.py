"""The bar grid of the price file: its interval (given or inferred), and rows off that grid dropped or refused."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from liqcore.durations import parse_duration
from liqcore.errors import DataError
from liqcore.loaders.notes import lines_text, repair
from liqcore.loaders.rows import Parsed
from liqcore.market import format_interval

MIN_INTERVAL = pd.Timedelta("1s")


def bar_interval(text: str | pd.Timedelta | None, base: Parsed) -> pd.Timedelta:
    """The forced interval, else the bar spacing of the price file.

    The most common spacing, unless a smaller spacing divides nearly every step (then gaps made the larger one
    common: hourly bars with every other hour missing are still hourly).
    """
    if text is not None:
        step = parse_interval(text)
    else:
        require_two_bars(base)
        diffs = np.diff(base.frame.index.asi8)
        values, counts = np.unique(diffs, return_counts=True)
        common, smallest = int(values[np.argmax(counts)]), int(values[0])
        step = pd.Timedelta(smallest if smallest < common and (diffs % smallest == 0).mean() >= 0.9 else common, "ns")
    if step < MIN_INTERVAL:
        raise DataError(
            f"{base.name}: the bars would be {step / pd.Timedelta('1s'):.3g} s apart, under the one-second minimum. "
            "Check the time column (are the epochs in the unit you think?), or set the interval in the column mapping."
        )
    return step


def require_two_bars(parsed: Parsed) -> None:
    if len(parsed.frame) < 2:
        dropped = f" ({parsed.why})" if parsed.why else ""
        raise DataError(
            f"{parsed.name}: only {len(parsed.frame)} usable row of {parsed.rows:,}{dropped}; at least two bars are "
            "needed. Add more rows, or fix the ones that were dropped."
        )


def on_grid(base: Parsed, interval: pd.Timedelta, notes: list[str], forced: bool = False) -> Parsed:
    """Drop price rows off the bar grid most rows share (e.g. a stray partial candle), and say so.

    Most rows off one grid is an error, not a drop: the times are irregular, or a forced interval does not fit them.
    """
    phase = base.frame.index.asi8 % interval.value
    values, counts = np.unique(phase, return_counts=True)
    off = phase != values[np.argmax(counts)]
    grid = format_interval(interval)
    if off.any() and (int((~off).sum()) < 2 or off.sum() > len(off) / 2):
        if forced:
            raise DataError(
                f"{base.name}: only {int((~off).sum())} of {len(off)} rows lie on one grid of the {grid} interval "
                "you set, so the data are not bars of that length. Clear the interval (or set the one the file has), "
                "or resample the data to it before uploading."
            )
        raise DataError(
            f"{base.name}: the times are irregular — only {int((~off).sum())} of {len(off)} rows lie on one {grid} "
            "grid — so these are not bars of one interval. Resample the data to a fixed interval (e.g. 1m or 1h) "
            "and upload again, or set the interval in the column mapping."
        )
    if not off.any():
        return base
    notes.append(
        repair(
            f"{base.name}: dropped {int(off.sum())} row(s) whose time is off the {grid} grid of the other rows "
            f"({lines_text(base.lines[off])})."
        )
    )
    return replace(base, frame=base.frame[~off], lines=base.lines[~off], origin=base.origin[~off])


def parse_interval(value: str | pd.Timedelta) -> pd.Timedelta:
    """The bar interval a user forced ('5m', '1h', '1d', any pandas duration), read by the one duration parser."""
    try:
        return parse_duration(value)
    except DataError:
        raise DataError(f"Interval {value!r} must be a positive duration; write it like 5m, 1h or 1d.") from None
