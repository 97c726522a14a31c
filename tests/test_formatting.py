"""Estimated notionals are shown to three significant figures with a unit, never with false precision."""

from __future__ import annotations

import pytest

from liqcore.formatting import compact_usd


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "$0"),
        (0.3, "< $1"),
        (0.5, "< $1"),  # Python rounds half to even: 0.5 would print as "$0"
        (0.51, "$1"),
        (-0.2, "> -$1"),
        (999.4, "$999"),
        (999.6, "$1K"),
        (950_000, "$950K"),
        (999_999, "$1M"),
        (232_940_767, "$233M"),
        (1.43e9, "$1.43B"),
        (-5.2e6, "-$5.2M"),
        (float("nan"), "n/a"),
    ],
)
def test_compact_usd(value: float, text: str) -> None:
    assert compact_usd(value) == text
