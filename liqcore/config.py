"""Every assumption of the cohort model in one frozen, hashable object, with three named presets.

No exchange publishes where its traders' liquidation prices sit, so the map rests on assumptions: how leveraged the
crowd is, at what price positions were opened, how positions close, how long they live. `ModelConfig` names each
one so the app can show and edit them, and so a cached map is keyed by exactly what produced it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from liqcore.closing import CLOSING_RULES, ClosingRule
from liqcore.entry import ENTRY_RULE_NAMES, EntryRule, entry_rule

PRESET_NAMES: tuple[str, ...] = ("conservative", "balanced", "aggressive")


@dataclass(frozen=True)
class ModelConfig:
    """Assumptions of the cohort liquidation model (defaults = the "balanced" preset)."""

    # Leverage levels traders are assumed to use (x). Each opening is spread over these tiers.
    # Presets were chosen on real data (README, "Honest numbers"): 125x is Binance's BTCUSDT maximum and the tier
    # that makes bars without a new extreme still liquidate someone.
    leverage_tiers: tuple[float, ...] = (10.0, 50.0, 125.0)
    # Share of new long notional at each tier (normalised to sum to 1); the presets weight tiers ∝ leverage^-0.5.
    long_weights: tuple[float, ...] = (0.58, 0.26, 0.16)
    # Share of new short notional at each tier (normalised to sum to 1).
    short_weights: tuple[float, ...] = (0.58, 0.26, 0.16)
    # 0–1: how far the side that took liquidity in a bar (aggressive buyers → longs) shifts to higher leverage, and
    # its counterparty to lower leverage.
    taker_tilt: float = 0.5
    # 0–1: same lean from the account long/short ratio when the data has it: the side most accounts are on is the
    # leveraged crowd; the other side is mostly market makers and hedgers with little leverage.
    crowd_tilt: float = 0.6
    # Entry price of new positions: "vwap" (bar VWAP when volume data allow, else typical), "typical" (H+L+C)/3,
    # or "range" (spread evenly over the bar's low..high).
    entry_rule: str = "range"
    # Number of entry prices across the bar when entry_rule is "range".
    entry_points: int = 2
    # Share of the bar's range (around its middle) the entries cover when entry_rule is "range" (1 = low..high).
    entry_width: float = 0.5
    # How falling open interest closes positions: "pro_rata" (every position shrinks by the same share) or
    # "oldest_first" (the oldest positions close first).
    close_rule: str = "pro_rata"
    # Gross turnover: share of open interest that closes (pro rata) and reopens at the bar's entry prices each hour,
    # on top of net open-interest changes. Net OI hides this churn; without it crossed levels never refill.
    turnover_per_hour: float = 0.03
    # Same-bar liquidations: a bar's new positions whose liquidation price the rest of the bar reaches are liquidated
    # in it (shorts who sold the drop squeezed by the bounce off its low, longs who bought the spike flushed by the
    # pullback from its high). The bar is read as open→low→high→close when it closes up, open→high→low→close when down.
    # Off in every preset: on the CoinGlass file it lifted map ρ but lowered what the map adds to the candle (README).
    same_bar_liquidations: bool = False
    # Positions fade with this half-life in hours (None = never fade; they still close with open interest).
    decay_half_life_hours: float | None = 72.0
    # Cohort age limit: positions older than this many hours are dropped from the map (None = keep all). Not the
    # window the app shows (`liqcore.analyse(window=...)`) nor the span a fetch asks for (`fetch_market(span=...)`).
    max_age_hours: float | None = 24.0 * 30
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
        if self.entry_rule not in ENTRY_RULE_NAMES:
            raise ValueError("entry_rule must be 'vwap', 'typical' or 'range'")
        if self.entry_points < 1:
            raise ValueError("entry_points must be at least 1")
        if not 0.0 < self.entry_width <= 1.0:
            raise ValueError("entry_width must be above 0 and at most 1")
        if self.close_rule not in CLOSING_RULES:
            raise ValueError("close_rule must be 'pro_rata' or 'oldest_first'")
        if not 0.0 <= self.turnover_per_hour < 1.0:
            raise ValueError("turnover_per_hour must be at least 0 and below 1")
        if self.contract not in ("linear", "inverse"):
            raise ValueError("contract must be 'linear' or 'inverse'")
        for name in ("decay_half_life_hours", "max_age_hours", "bin_size"):
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

    @property
    def closing(self) -> ClosingRule:
        """The closing rule object named by `close_rule`."""
        return CLOSING_RULES[self.close_rule]

    @property
    def entry(self) -> EntryRule:
        """The entry rule object named by `entry_rule` (with `entry_points` and `entry_width`)."""
        return entry_rule(self.entry_rule, self.entry_points, self.entry_width)

    def with_changes(self, **changes: Any) -> ModelConfig:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

    def describe(self) -> list[str]:
        """The assumptions in plain words, for an 'Assumptions' panel."""
        tiers = ", ".join(f"{lev:g}x" for lev in self.leverage_tiers)
        longs = _mix(self.leverage_tiers, self.long_weights)
        shorts = _mix(self.leverage_tiers, self.short_weights)
        lines = [
            f"New positions use leverage {tiers}; longs weighted {longs}, shorts {shorts}.",
            f"The side that took liquidity in a bar leans {self.taker_tilt:.0%} of the way toward higher leverage "
            "(its counterparty toward lower).",
            f"Where the data has an account long/short ratio, the crowded side leans {self.crowd_tilt:.0%} of the way "
            "toward higher leverage.",
            f"Positions open {self.entry.words()}.",
            (
                "New high-leverage positions can be liquidated in the bar they open in, when the rest of the bar "
                "moves against them (a bar that closes up is read as open → low → high → close, one that closes down "
                "as open → high → low → close)."
                if self.same_bar_liquidations
                else "New positions can only be liquidated from the bar after the one they open in."
            ),
            f"When open interest falls, {self.closing.words}.",
            (
                f"Each hour {self.turnover_per_hour:.1%} of open positions close and reopen at the bar's prices "
                "(turnover that net open interest does not show)."
                if self.turnover_per_hour
                else "No turnover: positions only open and close when open interest rises and falls."
            ),
            (
                f"Positions fade with a {self.decay_half_life_hours:g} h half-life."
                if self.decay_half_life_hours
                else "Positions do not fade with time."
            ),
            (
                f"Positions older than {self.max_age_hours / 24:g} days (cohort age limit) leave the map."
                if self.max_age_hours
                else "Positions stay on the map until liquidated or closed."
            ),
            f"Liquidation prices use the isolated-margin formula for {self.contract} contracts.",
        ]
        return lines


def _mix(tiers: tuple[float, ...], weights: tuple[float, ...]) -> str:
    total = sum(weights)
    return " / ".join(f"{w / total:.0%}" for w in weights)


# Chosen on the first half of the CoinGlass BTC 30m file (fit span 2026-05-22 → 05-30) by the mean over both sides of
# the partial rank correlation given the candle, each preset within its leverage family, at most 6 cohorts per bar
# (the engine's speed budget); scored on the second half in README's honest-numbers table.
_PRESETS: dict[str, dict[str, Any]] = {
    "conservative": {
        "leverage_tiers": (10.0, 25.0, 100.0),
        "long_weights": (0.51, 0.33, 0.16),
        "short_weights": (0.51, 0.33, 0.16),
        "entry_width": 1.0,
        "taker_tilt": 0.3,
        "decay_half_life_hours": 120.0,
    },
    "balanced": {},
    "aggressive": {
        "leverage_tiers": (25.0, 75.0, 125.0),
        "long_weights": (1.0, 1.0, 1.0),
        "short_weights": (1.0, 1.0, 1.0),
        "taker_tilt": 0.7,
        "decay_half_life_hours": 36.0,
    },
}
