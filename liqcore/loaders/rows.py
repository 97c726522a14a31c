"""One file's rows to numbers on a time index: every row that cannot be used is dropped and reported with its file
line, so loaded + dropped = rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype

from liqcore.errors import DataError
from liqcore.loaders.formats import INSTRUMENT_COLUMNS, ColumnMapping, Detection, detect, normalise
from liqcore.loaders.merge import SUM_COLUMNS
from liqcore.loaders.notes import lines_text, repair
from liqcore.loaders.numbers import cell_notes, read_numbers
from liqcore.loaders.readers import RawTable, check_cell_lengths
from liqcore.loaders.timeparse import parse_times
from liqcore.loaders.units import apply_units
from liqcore.market import PRICE_COLUMNS

EXTRA_COLUMNS = (*SUM_COLUMNS, "open_interest", "open_interest_usd", "funding_rate", "long_short_ratio")
PRICE_SPREAD = 1e4  # a price this many times above or below the file's median close is a typo, not a market move
CONFLICT_SHARE = 0.25  # this share of rows repeating a time with other values means mixed instruments or intervals
MOSTLY_INVALID = 0.2  # over this share of rows failing one price check is an error naming the cause, not a mass drop


@dataclass(frozen=True)
class Parsed:
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
    column = raw.frame[time_column]
    if is_numeric_dtype(column):
        return column  # epochs read as numbers by the fast path
    cells = column.astype(str).str.strip()
    if normalise(time_column) != "date":
        return cells
    clock = next((c for c in raw.frame.columns if normalise(c) == "time"), None)
    if clock is None or raw.frame[clock].astype(str).str.match(r"^\s*\d{1,2}:\d{2}").mean() < 0.9:
        return cells
    notes.append(f"{raw.name}: date from '{time_column}' joined with the time of day in '{clock}'.")
    return cells + " " + raw.frame[clock].astype(str).str.strip()


def parse_file(raw: RawTable, mapping: ColumnMapping | None) -> Parsed:
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
    read = [column for _, column in mapping.columns] + [c for c in raw.frame.columns if normalise(c) == "time"]
    check_cell_lengths(raw.name, raw.frame[list(dict.fromkeys(read))], raw.lines)
    values, bad_cells, number_notes = read_numbers(raw, mapping)
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
        far = np.zeros(len(drop), dtype=bool)
        if (~drop).any():
            typical = float(np.median(c[~drop]))
            with np.errstate(invalid="ignore"):
                far = ((prices > typical * PRICE_SPREAD) | (prices < typical / PRICE_SPREAD)).any(axis=1) & ~drop
            drop |= far
            reasons.append((f"a price over {PRICE_SPREAD:,.0f}× away from the typical close ({typical:,.6g})", far))
        _refuse_mostly_invalid(raw.name, prices, ~(raw.blank | no_time), no_price, inconsistent, far)
    dropped = [
        (f"dropped {int(mask.sum())} row(s), {reason} ({lines_text(line_of[mask])})", mask)
        for reason, mask in reasons
        if mask.any()
    ]
    notes += [repair(f"{raw.name}: {text}.") for text, _ in dropped]
    why = [text for text, _ in dropped]
    notes += cell_notes(raw.name, bad_cells, ~drop, line_of)
    kept = values[~drop]
    kept.index = pd.DatetimeIndex(times[~drop]).as_unit("ns")
    lines = line_of[~drop]
    kept, lines = _order(kept, lines, raw.name, notes)
    kept, lines = _dedupe(kept, lines, raw.name, notes, why)
    if kept.empty:
        raise DataError(
            f"{raw.name}: none of its {rows:,} row(s) could be used ({'; '.join(why) or 'no readable rows'}). "
            "Check the file's format, or map its columns in the column mapping."
        )
    kept = apply_units(kept, mapping, raw.name, notes)
    placeholders = [c for c in SUM_COLUMNS if c in kept.columns and not kept[c].fillna(0).ne(0).any()]
    if placeholders:
        kept = kept.drop(columns=placeholders)
        notes.append(
            repair(
                f"{raw.name}: liquidation column(s) {', '.join(placeholders)} are zero in every row — a placeholder, "
                "not a record of no liquidations — so they were left out."
            )
        )
    return Parsed(raw.name, kept, lines, tuple(notes), rows, "; ".join(why))


def _refuse_mostly_invalid(
    name: str, prices: np.ndarray, rows: np.ndarray, no_price: np.ndarray, inconsistent: np.ndarray, far: np.ndarray
) -> None:
    """A DataError naming the likely cause when over MOSTLY_INVALID of the timed rows fail one price check: that is a
    wrong column order, mixed units or a wrong decimal mark, and dropping the rows would leave a distorted series."""
    total = int(rows.sum())
    if total < 3:
        return
    with np.errstate(invalid="ignore"):
        swapped = int((prices[:, 1] < prices[:, 2]).sum())
    checks = (
        (
            no_price,
            "have a price missing, not a number or not above zero",
            "Check the separator and decimal mark, or map the price columns in the column mapping.",
        ),
        (
            inconsistent,
            "have a high below the open/close or a low above them",
            "The high and low columns look swapped (high is below low on "
            f"{swapped:,} rows): swap them, or map them in the column mapping."
            if swapped >= 0.5 * inconsistent.sum()
            else "The price columns look out of order: map open, high, low and close in the column mapping.",
        ),
        (
            far,
            f"have a price over {PRICE_SPREAD:,.0f}× away from the typical close",
            "The prices look like mixed units (e.g. some rows in cents or another quote currency) or a shifted column; "
            "export one unit throughout.",
        ),
    )
    for mask, what, cause in checks:
        bad = int(mask.sum())
        if bad >= 3 and bad > MOSTLY_INVALID * total:
            raise DataError(
                f"{name}: {bad:,} of {total:,} rows ({bad / total:.0%}) {what}, too many to drop (the limit is "
                f"{MOSTLY_INVALID:.0%}). {cause}"
            )


def _order(frame: pd.DataFrame, lines: np.ndarray, name: str, notes: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """Sort by time, saying whether the file was newest first or how many rows were out of order."""
    stamps = frame.index.asi8
    if len(stamps) < 2 or (np.diff(stamps) >= 0).all():
        return frame, lines
    if (np.diff(stamps) <= 0).all():
        notes.append(repair(f"{name}: rows were newest first; reversed to oldest first."))
    else:
        late = stamps < np.maximum.accumulate(stamps)
        order_text = f"{int(late.sum())} row(s) were out of time order ({lines_text(lines[late])}); sorted by time."
        notes.append(repair(f"{name}: {order_text}"))
    order = np.argsort(stamps, kind="stable")
    return frame.iloc[order], lines[order]


def _dedupe(
    frame: pd.DataFrame, lines: np.ndarray, name: str, notes: list[str], why: list[str]
) -> tuple[pd.DataFrame, np.ndarray]:
    """Drop repeated times: exact copies silently counted, conflicting ones keep the first row and say so (in `notes`,
    and what was dropped in `why`)."""
    repeated = frame.index.duplicated(keep="first")
    if not repeated.any():
        return frame, lines
    keyed = frame.reset_index()
    exact = keyed.duplicated(keep="first").to_numpy() & repeated
    conflicting = repeated & ~exact
    if exact.any():
        why.append(f"dropped {int(exact.sum())} exact duplicate row(s) ({lines_text(lines[exact])})")
        notes.append(repair(f"{name}: {why[-1]}."))
    if conflicting.sum() >= 3 and conflicting.sum() >= CONFLICT_SHARE * len(frame):
        raise DataError(
            f"{name}: {int(conflicting.sum())} of {len(frame)} rows repeat an earlier time with different values "
            f"({lines_text(np.sort(lines[conflicting]))}), so the file seems to mix instruments or intervals. Keep "
            "one instrument and one interval per file (or remove the repeated rows) and upload again."
        )
    if conflicting.any():
        why.append(
            f"dropped {int(conflicting.sum())} row(s) repeating an earlier time with other values "
            f"({lines_text(lines[conflicting])})"
        )
        notes.append(repair(f"{name}: {why[-1]}; the first row of each time was kept."))
    return frame[~repeated], lines[~repeated]
