"""Which venue's positions make a cluster: the aggregate map split by exchange.

Each summed venue gets its own map, estimated on the aggregate's price bars (same entry prices, same bins, same
snapshot columns) but driven by that venue's own open interest. The cohort model is linear in open interest where
the venues move together (a venue's open interest a fixed share of the total): then the venue maps add up to the
aggregate map exactly. Where they move apart (one venue adds positions while another closes) the aggregate nets the
flows and the venue maps do not, so the sum differs; `mismatch` measures by how much and the page says it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from liqcore.aggregate import summed_venues
from liqcore.config import ModelConfig
from liqcore.engine import estimate
from liqcore.errors import DataError
from liqcore.heatmap import Heatmap
from liqcore.market import PRICE_COLUMNS, Market, venue_column

SHARED_COLUMNS = (*PRICE_COLUMNS, "volume", "quote_volume", "taker_buy_volume", "funding_rate", "long_short_ratio")


@dataclass(frozen=True, eq=False)
class VenueSplit:
    """One heatmap per venue on the aggregate's bins and columns, plus the aggregate itself for comparison."""

    aggregate: Heatmap
    maps: dict[str, Heatmap]

    @property
    def venues(self) -> tuple[str, ...]:
        return tuple(self.maps)

    def mismatch(self) -> float:
        """|sum of venue maps − aggregate| over the aggregate's total, at the last column (0 = they add up)."""
        total = self.aggregate.long[-1].sum() + self.aggregate.short[-1].sum()
        if total <= 0:
            return 0.0
        diff = 0.0
        for side in ("long", "short"):
            venues_sum = sum(getattr(m, side)[-1] for m in self.maps.values())
            diff += float(np.abs(venues_sum - getattr(self.aggregate, side)[-1]).sum())
        return diff / total

    def cluster_shares(self, clusters: pd.DataFrame, at: pd.Timestamp | None = None) -> pd.DataFrame:
        """For each cluster row (side, price_low, price_high): each venue's estimated USD in that range and share.

        Columns `usd_<venue>` and `share_<venue>` (of the venues' sum in the range) are added to `clusters`.
        """
        out = clusters.copy()
        usd = {}
        for venue, heatmap in self.maps.items():
            profile = heatmap.profile(at)
            edges = profile.price_edges
            values = []
            for row in clusters.itertuples():
                overlap = np.clip(
                    np.minimum(edges[1:], row.price_high) - np.maximum(edges[:-1], row.price_low), 0, None
                )
                values.append(float((getattr(profile, row.side) * overlap / np.diff(edges)).sum()))
            usd[venue] = np.asarray(values)
        total = sum(usd.values()) if usd else np.zeros(len(clusters))
        for venue, values in usd.items():
            out[f"usd_{venue}"] = values
            with np.errstate(divide="ignore", invalid="ignore"):
                out[f"share_{venue}"] = np.where(total > 0, values / total, np.nan)
        return out

    def profile_frame(self, at: pd.Timestamp | None = None) -> pd.DataFrame:
        """Long form per (price bin, side, venue) of the venues' profiles at `at`, for a stacked chart."""
        rows = []
        for venue, heatmap in self.maps.items():
            profile = heatmap.profile(at)
            for side in ("long", "short"):
                values = getattr(profile, side)
                rows.append(
                    pd.DataFrame(
                        {
                            "price_low": profile.price_edges[:-1],
                            "price_high": profile.price_edges[1:],
                            "side": side,
                            "venue": venue,
                            "usd": values,
                        }
                    )[values > 0]
                )
        if not rows:
            return pd.DataFrame(columns=["price_low", "price_high", "side", "venue", "usd"])
        return pd.concat(rows, ignore_index=True)


def venue_market(market: Market, venue: str) -> Market:
    """The aggregate's price bars driven by one venue's open interest (coins and USD)."""
    coins, usd = venue_column("open_interest", venue), venue_column("open_interest_usd", venue)
    if coins not in market.bars:
        raise DataError(f"{market.symbol}: no open interest column for venue '{venue}'.")
    bars = market.bars.reindex(columns=[c for c in SHARED_COLUMNS if c in market.bars])
    bars["open_interest"] = market.bars[coins]
    bars["open_interest_usd"] = market.bars[usd]
    return Market(bars, market.symbol, market.interval, f"{market.source}, {venue} open interest only")


def split_by_venue(market: Market, config: ModelConfig | None = None, columns: int | None = None) -> VenueSplit:
    """Estimate the aggregate and each summed venue's map on the same bars; DataError for a single-venue market."""
    venues = summed_venues(market)
    if len(venues) < 2:
        raise DataError(
            f"{market.symbol}: this map is not an aggregate of several venues, so it cannot be split by venue. "
            "Choose 'All venues' as the live exchange, or upload files named after their exchanges."
        )
    config = config or ModelConfig()
    aggregate = estimate(market, config, columns=columns)
    maps = {v: estimate(venue_market(market, v), config, columns=columns) for v in venues}
    return VenueSplit(aggregate, maps)
