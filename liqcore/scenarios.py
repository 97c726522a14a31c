"""The simulator's scenarios: how traders behave in each phase, and the lesson a learner should take from it.

Why the lesson lives here: the page that shows a scenario, the walkthrough and the notebook user all read the same
text, and the key moment is found in the simulated bars (the bar where the lesson's liquidations peak), so the
"show me" marker points at what happened rather than at a painted-on time.
"""

from __future__ import annotations

from dataclasses import dataclass

MECHANISMS_PRESENT: tuple[str, ...] = (
    "Leveraged traders open longs and shorts at random times, sizes and leverage (a heavy-tailed mix, 1.5–125×), "
    "each with an isolated liquidation price from Binance's BTCUSDT margin brackets.",
    "A liquidation is a forced market order. It walks a finite order book: each BTC of forced selling uses up bids, "
    "so the next BTC moves price further. A cascade through a dense cluster therefore runs further than one through "
    "a thin zone.",
    "The order book refills between bars (half the used-up depth returns in a few bars), so a second push soon after "
    "a cascade meets a thinner book.",
    "Opening, closing and noise orders move price through the same book; volatility clusters and has fat tails.",
    "Open interest, funding and the long/short ratio are counted from the traders' book, not drawn separately.",
)
MECHANISMS_ABSENT: tuple[str, ...] = (
    "No one hunts stops or liquidation levels on purpose: price reaches a cluster only by drift, noise and cascades.",
    "Traders do not read the map, the price or funding: no one adds margin, closes early or piles in after a move.",
    "No stop-loss orders: a position closes at its planned time or is liquidated.",
    "One venue and one contract: no spot market, no arbitrage between exchanges, no cross margin, no "
    "auto-deleveraging or insurance fund.",
)


@dataclass(frozen=True)
class Phase:
    """Trader and price behaviour from `start` (share of the series) on."""

    start: float
    drift: float = 0.0  # fundamental drift per bar, in units of the bar volatility
    long_rate: float = 3.0  # mean long positions opened per 5 minutes
    short_rate: float = 3.0
    long_lev: float = 1.0  # multiplier on the drawn leverage (capped at 125x and by the bracket)
    short_lev: float = 1.0
    anchor: float = 0.02  # pull of price toward the range's anchor level, per bar (0: no range, price trends)


@dataclass(frozen=True)
class KeyMoment:
    """Where the lesson happens: the bar with the most `measure` between `start` and `end` (shares of the series).

    `measure` is a bar column ("liq_short_usd", "liq_long_usd") or "high"/"-low" for the highest high / lowest low.
    `lead_bars`: the walkthrough's "show me" stops this many bars before it, so the learner decides before the move.
    """

    label: str
    start: float
    end: float
    measure: str
    lead_bars: int = 12


@dataclass(frozen=True)
class Scenario:
    """One scenario: its phases and the lesson shown to learners (what to watch, where on the chart, key moments)."""

    name: str
    title: str
    story: str
    watch: str
    where: str
    moments: tuple[KeyMoment, ...]
    phases: tuple[Phase, ...]

    @property
    def mechanisms(self) -> tuple[str, ...]:
        """What the simulator models, the same for every scenario."""
        return MECHANISMS_PRESENT

    @property
    def missing_mechanisms(self) -> tuple[str, ...]:
        """What the simulator leaves out, so a learner knows what the lesson cannot show."""
        return MECHANISMS_ABSENT

    def phase_at(self, share: float) -> Phase:
        """The phase in force `share` of the way through the series."""
        current = self.phases[0]
        for phase in self.phases:
            if share >= phase.start:
                current = phase
        return current


