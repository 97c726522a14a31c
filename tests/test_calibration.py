"""lc.calibrate: walk-forward choice of turnover, entry width and leverage shape, scored on later blocks only."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import make_market

import liqcore as lc
from liqcore.calibration import calibrate


def _market_whose_liquidations_follow(config: lc.ModelConfig) -> lc.Market:
    """Realised liquidations = what `config` implies (plus noise): calibration should find its assumptions."""
    rng = np.random.default_rng(3)
    n = 900
    closes = 100 * np.exp(np.cumsum(rng.normal(0, 0.004, n)))
    oi = 1_000 * np.exp(np.cumsum(rng.normal(0, 0.01, n)))
    market = make_market(closes, oi, spread=0.003, interval="30min")
    implied = lc.estimate(market, config, columns=2).implied
    bars = market.bars.copy()
    noise = np.exp(rng.normal(0, 0.1, (n, 2)))
    bars["liq_long_usd"] = implied["long_usd"].to_numpy() * noise[:, 0]
    bars["liq_short_usd"] = implied["short_usd"].to_numpy() * noise[:, 1]
    return lc.Market(bars, "BTCUSDT")


def test_calibration_recovers_the_assumptions_that_made_the_data_and_scores_out_of_sample() -> None:
    truth = lc.ModelConfig().with_changes(turnover_per_hour=0.1, entry_width=1.0)
    market = _market_whose_liquidations_follow(truth)
    base = lc.ModelConfig(turnover_per_hour=0.0)
    seen: list[float] = []
    cal = calibrate(market, base, blocks=3, progress=lambda share, _text: seen.append(share))
    assert cal.fitted["turnover_per_hour"] == 0.1 and cal.fitted["entry_width"] == 1.0
    assert cal.config.turnover_per_hour == 0.1
    assert len(cal.blocks) == 3 and (cal.blocks["start"].diff().dropna() > pd.Timedelta(0)).all()
    assert cal.calibrated_partial > cal.preset_partial
    assert "helps out of sample" in cal.verdict and f"{cal.blocks['bars'].sum():,} bars" in cal.verdict
    assert seen[-1] == 1.0 and seen == sorted(seen)
    again = calibrate(market, base, blocks=3)
    assert again.config == cal.config and again.blocks.equals(cal.blocks)  # deterministic


def test_without_realised_liquidations_calibration_says_what_file_is_needed() -> None:
    market = make_market(np.linspace(100, 110, 300), np.linspace(1, 2, 300))
    with pytest.raises(lc.DataError, match="no realised liquidations"):
        calibrate(market)


def test_calibration_scores_coarser_realised_totals_on_their_own_periods() -> None:
    # 30-minute totals merged onto 5-minute candles sit on the first bar of each period with zeros between: blocks
    # are counted and dated in whole 30-minute periods, never bar by bar against those zeros.
    rng = np.random.default_rng(4)
    n = 6 * 200
    market = make_market(
        100 * np.exp(np.cumsum(rng.normal(0, 0.002, n))),
        1_000 * np.exp(np.cumsum(rng.normal(0, 0.004, n))),
        spread=0.002,
    )
    implied = lc.estimate(market, lc.ModelConfig(), columns=2).implied.to_numpy()
    bars = market.bars.copy()
    periods = implied.reshape(-1, 6, 2).sum(axis=1) * np.exp(rng.normal(0, 0.1, (n // 6, 2))) + 1.0
    bars["liq_long_usd"], bars["liq_short_usd"] = 0.0, 0.0
    bars.iloc[::6, bars.columns.get_loc("liq_long_usd")] = periods[:, 0]
    bars.iloc[::6, bars.columns.get_loc("liq_short_usd")] = periods[:, 1]
    cal = calibrate(lc.Market(bars, "BTCUSDT"), blocks=3)
    assert (cal.blocks["start"].dt.minute % 30 == 0).all() and (cal.blocks["end"].dt.minute % 30 == 0).all()
    assert cal.blocks["bars"].sum() < n // 6 and "30m periods" in cal.verdict
