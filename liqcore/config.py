"""Every assumption of the cohort model in one frozen, hashable object, with three named presets.

No exchange publishes where its traders' liquidation prices sit, so the map rests on assumptions: how leveraged the
crowd is, at what price positions were opened, how positions close, how long they live. `ModelConfig` names each
one so the app can show and edit them, and so a cached map is keyed by exactly what produced it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

PRESET_NAMES: tuple[str, ...] = ("conservative", "balanced", "aggressive")


@dataclass(frozen=True)
class ModelConfig:
    """Assumptions of the cohort liquidation model (defaults = the "balanced" preset)."""

    # Leverage levels traders are assumed to use (x). Each opening is spread over these tiers.
    leverage_tiers: tuple[float, ...] = (5.0, 10.0, 25.0, 50.0, 100.0)
    # Share of new long notional at each tier (normalised to sum to 1).
    long_weights: tuple[float, ...] = (0.25, 0.35, 0.22, 0.12, 0.06)
    # Share of new short notional at each tier (normalised to sum to 1).
    short_weights: tuple[float, ...] = (0.25, 0.35, 0.22, 0.12, 0.06)
    # 0–1: how far the side that took liquidity in a bar (aggressive buyers → longs) shifts to higher leverage, and
    # its counterparty to lower leverage.
    taker_tilt: float = 0.5
    # 0–1: same lean from the account long/short ratio when the data has it: the side most accounts are on is the
    # leveraged crowd; the other side is mostly market makers and hedgers with little leverage.
    crowd_tilt: float = 0.6
    # Entry price of new positions: "vwap" (bar VWAP when volume data allow, else typical), "typical" (H+L+C)/3,
    # or "range" (spread evenly over the bar's low..high).
    entry_rule: str = "vwap"
    # Number of entry prices across the bar when entry_rule is "range".
    entry_points: int = 3
    # How falling open interest closes positions: "pro_rata" (every position shrinks by the same share) or
    # "oldest_first" (the oldest positions close first).
    close_rule: str = "pro_rata"
    # Positions fade with this half-life in hours (None = never fade; they still close with open interest).
    decay_half_life_hours: float | None = 72.0
    # Positions older than this many hours are dropped from the map (None = keep all).
    lookback_hours: float | None = 24.0 * 30
    # Price-bin height in USD (None = chosen from the price level and range, about `max_bins` bins).
    bin_size: float | None = None
    # Upper bound on the number of price bins when the bin size is automatic.
    max_bins: int = 400
    # How far beyond the traded range the map extends, as a share of price (0.1 = 10 %).
    price_margin: float = 0.12
    # "linear" (USDⓈ-M, margined in USD) or "inverse" (coin-M, margined in the coin).
    contract: str = "linear"
    # Maintenance-margin table: "auto" (by symbol), or a key of liqcore.brackets.TABLES.
    brackets: str = "auto"
    # Without open interest: share of each bar's volume assumed to open new positions (the volume proxy).
    volume_proxy_share: float = 0.05
    # Without open interest, positions fade with this half-life in hours when decay_half_life_hours is None.
    volume_proxy_half_life_hours: float = 48.0

    def __post_init__(self) -> None:
        k = len(self.leverage_tiers)
        if k == 0 or len(self.long_weights) != k or len(self.short_weights) != k:
            raise ValueError("leverage_tiers, long_weights and short_weights must have the same non-zero length")
        if min(self.leverage_tiers) <= 1.0:
            raise ValueError("every leverage tier must be above 1x")
        if min(self.long_weights) < 0 or min(self.short_weights) < 0:
            raise ValueError("tier weights cannot be negative")
        if sum(self.long_weights) <= 0 or sum(self.short_weights) <= 0:
            raise ValueError("tier weights must not all be zero")
        if not 0.0 <= self.taker_tilt <= 1.0:
            raise ValueError("taker_tilt must be between 0 and 1")
        if not 0.0 <= self.crowd_tilt <= 1.0:
            raise ValueError("crowd_tilt must be between 0 and 1")
        if self.entry_rule not in ("vwap", "typical", "range"):
            raise ValueError("entry_rule must be 'vwap', 'typical' or 'range'")
        if self.entry_points < 1:
            raise ValueError("entry_points must be at least 1")
        if self.close_rule not in ("pro_rata", "oldest_first"):
            raise ValueError("close_rule must be 'pro_rata' or 'oldest_first'")
        if self.contract not in ("linear", "inverse"):
            raise ValueError("contract must be 'linear' or 'inverse'")
        for name in ("decay_half_life_hours", "lookback_hours", "bin_size"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be positive or None")
        if self.max_bins < 10:
            raise ValueError("max_bins must be at least 10")

    @classmethod
    def preset(cls, name: str) -> ModelConfig:
        """One of the named presets: "conservative", "balanced" or "aggressive"."""
        if name not in PRESET_NAMES:
            raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESET_NAMES)}")
        return cls(**_PRESETS[name])

    def with_changes(self, **changes: Any) -> ModelConfig:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

    def describe(self) -> list[str]:
        """The assumptions in plain words, for an 'Assumptions' panel."""
        tiers = ", ".join(f"{lev:g}x" for lev in self.leverage_tiers)
        longs = _mix(self.leverage_tiers, self.long_weights)
        shorts = _mix(self.leverage_tiers, self.short_weights)
        entry = {
            "vwap": "at the bar's volume-weighted average price (typical price when volume is unknown)",
            "typical": "at the bar's typical price (high + low + close) / 3",
            "range": f"spread over the bar's range at {self.entry_points} prices",
        }[self.entry_rule]
        closing = {
            "pro_rata": "every open position shrinks by the share of open interest that disappeared",
            "oldest_first": "the oldest positions close first",
        }[self.close_rule]
        lines = [
            f"New positions use leverage {tiers}; longs weighted {longs}, shorts {shorts}.",
            f"The side that took liquidity in a bar leans {self.taker_tilt:.0%} of the way toward higher leverage "
            "(its counterparty toward lower).",
            f"Where the data has an account long/short ratio, the crowded side leans {self.crowd_tilt:.0%} of the way "
            "toward higher leverage.",
            f"Positions open {entry}.",
            f"When open interest falls, {closing}.",
            (
                f"Positions fade with a {self.decay_half_life_hours:g} h half-life."
                if self.decay_half_life_hours
                else "Positions do not fade with time."
            ),
            (
                f"Positions older than {self.lookback_hours / 24:g} days leave the map."
                if self.lookback_hours
                else "Positions stay on the map until liquidated or closed."
            ),
            f"Liquidation prices use the isolated-margin formula for {self.contract} contracts.",
        ]
        return lines


def _mix(tiers: tuple[float, ...], weights: tuple[float, ...]) -> str:
    total = sum(weights)
    return " / ".join(f"{w / total:.0%}" for w in weights)


_PRESETS: dict[str, dict[str, Any]] = {
    "conservative": {
        "leverage_tiers": (3.0, 5.0, 10.0, 20.0, 50.0),
        "long_weights": (0.25, 0.3, 0.25, 0.15, 0.05),
        "short_weights": (0.25, 0.3, 0.25, 0.15, 0.05),
        "taker_tilt": 0.3,
        "decay_half_life_hours": 120.0,
    },
    "balanced": {},
    "aggressive": {
        "leverage_tiers": (10.0, 25.0, 50.0, 75.0, 100.0),
        "long_weights": (0.3, 0.3, 0.2, 0.1, 0.1),
        "short_weights": (0.3, 0.3, 0.2, 0.1, 0.1),
        "taker_tilt": 0.7,
        "decay_half_life_hours": 36.0,
    },
}
