"""Shared test helpers: small hand-made markets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from liqcore.market import Market


def make_market(
    closes: np.ndarray | list[float],
    open_interest: np.ndarray | list[float] | None = None,
    spread: float = 0.001,
    interval: str = "5min",
    symbol: str = "BTCUSDT",
    volume: float | None = 100.0,
) -> Market:
    """A market whose bars open at the previous close and range `spread` around open/close."""
    close = np.asarray(closes, dtype=float)
    open_ = np.concatenate(([close[0]], close[:-1]))
    frame = pd.DataFrame(
        {
            "open": open_,
            "high": np.maximum(open_, close) * (1 + spread),
            "low": np.minimum(open_, close) * (1 - spread),
            "close": close,
        },
        index=pd.date_range("2026-01-01", periods=len(close), freq=interval, tz="UTC"),
    )
    if volume is not None:
        frame["volume"] = volume
    if open_interest is not None:
        frame["open_interest"] = np.asarray(open_interest, dtype=float)
    return Market(frame, symbol)


APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


def run_page(page: str, query: dict[str, str] | None = None):
    """Open the app on its default data straight at `page` (e.g. "pages/sentiment.py"), as a link to that page does.

    The default page is not drawn first: that cost seconds per test under load and checks nothing here (switching
    from it is tested in tests/test_pipeline.py).
    """
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.switch_page(page).run()


def invalid_charts(at) -> list[str]:
    """Why each Vega-Lite chart the run sent breaks the Vega-Lite schema (none: []). Pages build their specs without
    Altair's validation (`pages.components.chart_export.spec_of`), so the page tests check what was sent."""
    import json

    from altair.utils.schemapi import validate_jsonschema
    from altair.vegalite.v6.schema.core import load_schema

    schema = load_schema()
    specs = (json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart"))
    errors = (validate_jsonschema(spec, schema, raise_error=False) for spec in specs)
    return [str(error).splitlines()[0] for error in errors if error is not None]
