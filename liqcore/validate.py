"""Command line: `python -m liqcore.validate FILE...` scores the map against realised liquidations in the files.

The files are loaded exactly as the app loads an upload (several files merge on time); each model preset is estimated
and scored with `liqcore.validation.score`, and the table is printed with sample sizes and a verdict.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from liqcore.config import PRESET_NAMES, ModelConfig
from liqcore.engine import estimate
from liqcore.errors import DataError
from liqcore.loaders import load_csv
from liqcore.validation import has_realised, score


def compare_presets(market, presets: tuple[str, ...] = PRESET_NAMES) -> pd.DataFrame:
    """One row per preset and side: the validation scores on this market."""
    rows = []
    for name in presets:
        report = score(market, estimate(market, ModelConfig.preset(name), columns=2))
        table = report.table().reset_index()
        table.insert(0, "preset", name)
        rows.append(table)
    return pd.concat(rows, ignore_index=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m liqcore.validate", description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", help="CSV files the loader accepts (prices + realised liquidations)")
    args = parser.parse_args(argv)
    try:
        market = load_csv(*args.files)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not has_realised(market):
        print(
            "error: the files have no realised liquidation columns (liq_long_usd / liq_short_usd) to score against",
            file=sys.stderr,
        )
        return 2
    print(
        f"{market.source}: {len(market):,} bars of {market.interval}, {market.start:%Y-%m-%d} → {market.end:%Y-%m-%d}"
    )
    report = score(market, estimate(market, ModelConfig(), columns=2))
    print(
        f"Warm-up excluded: {report.warmup_bars} bars; hybrid fitted on the first {report.train_share:.0%} of the rest."
    )
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.float_format", "{:.3f}".format):
        print(compare_presets(market).to_string(index=False))
    print(report.verdict)
    return 0


if __name__ == "__main__":
    sys.exit(main())
