"""One pipeline: the app, the CLI and a notebook call `liqcore.analyse` and so see the same map and the same scores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import make_market, run_page
from streamlit.testing.v1 import AppTest

import liqcore as lc
from liqcore.config import PRESET_NAMES
from liqcore.errors import DataError
from liqcore.validate import main as validate_main
from liqcore.validation import score

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
VIEW = {"src": "sim", "scenario": "short_squeeze", "seed": "7", "window": "3d", "preset": "balanced"}


def _notebook() -> lc.Analysis:
    return lc.analyse(lc.simulate("short_squeeze", seed=7), lc.ModelConfig.preset("balanced"), window="3d")


def _same_map(a: lc.Heatmap, b: lc.Heatmap) -> None:
    assert a.times.equals(b.times)
    np.testing.assert_array_equal(a.price_edges, b.price_edges)
    np.testing.assert_array_equal(a.long, b.long)
    np.testing.assert_array_equal(a.short, b.short)
    pd.testing.assert_frame_equal(a.implied, b.implied)


def _table_text(analysis: lc.Analysis) -> str:
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.float_format", "{:.3f}".format):
        return score(analysis.market, analysis.heatmap).table.to_string()


def _events_csv(market: lc.Market, bars: slice) -> bytes:
    """Generic events: a long liquidated at each bar's low and a short at its high, one coin each."""
    frame = market.bars.iloc[bars]
    rows = [f"{t.isoformat()},long,{low},1" for t, low in zip(frame.index, frame["low"], strict=True)]
    rows += [f"{t.isoformat()},short,{high},1" for t, high in zip(frame.index, frame["high"], strict=True)]
    return ("time,side,price,size\n" + "\n".join(rows)).encode()


def _text(table: pd.DataFrame) -> str:
    with pd.option_context("display.width", 160, "display.float_format", "{:.3f}".format):
        return table.to_string()


