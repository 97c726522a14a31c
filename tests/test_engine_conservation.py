"""Conservation of the cohort model, bar by bar: opened = live + liquidated + closed + turned over + decayed.

The heatmap does not report closes, turnover and decay, so the test rebuilds them from the rules in DESIGN.md §3 and
the market alone (survival = the share of open interest that remained, turnover c = 1 − (1 − r)^hours of the rest,
reopened at the bar's price, decay = the half-life over the bar's length, same-bar liquidations S_t = the new tiers
whose price the rest of the bar reaches) and checks that the map's live notional follows
``L_t = ((L_{t−1} − (I_t − S_t))·s_t·(1 − c_t) + O_t − S_t)·d_t`` for every bar, where ``I_t`` is the map's own
implied liquidations and ``O_t`` the notional opened (net rise plus reopened turnover). Summing that identity over
the bars is the conservation law of the issue; checking each bar also pins down the consume → close → open → decay
order.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_market
from hypothesis import given, settings
from hypothesis import strategies as st

from liqcore import ModelConfig, estimate
from liqcore.brackets import table_for_symbol
from liqcore.margin import liquidation_price
from liqcore.market import Market


def _config(half_life: float | None, turnover: float, same_bar: bool = True) -> ModelConfig:
    """Typical-price entries, no age limit and a map wide enough to draw every cohort."""
    return ModelConfig(
        same_bar_liquidations=same_bar,
        entry_rule="typical",
        decay_half_life_hours=half_life,
        turnover_per_hour=turnover,
        max_age_hours=None,
        price_margin=0.95,
        max_bins=60,
    )


def _ledger(market: Market, half_life: float | None, turnover: float, same_bar: bool) -> dict[str, np.ndarray]:
    """Per bar: notional opened (both sides), pro-rata survival, turnover share and decay, from the market alone."""
    bars = market.bars
    oi = bars["open_interest"].to_numpy()
    typical = (bars["high"] + bars["low"] + bars["close"]).to_numpy() / 3
    hours = market.interval / np.timedelta64(1, "h")
    churn = np.zeros(len(oi))
    churn[1:] = 1 - (1 - turnover) ** hours
    previous = np.concatenate(([np.nan], oi[:-1]))
    rise = np.nan_to_num(np.clip(oi - previous, 0, None))
    reopened = churn * np.nan_to_num(np.minimum(oi, previous))
    survive = np.ones(len(oi))
    survive[1:] = np.clip(oi[1:] / oi[:-1], 1e-9, 1.0)
    decay = np.full(len(oi), 0.5 ** (hours / half_life) if half_life else 1.0)
    opened_side = (rise + reopened) * typical
    return {
        "opened": 2 * opened_side,
        "same_bar": _same_bar(market, typical, opened_side) if same_bar else np.zeros(len(oi)),
        "survive": survive,
        "churn": churn,
        "decay": decay,
    }


def _same_bar(market: Market, typical: np.ndarray, opened_side: np.ndarray) -> np.ndarray:
    """Notional liquidated in the bar it opened in: a bar closing up reaches its high after the entries (shorts) and
    its close after its high (longs); closing down, its low after the entries and its close after the low."""
    config, bars = _config(None, 0.0), market.bars
    mmr = table_for_symbol(market.symbol).brackets[0].mmr
    up = (bars["close"] >= bars["open"]).to_numpy()
    flush = np.where(up, bars["close"], bars["low"])
    squeeze = np.where(up, bars["high"], bars["close"])
    weights = np.asarray(config.long_weights) / sum(config.long_weights)  # no taker data: no lean, both sides alike
    total = np.zeros(len(bars))
    for leverage, weight in zip(config.leverage_tiers, weights, strict=True):
        total += weight * opened_side * (liquidation_price(typical, leverage, "long", mmr) >= flush)
        total += weight * opened_side * (liquidation_price(typical, leverage, "short", mmr) <= squeeze)
    return total


def _check_bar_by_bar(
    market: Market, half_life: float | None, turnover: float, engine: str, same_bar: bool = True
) -> tuple[float, float]:
    """Check the per-bar identity and the conservation sum; return the notional turned over and liquidated in the
    bar it opened in."""
    hm = estimate(market, _config(half_life, turnover, same_bar), engine=engine)
    live = hm.long.sum(axis=1) + hm.short.sum(axis=1)
    implied = hm.implied.sum(axis=1).to_numpy()
    ledger = _ledger(market, half_life, turnover, same_bar)
    opened, survive, churn, decay = ledger["opened"], ledger["survive"], ledger["churn"], ledger["decay"]
    same = ledger["same_bar"]
    before = np.concatenate(([0.0], live[:-1]))
    kept = (before - (implied - same)) * survive * (1 - churn)
    expected = (kept + opened - same) * decay
    scale = np.maximum.accumulate(np.cumsum(opened)) + 1.0
    np.testing.assert_allclose(live / scale, expected / scale, rtol=0, atol=1e-9)

    closed = (before - (implied - same)) * (1 - survive)
    turned_over = (before - (implied - same)) * survive * churn
    decayed = (kept + opened - same) * (1 - decay)
    total = live[-1] + implied.sum() + closed.sum() + turned_over.sum() + decayed.sum()
    assert total == pytest.approx(opened.sum(), rel=1e-9)
    return float(turned_over.sum()), float(same.sum())


@pytest.mark.parametrize("engine", ["fast", "reference"])
@pytest.mark.parametrize("same_bar", [True, False])
@pytest.mark.parametrize("half_life, turnover", [(None, 0.0), (0.5, 0.0), (None, 0.2), (6.0, 0.05)])
def test_opened_equals_live_liquidated_closed_turned_over_and_decayed(
    engine: str, half_life: float | None, turnover: float, same_bar: bool
) -> None:
    rng = np.random.default_rng(11)
    closes = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, 240)))
    oi = 1_000 * np.exp(np.cumsum(rng.normal(0, 0.04, 240)))
    market = make_market(closes, oi, spread=0.01)
    turned_over, same = _check_bar_by_bar(market, half_life, turnover, engine, same_bar)
    assert (turned_over > 0) == (turnover > 0)
    assert (same > 0) == same_bar  # 2 % bars reach the 125x and 50x prices of their own entries


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 80),
    move=st.sampled_from([0.002, 0.02, 0.08]),
    half_life=st.one_of(st.none(), st.floats(0.2, 50)),
    turnover=st.one_of(st.just(0.0), st.floats(0.001, 0.9)),
    same_bar=st.booleans(),
)
def test_conservation_holds_on_random_markets(
    seed: int, n: int, move: float, half_life: float | None, turnover: float, same_bar: bool
) -> None:
    rng = np.random.default_rng(seed)
    closes = 100 * np.exp(np.cumsum(rng.normal(0, move, n)))
    oi = 500 * np.exp(np.cumsum(rng.normal(0, 0.1, n)))
    _check_bar_by_bar(make_market(closes, oi, spread=move), half_life, turnover, "fast", same_bar)
