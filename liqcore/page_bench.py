"""Per-page analysis benchmark: `python -m liqcore.bench --pages` times what each page computes on big data.

The market is the benchmark's seeded random walk (`liqcore.bench.synthetic_market`: 1-minute bars with volume, taker
flow and open interest) plus synthetic realised liquidations so the validation page has something to score; the
map is `liqcore.analyse` with window "all", as the app builds it (300 snapshot columns). Each page's analysis is
what the page computes on its first load with default controls — charts excluded (the render side measures those).

Times are medians of `repeats` runs after one warm-up run, as wall-clock seconds and as CPU seconds of this process:
on a shared machine the wall clock also counts the time others held the cores, CPU time mostly does not. Peak
memory (MB) is tracemalloc's peak of one more run (numpy reports its buffers to it).
"""

from __future__ import annotations

import argparse
import signal
import time
import tracemalloc
from collections.abc import Callable

import numpy as np

from liqcore.analysis import SNAPSHOTS_IN_WINDOW, Analysis, analyse
from liqcore.bench import synthetic_market
from liqcore.breakouts import scan
from liqcore.config import ModelConfig
from liqcore.market import Market
from liqcore.plan import replay, score_plan
from liqcore.profile import find_clusters
from liqcore.sentiment import SentimentConfig, read
from liqcore.validate import compare_presets
from liqcore.validation import validate
from liqcore.volatility import VolatilityConfig, forecast
from liqcore.walkthrough import build_lesson, starting_plan

SNAPSHOTS = SNAPSHOTS_IN_WINDOW  # what the app draws for the whole data
SIZES = (100_000, 525_600)


def bench_market(bars: int, seed: int = 1) -> Market:
    """The benchmark random walk with realised liquidations: a share of open interest scaled by each bar's
    excursion (longs by open→low, shorts by open→high), so validation has a non-trivial target."""
    market = synthetic_market(bars, "1min", seed)
    frame = market.bars.copy()
    rng = np.random.default_rng(seed + 1)
    oi_usd = frame["open_interest"] * frame["close"]
    down = (frame["open"] - frame["low"]) / frame["open"]
    up = (frame["high"] - frame["open"]) / frame["open"]
    frame["liq_long_usd"] = oi_usd * down * rng.exponential(0.05, bars)
    frame["liq_short_usd"] = oi_usd * up * rng.exponential(0.05, bars)
    return Market(frame, market.symbol, market.interval, "synthetic benchmark market with synthetic liquidations")


def bench_analysis(market: Market) -> Analysis:
    """The map as the app builds it for the whole data (`liqcore.analyse`, window "all")."""
    return analyse(market, ModelConfig(), snapshots=SNAPSHOTS, label="benchmark")


def _volatility(analysis: Analysis) -> object:
    config = VolatilityConfig(horizon=12, reach_atr=3.0, min_train=min(300, len(analysis.market) // 3))
    return forecast(analysis, config)


def _sentiment(analysis: Analysis) -> object:
    return read(analysis, SentimentConfig())


def _breakouts(analysis: Analysis) -> object:
    return scan(analysis)


def _walkthrough(analysis: Analysis) -> object:
    lesson = build_lesson(analysis)  # the breakout scan runs inside, once
    plan = starting_plan(lesson, lesson.side, analysis.market.symbol)
    score_plan(plan, lesson.profile)
    return replay(plan, lesson.after)


def _validation(analysis: Analysis) -> object:
    return validate(analysis)


def _presets(analysis: Analysis) -> object:
    return compare_presets(analysis)


def _profile(analysis: Analysis) -> object:
    return find_clusters(analysis.heatmap.profile())


def _map(analysis: Analysis) -> object:
    return bench_analysis(analysis.market)


PAGES: dict[str, Callable[[Analysis], object]] = {
    "map (analyse, 300 columns)": _map,
    "heatmap: profile + clusters": _profile,
    "heatmap: fakeout scanner": _breakouts,
    "sentiment: balance + history check": _sentiment,
    "volatility: forecast": _volatility,
    "walkthrough: lesson + scan + plan": _walkthrough,
    "validation: score": _validation,
    "validation: every preset (on request)": _presets,
}


def _timed(run: Callable[[], object], repeats: int, memory: bool) -> tuple[float, float, float]:
    """Median wall and CPU seconds of `repeats` calls, and the traced peak MB of one more (nan unless `memory`)."""
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    peak = float("nan")
    if memory:
        tracemalloc.start()
        run()
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return float(np.median(wall)), float(np.median(cpu)), peak


class _OverLimit(Exception):
    pass


def _stop(signum: int, frame: object) -> None:
    raise _OverLimit


def run(sizes: tuple[int, ...], repeats: int, only: str | None, memory: bool, limit: float) -> None:
    """Print one row per (page, size): median seconds over `repeats`, and peak traced MB.

    A case whose warm-up run takes longer than `limit` seconds is stopped there and reported as "> limit" (how long
    the slow code took before it was made fast; no point in repeating it).
    """
    print(f"{'page analysis':<38} {'bars':>9} {'wall s':>8} {'CPU s':>8} {'runs':>5} {'peak MB':>8}")
    for bars in sizes:
        analysis = bench_analysis(bench_market(bars))
        for name, page in PAGES.items():
            if only and only not in name:
                continue
            signal.signal(signal.SIGALRM, _stop)
            signal.setitimer(signal.ITIMER_REAL, limit)
            start, start_cpu = time.perf_counter(), time.process_time()
            try:
                page(analysis)  # warm-up: imports, caches, page faults
            except _OverLimit:
                cpu = time.process_time() - start_cpu
                print(
                    f"{name:<38} {bars:>9,} {'> ' + format(limit, '.0f'):>8} {'> ' + format(cpu, '.0f'):>8}", flush=True
                )
                continue
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            if repeats == 0:  # the warm-up run is the measurement
                wall, cpu, peak = time.perf_counter() - start, time.process_time() - start_cpu, float("nan")
            else:
                wall, cpu, peak = _timed(lambda page=page, analysis=analysis: page(analysis), repeats, memory)
            peak_text = f"{peak:8.0f}" if np.isfinite(peak) else f"{'—':>8}"
            print(f"{name:<38} {bars:>9,} {wall:8.2f} {cpu:8.2f} {max(repeats, 1):>5} {peak_text}", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m liqcore.bench --pages", description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, nargs="+", default=list(SIZES), help="market sizes (1-minute bars)")
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="timed runs per case after a warm-up (median reported); 0 times the first run",
    )
    parser.add_argument("--only", help="run only pages whose name contains this text")
    parser.add_argument("--no-memory", action="store_true", help="skip the traced run (tracemalloc slows it)")
    parser.add_argument("--limit", type=float, default=600.0, help="stop a case whose first run exceeds this (s)")
    args = parser.parse_args(argv)
    run(tuple(args.bars), args.repeats, args.only, not args.no_memory, args.limit)
