"""Score a trade plan against the liquidation map, and replay it on the bars that came after.

A plan is a side, an entry, a stop-loss, a take-profit and a leverage. The review reads the map the way a careful
trader would, one finding per topic:

- **stop** vs same-side clusters. Price is often pulled into a band of liquidations (the forced orders are
  liquidity), then snaps back. A long's stop inside — or just in front of — a band of long liquidations below is
  likely swept (a stop hunt); a stop beyond the band survives the sweep.
- **target** vs opposite clusters. Shorts liquidated above a long's entry are forced buyers: a band of them pulls
  price toward it, and the move often exhausts there. A target just before or inside the band is likely filled; one
  past it may not be.
- **reward_risk** = distance to target / distance to stop.
- **liquidation** vs stop. With isolated margin at the chosen leverage (first maintenance bracket of the symbol), a
  liquidation price between entry and stop means the exchange closes the position before the stop does.

`replay` walks later bars and says which of stop, target or liquidation came first. Everything rests on an estimated
map; none of it is financial advice.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from liqcore.brackets import small_position_bracket
from liqcore.formatting import compact_usd
from liqcore.margin import liquidation_price
from liqcore.profile import Profile, find_clusters

SEVERITIES = ("serious", "warning", "info", "ok")


@dataclass(frozen=True)
class TradePlan:
    """Side ("long" | "short"), entry, stop-loss and take-profit (USD), leverage, and the symbol for the margin table.

    Any values construct; `problems(plan)` lists what makes a plan invalid (a long needs stop < entry < target).
    """

    side: str
    entry: float
    stop: float
    target: float
    leverage: float = 5.0
    symbol: str = "BTCUSDT"

    @property
    def sign(self) -> int:
        """+1 for a long (profits when price rises), −1 for a short."""
        return 1 if self.side == "long" else -1

    @property
    def risk(self) -> float:
        """Distance from entry to stop (USD)."""
        return abs(self.entry - self.stop)

    @property
    def reward(self) -> float:
        """Distance from entry to target (USD)."""
        return abs(self.target - self.entry)

    @property
    def reward_risk(self) -> float:
        """Reward / risk (nan when the stop equals the entry)."""
        return self.reward / self.risk if self.risk else float("nan")

    @property
    def mmr(self) -> float:
        """Maintenance-margin rate of the symbol's first bracket (a small position)."""
        return small_position_bracket(self.symbol).mmr

    @property
    def liquidation(self) -> float:
        """Isolated liquidation price at this leverage."""
        return float(liquidation_price(self.entry, self.leverage, self.side, self.mmr))


@dataclass(frozen=True)
class Finding:
    """One point of a review: topic ("stop" | "target" | "reward_risk" | "liquidation" | "plan"), severity
    ("serious" | "warning" | "info" | "ok"), a short title and the explanation with this map's numbers."""

    topic: str
    severity: str
    title: str
    detail: str


def problems(plan: TradePlan) -> list[str]:
    """What makes the plan impossible to score, in words (empty when it is valid)."""
    found = []
    if plan.side not in ("long", "short"):
        found.append(f"Side must be long or short, not {plan.side!r}.")
        return found
    if min(plan.entry, plan.stop, plan.target) <= 0:
        found.append("Entry, stop and target must be positive prices.")
    if plan.leverage < 1:
        found.append(f"Leverage must be at least 1×, not {plan.leverage:g}×.")
    if plan.side == "long":
        if not plan.stop < plan.entry:
            found.append("A long's stop-loss must be below the entry.")
        if not plan.target > plan.entry:
            found.append("A long's take-profit must be above the entry.")
    else:
        if not plan.stop > plan.entry:
            found.append("A short's stop-loss must be above the entry.")
        if not plan.target < plan.entry:
            found.append("A short's take-profit must be below the entry.")
    return found


