"""Price bins for the heatmap: a round bin height and edges that cover the traded range plus a margin."""

from __future__ import annotations

import math

import numpy as np

_NICE_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)


def nice_step(raw: float) -> float:
    """The smallest 'round' number (1, 2, 2.5, 5 × 10^k) at or above `raw`."""
    if not raw > 0 or not math.isfinite(raw):
        raise ValueError(f"bin size must be positive and finite, got {raw!r}")
    exponent = math.floor(math.log10(raw))
    base = 10.0**exponent
    for step in _NICE_STEPS:
        if step * base >= raw * (1 - 1e-12):
            return step * base
    return 10.0 * base


def price_edges(low: float, high: float, margin: float, bin_size: float | None, max_bins: int) -> np.ndarray:
    """Ascending edges covering [low·(1 − margin), high·(1 + margin)] in bins of `bin_size` (auto when None).

    A fixed `bin_size` that would need more than 4 × `max_bins` bins is widened (to keep memory bounded).
    """
    lo = low * (1 - margin)
    hi = high * (1 + margin)
    step = nice_step((hi - lo) / max_bins) if bin_size is None else float(bin_size)
    if (hi - lo) / step > 4 * max_bins:
        step = nice_step((hi - lo) / (4 * max_bins))
    first = math.floor(lo / step) * step
    count = max(1, math.ceil((hi - first) / step))
    return first + step * np.arange(count + 1, dtype=float)
