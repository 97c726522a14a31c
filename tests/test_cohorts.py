"""The cohort preparation's own steps (`liqcore.cohorts`), on small hand-made markets."""

from __future__ import annotations

import numpy as np
from conftest import make_market

from liqcore import ModelConfig
from liqcore.brackets import TABLES
from liqcore.cohorts import maintenance_rate, prepare


def test_maintenance_note_names_the_table_the_config_chose_not_the_symbols_own() -> None:
    market = make_market(np.full(10, 100.0), np.full(10, 1_000.0), symbol="BTCUSDT")
    bybit = TABLES["bybit_tier1"]
    mmr, note = maintenance_rate(market, ModelConfig(brackets="bybit_tier1"))
    assert mmr == bybit.brackets[0].mmr
    assert bybit.name in note and TABLES["binance_btcusdt"].name not in note


def test_prepared_inputs_carry_the_tiers_their_liquidation_prices_were_built_for() -> None:
    market = make_market(np.linspace(100.0, 110.0, 12), np.linspace(1_000.0, 2_000.0, 12))
    inputs = prepare(market, ModelConfig(leverage_tiers=(5.0, 50.0), long_weights=(1, 1), short_weights=(1, 1)))
    assert inputs.tiers == (5.0, 50.0)
    assert inputs.long_liq.shape[2] == len(inputs.tiers)
