"""The fast path for well-formed files: one header row, then rows of the header's width, read with typed columns.

Reading every cell as text costs a Python string per cell and a second parse per number (a 30 MB file took ~7 s);
pandas' C parser reading numbers straight into float64 takes a fraction of a second. The slow text path stays for
everything else (preambles, ragged rows, quoted line breaks, headerless files): this path declines, it never guesses.
Columns the parser cannot type (ISO times, '1,5' decimal commas, a stray word) stay text, so the checks that follow
see exactly what the text path gives them; a numeric column's NaN is an empty cell.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype


def typed_frame(text: str, delimiter: str, max_rows: int) -> pd.DataFrame | None:
    """The table with numeric columns as numbers and the rest as text ('' when empty), or None when the file is not
    plainly one header plus rows of its width (then the text path reads it)."""
    end = text.find("\n")
    header = (text if end < 0 else text[:end]).lstrip("\ufeff").split(delimiter)
    if len(header) < 2 or any(not cell.strip() or _is_number(cell) for cell in header):
        return None
    if len({cell.strip() for cell in header}) < len(header) or '"' in header[0] + header[-1] or '"' in "".join(header):
        return None
    records = text.count("\n") - (1 if text.endswith("\n") else 0)
    if records < 1 or records > max_rows:
        return None
    second = text[end + 1 : text.find("\n", end + 1)] if end >= 0 else ""
    if second.count(delimiter) >= len(header):
        return None  # pandas would read the extra cells as an index of that many levels: slow, and not this path's
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=0,
            engine="c",
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
            nrows=max_rows + 1,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, IndexError, OverflowError):
        return None
    if len(frame) != records or list(frame.columns) != header or not frame.index.equals(pd.RangeIndex(len(frame))):
        return None  # (rows wider than the header make pandas use the first cells as the index)
    frame.columns = [cell.strip() for cell in header]
    numeric = [column for column in frame.columns if is_numeric_dtype(frame[column]) and frame[column].dtype != bool]
    if not numeric:
        return None
    for column in frame.columns:
        if column not in numeric:
            frame[column] = frame[column].astype(str).where(frame[column].notna(), "")
    return frame


def filled_cells(frame: pd.DataFrame) -> np.ndarray:
    """Per row, how many cells hold something (text not blank, or a number)."""
    counts = np.zeros(len(frame), dtype=np.int64)
    for column in frame.columns:
        values = frame[column]
        counts += (values.notna() if is_numeric_dtype(values) else values.str.strip().ne("")).to_numpy(dtype=np.int64)
    return counts


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