def max_leverage_for_stop(entry: float, stop: float, side: str, symbol: str = "BTCUSDT") -> float:
    """The leverage whose isolated liquidation price is exactly `stop` (first bracket); any less keeps it beyond.

    Inverts the linear formula of `liqcore.margin`: long L = 1 / (1 − S(1 − m)/E), short L = 1 / (S(1 + m)/E − 1).
    """
    m = small_position_bracket(symbol).mmr
    gap = 1 - stop * (1 - m) / entry if side == "long" else stop * (1 + m) / entry - 1
    return float(1 / gap) if gap > 0 else float("inf")


def suggest_plan(
    price: float, side: str, stop_distance: float, reward_risk: float = 2.0, leverage: float = 5.0
) -> TradePlan:
    """A starting plan to edit: entry at `price`, stop `stop_distance` USD away, target `reward_risk` × as far."""
    sign = 1 if side == "long" else -1
    return TradePlan(
        side=side,
        entry=float(price),
        stop=float(price - sign * stop_distance),
        target=float(price + sign * reward_risk * stop_distance),
        leverage=float(leverage),
    )


def _price(value: float, scale: float) -> str:
    return f"{value:,.{2 if scale < 1000 else 0}f}"


def _band(row: object, scale: float) -> str:
    return f"{_price(row.price_low, scale)}–{_price(row.price_high, scale)} USD"


def _big_clusters(profile: Profile, side: str, big_share: float) -> pd.DataFrame:
    clusters = find_clusters(profile)
    clusters = clusters[clusters["side"] == side]
    if clusters.empty:
        return clusters
    return clusters[clusters["notional_usd"] >= big_share * clusters["notional_usd"].max()]


def _stop_finding(plan: TradePlan, profile: Profile, near: float, big_share: float) -> Finding:
    """Same-side clusters between entry and beyond the stop: inside / just in front of one, or beyond it."""
    side, sign, scale = plan.side, plan.sign, plan.entry
    clusters = _big_clusters(profile, side, big_share)
    clusters = clusters[sign * (plan.entry - clusters["peak_price"]) > 0]
    inside, in_front, beyond = [], [], []
    for row in clusters.itertuples():
        near_edge, far_edge = (row.price_high, row.price_low) if side == "long" else (row.price_low, row.price_high)
        if sign * (plan.stop - far_edge) > 0 and sign * (near_edge - plan.stop) >= 0:
            inside.append(row)
        elif 0 < sign * (plan.stop - near_edge) <= near:
            in_front.append(row)
        elif sign * (far_edge - plan.stop) >= 0:
            beyond.append(row)
    where = "below" if side == "long" else "above"
    if inside or in_front:
        row = (inside or in_front)[0]
        far_edge = row.price_low if side == "long" else row.price_high
        position = (
            "inside"
            if inside
            else f"{abs(plan.stop - (row.price_high if side == 'long' else row.price_low)):,.2f} USD in front of"
        )
        return Finding(
            "stop",
            "warning",
            "Stop-hunt risk: the stop sits " + ("inside a cluster" if inside else "just in front of a cluster"),
            f"Your stop at {_price(plan.stop, scale)} USD is {position} the {side} cluster {_band(row, scale)} "
            f"(≈ {compact_usd(row.notional_usd)} estimated). Price is often pulled into such a band to liquidate it, "
            f"then snaps back — that sweep would take your stop first. A stop {where} {_price(far_edge, scale)} USD "
            "would survive it.",
        )
    if beyond:
        row = beyond[0]
        return Finding(
            "stop",
            "ok",
            "Stop beyond the nearby cluster",
            f"The {side} cluster {_band(row, scale)} (≈ {compact_usd(row.notional_usd)} estimated) lies between your "
            f"entry and your stop at {_price(plan.stop, scale)} USD: a sweep of that band need not stop you out.",
        )
    return Finding(
        "stop",
        "info",
        "No big cluster near the stop",
        f"The map shows no large band of {side} liquidations around your stop at {_price(plan.stop, scale)} USD.",
    )


