"""The scanner on real Dask clusters on 127.0.0.1 against a local stand-in for the Binance archive serving 24 symbols:
a LocalCluster of two small worker processes, and a separately started `dask scheduler` + `dask worker`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import distributed
import numpy as np
import pandas as pd
import pytest
from pytest_httpserver import HTTPServer

from liqcore import ModelConfig, scan
from liqcore.exchanges import HttpSettings
from liqcore.scan import main as scan_cli
from liqcore.scanner import ScanSpec, rank, summarise
from tests import exchange_fakes as fakes
from tests.dask_cluster import local_cluster

REPO = Path(__file__).resolve().parents[1]
DAYS = 2
FAST = HttpSettings(read_timeout=5.0, retries=1, backoff=0.01)
ANY_FILE = re.compile(r"^/data/.*")


@pytest.fixture(scope="module")
def archive() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1")
    files = fakes.archive_universe(fakes.UNIVERSE, "5m", fakes.past_days(DAYS))
    server.expect_request(ANY_FILE).respond_with_handler(fakes.serve_files(files))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def env(archive: HTTPServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Archive URL and cache for code that reads them from the environment (workers inherit it when they start)."""
    cache = tmp_path_factory.mktemp("archive-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LIQCORE_ARCHIVE_URL", archive.url_for(""))
        patch.setenv("LIQCORE_CACHE_DIR", str(cache))
        yield cache


@pytest.fixture(scope="module")
def client(env: Path) -> Iterator[object]:
    with local_cluster(2) as cluster, distributed.Client(cluster) as c:
        yield c


def test_scan_ranks_every_symbol_and_reports_failures_without_stopping(
    client: object, archive: HTTPServer, tmp_path: Path
) -> None:
    symbols = [*fakes.UNIVERSE[:22], "NOSUCHUSDT"]
    seen: list[tuple[int, int, str]] = []
    result = scan(
        symbols, "binance-archive", "5m", f"{DAYS}d", client=client, cache_dir=tmp_path, settings=FAST,
        base_url=archive.url_for(""), on_progress=lambda d, t, s: seen.append((d, t, s)),
    )  # fmt: skip
    assert len(result.table) == 22 and set(result.symbols) == set(symbols[:22])
    assert result.table["rank"].tolist() == list(range(1, 23))
    assert result.table["fuel_to_volume"].is_monotonic_decreasing
    assert result.workers == 2
    [error] = result.errors.itertuples()
    assert error.symbol == "NOSUCHUSDT" and "no 5m klines for 'NOSUCHUSDT'" in error.error
    assert [d for d, _, _ in seen] == list(range(1, 24)) and {s for *_, s in seen} == set(symbols)
    row = result.table.set_index("symbol").loc["SOLUSDT"]
    assert row["bars"] == DAYS * 288 and row["coverage"] == 1.0 and row["oi_coverage"] > 0.99
    assert row["driver"] == "open interest" and len(row["spark"]) == 48
    assert row["long_distance_pct"] < 0 < row["short_distance_pct"]
    # The task's summary is the same numbers as summarising the same market here.
    spec = ScanSpec(span=f"{DAYS}d", cache_dir=str(tmp_path), base_url=archive.url_for(""), settings=FAST)
    local = summarise("SOLUSDT", spec.fetch("SOLUSDT"), spec)
    for key in ("balance", "fuel_usd", "daily_volume_usd", "long_cluster_usd", "short_cluster_usd"):
        assert row[key] == pytest.approx(local[key], rel=1e-9)
    # A rescan reads every file from the per-symbol, per-day cache: only the unknown symbol asks the server again.
    calls = len(archive.log)
    again = scan(symbols, "binance-archive", "5m", f"{DAYS}d", client=client, cache_dir=tmp_path, settings=FAST,
                 base_url=archive.url_for(""))  # fmt: skip
    assert len(archive.log) == calls
    assert len(list((tmp_path / "markets").glob("*.pickle"))) == 22  # complete markets kept parsed, not the failure
    pd.testing.assert_frame_equal(again.table.drop(columns="seconds"), result.table.drop(columns="seconds"))


def test_rank_puts_most_fuel_for_its_volume_first_and_unknown_last() -> None:
    rows = [
        {"symbol": "A", "fuel_to_volume": 0.1, "balance": 0.0},
        {"symbol": "B", "fuel_to_volume": np.nan, "balance": 0.9},
        {"symbol": "C", "fuel_to_volume": 0.3, "balance": 0.0},
        {"symbol": "D", "fuel_to_volume": 0.1, "balance": -0.5},
    ]
    assert rank(rows)["symbol"].tolist() == ["C", "D", "A", "B"]


def test_cli_prints_the_table_and_writes_csv(client: object, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "scan.csv"
    address = client.scheduler.address
    code = scan_cli(["--symbols", "BTCUSDT,ethusdt,SOLUSDT", "--span", f"{DAYS}d", "--scheduler", address,
                     "--csv", str(out)])  # fmt: skip
    printed = capsys.readouterr()
    assert code == 0
    assert "3 symbols ranked in" in printed.out and "fuel / day vol" in printed.out and "ETHUSDT" in printed.out
    assert "3/3" in printed.err  # the progress bar
    written = pd.read_csv(out)
    assert sorted(written["symbol"]) == ["BTCUSDT", "ETHUSDT", "SOLUSDT"] and written["rank"].tolist() == [1, 2, 3]


def test_scan_runs_on_a_separately_started_scheduler_and_worker(env: Path, tmp_path: Path) -> None:
    scheduler_file = tmp_path / "scheduler.json"
    python_bin = Path(sys.executable).parent
    # Workers must import liqcore, as on any cluster: here through PYTHONPATH (elsewhere: install the package).
    env_vars = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    common = {"cwd": REPO, "env": env_vars, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen(
        [python_bin / "dask", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
         "--scheduler-file", scheduler_file], **common,
    )  # fmt: skip
    worker = None
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        worker = subprocess.Popen(
            [python_bin / "dask", "worker", "--scheduler-file", scheduler_file, "--nworkers", "1", "--nthreads",
             "1", "--no-dashboard", "--host", "127.0.0.1", "--memory-limit", "1GiB"], **common,
        )  # fmt: skip
        with distributed.Client(scheduler_file=str(scheduler_file), timeout="30s") as c:
            c.wait_for_workers(1, timeout=60)
            address = c.scheduler.address
        result = scan(["BTCUSDT", "ETHUSDT", "XRPUSDT"], "binance-archive", "5m", f"{DAYS}d",
                      ModelConfig.preset("conservative"), scheduler=address, settings=FAST)  # fmt: skip
        assert address.startswith("tcp://127.0.0.1:")
        assert result.workers == 1 and result.scheduler == f"scheduler {address}"
        assert sorted(result.symbols) == ["BTCUSDT", "ETHUSDT", "XRPUSDT"] and result.errors.empty
    finally:
        for process in (worker, scheduler):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
