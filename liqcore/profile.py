"""The side profile: resting liquidation notional per price bin at one moment.

A `Profile` is what a trader reads off one column of the heatmap: longs that would be liquidated below the price,
shorts above. The estimator (`Heatmap.profile`) and the simulator's true book (`Simulation.book`) both return one,
so charts and scores treat the estimate and the truth alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True, eq=False)
class Profile:
    """Long and short liquidation notional (USD) per price bin at `time`, with the price then.

    `price_edges` has B+1 ascending floats; `long` and `short` have B values each.
    """

    time: pd.Timestamp
    price: float
    price_edges: np.ndarray
    long: np.ndarray
    short: np.ndarray

    @property
    def centers(self) -> np.ndarray:
        """Mid price of each bin."""
        return (self.price_edges[:-1] + self.price_edges[1:]) / 2


def cumulative(profile: Profile) -> pd.DataFrame:
    """Cumulative notional outward from price: longs summed from price downward, shorts from price upward.

    Rows are bins; `long_cum` at a bin is what would be liquidated if price fell to that bin's lower edge,
    `short_cum` what would go if price rose to its upper edge. Bins on the wrong side of price hold NaN.
    """
    centers = profile.centers
    below = centers <= profile.price
    long_cum = np.full(len(centers), np.nan)
    short_cum = np.full(len(centers), np.nan)
    long_cum[below] = np.cumsum(profile.long[below][::-1])[::-1]
    short_cum[~below] = np.cumsum(profile.short[~below])
    return pd.DataFrame(
        {
            "price_low": profile.price_edges[:-1],
            "price_high": profile.price_edges[1:],
            "price": centers,
            "long_cum": long_cum,
            "short_cum": short_cum,
        }
    )


def notional_between(profile: Profile, price_from: float, price_to: float) -> dict[str, float | str]:
    """≈ USD liquidated if price travels from `price_from` to `price_to`: longs on the way down, shorts up.

    Bins partly crossed count in proportion to the part crossed.
    """
    low, high = sorted((price_from, price_to))
    edges = profile.price_edges
    overlap = np.clip(np.minimum(edges[1:], high) - np.maximum(edges[:-1], low), 0, None) / np.diff(edges)
    side = "long" if price_to < price_from else "short"
    values = profile.long if side == "long" else profile.short
    return {"side": side, "usd": float((values * overlap).sum())}


def _smooth(values: np.ndarray, width: int) -> np.ndarray:
    width = min(width, len(values))  # np.convolve "same" returns the longer input's length
    if width <= 1:
        return values.astype(float)
    kernel = np.ones(width) / width
    return np.convolve(values, kernel, mode="same")


def find_clusters(
    profile: Profile, smooth_bins: int = 3, min_share: float = 0.02, max_clusters: int = 12
) -> pd.DataFrame:
    """Clusters: peaks of the smoothed profile per side, each with its price range and notional.

    A cluster is a local maximum of the smoothed side profile; its range extends outward from the peak while the
    smoothed values keep falling and stay above a twentieth of the peak; ranges never overlap, so no USD is counted
    twice. Clusters with less than `min_share` of the side's total are dropped. Sorted by notional, largest first;
    deterministic.
    """
    rows = []
    centers = profile.centers
    for side in ("long", "short"):
        raw = getattr(profile, side)
        total = raw.sum()
        if total <= 0:
            continue
        smooth = _smooth(raw, smooth_bins)
        padded = np.concatenate(([-np.inf], smooth, [-np.inf]))
        peaks = np.flatnonzero((smooth > padded[:-2]) & (smooth >= padded[2:]) & (smooth > 0))
        taken = -1  # last bin claimed by the cluster below: a valley bin is counted once, by the lower peak
        for peak in peaks:
            floor = smooth[peak] / 20
            lo = peak
            while lo > taken + 1 and smooth[lo - 1] <= smooth[lo] and smooth[lo - 1] > floor:
                lo -= 1
            hi = peak
            while hi < len(smooth) - 1 and smooth[hi + 1] <= smooth[hi] and smooth[hi + 1] > floor:
                hi += 1
            taken = hi
            usd = float(raw[lo : hi + 1].sum())
            if usd < min_share * total:
                continue
            peak_price = float(centers[peak])
            rows.append(
                {
                    "side": side,
                    "price_low": float(profile.price_edges[lo]),
                    "price_high": float(profile.price_edges[hi + 1]),
                    "peak_price": peak_price,
                    "notional_usd": usd,
                    "distance_pct": 100 * (peak_price / profile.price - 1),
                }
            )
    columns = ["side", "price_low", "price_high", "peak_price", "notional_usd", "distance_pct"]
    frame = pd.DataFrame(rows, columns=columns)
    return (
        frame.sort_values(["notional_usd", "peak_price"], ascending=[False, True])
        .head(max_clusters)
        .reset_index(drop=True)
    )
