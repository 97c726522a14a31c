"""Load users' CSV files into a `Market`, saying what was detected, dropped or assumed.

::

    m = load_csv("BTCUSDT-5m-2026-01.zip", "BTCUSDT-metrics-2026-01.csv")      # detected formats, merged on time
    d = sniff("odd.csv")                                                        # preview + guessed mapping + doubts
    m = load_csv("odd.csv", mapping=ColumnMapping({"time": "when", "open": "a", "high": "b", "low": "c",
                                                    "close": "d", "open_interest": "oi"}, oi_unit="usd"))

Each file is read (`readers`: path, bytes or file object; .csv, .csv.gz or .zip; `,` `;` or tab; UTF-8 with or without
BOM), its format recognised (`formats`), its times parsed (`timeparse`: epoch s/ms/µs/ns by magnitude, ISO text;
naive times are UTC) and its rows checked. Rows that cannot be used are dropped and reported with counts and 1-based
file line numbers, so loaded + dropped = rows in the file, for every file. The first file with prices gives the bars;
files with only open interest, liquidations or funding are merged onto them (`merge`). Bad input raises
`DataError` naming the file, the column and the row, and what to do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from liqcore.errors import DataError
from liqcore.loaders.formats import INSTRUMENT_COLUMNS, ColumnMapping, Detection, detect, normalise
from liqcore.loaders.merge import SUM_COLUMNS, merge_extra
from liqcore.loaders.readers import LoadLimits, RawTable, Source, read_table
from liqcore.loaders.timeparse import parse_times
from liqcore.market import KNOWN_COLUMNS, PRICE_COLUMNS, Market, format_interval

__all__ = ["ColumnMapping", "Detection", "LoadLimits", "load_csv", "repairs", "sniff", "template_csv"]

EXTRA_COLUMNS = (*SUM_COLUMNS, "open_interest", "open_interest_usd", "funding_rate", "long_short_ratio")
USD_NOTIONAL = 1e11  # open interest whose value in coins × price would exceed this many USD is taken to be USD
PERCENT_FUNDING = 0.002  # a median |funding| above this (0.2 % per period as a fraction) means the file is in percent
_USD_WORDS = ("usd", "value", "notional")
_REPAIR = re.compile(
    r"dropped [1-9]|[1-9][\d,]* dropped|reversed|sorted by time|left empty|left out|not used|halved|divided by 100|gap"
)


@dataclass(frozen=True)
class _Parsed:
    """One file as numbers on a time index, with the file line of each kept row, its notes and its row count."""

    name: str
    frame: pd.DataFrame
    lines: np.ndarray
    notes: tuple[str, ...]
    rows: int

    @property
    def has_prices(self) -> bool:
        return all(c in self.frame.columns for c in PRICE_COLUMNS)


def _lines_text(lines: np.ndarray) -> str:
    """'line 7' or 'lines 7, 9, 12 …': the first few file lines, for a note."""
    shown = ", ".join(str(int(n)) for n in lines[:5])
    return f"line {shown}" if len(lines) == 1 else f"lines {shown}" + (" …" if len(lines) > 5 else "")


def _numbers(raw: RawTable, mapping: ColumnMapping) -> tuple[pd.DataFrame, list[str]]:
    """Model columns as floats (NaN where a cell is empty or unreadable), with notes on unreadable non-price cells."""
    frame = raw.frame
    out = pd.DataFrame(index=frame.index)
    notes: list[str] = []
    for model, column in mapping.columns:
        if model == "time" or model not in KNOWN_COLUMNS:
            continue
        cells = frame[column].astype(str).str.strip()
        decimal_comma = raw.delimiter != "," and cells.str.contains(",").any() and not cells.str.contains(r"\.").any()
        cells = cells.str.replace(",", "." if decimal_comma else "", regex=False)
        values = pd.to_numeric(cells, errors="coerce").astype(float)
        values = values.where(np.isfinite(values))
        unreadable = values.isna() & cells.ne("") & ~cells.str.lower().isin(("nan", "null", "none", "-", "n/a"))
        if model not in PRICE_COLUMNS and unreadable.any():
            lines = np.flatnonzero(unreadable.to_numpy()) + raw.first_line
            notes.append(
                f"{raw.name}: {int(unreadable.sum())} cell(s) in '{column}' are not numbers ({_lines_text(lines)}); "
                "left empty."
            )
        if model not in out.columns:
            out[model] = values
    return out, notes


def _check_one_instrument(raw: RawTable) -> None:
    for column in raw.frame.columns:
        if normalise(column) in INSTRUMENT_COLUMNS:
            kinds = raw.frame[column].astype(str).str.strip()
            kinds = kinds[kinds.ne("")].unique()
            if len(kinds) > 1:
                raise DataError(
                    f"{raw.name}: column '{column}' holds {len(kinds)} instruments ({', '.join(kinds[:6])}). "
                    "Keep the rows of one instrument per file and upload again."
                )


def _mapping_for(raw: RawTable, detection: Detection, mapping: ColumnMapping | None) -> ColumnMapping:
    """The user's mapping when this file has all its columns, else the detected one."""
    if mapping is None:
        return detection.mapping
    missing = [column for _, column in mapping.columns if column not in raw.frame.columns]
    if not missing:
        return mapping
    if detection.is_sure:
        return detection.mapping
    raise DataError(
        f"{raw.name}: the column mapping names column(s) {', '.join(map(repr, missing))} that this file does not have "
        f"(its columns: {', '.join(map(str, raw.frame.columns[:15]))}). Check the mapping."
    )


