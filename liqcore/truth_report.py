"""Truth versus estimate for every scenario and reading, as the analysis pages show it, in one table.

`python -m liqcore.truth_report` runs `liqcore.truth`'s four comparisons with the pages' default settings (sentiment,
volatility, fakeout scanner, validation; the balanced preset) on seeds 7–11 (the sidebar's default seed and the next
four) of each scenario, and prints one row per scenario, reading and map: seeds, mean, 95 % interval, then each
comparison's verdict. `--seed S` starts at another seed; `--scenario NAME` runs one scenario. Several minutes on a
busy 2-core machine (five two-week simulations and ten maps per scenario).
"""

from __future__ import annotations

import argparse
import math
import sys
import time

import pandas as pd

from liqcore.breakouts import BreakoutConfig
from liqcore.config import ModelConfig
from liqcore.sentiment import SentimentConfig
from liqcore.simulator import SCENARIOS
from liqcore.truth import (
    Comparison,
    SeedPair,
    compare_fakeouts,
    compare_sentiment,
    compare_validation,
    compare_volatility,
    comparison_seeds,
    seed_pairs,
)
from liqcore.volatility import VolatilityConfig

DEFAULT_SEED = 7  # the sidebar's


def page_comparisons(pairs: list[SeedPair]) -> list[Comparison]:
    """The four comparisons with each page's default settings (the volatility page trains on at most a third of
    the bars, as `pages/volatility.py` does)."""
    bars = len(pairs[0].market)
    return [
        compare_sentiment(pairs, SentimentConfig()),
        compare_volatility(pairs, VolatilityConfig(min_train=min(300, bars // 3))),
        compare_fakeouts(pairs, BreakoutConfig()),
        compare_validation(pairs),
    ]


def _number(value: float, unit: str) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:+.2f}{unit}"


def report(scenarios: tuple[str, ...], seed: int, out=sys.stdout) -> pd.DataFrame:
    """Run every comparison on `scenarios` (seeds from `seed`), print the table and verdicts, return the table."""
    seeds = comparison_seeds(seed)
    config = ModelConfig.preset("balanced")
    rows, verdicts = [], []
    for scenario in scenarios:
        started = time.perf_counter()
        pairs = seed_pairs(scenario, config, seeds)
        for comparison in page_comparisons(pairs):
            for row in comparison.table.itertuples():
                rows.append(
                    {
                        "scenario": scenario,
                        "reading": comparison.reading,
                        "map": row.map,
                        "seeds": row.seeds,
                        "mean": _number(row.mean, comparison.unit),
                        "95 % interval": f"{_number(row.low, '')} to {_number(row.high, '')}",
                    }
                )
            verdicts.append(f"{scenario} · {comparison.reading}: {comparison.verdict}")
        print(f"{scenario}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    table = pd.DataFrame(rows)
    print(f"Seeds {seeds[0]}–{seeds[-1]}, balanced preset, each page's default settings.\n", file=out)
    print(table.to_string(index=False), file=out)
    print("", *verdicts, sep="\n", file=out)
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="first seed (default: the sidebar's, 7)")
    parser.add_argument("--scenario", choices=SCENARIOS, help="one scenario (default: all)")
    args = parser.parse_args(argv)
    report((args.scenario,) if args.scenario else tuple(SCENARIOS), args.seed)


if __name__ == "__main__":
    main()
