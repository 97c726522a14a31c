"""A small dask.distributed LocalCluster on 127.0.0.1 for tests.

Worker processes are spawned, and spawning re-runs the parent's ``__main__`` file in each child. Under pytest that
file can be a script an AppTest ran earlier in the same process, so the cluster starts with a bare ``__main__``."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager

import distributed


@contextmanager
def local_cluster(workers: int = 2) -> Iterator[distributed.LocalCluster]:
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        cluster = distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
            memory_limit="1GiB",
        )  # fmt: skip
    finally:
        sys.modules["__main__"] = main
    with cluster:
        yield cluster
