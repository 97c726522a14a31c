"""Command line scanner: rank many perpetuals by estimated liquidation fuel near price, on Dask.

    python -m liqcore.scan --source binance-archive --symbols top50 --interval 5m --span 7d
    python -m liqcore.scan --symbols BTCUSDT,ETHUSDT --scheduler tcp://10.0.0.5:8786 --csv scan.csv

Prints the ranking, writes it as CSV (default ``scan-<source>-<interval>-<date>.csv``) and shows a progress bar on
standard error. Without --scheduler (or LIQCORE_DASK_SCHEDULER) a local cluster with one worker per core runs it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from liqcore.exchanges.venues import ALL, VENUES
from liqcore.scanner import ARCHIVE, SCHEDULER_ENV, ScanResult, scan
from liqcore.symbols import PRESETS, parse_symbols, top_symbols

COLUMNS = {
    "rank": "#",
    "symbol": "symbol",
    "price": "price",
    "reading": "reading",
    "balance": "balance",
    "long_cluster": "long cluster below",
    "long_distance_pct": "dist %",
    "short_cluster": "short cluster above",
    "short_distance_pct": "dist %.",
    "fuel_usd": "fuel USD (est.)",
    "fuel_to_volume": "fuel / day vol",
    "coverage": "coverage",
}


def symbol_list(text: str, live_ranking: bool = False) -> tuple[tuple[str, ...], str]:
    """A preset (top20, top50) or a comma/space separated list, and where it came from."""
    key = text.strip().lower().replace("-", "")
    if key in PRESETS:
        return top_symbols(PRESETS[key], live=live_ranking)
    symbols = parse_symbols(text)
    return symbols, f"{len(symbols)} symbols given"


def progress_bar(done: int, total: int, symbol: str, width: int = 30) -> None:
    filled = int(width * done / total)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {symbol:<14}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def table_text(result: ScanResult) -> str:
    """The ranking as aligned text for a terminal."""
    if result.table.empty:
        return "No symbol could be scanned."
    shown = result.table[list(COLUMNS)].rename(columns=COLUMNS)
    formats = {
        "price": "{:,.6g}".format,
        "balance": "{:+.2f}".format,
        "dist %": "{:+.1f}".format,
        "dist %.": "{:+.1f}".format,
        "fuel USD (est.)": lambda v: f"{v:,.0f}",
        "fuel / day vol": "{:.2%}".format,
        "coverage": "{:.0%}".format,
    }
    return shown.to_string(index=False, formatters=formats, na_rep="—")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m liqcore.scan", description=__doc__.split("\n\n")[0])
    sources = [ARCHIVE, *(n for n, v in VENUES.items() if v.live), ALL]
    parser.add_argument("--source", default=ARCHIVE, choices=sources)
    parser.add_argument("--symbols", default="top20", help="top20, top50, or a list such as BTCUSDT,ETHUSDT")
    parser.add_argument("--live-ranking", action="store_true", help="rank top-N by Binance's live 24h volume")
    parser.add_argument("--interval", default="5m")
    parser.add_argument("--span", "--lookback", dest="span", default="7d", help="fetch span per symbol, e.g. 7d")
    parser.add_argument("--scheduler", help=f"Dask scheduler address (default: ${SCHEDULER_ENV}, else local)")
    parser.add_argument("--workers", type=int, help="local cluster size (default: one per core)")
    parser.add_argument("--reach", type=float, default=3.0, help="fuel within this %% of price (default 3)")
    parser.add_argument("--csv", type=Path, help="where to write the ranking")
    args = parser.parse_args(argv)
    try:
        symbols, origin = symbol_list(args.symbols, args.live_ranking)
    except ValueError as exc:
        parser.error(str(exc))
    print(
        f"Scanning {len(symbols)} symbols ({origin}) from {args.source}, {args.interval} bars, {args.span} fetch span."
    )
    result = scan(
        symbols, args.source, args.interval, args.span,
        scheduler=args.scheduler, workers=args.workers, on_progress=progress_bar, reach_pct=args.reach,
    )  # fmt: skip
    print(table_text(result))
    for row in result.errors.itertuples():
        print(f"  {row.symbol}: {row.error}", file=sys.stderr)
    print(result.summary())
    path = args.csv or Path(f"scan-{args.source}-{args.interval}-{pd.Timestamp.now(tz='UTC'):%Y%m%d-%H%M}.csv")
    result.table.drop(columns=["spark"], errors="ignore").to_csv(path, index=False)
    print(f"Ranking written to {path}")
    return 0 if len(result.table) else 1


if __name__ == "__main__":
    raise SystemExit(main())
