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
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from liqcore.errors import DataError
from liqcore.loaders.formats import INSTRUMENT_COLUMNS, ColumnMapping, Detection, detect, normalise
from liqcore.loaders.merge import SUM_COLUMNS, merge_extra
from liqcore.loaders.readers import LoadLimits, RawTable, Source, read_table
from liqcore.loaders.timeparse import parse_times
from liqcore.market import KNOWN_COLUMNS, PRICE_COLUMNS, SIGNED_COLUMNS, Market, format_interval

__all__ = ["ColumnMapping", "Detection", "LoadLimits", "load_csv", "repairs", "sniff", "template_csv"]

EXTRA_COLUMNS = (*SUM_COLUMNS, "open_interest", "open_interest_usd", "funding_rate", "long_short_ratio")
USD_NOTIONAL = 1e11  # open interest whose value in coins × price would exceed this many USD is taken to be USD
PERCENT_FUNDING = 0.002  # a median |funding| above this (0.2 % per period as a fraction) means the file is in percent
_USD_WORDS = ("usd", "value", "notional")
PRICE_SPREAD = 1e4  # a price this many times above or below the file's median close is a typo, not a market move
HUGE = 1e18  # volumes, open interest or liquidations above this are not real (more coins than any token has)
MIN_INTERVAL = pd.Timedelta("1s")
CONFLICT_SHARE = 0.25  # this share of rows repeating a time with other values means mixed instruments or intervals
_MISSING = ("", "nan", "null", "none", "-", "n/a", "na", "#n/a", "nat")
_GROUPED_POINT = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"  # 65,432.1
_GROUPED_COMMA = r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?"  # 65.432,1
_DECIMAL_COMMA = r"[+-]?\d*,\d+(?:[eE][+-]?\d+)?"  # 65432,1
_DROPPED = re.compile(r": dropped [1-9]")
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
    why: str = ""  # what was dropped, for an error message ("" when nothing was)
    origin: np.ndarray | None = None  # per row, the position of its file among load_csv's sources

    @property
    def has_prices(self) -> bool:
        return all(c in self.frame.columns for c in PRICE_COLUMNS)


def _lines_text(lines: np.ndarray) -> str:
    """'line 7' or 'lines 7, 9, 12 …': the first few file lines, for a note."""
    shown = ", ".join(str(int(n)) for n in lines[:5])
    return f"line {shown}" if len(lines) == 1 else f"lines {shown}" + (" …" if len(lines) > 5 else "")


@dataclass(frozen=True)
class _Cells:
    """Cells of one model column that were left empty, by reason (boolean masks over the file's data rows)."""

    column: str
    not_number: np.ndarray
    negative: np.ndarray
    huge: np.ndarray


def _numbers(raw: RawTable, mapping: ColumnMapping) -> tuple[pd.DataFrame, dict[str, _Cells], list[str]]:
    """Model columns as floats (NaN where a cell is empty or unusable), the unusable cells, and notes on the number
    style ('1.234,5' decimal commas, '1,234.5' thousands separators)."""
    frame = raw.frame
    rows = len(frame)
    values: dict[str, np.ndarray] = {}
    odd: dict[str, pd.Series] = {}  # per user column: non-empty cells the plain parser could not read
    pairs = [(model, column) for model, column in mapping.columns if model != "time" and model in KNOWN_COLUMNS]
    for model, column in pairs:
        numbers = np.array(pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan))
        values[model] = numbers
        if column not in odd:
            text = frame[column][np.isnan(numbers)].astype(str).str.strip()
            odd[column] = text[~text.str.lower().isin(_MISSING)]
    style, example = _number_style(list(odd.values()), raw.delimiter)
    notes: list[str] = []
    if style is not None:
        for model, column in pairs:
            odd[column] = _restyle(frame[column], values[model], odd[column], style)
        value = _restyled_example(example, style)
        notes.append(
            f"{raw.name}: ',' in numbers read as a thousands separator (e.g. {example!r} as {value:.10g})."
            if style == "thousands"
            else f"{raw.name}: numbers read with ',' as the decimal mark"
            f"{' and . between thousands' if 'dot' in style else ''} (e.g. {example!r} as {value:.10g})."
        )
    out = pd.DataFrame(index=frame.index)
    bad: dict[str, _Cells] = {}
    for model, column in pairs:
        numbers = values[model]
        if model not in PRICE_COLUMNS:
            not_number = np.zeros(rows, dtype=bool)
            not_number[odd[column].index.to_numpy()] = True
            not_number |= np.isinf(numbers)
            negative = (numbers < 0) if model not in SIGNED_COLUMNS else np.zeros(rows, dtype=bool)
            huge = np.abs(numbers) >= HUGE
            huge &= ~not_number
            numbers = np.where(not_number | negative | huge, np.nan, numbers)
            bad[model] = _Cells(column, not_number, negative, huge)
        if model not in out.columns:
            out[model] = numbers
    return out, bad, notes