def _target_finding(plan: TradePlan, profile: Profile, near: float, big_share: float) -> Finding:
    """Opposite clusters on the way to the target: past one (may exhaust first), inside / just before one, or none."""
    other = "short" if plan.side == "long" else "long"
    sign, scale = plan.sign, plan.entry
    clusters = _big_clusters(profile, other, big_share)
    clusters = clusters[sign * (clusters["peak_price"] - plan.entry) > 0]
    flow = "buying" if other == "short" else "selling"
    past, reached = [], []
    for row in clusters.itertuples():
        near_edge, far_edge = (
            (row.price_low, row.price_high) if plan.side == "long" else (row.price_high, row.price_low)
        )
        if sign * (plan.target - far_edge) > 0:
            past.append(row)
        elif sign * (plan.target - near_edge) >= -near:
            reached.append(row)
    if past:
        row = past[0]
        near_edge = row.price_low if plan.side == "long" else row.price_high
        return Finding(
            "target",
            "warning",
            "Take-profit past a big opposite cluster",
            f"Your target at {_price(plan.target, scale)} USD lies beyond the {other} cluster {_band(row, scale)} "
            f"(≈ {compact_usd(row.notional_usd)} estimated). Forced {flow} there pulls price in, and the move often "
            f"exhausts once it is filled — a target just before {_price(near_edge, scale)} USD is more likely to fill.",
        )
    if reached:
        row = reached[0]
        return Finding(
            "target",
            "ok",
            "Take-profit at a big opposite cluster",
            f"The {other} cluster {_band(row, scale)} (≈ {compact_usd(row.notional_usd)} estimated) is forced {flow} "
            f"that tends to pull price toward it; your target at {_price(plan.target, scale)} USD is reached just "
            "before or inside it, where fills are most likely.",
        )
    return Finding(
        "target",
        "info",
        "No big opposite cluster at the target",
        f"No large band of {other} liquidations lies between entry and your target at "
        f"{_price(plan.target, scale)} USD, so no estimated forced {flow} helps carry price there.",
    )


def _reward_risk_finding(plan: TradePlan) -> Finding:
    rr = plan.reward_risk
    breakeven = 100 / (1 + rr)
    detail = (
        f"Reward {plan.reward:,.2f} USD vs risk {plan.risk:,.2f} USD per unit: the plan breaks even when more than "
        f"{breakeven:.0f} % of such trades reach the target."
    )
    severity = "warning" if rr < 1 else ("info" if rr < 2 else "ok")
    return Finding("reward_risk", severity, f"Reward/risk {rr:.2f}", detail)


def _liquidation_finding(plan: TradePlan) -> Finding:
    liq = plan.liquidation
    liq_pct = 100 * abs(liq - plan.entry) / plan.entry
    stop_pct = 100 * plan.risk / plan.entry
    limit = max_leverage_for_stop(plan.entry, plan.stop, plan.side, plan.symbol)
    numbers = (
        f"At {plan.leverage:g}× the position is liquidated at {_price(liq, plan.entry)} USD ({liq_pct:.2f} % from "
        f"entry); your stop is {stop_pct:.2f} % away."
    )
    if plan.sign * (liq - plan.stop) >= 0:
        return Finding(
            "liquidation",
            "serious",
            "Liquidated before the stop",
            f"{numbers} The exchange would close the position — and take the whole margin — before your stop. "
            f"Below {limit:.1f}× the liquidation sits beyond the stop.",
        )
    if liq_pct < 2 * stop_pct:
        return Finding(
            "liquidation",
            "warning",
            "Liquidation close behind the stop",
            f"{numbers} A fast wick or slippage past the stop could reach it; less leverage gives room.",
        )
    return Finding("liquidation", "ok", "Liquidation well beyond the stop", numbers)


