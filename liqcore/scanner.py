"""The scanner: the same liquidation summary for many symbols, one Dask task per symbol, ranked by fuel near price.

A trader's quick question is "which coins have liquidation fuel close to price right now?". Each symbol is one task
(fetch or load from the archive cache → estimate → summarise) on a `dask.distributed` cluster: a local one sized to
the machine by default, or an existing cluster by scheduler address (argument, or the LIQCORE_DASK_SCHEDULER
environment variable), so the same code scales out to many machines. A symbol that fails is a row in `errors`, never
the end of the scan.

Ranking: fuel within reach (estimated long notional within `reach_pct` below price plus short notional within it
above) divided by the symbol's average daily traded volume in USD, so an illiquid coin with a little open interest
does not top the list on raw ratios of tiny numbers. Every number is a model estimate.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import pickle
import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from liqcore.analysis import analyse
from liqcore.config import ModelConfig
from liqcore.errors import DataError, FetchError
from liqcore.exchanges import fetch_market
from liqcore.exchanges.archive_cache import default_cache_dir as archive_cache_dir
from liqcore.exchanges.common import parse_interval, utc
from liqcore.exchanges.http import HttpSettings
from liqcore.market import Market
from liqcore.notes import NoteKind, kind_of
from liqcore.profile import notional_between
from liqcore.sentiment import balance_series, nearest_clusters

SCHEDULER_ENV = "LIQCORE_DASK_SCHEDULER"
SPARK_POINTS = 48
REACH_PCT = 3.0
ARCHIVE = "binance-archive"
MAX_PARSED_MARKETS = 1000  # about 0.3 MB each for 7 days of 5-minute bars
_SAFE_NAME = re.compile(r"^[A-Z0-9]{1,30}$")


@dataclass(frozen=True)
class ScanSpec:
    """What every task of one scan fetches and how it summarises (small and picklable: it travels to workers)."""

    source: str = ARCHIVE
    interval: str = "5m"
    span: str = "7d"  # fetch span: how much history each symbol is fetched with
    end: pd.Timestamp | None = None  # default: now (REST) or yesterday's close (archive)
    base_url: str | None = None
    cache_dir: str | None = None
    reach_pct: float = REACH_PCT
    config: ModelConfig = field(default_factory=ModelConfig)
    settings: HttpSettings = field(default_factory=HttpSettings)

    def fetch(self, symbol: str) -> Market:
        """The symbol's market from the source: whole UTC days from the archive, the fetch span from REST."""
        if self.source == ARCHIVE:
            days = max(1, math.ceil(parse_interval(self.span) / pd.Timedelta("1D")))
            today = (self.end or pd.Timestamp.now(tz="UTC")).tz_convert("UTC").normalize()
            last = (today - pd.Timedelta("1D")).date()
            first = last - dt.timedelta(days=days - 1)
            return self._archive_market(symbol, first, last)
        return fetch_market(
            self.source, symbol, self.interval, self.span, base_url=self.base_url, end=self.end,
            settings=self.settings,
        )  # fmt: skip

    def _archive_market(self, symbol: str, first: dt.date, last: dt.date) -> Market:
        """The archive's market for whole past days, kept parsed beside the zips once it is complete.

        Past days' archive files never change, so a complete fetch (no missing, discarded or unfinished file) is
        stored and a rescan reads it instead of parsing the same zips again (parsing is most of a symbol's time).
        """
        root = Path(self.cache_dir) if self.cache_dir else archive_cache_dir()
        name = f"{symbol}-{self.interval}-{first}-{last}.pickle"
        path = root / "markets" / name if _SAFE_NAME.match(symbol) else None
        if path is not None and path.is_file():
            os.utime(path)
            return pickle.loads(path.read_bytes())
        market = fetch_market(
            ARCHIVE, symbol, self.interval, base_url=self.base_url, start=first, end=last,
            settings=self.settings, cache_dir=self.cache_dir,
        )  # fmt: skip
        if path is not None and not any(kind_of(n) in (NoteKind.INCOMPLETE, NoteKind.MISSING) for n in market.notes):
            path.parent.mkdir(parents=True, exist_ok=True)
            part = path.with_suffix(".part")
            part.write_bytes(pickle.dumps(market))
            part.replace(path)
            _evict(path.parent, MAX_PARSED_MARKETS)
        return market