def _number_style(odd: list[pd.Series], delimiter: str) -> tuple[str | None, str]:
    """The file's number style from the cells with a comma, and one such cell as an example.

    None (plain), 'thousands' ('65,432.1'), 'decimal comma' ('65432,1') or 'decimal comma, dot thousands'
    ('65.432,1'): dots are read as thousands separators only when some cell proves it, so a stray '1,5' in a file
    of '600.500' prices does not turn them into 600500.
    """
    cells = pd.concat(odd) if odd else pd.Series([], dtype=str)
    comma = cells[cells.str.contains(",", regex=False)] if len(cells) else cells
    if comma.empty:
        return None, ""
    point = comma.str.contains(".", regex=False)
    both = comma[point]
    decimal = int((both.str.rfind(",") > both.str.rfind(".")).sum())
    dots_group = decimal > 0
    grouping = len(both) - decimal
    only = comma[~point]
    if delimiter == ",":  # quoted cells: '1,234' groups thousands, '1234,5' is a decimal comma
        grouped = only.str.fullmatch(_GROUPED_POINT)
        grouping += int(grouped.sum())
        decimal += int((~grouped).sum())
    else:
        decimal += len(only)
    if decimal <= grouping:
        return "thousands", str(comma.iloc[0])
    return ("decimal comma, dot thousands" if dots_group else "decimal comma"), str(comma.iloc[0])


