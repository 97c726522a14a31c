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

from dataclasses import replace

import numpy as np
import pandas as pd

from liqcore.errors import DataError
from liqcore.loaders.formats import ColumnMapping, Detection, detect
from liqcore.loaders.grid import bar_interval, on_grid, require_two_bars
from liqcore.loaders.merge import merge_extra
from liqcore.loaders.notes import repairs
from liqcore.loaders.quality import frozen_open_interest
from liqcore.loaders.readers import LoadLimits, Source, read_table
from liqcore.loaders.rows import Parsed, parse_file
from liqcore.loaders.stack import stack_same_kind, symbol_from
from liqcore.market import PRICE_COLUMNS, Market
from liqcore.notes import Note, NoteKind

__all__ = ["ColumnMapping", "Detection", "LoadLimits", "load_csv", "repairs", "sniff", "template_csv"]


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
        Size and row limits per file and per load (`LoadLimits()` by default).
    symbol
        Instrument name; default guessed from the first price file's name.
    """
    if not sources:
        raise DataError("No file given. Upload at least one CSV with time, open, high, low and close.")
    files = _parse_within_limits(sources, mapping, limits or LoadLimits())
    files = [replace(p, origin=np.full(len(p.frame), i)) for i, p in enumerate(files)]
    if not any(p.has_prices for p in files):
        names = ", ".join(p.name for p in files)
        raise DataError(
            f"{names}: no file has prices, so a price file is needed. Add a file with time, open, high, low and close "
            "(klines); open interest, funding or liquidation files are merged onto it."
        )
    notes = [n for p in files for n in p.notes]
    parsed = stack_same_kind(files, notes)
    first = next(i for i, p in enumerate(parsed) if p.has_prices)
    step = bar_interval(interval if interval is not None else (mapping.interval if mapping else None), parsed[first])
    forced = interval is not None or (mapping is not None and mapping.interval is not None)
    parsed[first] = base_file = on_grid(parsed[first], step, notes, forced)
    require_two_bars(base_file)
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
        Note(
            f"{p.name}: {int(k):,} of {p.rows:,} rows loaded, {p.rows - int(k):,} dropped.",
            NoteKind.REPAIR if p.rows > k else NoteKind.INFO,
        )
        for p, k in zip(files, kept, strict=True)
    ]
    notes += frozen_open_interest(bars, step, base_file.name)
    name = symbol or symbol_from(files[base_file.origin[0]].name)
    names = [p.name for p in files]
    shown = ", ".join(names) if len(names) <= 3 else f"{len(names)} files, {names[0]} … {names[-1]}"
    source = f"Uploaded: {shown}"
    try:
        return Market(bars, name, step, source=source, notes=tuple(notes))
    except DataError as exc:
        raise DataError(f"{base_file.name}: {exc}") from None


def _parse_within_limits(
    sources: tuple[Source, ...], mapping: ColumnMapping | None, limits: LoadLimits
) -> list[Parsed]:
    """Each source read and parsed in turn, refusing the load once the files together pass the total byte budget."""
    if len(sources) > limits.max_files:
        raise DataError(
            f"{len(sources):,} files at once is over the limit of {limits.max_files:,}. Join them into fewer files "
            "or load a shorter span."
        )
    files, total = [], 0
    for i, source in enumerate(sources):
        raw = read_table(source, i, limits)
        total += raw.size
        if total > limits.max_total_bytes:
            raise DataError(
                f"{raw.name}: with the files before it, this load is {total / 1e6:,.0f} MB unpacked, over the "
                f"{limits.max_total_bytes / 1e6:,.0f} MB limit for one load. Upload fewer files, a shorter span or a "
                "longer interval."
            )
        files.append(parse_file(raw, mapping))
    return files


def template_csv() -> str:
    """A small CSV showing the columns the loader understands best (times in UTC, open interest in coins, one side)."""
    return (
        "timestamp,open,high,low,close,volume,open_interest,liq_long_usd,liq_short_usd,funding_rate\n"
        "2026-01-01T00:00:00Z,94000,94250,93800,94100,1520.5,81250.2,125000,48000,0.0001\n"
        "2026-01-01T01:00:00Z,94100,94600,94050,94550,1780.1,81610.7,20000,310000,0.0001\n"
        "2026-01-01T02:00:00Z,94550,94700,93900,94020,2105.9,81380.4,640000,15000,0.00008\n"
    )