def test_app_cli_and_notebook_show_the_same_map_and_scores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Map, validation table, WHERE score of an events file and held-out scores: one pipeline for all three."""
    notebook = _notebook()
    sim = notebook.simulation
    events = _events_csv(sim.market, slice(len(sim.market) - 600, len(sim.market) - 100))
    (tmp_path / "events.csv").write_bytes(events)
    where = notebook.where(lc.load_liquidations(tmp_path / "events.csv", symbol=notebook.market.symbol))
    assert where.mapped.market.start < notebook.market.start  # the events' span and its lead-in, not the view window
    assert where.score.hours > 0 and where.score.events > 0

    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in VIEW.items():
        at.query_params[key] = value
    app = at.run().session_state["analysis"]
    assert app.key == notebook.key
    _same_map(app.heatmap, notebook.heatmap)
    assert app.market.bars.equals(notebook.market.bars)

    page = at.switch_page("pages/validation.py").run()
    assert not page.exception
    expected = score(notebook.market, notebook.heatmap).table
    pd.testing.assert_frame_equal(_per_side(page), _rho(expected), check_dtype=False)
    page.file_uploader(key="where_upload").set_value(("events.csv", events, "text/csv")).run()
    assert not page.exception, [e.value for e in page.exception]
    [shown] = [d.value.set_index("forecaster") for d in page.dataframe if "forecaster" in d.value.columns]
    pd.testing.assert_frame_equal(shown, where.score.table(), check_dtype=False)

    path = tmp_path / "SIM-BTCUSDT-5m.csv"  # the symbol (and so the margin table) is read from the name
    sim.market.bars.rename_axis("timestamp").to_csv(path)
    assert validate_main([str(path), "--window", "3d", "--held-out"]) == 0
    out = capsys.readouterr().out
    assert _table_text(notebook) in out
    for name in PRESET_NAMES:
        held = lc.analyse(sim, lc.ModelConfig.preset(name), snapshots=2).held_out()
        assert held["held-out bars"].min() > 0
        assert f"{name}:\n{_text(held)}" in out, name
    assert validate_main([str(path), "--events", str(tmp_path / "events.csv")]) == 0
    assert _text(where.score.table()) in capsys.readouterr().out


def test_warm_up_puts_positions_opened_before_the_window_on_its_first_column() -> None:
    sim = lc.simulate("short_squeeze", seed=7)
    warmed = lc.analyse(sim, window="3d")
    cold = lc.analyse(sim.market.tail(pd.Timedelta("3D")))
    assert warmed.market.start == cold.market.start and warmed.market.end == cold.market.end
    assert warmed.heatmap.times[0] >= warmed.market.start
    assert warmed.heatmap.long[0].sum() > 1.5 * cold.heatmap.long[0].sum()
    assert len(warmed.heatmap.times) == lc.analysis.SNAPSHOTS_IN_WINDOW


def test_a_window_as_long_as_the_data_maps_all_of_it_and_bad_windows_are_refused() -> None:
    market = make_market(60_000 + np.cumsum(np.random.default_rng(1).normal(0, 20, 600)), np.linspace(1e4, 2e4, 600))
    whole = lc.analyse(market)
    assert whole.window is None and whole.market is market
    assert lc.analyse(market, window="30d").key == whole.key
    assert lc.analyse(market, window="all").key == whole.key
    assert lc.analyse(market, window="1d").key != whole.key
    with pytest.raises(DataError, match="'soon' is not a duration"):
        lc.analyse(market, window="soon")


def test_key_follows_the_data_content_and_the_full_config() -> None:
    closes = 60_000 + np.cumsum(np.random.default_rng(2).normal(0, 20, 400))
    oi = np.linspace(1e4, 2e4, 400)
    one, same = make_market(closes, oi), make_market(closes.copy(), oi.copy())
    changed = closes.copy()
    changed[200] += 1.0
    base = lc.analyse(one)
    assert lc.analyse(make_market(changed, oi)).key != base.key
    assert lc.analyse(same).key == base.key
    assert lc.analyse(one, lc.ModelConfig().with_changes(decay_half_life_hours=12.0)).key != base.key
    assert lc.analyse(one, snapshots=50).key != base.key
    assert lc.analyse(one, label="another.csv").key != base.key


def test_with_config_keeps_data_window_and_truth() -> None:
    analysis = _notebook()
    other = analysis.with_config(lc.ModelConfig.preset("aggressive"))
    assert other.simulation is analysis.simulation and other.window == analysis.window
    assert other.market.bars.equals(analysis.market.bars)
    assert other.config.leverage_tiers != analysis.config.leverage_tiers


def test_validation_page_scores_the_map_it_draws() -> None:
    at = run_page("pages/validation.py", {"window": "3d"})
    analysis = at.session_state["analysis"]
    expected = score(analysis.market, analysis.heatmap).table
    pd.testing.assert_frame_equal(_per_side(at), _rho(expected), check_dtype=False)
    counts = f"longs {expected.loc['long', 'bars scored']:,} scored ({expected.loc['long', 'bars with liquidations']:,}"
    assert any(c.value.startswith(f"Bars: {counts} with liquidations)") for c in at.caption)


def _per_side(at) -> pd.DataFrame:
    """The Validation page's first table (a row per score, a column per side) back in the report's shape."""
    shown = at.dataframe[0].value.set_index("score").T
    shown.index = [side.removesuffix("s") for side in shown.index]
    return shown.rename_axis("side").rename_axis(None, axis=1)


def _rho(table: pd.DataFrame) -> pd.DataFrame:
    return table[[c for c in table.columns if "ρ" in c]]


def test_every_analysis_has_one_calling_shape_and_one_result_shape() -> None:
    from liqcore.breakouts import BreakoutConfig, scan
    from liqcore.results import Result
    from liqcore.sentiment import SentimentConfig, read
    from liqcore.validation import ValidationConfig, validate
    from liqcore.volatility import VolatilityConfig, forecast
    from liqcore.walkthrough import LessonConfig, build_lesson

    analysis = lc.analyse(lc.simulate("fakeout", seed=3), window="7d")
    calls = [
        (scan, BreakoutConfig(range_bars=24), analysis.breakouts),
        (read, SentimentConfig(size=2.0, horizon=12), analysis.sentiment),
        (forecast, VolatilityConfig(horizon=6, min_train=200), analysis.volatility),
        (validate, ValidationConfig(warmup=50), analysis.validation),
        (build_lesson, LessonConfig(after=48), analysis.lesson),
    ]
    for fn, config, method in calls:
        result = fn(analysis, config)
        assert isinstance(result, Result), fn.__qualname__
        assert result.config == config, fn.__qualname__  # the settings it quotes are the ones it ran with
        assert isinstance(result.frame, pd.DataFrame) and len(result.frame) > 0, fn.__qualname__
        assert isinstance(result.table, pd.DataFrame) and len(result.table) > 0, fn.__qualname__
        assert isinstance(result.verdict, str) and result.verdict.endswith("."), fn.__qualname__
        assert "n =" in result.verdict or fn is build_lesson, fn.__qualname__  # sample sizes in every scored verdict
        assert method(config).verdict == result.verdict, fn.__qualname__
        assert not result.frame.attrs, fn.__qualname__  # no side data travelling in DataFrame.attrs
    lesson = analysis.lesson(LessonConfig(after=48))
    assert lesson.breakouts.config == LessonConfig().breakouts and len(lesson.after) == 48


def test_no_page_imports_the_engine() -> None:
    """Pages render what `liqcore.analyse` and the analyses built; none of them runs the model itself."""
    import ast

    engine = {"liqcore.engine", "liqcore.reference", "liqcore.estimate", "liqcore.engine.estimate"}
    root = Path(__file__).resolve().parents[1]
    offenders = []
    for file in [root / "streamlit_app.py", *sorted((root / "pages").rglob("*.py"))]:
        for node in ast.walk(ast.parse(file.read_text())):
            if isinstance(node, ast.ImportFrom):
                imported = {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
            elif isinstance(node, ast.Import):
                imported = {alias.name for alias in node.names}
            else:
                continue
            if imported & engine:
                offenders.append(f"{file.relative_to(root)}:{node.lineno}")
    assert offenders == []