def _time_cells(raw: RawTable, time_column: str, notes: list[str]) -> pd.Series:
    """The time column's cells; a 'Date' column is joined with a 'Time' column of clock times (MetaTrader style)."""
    cells = raw.frame[time_column].astype(str).str.strip()
    if normalise(time_column) != "date":
        return cells
    clock = next((c for c in raw.frame.columns if normalise(c) == "time"), None)
    if clock is None or raw.frame[clock].astype(str).str.match(r"^\s*\d{1,2}:\d{2}").mean() < 0.9:
        return cells
    notes.append(f"{raw.name}: date from '{time_column}' joined with the time of day in '{clock}'.")
    return cells + " " + raw.frame[clock].astype(str).str.strip()


def _parse(raw: RawTable, mapping: ColumnMapping | None) -> _Parsed:
    """Read one table into numbers on a time index, dropping (and reporting) every row that cannot be used."""
    detection = detect(raw.name, list(raw.frame.columns), raw.has_header)
    mapping = _mapping_for(raw, detection, mapping)
    explicit = mapping is not detection.mapping
    notes = [f"{raw.name}: read with your column mapping." if explicit else f"{raw.name}: read as {detection.format}."]
    notes += list(raw.notes) + ([] if explicit else list(detection.notes))
    _check_one_instrument(raw)
    time_column = mapping.get("time")
    if time_column is None:
        raise DataError(
            f"{raw.name}: no time column recognised (looked for timestamp, time, date, datetime, open_time, …; "
            f"columns: {', '.join(map(str, raw.frame.columns[:12]))}). Rename the time column or map it in the "
            "column mapping."
        )
    values, cell_notes = _numbers(raw, mapping)
    has_prices = all(c in values.columns for c in PRICE_COLUMNS)
    partial = [c for c in PRICE_COLUMNS if c in values.columns]
    if partial and not has_prices:
        missing = [c for c in PRICE_COLUMNS if c not in values.columns]
        raise DataError(
            f"{raw.name}: found {', '.join(partial)} but no {', '.join(missing)} column. Every bar needs open, high, "
            "low and close; rename the columns or map them in the column mapping."
        )
    if not has_prices and not any(c in values.columns for c in EXTRA_COLUMNS):
        raise DataError(
            f"{raw.name}: no open/high/low/close columns and nothing else the model uses were recognised "
            f"(columns: {', '.join(map(str, raw.frame.columns[:12]))}). Rename them or use the column mapping."
        )
    times, time_notes = parse_times(_time_cells(raw, time_column, notes), raw.name, time_column)
    notes += time_notes + cell_notes
    rows = len(raw.frame)
    line_of = np.arange(rows) + raw.first_line
    blank = raw.frame.apply(lambda col: col.astype(str).str.strip().eq("")).all(axis=1).to_numpy()
    drop = blank.copy()
    reasons = [("blank", blank)]
    no_time = times.isna().to_numpy() & ~drop
    drop |= no_time
    reasons.append((f"time in '{time_column}' missing or unreadable", no_time))
    if has_prices:
        prices = values[list(PRICE_COLUMNS)].to_numpy()
        no_price = ~(np.isfinite(prices) & (prices > 0)).all(axis=1) & ~drop
        drop |= no_price
        reasons.append(("a price missing, not a number or not above zero", no_price))
        o, h, lo, c = prices.T
        tol = 1e-9 * np.abs(np.nan_to_num(h))
        with np.errstate(invalid="ignore"):
            inconsistent = ((lo > np.minimum(o, c) + tol) | (h < np.maximum(o, c) - tol)) & ~drop
        drop |= inconsistent
        reasons.append(("high below open/close or low above them", inconsistent))
    for reason, mask in reasons:
        if mask.any():
            notes.append(f"{raw.name}: dropped {int(mask.sum())} row(s), {reason} ({_lines_text(line_of[mask])}).")
    kept = values[~drop]
    kept.index = pd.DatetimeIndex(times[~drop]).as_unit("ns")
    lines = line_of[~drop]
    kept, lines = _order(kept, lines, raw.name, notes)
    kept, lines = _dedupe(kept, lines, raw.name, notes)
    if kept.empty:
        raise DataError(
            f"{raw.name}: no usable rows were left after dropping unreadable ones. Check the file's format."
        )
    kept = _units(kept, mapping, raw.name, notes)
    placeholders = [c for c in SUM_COLUMNS if c in kept.columns and not kept[c].fillna(0).ne(0).any()]
    if placeholders:
        kept = kept.drop(columns=placeholders)
        notes.append(
            f"{raw.name}: liquidation column(s) {', '.join(placeholders)} are zero in every row — a placeholder, "
            "not a record of no liquidations — so they were left out."
        )
    return _Parsed(raw.name, kept, lines, tuple(notes), rows)


