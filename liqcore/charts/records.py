"""Altair's default data transformer with a vectorised DataFrame → records step that gives the very same values.

Altair turns every DataFrame of a chart into inline rows by copying it, converting each column cell by cell
(`Timestamp.isoformat` per cell for times) and calling `DataFrame.to_dict(orient="records")`. On the heatmap that
was ~0.3 s of the ~1 s a new analysis spends building the map's spec, before the upload's map could be sent. Here
the common column types (floats, integers, booleans, text, UTC or naive times in whole seconds) are converted a
column at a time (`tolist`, `numpy.datetime_as_string`) into the same Python values; a frame with any other column
type, non-text column names or a hierarchical index goes through Altair's own `to_values` unchanged, so its
behaviour (and its errors) stay Altair's. `install()` makes this the "default" transformer, so
`alt.data_transformers.disable_max_rows()` keeps working as before.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import narwhals.stable.v1 as nw
import numpy as np
import pandas as pd
from altair.utils.data import limit_rows, to_values

_NANOS = 1_000_000_000


def chart_values(data: Any, max_rows: int | None = 5000) -> Any:
    """What Altair's default transformer returns for `data` (the row limit first, then inline values)."""
    data = limit_rows(data, max_rows=max_rows)  # (hands a DataFrame back wrapped by narwhals, as Altair's does)
    native = nw.to_native(data, pass_through=True)
    if isinstance(native, pd.DataFrame):
        records = _records(native)
        if records is not None:
            return {"values": records}
    return to_values(data)


def install() -> None:
    """Use `chart_values` for every chart serialised in this process (same output as Altair's default)."""
    alt.data_transformers.register("default", chart_values)
    if alt.data_transformers.active == "default":
        alt.data_transformers.enable("default", **alt.data_transformers.options)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]] | None:
    """The frame's rows as Altair would sanitise them, or None when a column needs Altair's own handling."""
    if isinstance(frame.columns, pd.MultiIndex | pd.RangeIndex) or isinstance(frame.index, pd.MultiIndex):
        return None
    names = list(frame.columns)
    if not names or not all(isinstance(name, str) for name in names) or len(set(names)) < len(names):
        return None
    columns = []
    for name in names:
        values = _column(frame[name])
        if values is None:
            return None
        columns.append(values)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def _column(column: pd.Series) -> list[Any] | None:
    """One column's cells as Altair's `sanitize_pandas_dataframe` leaves them; None for a type it is not sure of."""
    dtype = column.dtype
    if isinstance(dtype, pd.DatetimeTZDtype) or (isinstance(dtype, np.dtype) and dtype.kind == "M"):
        return _times(column)
    if not isinstance(dtype, np.dtype) and str(dtype) not in ("str", "string"):
        return None  # categoricals, nullable integers, intervals, …: Altair's own rules
    if dtype == np.float64:
        values = column.to_numpy()
        cells = values.tolist()
        bad = ~np.isfinite(values)
        for i in np.flatnonzero(bad):
            cells[i] = None
        return cells
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        return column.to_numpy().tolist()
    if str(dtype) in ("str", "string") or dtype == object:  # noqa: E721 (numpy's object dtype)
        cells = column.to_numpy(dtype=object).tolist()
        if all(isinstance(cell, str) for cell in cells):
            return cells
        if not all(isinstance(cell, str) or _missing(cell) for cell in cells):
            return None  # numbers, arrays or times kept as objects: Altair's own rules
        return [cell if isinstance(cell, str) else None for cell in cells]
    return None


def _missing(cell: Any) -> bool:
    """What `Series.notnull` calls missing among scalars: None, NaN, NaT, pd.NA."""
    return cell is None or cell is pd.NA or cell is pd.NaT or (isinstance(cell, float) and cell != cell)


def _times(column: pd.Series) -> list[str] | None:
    """ISO strings as `Timestamp.isoformat` writes them ('' for NaT), for UTC or naive times in whole seconds."""
    dtype = column.dtype
    zone = getattr(dtype, "tz", None)
    if zone is not None and str(zone) != "UTC":
        return None
    index = pd.DatetimeIndex(column)
    if zone is not None:
        index = index.tz_localize(None)
    stamps = index.as_unit("ns").asi8
    missing = index.isna()
    if np.any(stamps[~missing] % _NANOS):
        return None  # fractions of a second: isoformat's own digits
    text = np.datetime_as_string(index.to_numpy(dtype="datetime64[s]"), unit="s")
    suffix = "+00:00" if zone is not None else ""
    cells = [f"{cell}{suffix}" for cell in text.tolist()] if suffix else text.tolist()
    for i in np.flatnonzero(missing):
        cells[i] = ""
    return cells
