"""Model columns of one file as floats: plain numbers, '1.234,5' decimal commas, '1,234.5' thousands separators, and
the cells left empty because they are not numbers, negative, or absurdly large."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from liqcore.loaders.formats import ColumnMapping
from liqcore.loaders.notes import lines_text, repair
from liqcore.loaders.readers import RawTable
from liqcore.market import KNOWN_COLUMNS, PRICE_COLUMNS, SIGNED_COLUMNS

HUGE = 1e18  # volumes, open interest or liquidations above this are not real (more coins than any token has)
_MISSING = ("", "nan", "null", "none", "-", "n/a", "na", "#n/a", "nat")
_GROUPED_POINT = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"  # 65,432.1
_GROUPED_COMMA = r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?"  # 65.432,1
_DECIMAL_COMMA = r"[+-]?\d*,\d+(?:[eE][+-]?\d+)?"  # 65432,1


@dataclass(frozen=True)
class Cells:
    """Cells of one model column that were left empty, by reason (boolean masks over the file's data rows)."""

    column: str
    not_number: np.ndarray
    negative: np.ndarray
    huge: np.ndarray


def read_numbers(raw: RawTable, mapping: ColumnMapping) -> tuple[pd.DataFrame, dict[str, Cells], list[str]]:
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
    bad: dict[str, Cells] = {}
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
            bad[model] = Cells(column, not_number, negative, huge)
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


def cell_notes(name: str, bad: dict[str, Cells], kept: np.ndarray, line_of: np.ndarray) -> list[str]:
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
                    repair(
                        f"{name}: {int(shown.sum())} cell(s) in '{cells.column}' {what} "
                        f"({lines_text(line_of[shown])}); left empty."
                    )
                )
    return notes
