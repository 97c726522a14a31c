"""Checks on the loaded bars that are not errors but change what the map can say: open interest that stops moving.

A frozen feed (the exchange kept reporting the last value for hours or days, as in one of the team's Binance metrics
files) looks like a market where nobody opened or closed a position, so the map goes flat there without a reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from liqcore.loaders.notes import repair

FROZEN_SPAN = pd.Timedelta("6h")  # open interest unchanged this long is a stopped feed, not a quiet market
FROZEN_BARS = 12  # and over at least this many bars (a 1d file has few bars and real flat days)


def frozen_open_interest(bars: pd.DataFrame, interval: pd.Timedelta, name: str) -> list[str]:
    """A note per span where open interest repeats one value for FROZEN_SPAN and FROZEN_BARS or more."""
    notes = []
    for column in ("open_interest", "open_interest_usd"):
        if column not in bars.columns:
            continue
        values = bars[column].to_numpy()
        if not len(values):
            continue
        filled = np.isfinite(values)
        same = np.r_[False, (values[1:] == values[:-1]) & filled[1:] & filled[:-1]]
        starts = np.flatnonzero(~same)
        ends = np.r_[starts[1:], len(values)]  # each run: starts[i] .. ends[i] - 1
        nanoseconds = bars.index.asi8
        spans = nanoseconds[ends - 1] - nanoseconds[starts] + pd.Timedelta(interval).value
        frozen = (ends - starts >= FROZEN_BARS) & (spans >= FROZEN_SPAN.value) & filled[starts]
        for start, end in zip(starts[frozen], ends[frozen], strict=True):  # runs are judged in bulk, not one by one
            count = end - start
            notes.append(
                repair(
                    f"{name}: open interest frozen at {values[start]:,.6g} from {bars.index[start]:%Y-%m-%d %H:%M} "
                    f"to {bars.index[end - 1] + interval:%Y-%m-%d %H:%M} UTC ({count:,} bars): the feed looks stopped "
                    "there, so the map sees no positions opened or closed in that span."
                )
            )
    return notes
