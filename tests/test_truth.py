"""Truth versus estimate: the true book in the map's shape, the same analyses on both, intervals over seeds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from liqcore import ModelConfig, simulate
from liqcore.analysis import analyse
from liqcore.breakouts import BreakoutConfig
from liqcore.sentiment import SentimentConfig
from liqcore.truth import (
    TRUE_BOOK_NOTE,
    _comparison,
    compare_fakeouts,
    compare_sentiment,
    compare_validation,
    comparison_seeds,
    mean_interval,
    seed_pairs,
    true_heatmap,
)


@pytest.fixture(scope="module")
def pairs():
    return seed_pairs("short_squeeze", ModelConfig(), (1, 2, 3), bars=1500)


def test_true_heatmap_holds_the_simulators_book_at_each_snapshot() -> None:
    sim = simulate("long_cascade", seed=2, bars=800)
    estimated = analyse(sim, snapshots=40).heatmap
    truth = true_heatmap(sim, estimated)
    assert truth.long.shape == estimated.long.shape and (truth.times == estimated.times).all()
    for j in (0, 17, len(truth.times) - 1):
        book = sim.book(truth.times[j], price_edges=estimated.price_edges)
        assert truth.long[j] == pytest.approx(book.long) and truth.short[j] == pytest.approx(book.short)
    realised = sim.market.bars.loc[truth.implied.index]
    assert truth.implied["long_usd"].to_numpy() == pytest.approx(realised["liq_long_usd"].to_numpy())
    assert truth.notes == (TRUE_BOOK_NOTE,)


def test_mean_interval_is_a_t_interval_over_the_finite_seeds() -> None:
    mean, low, high, n = mean_interval([1.0, 2.0, 3.0, math.nan])
    assert (mean, n) == (2.0, 3)
    assert high - mean == pytest.approx(4.303 * 1.0 / math.sqrt(3)) == mean - low  # t(0.975, 2 df) × sd / √n
    assert mean_interval([math.nan])[3] == 0 and math.isnan(mean_interval([5.0])[1])


def test_verdict_says_when_even_the_true_book_has_no_edge(pairs) -> None:
    values = {1: (1.0, -1.0), 2: (-1.0, 0.5), 3: (0.5, 0.0)}  # truth straddles 0
    result = _comparison(
        "x", "metric", " pp", pairs, lambda a: values[_seed_of(pairs, a)][a.heatmap.notes != (TRUE_BOOK_NOTE,)]
    )
    assert result.verdict.startswith("Even the true book shows no clear edge")
    assert list(result.table["map"]) == ["true book", "estimate"] and list(result.table["seeds"]) == [3, 3]
    edge = {1: (5.0, 1.0), 2: (6.0, 2.0), 3: (7.0, 3.0)}
    result = _comparison(
        "x", "metric", " pp", pairs, lambda a: edge[_seed_of(pairs, a)][a.heatmap.notes != (TRUE_BOOK_NOTE,)]
    )
    assert result.verdict.startswith("With a perfect map the reading works")
    assert "keeps about 33 %" in result.verdict  # estimate 2.0 of the truth's 6.0


def _seed_of(pairs, analysis) -> int:
    return next(p.seed for p in pairs if analysis in (p.estimate, p.truth))


def test_the_same_analyses_run_on_both_maps(pairs) -> None:
    validation = compare_validation(pairs)
    truth = validation.table.set_index("map").loc["true book"]
    assert truth["mean"] == pytest.approx(1.0, abs=0.02)  # the true book's liquidations are the true ones
    estimate = validation.table.set_index("map").loc["estimate"]
    assert estimate["mean"] < truth["mean"] and estimate["seeds"] == 3
    for result in (compare_sentiment(pairs, SentimentConfig()), compare_fakeouts(pairs, BreakoutConfig())):
        table = result.table.set_index("map")
        assert set(table.columns) >= {"mean", "low", "high", "seed 1", "seed 2", "seed 3"}
        seeds = table[["seed 1", "seed 2", "seed 3"]].to_numpy(dtype=float)
        finite = np.isfinite(seeds)
        assert (table["seeds"].to_numpy() == finite.sum(axis=1)).all()
        assert "over 3 seeds" in result.verdict
    assert comparison_seeds(7) == (7, 8, 9, 10, 11)
