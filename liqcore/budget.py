"""How much data one page's analysis takes on: a stated bound, so a request too large gets a message, not silence.

Every analysis is linear in the bars (see `python -m liqcore.bench --pages`): at a year of 1-minute bars (525,600)
each page's analysis measured at most about 5 s of CPU on the 2-core reference machine, so twice that many bars take
about 10 s — the most a person should wait for a page without being told. Above `MAX_ANALYSIS_BARS` the pages decline
and say how to get under it (a shorter window shown), instead of running for minutes.
"""

from __future__ import annotations

from liqcore.market import Market

MAX_ANALYSIS_BARS = 1_051_200  # two years of 1-minute bars
# Comparing every preset estimates the map twice more (about 2 s each on a year of 1-minute bars): above this many
# bars the Validation page scores them when asked, not on every first load.
PRESETS_ON_REQUEST_BARS = 200_000


def too_large(market: Market, what: str, limit: int | None = None) -> str | None:
    """A message saying `what` (e.g. "The volatility forecast") declines this many bars, or None when it fits.

    `limit` defaults to `MAX_ANALYSIS_BARS`, read at each call.
    """
    limit = MAX_ANALYSIS_BARS if limit is None else limit
    if len(market) <= limit:
        return None
    return (
        f"{what} runs on at most {limit:,} bars (two years of 1-minute bars, about 10 s here); this view has "
        f"{len(market):,} bars. Choose a shorter window in the sidebar, or load coarser bars "
        "(e.g. 5-minute)."
    )
