"""Turn a column of time cells into UTC timestamps: Unix epochs of any unit, or ISO-like text with or without a zone.

Epoch units are told apart by magnitude (a 2020s time is about 1.7e9 s, 1.7e12 ms, 1.7e15 µs, 1.7e18 ns). Text
without a zone is taken as UTC, and the caller is told so. Dates written day and month first ('25/11/2026',
'11/25/2026', '25.11.2026') are read in one order for the whole column: the order some cell proves (a number above
12), else the one that gives evenly spaced times, and the note says which. Cells that cannot be read become NaT,
never an exception, so the loader can count and report them.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype
from pandas.tseries.api import guess_datetime_format

from liqcore.errors import DataError

# (upper bound of the median magnitude, pandas unit, words); epoch seconds below 1e8 (1973) are not believed.
EPOCH_UNITS: tuple[tuple[float, str, str], ...] = (
    (1e11, "s", "seconds"),
    (1e14, "ms", "milliseconds"),
    (1e17, "us", "microseconds"),
    (np.inf, "ns", "nanoseconds"),
)
SECONDS_RANGE = (1e8, 7.2e9)  # 1973 .. 2198: anything outside is not a bar time
_SCALE = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}
_ZONE = r"(?:Z|UTC|GMT|[+-]\d\d:?\d\d)$"
_DAY_MONTH = r"^(\d{1,2})[/.\-](\d{1,2})[/.\-]\d{2,4}(?!\d)"
MIXED_LIMIT = 2_000  # cells left for the slow one-by-one parser; more stay unread (and are reported)
MAX_TIME_CHARS = 64  # a time written as text is short; longer cells are unreadable, not worth the slow parser
FORMAT_SAMPLE = 50  # distinct cells whose format is guessed
MAX_FORMATS = 5
EPOCH_SAMPLE = 1_000  # cells checked for numbers before the whole column is  # formats tried on the whole column


def parse_times(values: pd.Series, name: str, column: str) -> tuple[pd.Series, list[str]]:
    """UTC timestamps for the cells of one column (NaT where unreadable) and notes on what was assumed.

    Raises DataError when the column is plainly not time (small numbers such as row counters).
    """
    if is_numeric_dtype(values) and values.dtype != bool:
        numeric = values.astype("float64")
        numeric = numeric.where(np.isfinite(numeric))
        if numeric.isna().all():
            return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]"), []
        return _from_epoch(numeric, name, column)
    text = values.astype(str).str.strip()
    filled = text.ne("")
    if _mostly_numbers(text[filled].iloc[:EPOCH_SAMPLE]):  # a sample first: failing cells make to_numeric slow
        numeric = pd.to_numeric(text, errors="coerce")
        numeric = numeric.where(np.isfinite(numeric))
        if filled.any() and numeric[filled].notna().mean() > 0.9:
            return _from_epoch(numeric, name, column)
    times, notes = _from_text(text, filled, name, column)
    times = pd.Series(times, index=values.index)
    read = times.notna()
    if read.any() and not text[read].str.contains(_ZONE, regex=True, case=False).any():
        notes.append(f"{name}: times in '{column}' have no time zone; taken as UTC.")
    return times, notes


def _mostly_numbers(cells: pd.Series) -> bool:
    numbers = pd.to_numeric(cells, errors="coerce")
    return len(cells) > 0 and bool(np.isfinite(numbers).mean() > 0.9)


def _from_text(text: pd.Series, filled: pd.Series, name: str, column: str) -> tuple[pd.DatetimeIndex, list[str]]:
    """ISO text quickly; other text by the formats a sample of cells shows (day/month order decided for the column).

    Every step is vectorised except the last, which reads at most MIXED_LIMIT cells of at most MAX_TIME_CHARS
    characters one by one, so no column can make the parser work in proportion to cell length × rows (dateutil's
    tokenizer is quadratic in the length of a cell).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        times = _ns(pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce"), text.index)
        missing = times.isna() & filled & (text.str.len() <= MAX_TIME_CHARS)
        if not missing.any():
            return pd.DatetimeIndex(times), []
        rest = text[missing]
        dayfirst, contradicting, notes = _day_order(rest, name, column)
        parsed = _by_formats(rest, dayfirst)
        left = parsed.isna()
        if left.any() and left.sum() <= MIXED_LIMIT:
            parsed[left] = _ns(
                pd.to_datetime(rest[left], utc=True, errors="coerce", format="mixed", dayfirst=dayfirst),
                rest.index[left],
            )
        parsed[contradicting] = pd.NaT
        times[missing] = parsed
    return pd.DatetimeIndex(times), notes


def _by_formats(text: pd.Series, dayfirst: bool) -> pd.Series:
    """Times read with each strftime format guessed from a sample of distinct cells, one vectorised pass per format
    (NaT where no sampled format fits)."""
    sample = text.drop_duplicates().iloc[:FORMAT_SAMPLE]
    formats = list(dict.fromkeys(f for f in (guess_datetime_format(c, dayfirst=dayfirst) for c in sample) if f))
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    for fmt in formats[:MAX_FORMATS]:
        left = parsed.isna()
        if not left.any():
            break
        parsed[left] = _ns(pd.to_datetime(text[left], format=fmt, utc=True, errors="coerce"), text.index[left])
    return parsed


def _ns(times: pd.Series | pd.DatetimeIndex, index: pd.Index) -> pd.Series:
    """Times in ns on `index`; those outside SECONDS_RANGE (which ns may not even hold) become NaT."""
    times = pd.DatetimeIndex(times)
    low, high = (pd.Timestamp(limit, unit="s", tz="UTC") for limit in SECONDS_RANGE)
    return pd.Series(times.where((times >= low) & (times <= high)).as_unit("ns"), index=index)


def _day_order(text: pd.Series, name: str, column: str) -> tuple[bool, pd.Series, list[str]]:
    """Whether dates like 01/02/2026 are day first, the cells that contradict that order, and a note."""
    nothing = pd.Series(False, index=text.index)
    if not text.iloc[:50].str.match(_DAY_MONTH).any():
        return False, nothing, []
    parts = text.str.extract(_DAY_MONTH)
    matched = parts[0].notna()
    first = pd.to_numeric(parts[0], errors="coerce").fillna(0)
    second = pd.to_numeric(parts[1], errors="coerce").fillna(0)
    day_proof, month_proof = int((first > 12).sum()), int((second > 12).sum())
    example = text[matched].iloc[0]
    if day_proof or month_proof:
        dayfirst = day_proof >= month_proof
        why = "as some cells have a day above 12"
    else:
        dayfirst = _more_regular(text, True) <= _more_regular(text, False)
        why = "as no cell has a number above 12 and that order gives evenly spaced times"
    order = "day/month/year" if dayfirst else "month/day/year"
    notes = [f"{name}: dates in '{column}' read as {order} (e.g. {example!r}), {why}."]
    contradicting = (second > 12) if dayfirst else (first > 12)
    return dayfirst, contradicting & matched, notes


def _more_regular(text: pd.Series, dayfirst: bool) -> tuple[int, int, int]:
    """How badly the times fall in one order: unread cells, not monotonic, distinct steps (smaller is better)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        times = _by_formats(text, dayfirst)
    stamps = pd.DatetimeIndex(times).dropna().asi8
    steps = np.diff(stamps)
    monotonic = bool((steps >= 0).all() or (steps <= 0).all())
    return int(pd.isna(times).sum()), int(not monotonic), len(np.unique(np.abs(steps)))


def _from_epoch(numeric: pd.Series, name: str, column: str) -> tuple[pd.Series, list[str]]:
    magnitude = float(numeric.abs().median())
    _, unit, words = next(entry for entry in EPOCH_UNITS if magnitude < entry[0])
    seconds = numeric / _SCALE[unit]
    if 2e4 <= magnitude < 1e5 and unit == "s":
        raise DataError(
            f"{name}: column '{column}' holds numbers like {numeric.dropna().iloc[0]:g}, which look like Excel date "
            "serial numbers. In Excel, format the column as a date and time (yyyy-mm-dd hh:mm:ss) before saving as "
            "CSV, or export Unix epochs."
        )
    if magnitude / _SCALE[unit] < SECONDS_RANGE[0]:
        raise DataError(
            f"{name}: column '{column}' holds numbers like {numeric.dropna().iloc[0]:g}, which are not times "
            "(as Unix epoch seconds they would fall before 1973). Map the real time column in the column mapping."
        )
    plausible = seconds.between(*SECONDS_RANGE)
    times = pd.to_datetime(numeric.where(plausible).round(), unit=unit, utc=True, errors="coerce")
    times = pd.Series(pd.DatetimeIndex(times).as_unit("ns"), index=numeric.index)
    return times, [f"{name}: column '{column}' read as Unix epoch {words}."]