def _restyle(cells: pd.Series, numbers: np.ndarray, odd: pd.Series, style: str) -> pd.Series:
    """Re-read a column's cells in the file's number style (in place in `numbers`); the cells still unreadable."""
    if style == "decimal comma, dot thousands":
        text = cells.astype(str).str.strip()
        fits = text.str.fullmatch(f"{_GROUPED_COMMA}|{_DECIMAL_COMMA}").to_numpy(dtype=bool)
        plain = text[fits].str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        text = odd
        pattern = _DECIMAL_COMMA if style == "decimal comma" else _GROUPED_POINT
        fits = odd.str.fullmatch(pattern).to_numpy(dtype=bool) if len(odd) else np.zeros(0, dtype=bool)
        plain = odd[fits].str.replace(",", "." if style == "decimal comma" else "", regex=False)
    if len(plain):
        numbers[plain.index.to_numpy()] = pd.to_numeric(plain, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return odd[~odd.index.isin(text.index[fits])]


def _restyled_example(cell: str, style: str) -> float:
    if style == "thousands":
        plain = cell.replace(",", "")
    elif style == "decimal comma":
        plain = cell.replace(",", ".")
    else:
        plain = cell.replace(".", "").replace(",", ".")
    try:
        return float(plain)
    except ValueError:
        return float("nan")


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
    values, bad_cells, number_notes = _numbers(raw, mapping)
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
    notes += number_notes + time_notes
    rows = len(raw.frame)
    line_of = raw.lines
    drop = raw.blank.copy()
    reasons = [("blank", drop.copy())]
    no_time = times.isna().to_numpy() & ~drop
    if no_time.any() and no_time.sum() == (~drop).sum():
        sample = str(raw.frame[time_column][no_time].iloc[0]).strip()[:40]
        raise DataError(
            f"{raw.name}: no cell in '{time_column}' is a time the loader can read (line {int(line_of[no_time][0])} "
            f"holds {sample!r}). Write times as ISO text (2026-01-31 13:05:00, UTC) or Unix epochs, or map the "
            "right time column in the column mapping."
        )
    drop |= no_time
    reasons.append((f"time in '{time_column}' missing or unreadable", no_time))
    if has_prices:
        prices = values[list(PRICE_COLUMNS)].to_numpy()
        no_price = ~(np.isfinite(prices) & (prices > 0)).all(axis=1) & ~drop
        drop |= no_price
        reasons.append(("a price missing, not a finite number or not above zero", no_price))
        o, h, lo, c = prices.T
        tol = 1e-9 * np.abs(np.nan_to_num(h))
        with np.errstate(invalid="ignore"):
            inconsistent = ((lo > np.minimum(o, c) + tol) | (h < np.maximum(o, c) - tol)) & ~drop
        drop |= inconsistent
        reasons.append(("high below open/close or low above them", inconsistent))
        if (~drop).any():
            typical = float(np.median(c[~drop]))
            with np.errstate(invalid="ignore"):
                far = ((prices > typical * PRICE_SPREAD) | (prices < typical / PRICE_SPREAD)).any(axis=1) & ~drop
            drop |= far
            reasons.append((f"a price over {PRICE_SPREAD:,.0f}× away from the typical close ({typical:,.6g})", far))
    dropped = [
        (f"dropped {int(mask.sum())} row(s), {reason} ({_lines_text(line_of[mask])})", mask)
        for reason, mask in reasons
        if mask.any()
    ]
    notes += [f"{raw.name}: {text}." for text, _ in dropped]
    notes += _cell_notes(raw.name, bad_cells, ~drop, line_of)
    kept = values[~drop]
    kept.index = pd.DatetimeIndex(times[~drop]).as_unit("ns")
    lines = line_of[~drop]
    kept, lines = _order(kept, lines, raw.name, notes)
    kept, lines = _dedupe(kept, lines, raw.name, notes)
    why = "; ".join(n.split(": ", 1)[1].rstrip(".") for n in notes if _DROPPED.search(n))
    if kept.empty:
        raise DataError(
            f"{raw.name}: none of its {rows:,} row(s) could be used ({why or 'no readable rows'}). Check the file's "
            "format, or map its columns in the column mapping."
        )
    kept = _units(kept, mapping, raw.name, notes)
    placeholders = [c for c in SUM_COLUMNS if c in kept.columns and not kept[c].fillna(0).ne(0).any()]
    if placeholders:
        kept = kept.drop(columns=placeholders)
        notes.append(
            f"{raw.name}: liquidation column(s) {', '.join(placeholders)} are zero in every row — a placeholder, "
            "not a record of no liquidations — so they were left out."
        )
    return _Parsed(raw.name, kept, lines, tuple(notes), rows, why)


def _cell_notes(name: str, bad: dict[str, _Cells], kept: np.ndarray, line_of: np.ndarray) -> list[str]:
    """Notes on the cells of kept rows that were left empty: not numbers, negative, or absurdly large."""
    notes = []
    for cells in bad.values():
        for mask, what in (
            (cells.not_number, "are not numbers"),
            (cells.negative, "are negative, which this column cannot be"),
            (cells.huge, f"are {HUGE:.0e} or more, too large to be real"),
        ):
            shown = mask & kept
            if shown.any():
                notes.append(
                    f"{name}: {int(shown.sum())} cell(s) in '{cells.column}' {what} ({_lines_text(line_of[shown])}); "
                    "left empty."
                )
    return notes


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
    if conflicting.sum() >= 3 and conflicting.sum() >= CONFLICT_SHARE * len(frame):
        raise DataError(
            f"{name}: {int(conflicting.sum())} of {len(frame)} rows repeat an earlier time with different values "
            f"({_lines_text(np.sort(lines[conflicting]))}), so the file seems to mix instruments or intervals. Keep "
            "one instrument and one interval per file (or remove the repeated rows) and upload again."
        )
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
        step = _parse_interval(text)
    else:
        _at_least_two(base)
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


def _at_least_two(parsed: _Parsed) -> None:
    if len(parsed.frame) < 2:
        dropped = f" ({parsed.why})" if parsed.why else ""
        raise DataError(
            f"{parsed.name}: only {len(parsed.frame)} usable row of {parsed.rows:,}{dropped}; at least two bars are "
            "needed. Add more rows, or fix the ones that were dropped."
        )


def _on_grid(base: _Parsed, interval: pd.Timedelta, notes: list[str], forced: bool = False) -> _Parsed:
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
        f"{base.name}: dropped {int(off.sum())} row(s) whose time is off the {grid} grid of the other rows "
        f"({_lines_text(base.lines[off])})."
    )
    return replace(base, frame=base.frame[~off], lines=base.lines[~off], origin=base.origin[~off])


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
    files = [_parse(read_table(source, i, limits), mapping) for i, source in enumerate(sources)]
    files = [replace(p, origin=np.full(len(p.frame), i)) for i, p in enumerate(files)]
    if not any(p.has_prices for p in files):
        names = ", ".join(p.name for p in files)
        raise DataError(
            f"{names}: no file has prices, so a price file is needed. Add a file with time, open, high, low and close "
            "(klines); open interest, funding or liquidation files are merged onto it."
        )
    notes = [n for p in files for n in p.notes]
    parsed = _stack_same_kind(files, notes)
    first = next(i for i, p in enumerate(parsed) if p.has_prices)
    step = _interval(interval if interval is not None else (mapping.interval if mapping else None), parsed[first])
    forced = interval is not None or (mapping is not None and mapping.interval is not None)
    parsed[first] = base_file = _on_grid(parsed[first], step, notes, forced)
    _at_least_two(base_file)
    bars = base_file.frame
    for extra in parsed:
        if extra is not base_file:
            if extra.has_prices:
                notes.append(f"{extra.name}: a second price file; its prices were ignored, other columns merged.")
            bars = merge_extra(
                bars, step, extra.name, extra.frame.drop(columns=list(PRICE_COLUMNS), errors="ignore"), notes
            )
    kept = np.bincount(np.concatenate([p.origin for p in parsed]), minlength=len(files))
    notes += [
        f"{p.name}: {int(k):,} of {p.rows:,} rows loaded, {p.rows - int(k):,} dropped."
        for p, k in zip(files, kept, strict=True)
    ]
    name = symbol or _symbol_from(files[base_file.origin[0]].name)
    names = [p.name for p in files]
    shown = ", ".join(names) if len(names) <= 3 else f"{len(names)} files, {names[0]} … {names[-1]}"
    source = f"Uploaded: {shown}"
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


