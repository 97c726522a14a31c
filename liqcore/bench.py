"""Speed benchmark: `python -m liqcore.bench` prints a table of fast vs reference timings.

`python -m liqcore.bench --pages` times each page's analysis at 100k and 525k bars instead (`liqcore.page_bench`);
`python -m liqcore.bench --scan` times a 100-symbol scan on 1 and 2 Dask workers (`liqcore.scan_bench`).
`python -m liqcore.bench --versus DIR` times the 1-year case against another copy of liqcore, alternately, in CPU
seconds (`liqcore.bench_versus`).

Cases: a 50,000-bar market timed on both implementations, and a year of 1-minute bars (525,600) at 400 bins and 600
columns on the fast engine, plus the default simulator scenario. Markets are seeded random walks with open
interest, made here so the benchmark needs no data files. Times are medians of three runs (the reference runs
once); peak memory is measured with tracemalloc.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
import pandas as pd

from liqcore.config import ModelConfig
from liqcore.engine import estimate
from liqcore.market import Market
from liqcore.simulator import simulate


def synthetic_market(bars: int, interval: str = "1min", seed: int = 1) -> Market:
    """A seeded random-walk market with volume, taker flow and open interest."""
    rng = np.random.default_rng(seed)
    step = pd.Timedelta(interval)
    vol = 0.0008 * np.sqrt(step / pd.Timedelta("1min"))
    close = 60_000 * np.exp(np.cumsum(rng.normal(0, vol, bars)))
    open_ = np.concatenate(([close[0]], close[:-1]))
    high = np.maximum(open_, close) * (1 + np.abs(rng.normal(0, vol / 2, bars)))
    low = np.minimum(open_, close) * (1 - np.abs(rng.normal(0, vol / 2, bars)))
    volume = rng.uniform(100, 1_000, bars)
    frame = pd.DataFrame(
        {
            "open": open_,
            "high": high,
            "low": low,
            "close": close,
            "volume": volume,
            "quote_volume": volume * close,
            "taker_buy_volume": volume * rng.uniform(0.3, 0.7, bars),
            "open_interest": 100_000 * np.exp(np.cumsum(rng.normal(0, 0.002, bars))),
        },
        index=pd.date_range("2025-01-01", periods=bars, freq=step, tz="UTC"),
    )
    return Market(frame, "BTCUSDT", source="synthetic benchmark market")


def _timed(run: Callable[[], object], repeats: int = 3) -> tuple[float, float]:
    """Median seconds of `repeats` untraced calls (a shared machine's noise moves single runs by ±20 %), then peak
    traced memory (MB) of one more call (tracing slows it down)."""
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - start)
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return float(np.median(seconds)), peak


def _config_with_bins(market: Market, bins: int) -> ModelConfig:
    """A balanced config whose fixed bin size gives about `bins` bins over the market's range."""
    base = ModelConfig()
    low = float(market.bars["low"].min()) * (1 - base.price_margin)
    high = float(market.bars["high"].max()) * (1 + base.price_margin)
    return base.with_changes(bin_size=(high - low) / bins, max_bins=bins)


def main(argv: list[str] | None = None) -> None:
    """The engine table; `--pages [options]` runs the per-page analysis benchmark (`liqcore.page_bench`) instead."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--pages"]:
        from liqcore.page_bench import main as pages_main  # it imports this module: deferred to avoid a cycle

        pages_main(argv[1:])
        return
    if argv[:1] == ["--versus"]:
        from liqcore.bench_versus import main as versus_main  # it imports this module: deferred to avoid a cycle

        versus_main(argv[1:])
        return
    if argv[:1] == ["--scan"]:
        from liqcore.scan_bench import main as scan_main

        scan_main(argv[1:])
        return
    rows = []
    medium = synthetic_market(50_000, "5min")
    cfg = _config_with_bins(medium, 400)
    estimate(medium, cfg, columns=600)  # warm caches and page in memory once
    fast, fast_mem = _timed(lambda: estimate(medium, cfg, columns=600))
    start = time.perf_counter()
    estimate(medium, cfg, columns=600, engine="reference")
    ref = time.perf_counter() - start
    rows.append(("50,000 × 5m", 50_000, 400, 600, fast, ref, fast_mem))

    year = synthetic_market(525_600, "1min")
    cfg = _config_with_bins(year, 400)
    fast, fast_mem = _timed(lambda: estimate(year, cfg, columns=600))
    rows.append(("1 year × 1m", 525_600, 400, 600, fast, None, fast_mem))

    print(f"{'case':<14} {'bars':>9} {'bins':>5} {'cols':>5} {'fast s':>8} {'ref s':>8} {'ratio':>7} {'peak MB':>8}")
    for name, bars, bins, cols, fast_s, ref_s, mem in rows:
        ref_text = f"{ref_s:8.2f}" if ref_s is not None else f"{'—':>8}"
        ratio = f"{ref_s / fast_s:6.0f}×" if ref_s is not None else f"{'—':>7}"
        print(f"{name:<14} {bars:>9,} {bins:>5} {cols:>5} {fast_s:8.2f} {ref_text} {ratio} {mem:8.0f}")

    simulate("range", seed=0)
    seconds, mem = _timed(lambda: simulate("range", seed=0))
    print(f"simulate('range'), default length: {seconds:.2f} s, peak {mem:.0f} MB")
    print("fast and simulate: median of 3 runs; reference: one run.")


if __name__ == "__main__":
    main()
