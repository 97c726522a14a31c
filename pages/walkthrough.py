"""Trade walkthrough: six guided steps from reading the map to replaying a plan on the bars that came after."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from liqcore.analysis import Analysis
from liqcore.breakouts import BreakoutResult, scan
from liqcore.charts.breakouts import breakout_chart, plan_chart, replay_chart
from liqcore.charts.heatmap import profile_chart
from liqcore.formatting import compact_usd
from liqcore.heatmap import Heatmap
from liqcore.market import Market
from liqcore.plan import TradePlan, problems, replay, score_plan, suggest_plan
from liqcore.walkthrough import Lesson, build_lesson
from pages.components.session import current_analysis

STEPS = (
    "Read the map",
    "Fakeout check",
    "Squeeze reading",
    "Volatility, leverage and stop width",
    "Plan the trade",
    "Replay",
)
PLAN_KEYS = ("wt_side", "wt_entry", "wt_stop", "wt_target", "wt_leverage")
SHOW = {"serious": st.error, "warning": st.warning, "info": st.info, "ok": st.success}
ICONS = {"serious": ":material/dangerous:", "warning": ":material/warning:", "info": ":material/info:"}

analysis: Analysis = current_analysis(__file__)


@st.cache_data(max_entries=16, ttl=3600, show_spinner="Choosing a decision point…")
def _lesson(key: str, _market: Market, _heatmap: Heatmap) -> Lesson:
    return build_lesson(_market, _heatmap)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _scan(key: str, _market: Market, _heatmap: Heatmap) -> BreakoutResult:
    return scan(_market, _heatmap)


lesson = _lesson(analysis.key, analysis.market, analysis.heatmap)


def _reset_plan(side: str | None = None) -> None:
    start = suggest_plan(lesson.price, side or lesson.side, lesson.stop_distance, 2.0, lesson.leverage)
    st.session_state.update(
        wt_side=start.side,
        wt_entry=round(start.entry, 2),
        wt_stop=round(start.stop, 2),
        wt_target=round(start.target, 2),
        wt_leverage=float(start.leverage),
    )


if st.session_state.get("wt_key") != analysis.key:
    st.session_state.update(wt_key=analysis.key, wt_step=1)
    st.session_state.pop("wt_guess", None)
    _reset_plan()
for key in PLAN_KEYS:  # keep the plan while its widgets are not on screen
    st.session_state[key] = st.session_state[key]
step: int = st.session_state["wt_step"]


def _go(delta: int) -> None:
    st.session_state["wt_step"] = min(len(STEPS), max(1, st.session_state["wt_step"] + delta))


def _usd(value: float) -> str:
    return f"{value:,.0f} USD"


def _plan() -> TradePlan:
    return TradePlan(
        st.session_state["wt_side"],
        st.session_state["wt_entry"],
        st.session_state["wt_stop"],
        st.session_state["wt_target"],
        st.session_state["wt_leverage"],
        analysis.market.symbol,
    )


st.title("Trade walkthrough")
st.caption(
    f"On **{analysis.label}**, stopped at **{lesson.time:%Y-%m-%d %H:%M} UTC** (price {_usd(lesson.price)}): "
    "everything below uses only what was known then, and the bars after it are kept for the replay. The map is an "
    "**estimate**, and nothing here is financial advice. Pick another scenario, seed or dataset in the sidebar to "
    "walk through a different market."
)
st.progress(step / len(STEPS), text=f"Step {step} of {len(STEPS)}: {STEPS[step - 1]}")


def step_map() -> None:
    st.subheader("1 · Read the map")
    st.markdown(
        "Each bar on the chart is the estimated USD of leveraged positions that would be **force-liquidated** if "
        "price traded there. **Longs** sit below price (they are liquidated when price falls), **shorts** above. "
        "Bright, long bars are *clusters*: many positions with a liquidation price in the same place. The lines "
        "add them up outward from price."
    )
    left, right = st.columns([3, 2])
    left.altair_chart(
        profile_chart(lesson.profile, f"Estimated book at {lesson.time:%b %d %H:%M} UTC"), width="stretch"
    )
    with right:
        st.metric("Price at the decision point", _usd(lesson.price))
        for row, side, word, effect in (
            (lesson.long_cluster, "long", "below", "forced selling if price falls into it"),
            (lesson.short_cluster, "short", "above", "forced buying if price rises into it"),
        ):
            if row is None:
                st.markdown(f"- No {side} cluster {word} price on this map.")
            else:
                st.markdown(
                    f"- Biggest **{side}** cluster {word}: **{row['price_low']:,.0f}–{row['price_high']:,.0f} USD** "
                    f"({row['distance_pct']:+.1f} % from price), ≈ **{compact_usd(row['notional_usd'])}** — {effect}."
                )
        st.caption("Faint bars hold little; a move through them has little forced flow behind it.")


def step_fakeout() -> None:
    st.subheader("2 · Fakeout check")
    event = lesson.breakout
    if event is None:
        st.info(
            "No breakout with a known outcome in this data, so there is nothing to quiz. Pick another scenario or "
            "seed in the sidebar (the *fakeout* scenario has many).",
            icon=":material/info:",
        )
        return
    up = event["direction"] == "up"
    config = _scan(analysis.key, analysis.market, analysis.heatmap).config
    st.markdown(
        f"At **{event['time']:%b %d %H:%M} UTC** price closed at **{_usd(event['close'])}**, "
        f"{'above the high' if up else 'below the low'} of the previous {config.lookback} bars "
        f"({_usd(event['level'])}). Within {config.fuel_pct:g} % beyond that level the map held "
        f"≈ **{compact_usd(event['fuel_usd'])}** of {'shorts' if up else 'longs'} — fuel that would be forced to "
        f"{'buy' if up else 'sell'} if price kept going. That is a **{event['zone']}** zone (dense = at or "
        f"above the median fuel of this data's breakouts, {compact_usd(lesson.dense_threshold_usd)})."
    )
    guess = st.radio(
        f"What happens within the next {config.horizon} bars?",
        ["follow-through", "fakeout"],
        index=None,
        key="wt_guess",
        horizontal=True,
        captions=[
            f"price travels {config.follow_atr:g} × ATR further {'up' if up else 'down'}",
            "price closes back inside the range",
        ],
    )
    shown = lesson.before if guess is None else pd.concat([lesson.before, lesson.after.head(config.horizon)])
    events = pd.DataFrame([event]) if guess is not None else pd.DataFrame([event]).iloc[:0]
    st.altair_chart(breakout_chart(shown.reset_index(names="time"), events), width="stretch")
    if guess is None:
        st.caption("Decide first; the bars after the breakout appear once you have answered.")
        return
    outcome = event["outcome"]
    said = "Right" if guess == outcome else "Not this time"
    st.markdown(
        f"**{said}:** it was a **{outcome}**, decided {int(event['bars_to_outcome'])} bar(s) after the breakout."
    )
    st.info(
        f"Across this data ({lesson.breakouts_found} breakouts): "
        f"{_scan(analysis.key, analysis.market, analysis.heatmap).verdict}",
        icon=":material/fact_check:",
    )


def step_squeeze() -> None:
    st.subheader("3 · Squeeze reading")
    row = lesson.balance
    left, right = st.columns(2)
    left.metric(
        "Reading (estimate)", row["label"], f"balance {row['balance']:+.2f}", delta_color="off", delta_arrow="off"
    )
    right.metric(
        "Shorts above / longs below, ±3 % (nearer counts more)",
        f"{compact_usd(row['above_usd'])} / {compact_usd(row['below_usd'])}",
    )
    st.markdown(
        "The balance runs from −1 (all the nearby exposure is longs below price) to +1 (all shorts above). "
        "**Shorts stacked above** can be squeezed: a push up forces them to buy, which pushes price further. "
        "**Longs stacked below** can cascade the same way downward. A balanced book promises little forced flow "
        "either way. The *Sentiment* page shows whether this reading has meant anything on this data."
    )


def step_volatility() -> None:
    st.subheader("4 · Volatility → leverage and stop width")
    start = suggest_plan(lesson.price, lesson.side, lesson.stop_distance, 2.0, lesson.leverage)
    cols = st.columns(4)
    cols[0].metric(
        f"Expected move, next {lesson.horizon} bars",
        f"± {_usd(lesson.move_usd)}",
        f"± {lesson.move_pct:.2f} %",
        delta_color="off",
        delta_arrow="off",
    )
    cols[1].metric("Regime", lesson.regime)
    cols[2].metric("ATR(14)", _usd(lesson.atr))
    cols[3].metric("Suggested leverage", f"{lesson.leverage:g}×")
    st.markdown(
        f"The expected move comes from the {lesson.move_source}. A stop closer than the ordinary swing is likely to "
        f"be hit by noise, so the starting stop sits **{_usd(lesson.stop_distance)}** away (the larger of the "
        f"expected move and 1.5 × ATR). At **{lesson.leverage:g}×** a {start.side} from {_usd(start.entry)} would be "
        f"liquidated at **{_usd(start.liquidation)}**, at least twice as far as the stop at {_usd(start.stop)} "
        "(leverage capped at 10× for learning) — so the stop acts before the exchange does. Faster markets need "
        "wider stops, and wider stops need lower leverage."
    )


def step_plan() -> None:
    st.subheader("5 · Plan the trade")
    st.markdown(
        "Choose a side, entry, stop-loss, take-profit and leverage. The plan is scored against the map at the "
        "decision point; each point explains itself. The starting values come from steps 3 and 4."
    )
    cols = st.columns(5)
    cols[0].radio("Side", ["long", "short"], key="wt_side", on_change=lambda: _reset_plan(st.session_state["wt_side"]))
    step_size = float(round(max(lesson.price * 0.001, 0.01), 2))
    cols[1].number_input("Entry (USD)", min_value=0.01, step=step_size, key="wt_entry", format="%.2f")
    cols[2].number_input("Stop-loss (USD)", min_value=0.01, step=step_size, key="wt_stop", format="%.2f")
    cols[3].number_input("Take-profit (USD)", min_value=0.01, step=step_size, key="wt_target", format="%.2f")
    cols[4].number_input("Leverage (×)", min_value=1.0, max_value=125.0, step=1.0, key="wt_leverage")
    plan = _plan()
    issues = problems(plan)
    if issues:
        for text in issues:
            st.error(text, icon=":material/dangerous:")
        return
    metrics = st.columns(4)
    metrics[0].metric("Reward / risk", f"{plan.reward_risk:.2f} R")
    metrics[1].metric(
        "Risk to the stop",
        f"{100 * plan.risk / plan.entry:.2f} %",
        f"{100 * plan.risk / plan.entry * plan.leverage:.1f} % of margin",
        delta_color="off",
        delta_arrow="off",
    )
    metrics[2].metric("Reward to the target", f"{100 * plan.reward / plan.entry:.2f} %")
    metrics[3].metric("Liquidation price", _usd(plan.liquidation))
    left, right = st.columns([3, 2])
    left.altair_chart(plan_chart(lesson.profile, plan), width="stretch")
    with right:
        for finding in score_plan(plan, lesson.profile):
            SHOW[finding.severity](
                f"**{finding.title}.** {finding.detail}", icon=ICONS.get(finding.severity, ":material/check_circle:")
            )


def step_replay() -> None:
    st.subheader("6 · Replay")
    plan = _plan()
    issues = problems(plan)
    if issues:
        st.error("The plan in step 5 is not valid: " + " ".join(issues), icon=":material/dangerous:")
        return
    result = replay(plan, lesson.after)
    words = {
        "target": "The take-profit was reached first.",
        "stop": "The stop-loss was hit first.",
        "liquidation": "The position was liquidated before the stop could act.",
        "open": f"Neither level was hit in the {len(lesson.after)} bars shown; the trade is still open.",
    }
    cols = st.columns(4)
    cols[0].metric("Exit", result.exit, f"after {result.bars_held} bar(s)", delta_color="off", delta_arrow="off")
    cols[1].metric("Price move", f"{result.move_pct:+.2f} %")
    cols[2].metric(f"On the margin at {plan.leverage:g}×", f"{result.pnl_margin_pct:+.1f} %")
    cols[3].metric("In units of risk", f"{result.r_multiple:+.2f} R")
    st.markdown(f"**{words[result.exit]}** Exit at {_usd(result.exit_price)}. {result.note}")
    shown = pd.concat([lesson.before.tail(48), lesson.after])
    st.altair_chart(replay_chart(shown, lesson.time, plan), width="stretch")
    st.caption(
        "One replay is one sample, not evidence: a good plan can lose and a poor one can win. Try another side or "
        "level in step 5, or another scenario or seed in the sidebar."
    )


[step_map, step_fakeout, step_squeeze, step_volatility, step_plan, step_replay][step - 1]()

back, _, forward = st.columns([1, 4, 1])
back.button(
    "Back", key="wt_back", on_click=_go, args=(-1,), disabled=step == 1, icon=":material/arrow_back:", width="stretch"
)
if step < len(STEPS):
    forward.button(
        "Next", key="wt_next", on_click=_go, args=(1,), type="primary", icon=":material/arrow_forward:", width="stretch"
    )
else:
    forward.button(
        "Start over", key="wt_restart", on_click=_go, args=(-len(STEPS),), icon=":material/replay:", width="stretch"
    )
