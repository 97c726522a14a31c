"""Command line: `python -m liqcore.validate FILE... [--window 7d] [--preset NAME] [--held-out] [--events FILE]`
scores the map against realised liquidations in the files.

`--held-out` prints every preset scored on the second half of the bars only (the presets were fitted on the first
half of the team's CoinGlass file); with `--map-candles FINE...` it also maps finer candles of the same market (e.g.
Binance 5-minute klines with open interest) and scores their implied liquidations summed onto the realised file's
bars, so the map sees the bounces inside each coarse bar. `--events FILE` scores WHERE the map puts liquidations
against liquidation events (Binance forceOrder, Bybit, OKX or generic files; the price FILEs then need no realised
columns), and `--burn-in 6h` shortens the hours with events that only start the distance baseline (24 by default; a
recording of a few hours needs fewer).

The files are loaded exactly as the app loads an upload (several files merge on time) and mapped by
`liqcore.analyse` with the same window and warm-up as the app, so the scores printed here are the ones the
Validation page shows for the same data and settings; every preset is then scored the same way, side by side.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from liqcore.analysis import Analysis, analyse
from liqcore.config import PRESET_NAMES, ModelConfig
from liqcore.durations import parse_duration
from liqcore.engine import estimate
from liqcore.errors import DataError
from liqcore.loaders import load_csv
from liqcore.loaders.events import load_liquidations
from liqcore.market import Market
from liqcore.validation import BURN_IN_HOURS, has_realised, held_out_implied, implied_on_bars, validate
from liqcore.where import score_span


def compare_presets(analysis: Analysis, presets: tuple[str, ...] = PRESET_NAMES) -> pd.DataFrame:
    """One row per preset and side: the validation scores of the same data and window under each preset."""
    rows = []
    for name in presets:
        preset = ModelConfig.preset(name)
        other = analysis if preset == analysis.config else analysis.with_config(preset)  # no second estimate
        table = validate(other).table.reset_index()
        table.insert(0, "preset", name)
        rows.append(table)
    return pd.concat(rows, ignore_index=True)


def burn_in_hours(text: str) -> int:
    """`--burn-in`: whole hours, written as a number ("6") or a duration ("6h", "1d")."""
    text = text.strip()
    try:
        hours = int(text) if text.isdigit() else parse_duration(text) / pd.Timedelta(hours=1)
    except DataError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if hours != int(hours):
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of hours. Write it like 6, 6h or 1d.")
    return int(hours)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m liqcore.validate", description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", help="CSV files the loader accepts (prices + realised liquidations)")
    parser.add_argument("--window", default=None, help="latest span to score, e.g. 3d or 12h (default: all of it)")
    parser.add_argument("--preset", default="balanced", choices=PRESET_NAMES, help="model preset scored first")
    parser.add_argument("--held-out", action="store_true", help="score every preset on the second half only")
    parser.add_argument(
        "--map-candles",
        nargs="+",
        default=None,
        metavar="FINE",
        help="with --held-out: finer candles of the same market to build the map on (implied summed onto the bars)",
    )
    parser.add_argument("--events", nargs="+", default=None, help="liquidation-event files for the WHERE score")
    parser.add_argument(
        "--burn-in",
        type=burn_in_hours,
        default=BURN_IN_HOURS,
        metavar="HOURS",
        help=f"WHERE: hours with events that only start the distance baseline, e.g. 6 or 6h (default {BURN_IN_HOURS})",
    )
    args = parser.parse_args(argv)
    if args.map_candles and not args.held_out:
        parser.error("--map-candles scores the held-out half: add --held-out")
    if args.events:
        return _where(args)
    try:
        market = load_csv(*args.files)
        if not has_realised(market):
            raise DataError(
                "the files have no realised liquidation columns (liq_long_usd / liq_short_usd) to score against"
            )
        analysis = analyse(market, ModelConfig.preset(args.preset), args.window)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    shown = analysis.market
    print(f"{shown.source}: {len(shown):,} bars of {shown.interval}, {shown.start:%Y-%m-%d} → {shown.end:%Y-%m-%d}")
    report = validate(analysis)
    print(
        f"Warm-up excluded: {report.warmup_bars} bars; hybrid fitted on the first {report.train_share:.0%} of the rest."
    )
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.float_format", "{:.3f}".format):
        print(f"{args.preset}:")
        print(report.table.to_string())
        print(compare_presets(analysis).to_string(index=False))
    print(report.verdict)
    if args.held_out:
        cut = market.bars.index[len(market) // 2]
        print(f"Held out: bars from {cut:%Y-%m-%d %H:%M} on (the presets' fit span ends there).")
        for name in PRESET_NAMES:
            with pd.option_context("display.width", 160, "display.float_format", "{:.3f}".format):
                print(f"{name}:")
                print(analyse(market, ModelConfig.preset(name), snapshots=2).held_out().to_string())
        if args.map_candles:
            try:
                fine = load_csv(*args.map_candles)
            except DataError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            _fine_held_out(market, fine)
    return 0


def _fine_held_out(market: Market, fine: Market) -> None:
    """Every preset mapped on the finer candles, implied summed onto the realised bars, scored on the held-out half."""
    print(
        f"Map on finer candles: {fine.source}, {len(fine):,} bars of {fine.interval}, {fine.start:%Y-%m-%d %H:%M} → "
        f"{fine.end:%Y-%m-%d %H:%M}; implied summed onto the {market.interval} bars; only bars the finer candles "
        "wholly cover after their one-day warm-up are scored (the fit span's part of them fits the hybrid)."
    )
    for name in PRESET_NAMES:
        heatmap = estimate(fine, ModelConfig.preset(name), columns=2)
        table = held_out_implied(market, implied_on_bars(fine, heatmap, market))
        with pd.option_context("display.width", 160, "display.float_format", "{:.3f}".format):
            print(f"{name} (finer candles):")
            print(table.to_string())


def _where(args: argparse.Namespace) -> int:
    """The WHERE score of the chosen preset on the events' span (`liqcore.where`: the page's pipeline)."""
    try:
        events = load_liquidations(*args.events)
        result = score_span(load_csv(*args.files), ModelConfig.preset(args.preset), events, args.burn_in).score
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("\n".join(events.notes))
    print(
        f"{args.preset}: {result.hours:,} hours, {result.events:,} events, ${result.usd:,.0f} scored "
        f"(±{result.window:.0%} of price; first {result.burn_in_hours} hours with events start the distance baseline)"
    )
    with pd.option_context("display.width", 160, "display.float_format", "{:.3f}".format):
        print(result.table().to_string())
    print(result.verdict)
    return 0


if __name__ == "__main__":
    sys.exit(main())
