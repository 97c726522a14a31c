"""CSV downloads that are safe to open in a spreadsheet."""

from __future__ import annotations

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _neutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv_safe(frame: pd.DataFrame) -> bytes:
    """CSV bytes with text cells that a spreadsheet would run as a formula (= + - @ …) prefixed by an apostrophe.

    Numbers are left as numbers: a negative distance stays -1.5, not '-1.5. Rows end in CRLF (RFC 4180), which also
    makes the writer quote any cell holding a bare carriage return instead of splitting the row there.
    """
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(_neutralise)
    safe.columns = [_neutralise(str(c)) for c in safe.columns]
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8")