def _evict(folder: Path, keep: int) -> None:
    """Keep the `keep` most recently used parsed markets."""
    files = sorted(folder.glob("*.pickle"), key=lambda f: f.stat().st_mtime, reverse=True)
    for file in files[keep:]:
        file.unlink(missing_ok=True)


def _range_text(row: pd.Series | None) -> str:
    return "" if row is None else f"{row['price_low']:,.6g} – {row['price_high']:,.6g}"


def summarise(symbol: str, market: Market, spec: ScanSpec) -> dict:
    """One row of the scan for one market: balance, nearest big clusters, fuel against volume, coverage."""
    heatmap = analyse(market, spec.config, snapshots=SPARK_POINTS).heatmap  # the whole fetch span, no window
    balance = balance_series(heatmap, market).iloc[-1]
    profile = heatmap.profile()
    price = profile.price
    nearest = nearest_clusters(profile)
    side = {row["side"]: row for _, row in nearest.iterrows()}
    long_row, short_row = side.get("long"), side.get("short")
    reach = spec.reach_pct / 100
    fuel_long = notional_between(profile, price, price * (1 - reach))["usd"]
    fuel_short = notional_between(profile, price, price * (1 + reach))["usd"]
    bars = market.bars
    if market.has("quote_volume"):
        traded = bars["quote_volume"]
    elif market.has("volume"):
        traded = bars["volume"] * bars["close"]
    else:
        traded = pd.Series(np.nan, index=bars.index)
    days = (market.end - market.start) / pd.Timedelta("1D")
    daily_volume = float(traded.sum(min_count=1) / days) if days > 0 else float("nan")
    fuel = fuel_long + fuel_short
    expected = (market.end - market.start) / market.interval
    oi_known = bars["open_interest"].notna().mean() if "open_interest" in bars else 0.0
    return {
        "symbol": symbol,
        "price": price,
        "balance": float(balance["balance"]),
        "reading": str(balance["label"]),
        "long_cluster": _range_text(long_row),
        "long_distance_pct": float(long_row["distance_pct"]) if long_row is not None else np.nan,
        "long_cluster_usd": float(long_row["notional_usd"]) if long_row is not None else np.nan,
        "short_cluster": _range_text(short_row),
        "short_distance_pct": float(short_row["distance_pct"]) if short_row is not None else np.nan,
        "short_cluster_usd": float(short_row["notional_usd"]) if short_row is not None else np.nan,
        "fuel_usd": fuel,
        "daily_volume_usd": daily_volume,
        "fuel_to_volume": fuel / daily_volume if daily_volume > 0 else np.nan,
        "bars": len(market),
        "coverage": len(market) / expected if expected else np.nan,
        "oi_coverage": float(oi_known),
        "driver": heatmap.driver,
        "first_bar": market.start,
        "last_bar": market.end,
        "spark": [float(x) for x in heatmap.close],
    }


def scan_symbol(symbol: str, spec: ScanSpec) -> dict:
    """One Dask task: fetch (or read the cache), estimate, summarise; a refusal or bad data is an error row."""
    started = time.perf_counter()
    try:
        row = summarise(symbol, spec.fetch(symbol), spec)
    except (FetchError, DataError) as exc:
        row = {"symbol": symbol, "error": str(exc)}
    row["seconds"] = time.perf_counter() - started
    return row


@dataclass(frozen=True, eq=False)
class ScanResult:
    """A ranked table (one row per symbol that worked), the symbols that failed and why, and how the scan ran."""

    table: pd.DataFrame
    errors: pd.DataFrame
    spec: ScanSpec
    workers: int
    elapsed_s: float
    scheduler: str

    @property
    def symbols(self) -> tuple[str, ...]:
        return tuple(self.table["symbol"])

    def summary(self) -> str:
        """One line for people: how many symbols, how long, on what."""
        failed = f", {len(self.errors)} failed" if len(self.errors) else ""
        return (
            f"{len(self.table)} symbols ranked{failed} in {self.elapsed_s:.1f} s on {self.workers} Dask worker(s) "
            f"({self.scheduler}); {self.spec.source}, {self.spec.interval} bars, {self.spec.span} fetch span."
        )