def score_plan(plan: TradePlan, profile: Profile, near_pct: float = 0.4, big_share: float = 0.25) -> list[Finding]:
    """Findings for a plan against a side profile, most severe first (see the module docstring for the rules).

    `near_pct` (% of entry) is how close counts as "just" in front of or before a cluster; clusters with at least
    `big_share` of the side's biggest cluster are considered. An invalid plan yields one serious "plan" finding per
    problem instead.
    """
    issues = problems(plan)
    if issues:
        return [Finding("plan", "serious", "The plan is not valid", text) for text in issues]
    near = plan.entry * near_pct / 100
    findings = [
        _liquidation_finding(plan),
        _stop_finding(plan, profile, near, big_share),
        _target_finding(plan, profile, near, big_share),
        _reward_risk_finding(plan),
    ]
    return sorted(findings, key=lambda f: SEVERITIES.index(f.severity))


@dataclass(frozen=True)
class ReplayResult:
    """How a plan played out: which exit came first ("target" | "stop" | "liquidation" | "open"), after how many
    bars, where, and the result as a price move (% of entry), on the margin (× leverage; −100 % when liquidated) and
    in units of the planned risk (R). `note` states same-bar ambiguity and gaps."""

    exit: str
    bars_held: int
    time: pd.Timestamp | None
    exit_price: float
    move_pct: float
    pnl_margin_pct: float
    r_multiple: float
    note: str


def replay(plan: TradePlan, bars_after: pd.DataFrame) -> ReplayResult:
    """Walk `bars_after` (open/high/low/close after the entry) and report which level was hit first.

    Within a bar the order of high and low is unknown: when the target and an adverse level (stop or liquidation)
    are both inside one bar, the adverse one is assumed first (the cautious reading) and the note says so. A bar that
    opens past the stop fills at its open (a gap). Still open at the end: marked at the last close.
    """
    issues = problems(plan)
    if issues:
        raise ValueError(" ".join(issues))
    sign = plan.sign
    adverse = sorted([("stop", plan.stop), ("liquidation", plan.liquidation)], key=lambda x: sign * (plan.entry - x[1]))
    opens, highs, lows, closes = (bars_after[c].to_numpy(dtype=float) for c in ("open", "high", "low", "close"))
    for i in range(len(bars_after)):
        worst, best = (lows[i], highs[i]) if sign == 1 else (highs[i], lows[i])
        hit = [(name, level) for name, level in adverse if sign * (worst - level) <= 0]
        target_hit = sign * (best - plan.target) >= 0
        if hit:
            name, level = hit[0]
            notes = []
            if target_hit:
                notes.append(
                    f"Bar {i + 1} reached both the target and the {name}; the order inside a bar is unknown, so the "
                    "cautious reading (the loss first) is shown."
                )
            price = level
            if name == "stop" and sign * (opens[i] - level) < 0:
                price = float(opens[i])
                notes.append("The bar opened past the stop (a gap), so the stop filled at the open.")
            return _result(plan, name, i + 1, bars_after.index[i], price, " ".join(notes))
        if target_hit:
            return _result(plan, "target", i + 1, bars_after.index[i], plan.target, "")
    if len(bars_after) == 0:
        return _result(plan, "open", 0, None, plan.entry, "No bars after the decision point yet.")
    return _result(
        plan,
        "open",
        len(bars_after),
        bars_after.index[-1],
        float(closes[-1]),
        "Neither level hit: marked at the last close.",
    )


def _result(plan: TradePlan, exit_: str, bars: int, time: pd.Timestamp | None, price: float, note: str) -> ReplayResult:
    move = 100 * plan.sign * (price - plan.entry) / plan.entry
    margin = -100.0 if exit_ == "liquidation" else move * plan.leverage
    r = plan.sign * (price - plan.entry) / plan.risk
    return ReplayResult(exit_, bars, time, float(price), float(move), float(margin), float(r), note)


def findings_frame(findings: list[Finding]) -> pd.DataFrame:
    """Findings as a table (severity, topic, title, detail) for display."""
    rows = [(f.severity, f.topic, f.title, f.detail) for f in findings]
    return pd.DataFrame(rows, columns=["severity", "topic", "title", "detail"])