def _order(frame: pd.DataFrame, lines: np.ndarray, name: str, notes: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """Sort by time, saying whether the file was newest first or how many rows were out of order."""
    stamps = frame.index.asi8
    if len(stamps) < 2 or (np.diff(stamps) >= 0).all():
        return frame, lines
    if (np.diff(stamps) <= 0).all():
        notes.append(f"{name}: rows were newest first; reversed to oldest first.")
    else:
        late = stamps < np.maximum.accumulate(stamps)
        notes.append(
            f"{name}: {int(late.sum())} row(s) were out of time order ({_lines_text(lines[late])}); sorted by time."
        )
    order = np.argsort(stamps, kind="stable")
    return frame.iloc[order], lines[order]


def _dedupe(frame: pd.DataFrame, lines: np.ndarray, name: str, notes: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """Drop repeated times: exact copies silently counted, conflicting ones keep the first row and say so."""
    repeated = frame.index.duplicated(keep="first")
    if not repeated.any():
        return frame, lines
    keyed = frame.reset_index()
    exact = keyed.duplicated(keep="first").to_numpy() & repeated
    conflicting = repeated & ~exact
    if exact.any():
        notes.append(f"{name}: dropped {int(exact.sum())} exact duplicate row(s) ({_lines_text(lines[exact])}).")
    if conflicting.any():
        notes.append(
            f"{name}: dropped {int(conflicting.sum())} row(s) repeating an earlier time with other values "
            f"({_lines_text(lines[conflicting])}); the first row of each time was kept."
        )
    return frame[~repeated], lines[~repeated]


def _oi_is_usd(oi: pd.Series, close: pd.Series | None, column: str, unit: str) -> tuple[bool, str]:
    """Decide the open-interest unit: the user's word, else the column name, else its size against the price."""
    if unit != "auto":
        return unit == "usd", "as you mapped it"
    if any(word in normalise(column) for word in _USD_WORDS):
        return True, f"from the column name '{column}'"
    if normalise(column) == "sum_open_interest":
        return False, "as Binance reports 'sum_open_interest'"
    if close is not None:
        notional = float((oi * close).median())
        if notional > USD_NOTIONAL:
            return True, (f"because in coins it would be worth about ${notional:,.0f} — far more than any market holds")
    return False, "(assumed; if it is in USD, set the unit in the column mapping)"


def _units(frame: pd.DataFrame, mapping: ColumnMapping, name: str, notes: list[str]) -> pd.DataFrame:
    """Open interest to one side in coins or USD, funding to a fraction."""
    frame = frame.copy()
    if "open_interest" in frame.columns:
        close = frame["close"] if "close" in frame.columns else None
        is_usd, why = _oi_is_usd(frame["open_interest"], close, mapping.get("open_interest") or "", mapping.oi_unit)
        if is_usd and "open_interest_usd" not in frame.columns:
            frame = frame.rename(columns={"open_interest": "open_interest_usd"})
            notes.append(f"{name}: open interest read as USD {why}.")
        elif is_usd:
            frame = frame.drop(columns="open_interest")
            notes.append(f"{name}: '{mapping.get('open_interest')}' looks like USD too; the USD column was kept.")
        else:
            notes.append(f"{name}: open interest read as coins (base units) {why}.")
    if mapping.oi_sides == 2:
        for column in ("open_interest", "open_interest_usd"):
            if column in frame.columns:
                frame[column] = frame[column] / 2
        notes.append(f"{name}: open interest counted both sides; halved to one side.")
    if "funding_rate" in frame.columns:
        typical = float(frame["funding_rate"].abs().median())
        if typical > PERCENT_FUNDING:
            frame["funding_rate"] = frame["funding_rate"] / 100
            notes.append(f"{name}: funding looks like percent (typical {typical:.4g}); divided by 100 to a fraction.")
    return frame


def _interval(text: str | pd.Timedelta | None, base: _Parsed) -> pd.Timedelta:
    """The forced interval, else the bar spacing of the price file.

    The most common spacing, unless a smaller spacing divides nearly every step (then gaps made the larger one
    common: hourly bars with every other hour missing are still hourly).
    """
    if text is not None:
        return _parse_interval(text)
    if len(base.frame) < 2:
        raise DataError(f"{base.name}: only one usable row; at least two bars are needed.")
    diffs = np.diff(base.frame.index.asi8)
    values, counts = np.unique(diffs, return_counts=True)
    common, smallest = int(values[np.argmax(counts)]), int(values[0])
    if smallest < common and (diffs % smallest == 0).mean() >= 0.9:
        return pd.Timedelta(smallest, unit="ns")
    return pd.Timedelta(common, unit="ns")


def _on_grid(base: _Parsed, interval: pd.Timedelta, notes: list[str]) -> _Parsed:
    """Drop price rows off the bar grid most rows share (e.g. a stray partial candle), and say so."""
    phase = base.frame.index.asi8 % interval.value
    values, counts = np.unique(phase, return_counts=True)
    off = phase != values[np.argmax(counts)]
    if off.any():
        notes.append(
            f"{base.name}: dropped {int(off.sum())} row(s) whose time is off the {format_interval(interval)} grid of "
            f"the other rows ({_lines_text(base.lines[off])})."
        )
    if int((~off).sum()) < 2 and len(base.frame) >= 2:
        raise DataError(
            f"{base.name}: fewer than two rows lie on one {format_interval(interval)} grid, so there are no bars to "
            "draw. Check the time column, or set the interval in the column mapping."
        )
    return _Parsed(base.name, base.frame[~off], base.lines[~off], base.notes, base.rows) if off.any() else base


def sniff(source: Source, limits: LoadLimits | None = None) -> Detection:
    """What the loader would make of a file: format, guessed mapping, doubts, and a preview of its first rows."""
    raw = read_table(source, 0, limits)
    detection = detect(raw.name, list(raw.frame.columns), raw.has_header)
    return Detection(
        detection.name, detection.format, detection.mapping, detection.unsure, detection.notes, raw.frame.head(8)
    )


def load_csv(
    *sources: Source,
    mapping: ColumnMapping | None = None,
    interval: str | pd.Timedelta | None = None,
    limits: LoadLimits | None = None,
    symbol: str | None = None,
) -> Market:
    """Load one or more CSV files into a Market (see the module docstring).

    Parameters
    ----------
    sources
        Paths, bytes, or file objects (with a `.name` for messages).
    mapping
        Explicit columns and units; applied to each file that has all the mapped columns (others are detected).
    interval
        Force the bar length ("5m", "1h", a Timedelta); default: the most common spacing of the price file, or the
        mapping's interval.
    limits
        Size and row limits per file (`LoadLimits()` by default).
    symbol
        Instrument name; default guessed from the first price file's name.
    """
    if not sources:
        raise DataError("No file given. Upload at least one CSV with time, open, high, low and close.")
    parsed = [_parse(read_table(source, i, limits), mapping) for i, source in enumerate(sources)]
    if not any(p.has_prices for p in parsed):
        names = ", ".join(p.name for p in parsed)
        raise DataError(
            f"{names}: no file has prices, so a price file is needed. Add a file with time, open, high, low and close "
            "(klines); open interest, funding or liquidation files are merged onto it."
        )
    notes = [n for p in parsed for n in p.notes]
    first = next(i for i, p in enumerate(parsed) if p.has_prices)
    step = _interval(interval if interval is not None else (mapping.interval if mapping else None), parsed[first])
    parsed[first] = base_file = _on_grid(parsed[first], step, notes)
    bars = base_file.frame
    for extra in parsed:
        if extra is not base_file:
            if extra.has_prices:
                notes.append(f"{extra.name}: a second price file; its prices were ignored, other columns merged.")
            bars = merge_extra(
                bars, step, extra.name, extra.frame.drop(columns=list(PRICE_COLUMNS), errors="ignore"), notes
            )
    notes += [
        f"{p.name}: {len(p.frame):,} of {p.rows:,} rows loaded, {p.rows - len(p.frame):,} dropped." for p in parsed
    ]
    name = symbol or _symbol_from(base_file.name)
    source = f"Uploaded: {', '.join(p.name for p in parsed)}"
    try:
        return Market(bars, name, step, source=source, notes=tuple(notes))
    except DataError as exc:
        raise DataError(f"{base_file.name}: {exc}") from None


def _parse_interval(value: str | pd.Timedelta) -> pd.Timedelta:
    """'5m', '1h', '1d' or any pandas duration as a positive Timedelta."""
    if isinstance(value, pd.Timedelta):
        result = value
    else:
        text = str(value).strip()
        if text.endswith("m") and text[:-1].isdigit():
            text = text[:-1] + "min"
        try:
            result = pd.Timedelta(text)
        except ValueError:
            raise DataError(f"Interval {value!r} is not a duration; write it like 5m, 1h or 1d.") from None
    if pd.isna(result) or result <= pd.Timedelta(0):
        raise DataError(f"Interval {value!r} must be a positive duration such as 5m, 1h or 1d.")
    return result


def _symbol_from(name: str) -> str:
    """'BTCUSDT-5m-2026-01.csv' or 'binance_um_BTCUSDT_1h.csv' -> 'BTCUSDT'; else the first word, or 'UPLOADED'."""
    if re.fullmatch(r"file \d+", name):
        return "UPLOADED"
    tokens = re.split(r"[-_ .]", name.split("/")[-1].upper())
    quoted = next((t for t in tokens if re.fullmatch(r"[A-Z0-9]{2,15}(USDT|USDC|USD|BUSD|PERP)", t)), None)
    first = tokens[0] if tokens and tokens[0].isalnum() and tokens[0].isascii() else "UPLOADED"
    return quoted or first


def repairs(notes: tuple[str, ...]) -> tuple[str, ...]:
    """The notes that report dropped, reordered, emptied or rescaled data (what a user should look at first)."""
    return tuple(note for note in notes if _REPAIR.search(note))


def template_csv() -> str:
    """A small CSV showing the columns the loader understands best (times in UTC, open interest in coins, one side)."""
    return (
        "timestamp,open,high,low,close,volume,open_interest,liq_long_usd,liq_short_usd,funding_rate\n"
        "2026-01-01T00:00:00Z,94000,94250,93800,94100,1520.5,81250.2,125000,48000,0.0001\n"
        "2026-01-01T01:00:00Z,94100,94600,94050,94550,1780.1,81610.7,20000,310000,0.0001\n"
        "2026-01-01T02:00:00Z,94550,94700,93900,94020,2105.9,81380.4,640000,15000,0.00008\n"
    )
