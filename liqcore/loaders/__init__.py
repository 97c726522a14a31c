"""Load users' CSV files into a `Market`, saying what was detected, dropped or assumed.

`load_csv(*sources)` reads each file (path, bytes or file object; .csv, .csv.gz or .zip; `,` `;` or tab; UTF-8 with or
without BOM), recognises its columns (`liqcore.loaders.columns`), parses times (epoch s/ms/µs/ns by magnitude, or
ISO text; naive times are taken as UTC), drops rows it cannot use and says so, and merges several files on time: a
file with prices gives the bars, files with open interest, liquidations or funding are aligned onto them.
Every dropped row is counted, so loaded + dropped = rows in the file.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from liqcore.errors import DataError
from liqcore.loaders.columns import INSTRUMENT_COLUMNS, ColumnMapping, Detection, detect, normalise
from liqcore.loaders.readers import LoadLimits, RawTable, Source, read_table
from liqcore.market import KNOWN_COLUMNS, Market

__all__ = ["ColumnMapping", "Detection", "LoadLimits", "load_csv", "sniff", "template_csv"]

SUM_COLUMNS = ("liq_long_usd", "liq_short_usd")
STATE_COLUMNS = ("open_interest", "open_interest_usd", "funding_rate", "long_short_ratio")
USD_RATIO = 1e4  # open interest this many times the price is taken to be in USD, not coins


@dataclass(frozen=True)
class _Parsed:
    """One file as numbers on a time index, with its notes and row accounting."""

    name: str
    frame: pd.DataFrame
    notes: tuple[str, ...]
    rows: int
    dropped: int


def _rows_text(lines: np.ndarray) -> str:
    shown = ", ".join(str(int(n)) for n in lines[:5])
    return f"line {shown}" if len(lines) == 1 else f"lines {shown}" + (" …" if len(lines) > 5 else "")


def parse_times(values: pd.Series, name: str, column: str) -> tuple[pd.Series, list[str]]:
    """Times as UTC timestamps (NaT where unparseable), with notes on what was assumed."""
    notes: list[str] = []
    text = values.astype(str).str.strip()
    numeric = pd.to_numeric(text, errors="coerce")
    if numeric.notna().mean() > 0.9:
        magnitude = float(numeric.abs().median())
        unit, label = next(
            (u, lbl)
            for limit, u, lbl in (
                (1e11, "s", "seconds"),
                (1e14, "ms", "milliseconds"),
                (1e17, "us", "microseconds"),
                (np.inf, "ns", "nanoseconds"),
            )
            if magnitude < limit
        )
        notes.append(f"{name}: column '{column}' read as Unix epoch {label}.")
        finite = numeric.where(np.isfinite(numeric))
        times = pd.to_datetime(finite.round(), unit=unit, utc=True, errors="coerce")
        return times, notes
    parsed = pd.to_datetime(text, errors="coerce", utc=False, format="mixed")
    if parsed.notna().sum() == 0:
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]"), notes
    has_zone = text.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True)
    if not has_zone.any():
        notes.append(f"{name}: times in '{column}' have no time zone; taken as UTC.")
    times = pd.to_datetime(text, errors="coerce", utc=True, format="mixed")
    return times, notes


def _numbers(raw: RawTable, mapping: ColumnMapping) -> tuple[pd.DataFrame, pd.Series, list[str]]:
    """Model columns as floats; a series of booleans marking rows whose cells could not be read."""
    frame = raw.frame
    out = pd.DataFrame(index=frame.index)
    bad = pd.Series(False, index=frame.index)
    notes: list[str] = []
    for model, column in mapping.columns:
        if model == "time" or model not in KNOWN_COLUMNS or column not in frame.columns:
            continue
        cells = frame[column].astype(str).str.strip().str.replace(",", "", regex=False)
        values = pd.to_numeric(cells, errors="coerce")
        unreadable = values.isna() & cells.ne("")
        if model in ("open", "high", "low", "close"):
            bad |= values.isna()
        elif unreadable.any():
            lines = np.flatnonzero(unreadable.to_numpy()) + raw.first_line
            notes.append(
                f"{raw.name}: {int(unreadable.sum())} cell(s) in '{column}' are not numbers ({_rows_text(lines)}); "
                "left empty."
            )
        out[model] = values.astype(float)
    return out, bad, notes


def _parse(raw: RawTable, mapping: ColumnMapping | None) -> _Parsed:
    detection = detect(raw.name, list(raw.frame.columns), raw.has_header)
    mapping = mapping or detection.mapping
    notes = [f"{raw.name}: read as {detection.format}."]
    for column in raw.frame.columns:
        if normalise(column) in INSTRUMENT_COLUMNS:
            kinds = raw.frame[column].astype(str).str.strip().unique()
            if len(kinds) > 1:
                raise DataError(
                    f"{raw.name}: column '{column}' holds {len(kinds)} instruments ({', '.join(kinds[:6])}). "
                    "Keep the rows of one instrument per file and upload again."
                )
    time_column = mapping.get("time")
    if time_column is None or time_column not in raw.frame.columns:
        raise DataError(
            f"{raw.name}: no time column recognised (looked for timestamp, time, date, open_time, …). "
            "Rename the time column or map it in the column mapping."
        )
    rows = len(raw.frame)
    blank = raw.frame.apply(lambda col: col.astype(str).str.strip().eq("")).all(axis=1)
    times, time_notes = parse_times(raw.frame[time_column], raw.name, time_column)
    notes += time_notes
    values, bad, cell_notes = _numbers(raw, mapping)
    notes += cell_notes
    has_prices = all(c in values.columns for c in ("open", "high", "low", "close"))
    if not has_prices and not any(c in values.columns for c in SUM_COLUMNS + STATE_COLUMNS):
        raise DataError(
            f"{raw.name}: no open/high/low/close columns and nothing else the model uses were recognised "
            f"(columns: {', '.join(map(str, raw.frame.columns[:12]))}). Rename them or use the column mapping."
        )
    drop = blank.copy()
    reasons: list[tuple[str, pd.Series]] = [("blank", blank)]
    no_time = times.isna() & ~blank
    drop |= no_time
    reasons.append((f"time in '{time_column}' unreadable", no_time))
    if has_prices:
        prices = values[["open", "high", "low", "close"]]
        no_price = (bad | (prices <= 0).any(axis=1) | ~np.isfinite(prices).all(axis=1)) & ~drop
        drop |= no_price
        reasons.append(("a price missing, not a number or not above zero", no_price))
        o, h, lo, c = (prices[k] for k in ("open", "high", "low", "close"))
        tol = 1e-9 * h.abs()
        inconsistent = ((lo > np.minimum(o, c) + tol) | (h < np.maximum(o, c) - tol)) & ~drop
        drop |= inconsistent
        reasons.append(("high below open/close or low above them", inconsistent))
    for reason, mask in reasons:
        if mask.any():
            lines = np.flatnonzero(mask.to_numpy()) + raw.first_line
            notes.append(f"{raw.name}: dropped {int(mask.sum())} row(s), {reason} ({_rows_text(lines)}).")
    kept = values[~drop].copy()
    kept.index = pd.DatetimeIndex(times[~drop]).as_unit("ns")
    line_numbers = np.flatnonzero(~drop.to_numpy()) + raw.first_line
    kept["_line"] = line_numbers
    if not kept.index.is_monotonic_increasing:
        notes.append(f"{raw.name}: rows were not in time order (newest first?); sorted by time.")
        kept = kept.sort_index(kind="stable")
    dup_time = kept.index.duplicated(keep="first")
    if dup_time.any():
        body = kept.drop(columns="_line")
        exact = body.duplicated(keep="first") & dup_time
        conflicting = dup_time & ~exact
        if exact.any():
            notes.append(
                f"{raw.name}: dropped {int(exact.sum())} exact duplicate row(s) "
                f"({_rows_text(kept['_line'].to_numpy()[exact])})."
            )
        if conflicting.any():
            notes.append(
                f"{raw.name}: dropped {int(conflicting.sum())} row(s) repeating an earlier time with other values "
                f"({_rows_text(kept['_line'].to_numpy()[conflicting])}); the first row of each time was kept."
            )
        kept = kept[~dup_time]
    if kept.empty:
        raise DataError(
            f"{raw.name}: no usable rows were left after dropping unreadable ones. Check the file's format."
        )
    kept = _units(kept.drop(columns="_line"), mapping, raw.name, notes)
    placeholders = [c for c in SUM_COLUMNS if c in kept.columns and not kept[c].fillna(0).ne(0).any()]
    if placeholders:
        kept = kept.drop(columns=placeholders)
        notes.append(
            f"{raw.name}: liquidation column(s) {', '.join(placeholders)} are zero in every row — a placeholder, "
            "not a record of no liquidations — so they were left out."
        )
    return _Parsed(raw.name, kept, tuple(notes), rows, rows - len(kept))


def _units(frame: pd.DataFrame, mapping: ColumnMapping, name: str, notes: list[str]) -> pd.DataFrame:
    """Open interest to one side, in coins or USD as the data says."""
    if "open_interest" in frame.columns:
        oi = frame["open_interest"]
        explicit_usd = mapping.oi_unit == "usd"
        looks_usd = "close" in frame.columns and (oi / frame["close"]).median() > USD_RATIO
        if explicit_usd or (looks_usd and "open_interest_usd" not in frame.columns):
            frame["open_interest_usd"] = oi
            frame = frame.drop(columns="open_interest")
            if not explicit_usd:
                notes.append(
                    f"{name}: open interest is about {USD_RATIO:,.0f}× the price or more, so it was read as USD. "
                    "If it is in coins, set the unit in the column mapping."
                )
    if mapping.oi_sides == 2:
        for column in ("open_interest", "open_interest_usd"):
            if column in frame.columns:
                frame[column] = frame[column] / 2
        notes.append(f"{name}: open interest counted both sides; halved to one side.")
    return frame


def _align(base: pd.DataFrame, interval: pd.Timedelta, extra: _Parsed, notes: list[str]) -> pd.DataFrame:
    """Put an extra file's columns onto the price bars: sums per bar for liquidations, last value for state."""
    frame = extra.frame
    new = [c for c in frame.columns if c not in base.columns or base[c].isna().all()]
    if not new:
        notes.append(f"{extra.name}: adds no new columns; ignored.")
        return base
    out = base.copy()
    bar_of = base.index.searchsorted(frame.index, side="right") - 1
    inside = (bar_of >= 0) & (frame.index < base.index[-1] + interval)
    for column in new:
        if column in SUM_COLUMNS:
            sums = pd.Series(frame[column].to_numpy()[inside]).groupby(bar_of[inside]).sum(min_count=1)
            series = pd.Series(np.nan, index=base.index)
            series.iloc[sums.index.to_numpy()] = sums.to_numpy()
            out[column] = series.to_numpy()
        elif column in STATE_COLUMNS or column in KNOWN_COLUMNS:
            # The value in force at each bar's close: the last observation before the next bar opens.
            closes = base.index + interval
            source = frame[column].dropna()
            position = source.index.searchsorted(closes, side="left") - 1
            tolerance = max(interval, _spacing(source.index)) * 2
            ok = position >= 0
            values = np.full(len(base), np.nan)
            found = source.to_numpy()[position[ok]]
            age = closes[ok] - source.index[position[ok]]
            values[np.flatnonzero(ok)] = np.where(age <= tolerance, found, np.nan)
            out[column] = values
    coverage = ", ".join(f"{c} {np.isfinite(out[c]).mean():.0%}" for c in new)
    notes.append(f"{extra.name}: merged onto the price bars; coverage {coverage}.")
    return out


