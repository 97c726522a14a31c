"""Scan benchmark: `python -m liqcore.bench --scan [--symbols 100] [--days 7]`.

Builds a warm archive cache of synthetic symbols (7 days of 5-minute klines + metrics each, as the archive's zips)
in a temporary folder, scans them once (parsing the zips, which keeps each market parsed beside them), then rescans
from that warm cache on a local Dask cluster of 1 and then 2 worker processes, printing wall time, per-symbol task
time and each worker's peak memory (max RSS). No network is touched: every file is in the cache, so this measures
the scan itself (read → estimate → summarise), not downloads.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import tempfile
import zipfile

import numpy as np
import pandas as pd

from liqcore.exchanges import archive


def _zip(name: str, text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr(name, text)
    return buffer.getvalue()


def warm_cache(root: str, symbols: list[str], days: int, today: dt.date) -> None:
    """Write each symbol's klines and metrics for the `days` before `today` into an archive cache at `root`."""
    cache = archive.Cache(root, max_bytes=10**12)
    last = today - dt.timedelta(days=1)
    first = last - dt.timedelta(days=days - 1)
    for n, symbol in enumerate(symbols):
        rng = np.random.default_rng(n)
        level = 10 ** rng.uniform(-1, 4)
        for file in archive.plan(symbol, "5m", first, last, today):
            start = pd.Timestamp(file.first, tz="UTC")
            times = pd.date_range(start, periods=288, freq="5min")
            ms = times.as_unit("ms").asi8
            if file.kind == "klines":
                close = level * np.exp(np.cumsum(rng.normal(0, 0.002, 288)))
                open_ = np.r_[close[0], close[:-1]]
                high, low = np.maximum(open_, close) * 1.001, np.minimum(open_, close) * 0.999
                volume = rng.uniform(100, 1000, 288)
                rows = [
                    f"{t},{o:.6g},{h:.6g},{lo:.6g},{c:.6g},{v:.3f},{t + 299_999},{v * c:.2f},10,{v / 2:.3f},0,0"
                    for t, o, h, lo, c, v in zip(ms, open_, high, low, close, volume, strict=True)
                ]
                text = "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,"
                text += "taker_buy_quote_volume,ignore\n" + "\n".join(rows) + "\n"
            else:
                oi = 1e6 / level * np.exp(np.cumsum(rng.normal(0, 0.003, 288)))
                stamps = (times + pd.Timedelta("5min")).strftime("%Y-%m-%d %H:%M:%S")
                rows = [
                    f"{s},{symbol},{o:.4f},{o * level:.4f},1.1,1.2,1.5,0.9" for s, o in zip(stamps, oi, strict=True)
                ]
                text = "create_time,symbol,sum_open_interest,sum_open_interest_value,count_toptrader_long_short_ratio,"
                text += "sum_toptrader_long_short_ratio,count_long_short_ratio,sum_taker_long_short_vol_ratio\n"
                text += "\n".join(rows) + "\n"
            cache.put(file.path, _zip(file.name.replace(".zip", ".csv"), text))


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(symbols: int, days: int, workers: tuple[int, ...]) -> None:
    from distributed import Client

    from liqcore.scanner import local_cluster, scan

    names = [f"SYN{n:03d}USDT" for n in range(symbols)]
    today = pd.Timestamp.now(tz="UTC").date()
    with tempfile.TemporaryDirectory() as root:
        warm_cache(root, names, days, today)
        print(f"{symbols} symbols × {days} days of 5-minute bars ({days * 288:,} bars each) from a warm local cache")
        print(f"{'scan':<22} {'wall s':>8} {'task s (median)':>16} {'task s (max)':>13} {'peak MB per worker':>20}")
        runs = [(max(workers), "first (parses zips)")] + [(n, "rescan (warm)") for n in workers]
        for count, kind in runs:
            with local_cluster(count) as cluster, Client(cluster) as client:
                result = scan(
                    names, "binance-archive", "5m", f"{days}d", client=client, cache_dir=root,
                    base_url="http://127.0.0.1:9",  # nothing may be downloaded: a miss fails loudly
                )  # fmt: skip
                peaks = sorted(client.run(_peak_rss_mb).values())
            if result.table.empty:
                raise SystemExit(f"Every symbol failed, e.g. {result.errors['error'].iloc[0]}")
            tasks = result.table["seconds"]
            print(
                f"{f'{kind}, {count} worker(s)':<22} {result.elapsed_s:8.1f} "
                f"{tasks.median():16.2f} {tasks.max():13.2f} "
                f"{' / '.join(f'{p:.0f}' for p in peaks):>20}"
            )
            if len(result.errors):
                print(f"  {len(result.errors)} failed, e.g. {result.errors['error'].iloc[0]}")
    print(
        "Wall time includes starting the cluster's worker processes; task time is one symbol's fetch to summary. "
        "The first scan parses the cached zips and keeps each complete market parsed; rescans read those."
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m liqcore.bench --scan")
    parser.add_argument("--symbols", type=int, default=100)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)
    run(args.symbols, args.days, tuple(args.workers))