_SCENARIO_LIST = (
    Scenario(
        name="range",
        title="Range: two-sided book",
        story=(
            "Price wanders inside a range while traders open longs and shorts on both sides. Watch bands of long "
            "liquidations build under price and short liquidations over it, and get eaten at the edges of the range."
        ),
        watch="Bands build on both sides of price and end where a candle reaches them: those traders were liquidated.",
        where="Look just above and below the candles: the brightest bands sit a few percent from price.",
        moments=(KeyMoment("Biggest liquidation bar", 0.3, 1.0, "liq_total_usd"),),
        phases=(Phase(0.0, anchor=0.03),),
    ),
    Scenario(
        name="short_squeeze",
        title="Short squeeze",
        story=(
            "Shorts pile in with high leverage while price drifts sideways, so a bright band of short liquidations "
            "stacks just above price. Watch what happens when a push reaches it: forced buying liquidates the next "
            "layer, and price runs through the whole cluster."
        ),
        watch="A bright band of short liquidations stacks above price; when price reaches it the band is consumed "
        "in a few bars and price jumps.",
        where="About 70 % of the way along the time axis, the band above the candles ends where the candles shoot up.",
        moments=(KeyMoment("Squeeze peak", 0.68, 0.85, "liq_short_usd"),),
        phases=(
            Phase(0.0, anchor=0.03),
            Phase(0.2, drift=-0.02, long_rate=2.0, short_rate=5.5, short_lev=1.8, anchor=0.03),
            Phase(0.7, drift=0.12, long_rate=3.0, short_rate=1.5, anchor=0.0),
            Phase(0.76, drift=0.0, anchor=0.01),
        ),
    ),
    Scenario(
        name="long_cascade",
        title="Long cascade",
        story=(
            "Longs crowd in with high leverage during a calm stretch, stacking long liquidations just below price. "
            "Watch a drop reach the band: forced selling triggers the next layer, and the cascade runs through it."
        ),
        watch="A bright band of long liquidations stacks below price; when a drop reaches it, forced selling "
        "carries price through the whole band.",
        where="About 70 % of the way along the time axis, the band below the candles ends where the candles fall.",
        moments=(KeyMoment("Cascade peak", 0.68, 0.85, "liq_long_usd"),),
        phases=(
            Phase(0.0, anchor=0.03),
            Phase(0.2, drift=0.02, long_rate=5.5, short_rate=2.0, long_lev=1.8, anchor=0.03),
            Phase(0.7, drift=-0.12, long_rate=1.5, short_rate=3.0, anchor=0.0),
            Phase(0.76, drift=0.0, anchor=0.01),
        ),
    ),
    Scenario(
        name="fakeout",
        title="Fakeout",
        story=(
            "Two breakouts. The first pokes above the range into a thin zone with few shorts to squeeze, and snaps "
            "back. The second breaks down into a dense cluster of long liquidations, and the forced selling carries "
            "it."
        ),
        watch="Compare the two breaks: above the range the map is faint (little fuel) and price falls back; below "
        "it the map is bright (much fuel) and the break runs.",
        where="The first break is a little past halfway along the time axis, the second at about 80 %.",
        moments=(
            KeyMoment("Thin break up (snaps back)", 0.54, 0.62, "high"),
            KeyMoment("Dense break down (runs)", 0.78, 0.9, "liq_long_usd"),
        ),
        phases=(
            Phase(0.0, anchor=0.04, short_lev=0.5),
            Phase(0.25, anchor=0.04, long_rate=5.0, long_lev=1.7, short_rate=2.0, short_lev=0.4),
            Phase(0.55, drift=0.3, anchor=0.002, short_rate=1.0, short_lev=0.4),
            Phase(0.58, drift=-0.2, anchor=0.04, long_rate=1.0),
            Phase(0.61, anchor=0.05, long_rate=5.0, long_lev=1.7, short_lev=0.4),
            Phase(0.8, drift=-0.12, anchor=0.0, long_rate=1.0),
            Phase(0.86, anchor=0.01),
        ),
    ),
)
SCENARIO_BY_NAME: dict[str, Scenario] = {s.name: s for s in _SCENARIO_LIST}
SCENARIOS: tuple[str, ...] = tuple(SCENARIO_BY_NAME)
START_HERE: tuple[tuple[str, str], ...] = (
    (
        "What the map shows",
        "Each bright cell is a price where, by the estimate, many leveraged positions would be force-liquidated. "
        "Longs are liquidated below price (when it falls), shorts above (when it rises). Time runs left to right.",
    ),
    (
        "Why it matters",
        "A liquidation is a forced market order. When price reaches a bright band, the forced orders push price "
        "further, which can liquidate the next layer: a squeeze upward, a cascade downward. A faint zone has little "
        "such fuel.",
    ),
    (
        "What to do next",
        "Each scenario below opens with its lesson and a 'show me' button that marks the key moment. Then open the "
        "Trade walkthrough (left menu) to decide at a moment of your choosing — enter or wait — and see what "
        "happened next.",
    ),
)
