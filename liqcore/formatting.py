"""Number formatting for estimates: notional sums are rounded to three significant figures so they do not claim
precision the model does not have (prices stay exact)."""

from __future__ import annotations

import math

_UNITS = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))


def compact_usd(value: float) -> str:
    """`232,940,767` → `$233M`; `1.43e9` → `$1.43B`; below a thousand, whole dollars; a non-zero amount under half
    a dollar reads `< $1`, not `$0`."""
    if not math.isfinite(value):
        return "n/a"
    sign = "-" if value < 0 else ""
    size = abs(value)
    for scale, unit in _UNITS:
        if size >= scale * 0.9995:  # 999,600 reads as $1M, not $1000K
            return f"{sign}${size / scale:.3g}{unit}"
    if 0 < size <= 0.5:  # whole dollars would round this to "$0" (0.5 rounds to even), which reads as empty
        return "> -$1" if sign else "< $1"
    return f"{sign}${size:,.0f}"