def rank(rows: list[dict]) -> pd.DataFrame:
    """Order by fuel relative to volume (then by |balance|); rank 1 = most fuel close to price for its liquidity."""
    if not rows:
        return pd.DataFrame(columns=["rank", "symbol"])
    table = pd.DataFrame(rows)
    table["_tie"] = table["balance"].abs()
    table = table.sort_values(["fuel_to_volume", "_tie"], ascending=[False, False], na_position="last")
    table = table.drop(columns="_tie").reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table


def local_cluster(workers: int | None = None, memory_limit: str | None = None):
    """A local dask.distributed cluster on 127.0.0.1: one single-threaded worker process per core by default."""
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=workers or os.cpu_count() or 1,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        memory_limit=memory_limit or "auto",
    )


def scan(
    symbols: Sequence[str],
    source: str = ARCHIVE,
    interval: str = "5m",
    span: str = "7d",
    config: ModelConfig | None = None,
    client: object | None = None,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    on_progress: Callable[[int, int, str], None] | None = None,
    end: object | None = None,
    base_url: str | None = None,
    cache_dir: str | Path | None = None,
    reach_pct: float = REACH_PCT,
    settings: HttpSettings | None = None,
) -> ScanResult:
    """Scan `symbols` on Dask and rank them; see the module docstring.

    Parameters
    ----------
    client
        A `distributed.Client` to run on. When None: `scheduler` (a ``tcp://host:port`` address), else the
        LIQCORE_DASK_SCHEDULER environment variable, else a local cluster of `workers` processes (default: one per
        core), started for this scan and closed after it.
    on_progress
        Called as ``on_progress(done, total, symbol)`` as each symbol finishes.
    end, base_url, cache_dir, settings
        Passed to the fetch of every symbol (tests point them at local servers and a temporary cache).
    """
    from distributed import Client, as_completed

    symbols = list(dict.fromkeys(s.strip().upper() for s in symbols if s and s.strip()))
    if not symbols:
        raise ValueError("Give at least one symbol to scan.")
    spec = ScanSpec(
        source=source,
        interval=interval,
        span=span,
        end=utc(end) if end is not None else None,
        base_url=base_url,
        cache_dir=str(cache_dir) if cache_dir is not None else None,
        reach_pct=reach_pct,
        config=config or ModelConfig(),
        settings=settings or HttpSettings(),
    )
    started = time.perf_counter()
    owned: list = []
    if client is None:
        address = scheduler or os.environ.get(SCHEDULER_ENV)
        if address:
            client = Client(address, timeout="10s")
        else:
            cluster = local_cluster(workers)
            owned.append(cluster)
            client = Client(cluster)
        owned.insert(0, client)
    try:
        token = uuid.uuid4().hex[:8]
        futures = client.map(scan_symbol, symbols, spec=spec, key=[f"scan-{token}-{s}" for s in symbols])
        names = {f.key: s for f, s in zip(futures, symbols, strict=True)}
        rows, failed = [], []
        for done, future in enumerate(as_completed(futures), start=1):
            symbol = names[future.key]
            try:
                row = future.result()
            except Exception as exc:  # a bug in one task must not lose the others' results
                row = {"symbol": symbol, "error": f"unexpected {type(exc).__name__}: {str(exc)[:300]}", "seconds": 0}
            (failed if "error" in row else rows).append(row)
            if on_progress is not None:
                on_progress(done, len(symbols), symbol)
        worker_count = len(client.nthreads())
        where = "local cluster" if len(owned) == 2 else f"scheduler {client.scheduler.address}"
    finally:
        for resource in owned:
            resource.close()
    errors = pd.DataFrame(failed, columns=["symbol", "error", "seconds"]).sort_values("symbol", ignore_index=True)
    return ScanResult(rank(rows), errors, spec, worker_count, time.perf_counter() - started, where)