def _quoted_symbol(name: str) -> str | None:
    """'BTCUSDT-5m-2026-01.csv' or 'binance_um_BTCUSDT_1h.csv' -> 'BTCUSDT'; None when the name holds no such word."""
    tokens = re.split(r"[-_ .]", name.split("/")[-1].upper())
    return next((t for t in tokens if re.fullmatch(r"[A-Z0-9]{2,15}(USDT|USDC|USD|BUSD|PERP)", t)), None)


def _symbol_from(name: str) -> str:
    """The quoted symbol in the file name (see `_quoted_symbol`); else the first word, or 'UPLOADED'."""
    if re.fullmatch(r"file \d+", name):
        return "UPLOADED"
    tokens = re.split(r"[-_ .]", name.split("/")[-1].upper())
    first = tokens[0] if tokens and tokens[0].isalnum() and tokens[0].isascii() else "UPLOADED"
    return _quoted_symbol(name) or first


def _stack_same_kind(files: list[_Parsed], notes: list[str]) -> list[_Parsed]:
    """Files with the same columns (and no different symbol in their names) are one series cut by time — e.g. one
    Binance archive file per day — so they are joined in time order; a time two files both hold keeps the row of the
    file that starts earlier, and the others are reported as not used."""
    groups: dict[tuple, list[_Parsed]] = {}
    for file in files:
        groups.setdefault((tuple(sorted(file.frame.columns)), _quoted_symbol(file.name)), []).append(file)
    stacked = []
    for members in groups.values():
        if len(members) == 1:
            stacked.append(members[0])
            continue
        members = sorted(members, key=lambda m: m.frame.index[0])
        frame = pd.concat([m.frame for m in members])
        lines = np.concatenate([m.lines for m in members])
        origin = np.concatenate([m.origin for m in members])
        order = np.argsort(frame.index.asi8, kind="stable")
        frame, lines, origin = frame.iloc[order], lines[order], origin[order]
        repeat = frame.index.duplicated(keep="first")
        for member in members:
            mine = repeat & (origin == member.origin[0])
            if mine.any():
                notes.append(
                    f"{member.name}: {int(mine.sum())} row(s) repeat times an earlier file already holds "
                    f"({_lines_text(lines[mine])}); not used."
                )
        name = " + ".join(m.name for m in members) if len(members) == 2 else f"{members[0].name} … {members[-1].name}"
        times = frame.index[~repeat]
        notes.append(
            f"{name}: {len(members)} files with the same columns joined in time order into one series "
            f"({times[0]:%Y-%m-%d %H:%M} → {times[-1]:%Y-%m-%d %H:%M} UTC)."
        )
        why = "; ".join(m.why for m in members if m.why)
        stacked.append(
            _Parsed(name, frame[~repeat], lines[~repeat], (), sum(m.rows for m in members), why, origin[~repeat])
        )
    return stacked


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