def _spacing(index: pd.DatetimeIndex) -> pd.Timedelta:
    if len(index) < 2:
        return pd.Timedelta(0)
    return pd.Timedelta(int(np.median(np.diff(index.asi8))), unit="ns")


def sniff(source: Source, limits: LoadLimits | None = None) -> tuple[Detection, pd.DataFrame]:
    """What the loader would make of a file, and its first rows, for a preview and a column-mapping form."""
    raw = read_table(source, 0, limits)
    return detect(raw.name, list(raw.frame.columns), raw.has_header), raw.frame.head(8)


def load_csv(
    *sources: Source,
    mapping: ColumnMapping | None = None,
    symbol: str | None = None,
    limits: LoadLimits | None = None,
) -> Market:
    """Load one or more CSV files into a Market (see the module docstring).

    `mapping` overrides detection for every file (use it with a single file); `symbol` names the instrument (default:
    guessed from the first file name).
    """
    if not sources:
        raise DataError("No file given. Upload at least one CSV with time, open, high, low and close.")
    parsed = [_parse(read_table(source, i, limits), mapping) for i, source in enumerate(sources)]
    with_prices = [p for p in parsed if all(c in p.frame.columns for c in ("open", "high", "low", "close"))]
    if not with_prices:
        names = ", ".join(p.name for p in parsed)
        raise DataError(
            f"{names}: no file has prices. Add a file with time, open, high, low and close (klines); "
            "open interest or liquidation files are merged onto it."
        )
    base_file = with_prices[0]
    notes = [n for p in parsed for n in p.notes]
    notes += [f"{p.name}: {p.rows - p.dropped:,} of {p.rows:,} rows loaded, {p.dropped:,} dropped." for p in parsed]
    base = base_file.frame
    interval = _parse_interval(mapping.interval) if mapping and mapping.interval else None
    if interval is None:
        if len(base) < 2:
            raise DataError(f"{base_file.name}: only one usable row; at least two bars are needed.")
        values, counts = np.unique(np.diff(base.index.asi8), return_counts=True)
        interval = pd.Timedelta(int(values[np.argmax(counts)]), unit="ns")
    off_grid = (base.index.asi8 - base.index.asi8[0]) % interval.value != 0
    if off_grid.any():
        notes.append(
            f"{base_file.name}: dropped {int(off_grid.sum())} row(s) whose time is off the {interval} grid of the "
            "other rows."
        )
        base = base[~off_grid]
    for extra in parsed:
        if extra is not base_file:
            base = _align(base, interval, extra, notes)
    name = symbol or _symbol_from(base_file.name)
    try:
        return Market(base, name, interval, source=f"Uploaded: {', '.join(p.name for p in parsed)}", notes=tuple(notes))
    except DataError as exc:
        raise DataError(f"{base_file.name}: {exc}") from None


def _parse_interval(text: str) -> pd.Timedelta:
    """'5m', '1h', '1d' or any pandas duration as a Timedelta."""
    text = text.strip()
    if text.endswith("m") and text[:-1].isdigit():
        text = text[:-1] + "min"
    try:
        return pd.Timedelta(text.replace("d", "D") if text.endswith("d") else text)
    except ValueError:
        raise DataError(f"Interval {text!r} is not a duration; write it like 5m, 1h or 1d.") from None


def _symbol_from(name: str) -> str:
    stem = name.split("/")[-1].split(".")[0]
    return stem.split("-")[0].split("_")[0].upper() or "UPLOADED"


def template_csv() -> str:
    """A small CSV showing the columns the loader understands best."""
    return (
        "timestamp,open,high,low,close,volume,open_interest,liq_long_usd,liq_short_usd\n"
        "2026-01-01T00:00:00Z,94000,94250,93800,94100,1520.5,81250.2,125000,48000\n"
        "2026-01-01T01:00:00Z,94100,94600,94050,94550,1780.1,81610.7,20000,310000\n"
        "2026-01-01T02:00:00Z,94550,94700,93900,94020,2105.9,81380.4,640000,15000\n"
    )
