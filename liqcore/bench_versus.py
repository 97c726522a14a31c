"""`python -m liqcore.bench --versus DIR [--rounds N]`: the 1-year case on this engine and on another copy of
`liqcore`, run alternately in one process, timed in CPU seconds.

On a shared machine wall-clock times of separate runs move by ±50 % with the other users' load; alternating the two
engines call by call and reading CPU time makes the ratio fair. DIR holds the other `liqcore` package, e.g. the
engine before model v2: ``mkdir -p /tmp/old && git archive e9181dd liqcore | tar -x -C /tmp/old``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path
from types import ModuleType

import numpy as np

YEAR_BARS = 525_600


def _load(root: Path | None) -> tuple[ModuleType, ModuleType]:
    """Import `liqcore.engine` and `liqcore.bench` from `root` (None: this copy), each copy with its own modules."""
    for name in [m for m in sys.modules if m == "liqcore" or m.startswith("liqcore.")]:
        del sys.modules[name]
    if root is not None:
        sys.path.insert(0, str(root))
    try:
        return importlib.import_module("liqcore.engine"), importlib.import_module("liqcore.bench")
    finally:
        if root is not None:
            sys.path.remove(str(root))


def _year_case(root: Path | None) -> tuple[object, object, object]:
    """That copy's estimate, and its own bench market and config for the 1-year case (each copy's default preset)."""
    engine, bench = _load(root)
    market = bench.synthetic_market(YEAR_BARS, "1min")
    config = bench._config_with_bins(market, 400)
    engine.estimate(market, config, columns=600)  # warm up: page in memory once
    return engine.estimate, market, config


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m liqcore.bench --versus", description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="folder that holds the other copy's liqcore package")
    parser.add_argument("--rounds", type=int, default=5, help="alternating runs of each engine (default 5)")
    args = parser.parse_args(argv)
    if not (args.other / "liqcore" / "engine.py").is_file():
        raise SystemExit(f"error: {args.other} has no liqcore/engine.py")
    here = Path(__file__).resolve().parents[1]
    cases = {"other": _year_case(args.other.resolve()), "this": _year_case(here)}
    seconds: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.rounds):
        for name, (estimate, market, config) in cases.items():
            start = time.process_time()
            estimate(market, config, columns=600)
            seconds[name].append(time.process_time() - start)
    print(f"1 year × 1m, 400 bins, 600 columns, CPU seconds over {args.rounds} alternating runs each:")
    for name, label in (("other", str(args.other)), ("this", str(here))):
        runs = seconds[name]
        print(f"  {label}: median {np.median(runs):.2f}, min {min(runs):.2f}  ({', '.join(f'{s:.2f}' for s in runs)})")
    ratio = np.median(seconds["this"]) / np.median(seconds["other"])
    print(f"this / other: {ratio:.2f}× by medians, {min(seconds['this']) / min(seconds['other']):.2f}× by minima")
