"""The one registry of data sources: each exchange (and the Binance archive) is described here, once.

The fetch function, the app's live sidebar and the multi-venue aggregate all read `VENUES`, so adding an exchange
means adding its client module and one `Venue` line. `units` says how the client turns the exchange's own numbers
(contracts, coins, USD) into the `Market` columns (base coins and USD); the aggregate repeats it in its notes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from types import ModuleType

from liqcore.errors import FetchError
from liqcore.exchanges import archive, binance, bybit, okx

ALL = "all"  # the aggregate across `AGGREGATE_VENUES`


@dataclass(frozen=True)
class Venue:
    """One source of market data.

    Parameters
    ----------
    name
        Short key used in code, links and per-venue column names (``open_interest_usd_<name>``).
    label
        What people see, e.g. "Binance USD-M futures".
    client
        The module that fetches from it (``fetch``, ``NAME``; REST clients also ``check``).
    env, default_url
        Environment variable that overrides the base URL (a test server, a proxy, a mirror), and the public host.
    intervals
        Bar intervals the source serves.
    units
        How its open interest and volume become base coins and USD.
    live
        True for live REST exchanges (offered in the live sidebar and the aggregate); False for the archive.
    """

    name: str
    label: str
    client: ModuleType
    env: str
    default_url: str
    intervals: tuple[str, ...]
    units: str
    live: bool = True

    @property
    def short(self) -> str:
        """The exchange's name alone ("OKX"), for notes and column headers."""
        return self.client.NAME if hasattr(self.client, "NAME") else self.label

    def base_url(self, override: str | None = None) -> str:
        """The argument, else the environment variable, else the public default."""
        return (override or os.environ.get(self.env) or self.default_url).rstrip("/")


VENUES: dict[str, Venue] = {
    v.name: v
    for v in (
        Venue(
            "binance",
            "Binance USD-M futures",
            binance,
            "LIQCORE_BINANCE_URL",
            binance.DEFAULT_URL,
            binance.INTERVALS,
            "open interest as published (sumOpenInterest in coins, sumOpenInterestValue in USD); volume in coins",
        ),
        Venue(
            "bybit",
            "Bybit (linear)",
            bybit,
            "LIQCORE_BYBIT_URL",
            bybit.DEFAULT_URL,
            bybit.INTERVALS,
            "open interest in coins (a linear contract is one coin), USD = coins × close; volume in coins",
        ),
        Venue(
            "okx",
            "OKX (swap)",
            okx,
            "LIQCORE_OKX_URL",
            okx.DEFAULT_URL,
            okx.INTERVALS,
            "volume in contracts × ctVal = coins; open interest in USD (rubik, all the currency's contracts), "
            "coins = USD / close",
        ),
        Venue(
            "binance-archive",
            "Binance archive",
            archive,
            "LIQCORE_ARCHIVE_URL",
            archive.DEFAULT_URL,
            archive.INTERVALS,
            "as Binance: metrics sum_open_interest in coins, sum_open_interest_value in USD",
            live=False,
        ),
    )
}
AGGREGATE_VENUES: tuple[str, ...] = tuple(name for name, v in VENUES.items() if v.live)


def venue(name: str) -> Venue:
    """The registered venue, or a FetchError naming the choices."""
    key = name.lower().strip()
    if key not in VENUES:
        raise FetchError(f"Unknown exchange '{name}'; choose one of {', '.join([*VENUES, ALL])}.", None)
    return VENUES[key]


def live_choices() -> dict[str, str]:
    """Live sources for a picker: each REST exchange, then the aggregate of all of them ({key: label})."""
    choices = {name: v.label for name, v in VENUES.items() if v.live}
    choices[ALL] = "All venues: " + " + ".join(VENUES[n].short for n in AGGREGATE_VENUES) + " (OI summed)"
    return choices


def intervals_for(name: str, venues: tuple[str, ...] = AGGREGATE_VENUES) -> tuple[str, ...]:
    """Intervals a source serves; for the aggregate, those every one of its venues serves."""
    if name == ALL:
        first = VENUES[venues[0]].intervals
        return tuple(i for i in first if all(i in VENUES[v].intervals for v in venues))
    return venue(name).intervals


def label_for(name: str) -> str:
    """People's name for a source key (the aggregate included)."""
    return live_choices()[ALL] if name == ALL else venue(name).label
