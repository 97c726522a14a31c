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


def titled_spec(spec: dict, title: str, data_label: str, width: int = 1200) -> dict:
    """`spec` on a white page, titled `title` with `data_label` and "estimate" beneath it (the spec is not changed).

    A chart that stretches to its container is given `width` pixels.
    """
    subtitle = data_label if "estimate" in title.lower() else f"{data_label} · estimate"
    page = {
        **spec,
        "title": {"text": title, "subtitle": subtitle, "anchor": "start", "fontSize": 16, "subtitleFontSize": 12},
        "background": "white",
    }
    return _sized(page, width)


def _sized(view: dict, width: int) -> dict:
    """`view` with `width` pixels wherever it would stretch to a container: each chart of a vertical stack gets the
    whole width, each of a row its share (a width at the top of a stack would not reach its charts)."""
    view = {key: value for key, value in view.items() if key != "autosize"}
    if "vconcat" in view:
        view["vconcat"] = [_sized(part, width) for part in view["vconcat"]]
    elif "hconcat" in view:
        view["hconcat"] = [_sized(part, width // len(view["hconcat"])) for part in view["hconcat"]]
    elif view.get("width") in (None, "container"):
        view["width"] = width
    return view


def chart_png(spec: dict, title: str, data_label: str, width: int = 1200, scale: float = 2.0) -> bytes:
    """`titled_spec` rendered to PNG bytes by vl-convert (no browser needed)."""
    import vl_convert  # imported here: only an export needs the renderer

    return vl_convert.vegalite_to_png(titled_spec(spec, title, data_label, width), scale=scale)
