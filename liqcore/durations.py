"""Durations as people type them ("5m", "12h", "7d", "2w") read in one place.

Bar intervals, the view window, fetch spans and cohort ages are all written this way in the app, the CLI and
notebooks; one parser means "5m" is five minutes everywhere and a typo gets the same clear message everywhere.
"""

from __future__ import annotations

import re

import pandas as pd

from liqcore.errors import DataError

_UNITS = {"s": "s", "m": "min", "min": "min", "h": "h", "d": "D", "w": "W"}
_SHORT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d|w)\s*$", re.IGNORECASE)


def parse_duration(value: str | pd.Timedelta) -> pd.Timedelta:
    """'5m', '1h', '3d', '2w' (or a Timedelta, or any text pandas reads, such as '90min') as a positive Timedelta.

    Raises `DataError` naming the text when it is not a positive duration.
    """
    if isinstance(value, pd.Timedelta):
        duration = value
    else:
        text = str(value)
        short = _SHORT.match(text)
        try:
            duration = (
                pd.Timedelta(float(short[1]), unit=_UNITS[short[2].lower()]) if short else pd.Timedelta(text.strip())
            )
        except (TypeError, ValueError):
            raise DataError(f"'{text}' is not a duration. Write it like 5m, 1h, 12h, 3d or 2w.") from None
    if pd.isna(duration) or duration <= pd.Timedelta(0):
        raise DataError(f"'{value}' is not a positive duration. Write it like 5m, 1h, 12h, 3d or 2w.")
    return duration
