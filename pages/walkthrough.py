"""Trade walkthrough: seven guided steps on the map, from reading it to deciding (enter or wait) and the reveal."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from liqcore.analysis import Analysis
from liqcore.cells import heat_cells
from liqcore.charts.breakouts import LEVEL_COLOURS, plan_chart, replay_chart, spread_labels
from liqcore.charts.heatmap import heatmap_chart, profile_chart
from liqcore.charts.lessons import LABEL_ROW_PX, fuel_band, level_rules, marker_rows_px, moment_markers
from liqcore.charts.raster import heat_raster
from liqcore.formatting import compact_usd
from liqcore.plan import TradePlan, problems, replay, score_plan
from liqcore.walkthrough import (
    CHOICES,
    LessonConfig,
    build_lesson,
    decision_range,
    lesson_map,
    score_decision,
    starting_plan,
)
from pages.components.budget import fits
from pages.components.cache import cached
from pages.components.chart_export import chart_with_png, spec_of
from pages.components.lazy import section
from pages.components.session import current_analysis
from pages.components.text import plain

PAGE_TITLE = "Trade walkthrough"  # navigation: pages/components/page_list.py reads these three lines
PAGE_ICON = ":material/school:"
PAGE_ORDER = 5

STEPS = (
    "Read the map",
    "Fakeout check",
    "Squeeze reading",
    "Volatility, leverage and stop width",
    "Enter or wait?",
    "Plan the trade",
    "What happened",
)
PLAN_KEYS = ("wt_side", "wt_entry", "wt_stop", "wt_target", "wt_leverage")
ANSWER_KEYS = ("wt_guess", "wt_choice")
SHOW = {"serious": st.error, "warning": st.warning, "info": st.info, "ok": st.success}
ICONS = {"serious": ":material/dangerous:", "warning": ":material/warning:", "info": ":material/info:"}
# Streamlit fits the whole chart into its height: the legends above and below the map, the time axis and its title
# take about this much of it, the rest is the plot (level labels are spaced in the plot's pixels).
MAP_FURNITURE_PX = 250
BROKEN_LEVEL_COLOUR = "#94a3b8"  # light slate, with the labels' dark halo: reads on light and dark pages and over heat
CHOICE_WORDS = {"long": "Enter long", "short": "Enter short", "wait": "Wait (no trade)"}

analysis: Analysis = current_analysis(__file__)
HOVER_CELLS = 600  # the picture is the raster; the hover grid only carries the read-out

if not fits(analysis, "The trade walkthrough"):
    st.stop()


RULES = LessonConfig()
first_bar, last_bar = decision_range(analysis.market, analysis.heatmap, RULES.after)
times = analysis.market.bars.index


def _restart(at: int | None, moment: tuple[str, pd.Timestamp] | None = None) -> None:
    """A new decision point (and the key moment it was chosen for, if any): back to step 1 with no answers given."""
    st.session_state.update(wt_at=at, wt_step=1, wt_plan_for=None, wt_moment=moment)
    for key in ANSWER_KEYS:
        st.session_state.pop(key, None)


def _random_moment() -> None:
    rng = np.random.default_rng()
    _restart(int(rng.integers(first_bar, last_bar + 1)))


def _chosen_time() -> None:
    chosen = st.session_state["wt_time"]
    _restart(int(times.get_loc(chosen)))


def key_moments() -> pd.DataFrame:
    """The scenario's key moments inside this window, each with the bar a "show me" decision stops at (its
    `lead_bars` before it, kept where a decision can be made); empty for data that is not simulated."""
    if not analysis.is_simulated:
        return pd.DataFrame(columns=["label", "time", "decide_at"])
    moments = analysis.simulation.key_moments()
    moments = moments[(moments["time"] >= times[first_bar]) & (moments["time"] <= times[-1])].copy()
    key_bar = times.searchsorted(moments["time"])
    moments["decide_at"] = (key_bar - moments["lead_bars"]).clip(first_bar, last_bar).astype(int)
    return moments


def _show_me(label: str, time: pd.Timestamp, decide_at: int) -> None:
    _restart(decide_at, (label, time))


if st.session_state.get("wt_key") != analysis.key:
    st.session_state.update(wt_key=analysis.key)
    _restart(None)
lesson = cached(
    build_lesson, analysis, RULES, at=st.session_state["wt_at"], spinner="Reading the map at the decision point…"
)


def _reset_plan(side: str | None = None) -> None:
    start = starting_plan(lesson, side or lesson.side, analysis.market.symbol)
    st.session_state.update(
        wt_side=start.side,
        wt_entry=round(start.entry, 2),
        wt_stop=round(start.stop, 2),
        wt_target=round(start.target, 2),
        wt_leverage=float(start.leverage),
    )


if st.session_state.get("wt_plan_for") != (analysis.key, lesson.bar):
    st.session_state["wt_plan_for"] = (analysis.key, lesson.bar)
    _reset_plan()
for key in PLAN_KEYS:  # keep the plan while its widgets are not on screen
    st.session_state[key] = st.session_state[key]
for key in ANSWER_KEYS:  # and the answers given, for the score card
    if key in st.session_state:
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


def _map_spec(
    analysis: Analysis,
    at: int | None,
    end: pd.Timestamp | None,
    height: int,
    levels: pd.DataFrame | None,
    marks: pd.DataFrame,
    band: tuple | None,
) -> dict:
    """The map's spec (see `_map`), built once per decision and what is drawn on it: a step's rerun or a page switch
    neither rebuilds the Altair chart nor validates it (~0.6 s CPU each time before)."""
    lesson = cached(build_lesson, analysis, RULES, at=at)
    crop, candles = lesson_map(lesson, analysis.heatmap, analysis.market, end=end)
    hover = heat_cells(crop, max_marks=HOVER_CELLS)
    raster = heat_raster(crop)
    chart = heatmap_chart(raster, hover, candles, lesson.price, height=height)
    drawn_to = end if end is not None else lesson.time
    extra = () if band is None else (fuel_band(*band),)
    if levels is not None:
        low, high = min(candles["low"].min(), raster.p0), max(candles["high"].max(), raster.p1)
        pad = 0.02 * (high - low)  # the chart's price scale (see liqcore.charts.heatmap)
        bottom, top = low - pad, high + pad
        per_px = (top - bottom) / (height - MAP_FURNITURE_PX)
        below_markers = top - per_px * (marker_rows_px(len(marks)) + LABEL_ROW_PX)  # clear of the moment labels
        spread = spread_labels(list(levels["price"]), per_px * LABEL_ROW_PX, bottom, below_markers)
        beyond = [levels["price"] > top, levels["price"] < bottom]
        off_map = np.select(beyond, [" (above the map)", " (below the map)"], "")
        extra = (level_rules(levels.assign(label_price=spread, label=levels["label"] + off_map)), *extra)
    for layer in (moment_markers(marks, right_edge=drawn_to, left_edge=candles["time"].min()), *extra):
        chart = chart + layer
    return spec_of(chart)


def _book_spec(analysis: Analysis, at: int | None, detail: str) -> dict:
    """The book at the decision (step 1), built once per decision."""
    profile = cached(build_lesson, analysis, RULES, at=at).profile
    return spec_of(profile_chart(profile, "Estimated book", detail=detail))


def _plan_spec(analysis: Analysis, at: int | None, plan: TradePlan) -> dict:
    """The plan on the book at the decision (step 6), built once per decision and plan."""
    return spec_of(plan_chart(cached(build_lesson, analysis, RULES, at=at).profile, plan))


def _map(
    end: pd.Timestamp | None = None,
    band: tuple[pd.Timestamp, pd.Timestamp, float, float, str] | None = None,
    height: int = 560,
    levels: pd.DataFrame | None = None,
    moments: tuple[tuple[pd.Timestamp, str], ...] = (),
) -> None:
    """The heatmap around the decision (up to `end`, default the decision bar) with the decision and `moments`
    (time, label) marked, `levels` (price, label, colour) as labelled rules whose labels never overlap, and `band`
    (`fuel_band`'s arguments) shaded."""
    drawn_to = end if end is not None else lesson.time
    # The decision is marked only where the map reaches it (the fakeout quiz may stop at an earlier breakout's end).
    marked = [(lesson.time, "decision")] if lesson.time <= drawn_to else []
    marked += list(moments)
    moment = st.session_state.get("wt_moment")
    if moment is not None and moment[1] <= drawn_to:  # never ahead of what is shown
        marked.append((moment[1], moment[0]))
    marks = pd.DataFrame(marked, columns=["time", "label"])
    spec = cached(_map_spec, analysis, st.session_state["wt_at"], end, height, levels, marks, band)
    shown_to = f"{(end or lesson.time):%Y-%m-%d %H:%M} UTC"
    title = f"Liquidation heatmap up to {shown_to}, decision at {lesson.time:%Y-%m-%d %H:%M} UTC (estimate)"
    chart_with_png(spec, title, analysis.label, f"walkthrough-map-step{step}")


def _levels(plan: TradePlan) -> pd.DataFrame:
    rows = [("stop", plan.stop), ("target", plan.target), ("liquidation", plan.liquidation), ("entry", plan.entry)]
    return pd.DataFrame(
        {
            "price": [p for _, p in rows],
            "label": [f"{name} {p:,.0f}" for name, p in rows],
            "colour": [LEVEL_COLOURS[name] for name, _ in rows],
        }
    )


st.title("Trade walkthrough")
st.caption(
    f"On **{plain(analysis.label)}**, stopped at **{lesson.time:%Y-%m-%d %H:%M} UTC** (price {_usd(lesson.price)}): "
    "everything below uses only what was known then, and the bars after it are kept for the reveal. The map is an "
    "**estimate**, and nothing here is financial advice. Pick another scenario, seed or dataset in the sidebar to "
    "walk through a different market."
)


def decision_time() -> None:
    """The decision-time controls (drawn only while their box is open: ~7 elements on every run of the page)."""
    left, mid, right = st.columns([4, 1.3, 1.3])
    snapshots = [t for t in analysis.heatmap.times if times[first_bar] <= t <= times[last_bar]]
    if snapshots and snapshots[0] <= lesson.time <= snapshots[-1] and lesson.time not in snapshots:
        snapshots = sorted([*snapshots, lesson.time])  # a decision between snapshots is shown where it is
    if snapshots:
        # The slider follows the decision however it was chosen (slider, random, show me).
        st.session_state["wt_time"] = max((t for t in snapshots if t <= lesson.time), default=snapshots[0])
        left.select_slider(
            "Decide at (UTC)",
            options=snapshots,
            key="wt_time",
            format_func=lambda t: f"{t:%b %d %H:%M}",
            on_change=_chosen_time,
            help="The map and every reading stop here; the bars after it are hidden until the reveal.",
        )
    mid.button("A random moment", key="wt_random", icon=":material/casino:", on_click=_random_moment, width="stretch")
    right.button(
        "A recent breakout", key="wt_auto", icon=":material/bolt:", on_click=_restart, args=(None,), width="stretch"
    )
    moments = key_moments()
    if len(moments):
        st.markdown(f"**Show me the lesson of *{analysis.simulation.guide.title}*:** stop just before its key moment.")
        for column, row in zip(st.columns(len(moments)), moments.itertuples(), strict=True):
            column.button(
                f"Show me: {row.label}",
                key=f"wt_show_{row.Index}",
                icon=":material/my_location:",
                on_click=_show_me,
                args=(row.label, row.time, row.decide_at),
                width="stretch",
                help=f"Decide {row.lead_bars} bars before it; it is marked on the map once the bars after your "
                "decision are shown.",
            )


# Folded to one line, so on a phone the map is on screen first; its label says what is inside.
section(
    f"Decision time: {lesson.time:%b %d %H:%M} UTC · choose another, a random moment or the lesson's key moment",
    decision_time,
    key="wt_when_open",
    icon=":material/schedule:",
)
chosen_moment = st.session_state.get("wt_moment")
if chosen_moment is not None:  # outside the folded box, so it is read without opening it
    label, when = chosen_moment
    ahead = int(times.searchsorted(when)) - lesson.bar
    st.caption(
        f"Stopped {ahead} bar(s) before **{label}** ({when:%b %d %H:%M} UTC). Read the map as it stood here; the "
        "moment is marked on the map (lime ▼) once the bars after your decision are shown, in step 7."
    )
st.progress(step / len(STEPS), text=f"Step {step} of {len(STEPS)}: {STEPS[step - 1]}")


def step_map() -> None:
    st.subheader("1 · Read the map")
    st.markdown(
        "The heat is the estimated USD of leveraged positions that would be **force-liquidated** if price traded "
        "there, up to the decision (the dotted green line). **Longs** sit below price (liquidated when it falls), "
        "**shorts** above. Bright bands are *clusters*; a band that ends where the candles pass through it was "
        "liquidated."
    )
    _map()
    left, right = st.columns([3, 2])
    when = f"{lesson.time:%b %d %H:%M} UTC"
    book = cached(_book_spec, analysis, st.session_state["wt_at"], f"at the decision, {when}")
    chart_with_png(book, f"Estimated book at {when}", analysis.label, "walkthrough-book", left)
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


def step_fakeout() -> None:
    st.subheader("2 · Fakeout check")
    event = lesson.breakout
    if event is None:
        st.info(
            "No breakout with a known outcome in the bars before this decision, so there is nothing to quiz. "
            "Try another decision time above, or the *fakeout* scenario in the sidebar (it has many).",
            icon=":material/info:",
        )
        _map()
        return
    up = event["direction"] == "up"
    config = lesson.breakouts.config
    st.markdown(
        f"At **{event['time']:%b %d %H:%M} UTC** price closed at **{_usd(event['close'])}**, "
        f"{'above the high' if up else 'below the low'} of the previous {config.range_bars} bars — the broken level "
        f"**{_usd(event['level'])}** (dashed grey line). The lime box is the fuel window: within "
        f"{config.fuel_pct:g} % beyond the level the map held ≈ **{compact_usd(event['fuel_usd'])}** of "
        f"{'shorts' if up else 'longs'}, forced to {'buy' if up else 'sell'} if price kept going — a "
        f"**{event['zone']}** zone (dense = at or above the "
        f"{config.dense_percentile:g}th percentile of this data's breakouts' fuel, "
        f"{compact_usd(lesson.breakouts.dense_threshold_usd)})."
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
    bars = analysis.market.bars.index
    horizon_end = bars[min(int(event["bar"]) + config.horizon, len(bars) - 1)]
    outcome_at = bars[min(int(event["bar"]) + int(event["bars_to_outcome"]), len(bars) - 1)]
    # After the answer: up to the outcome, and on to the horizon only as far as the decision (nothing after it).
    end = event["time"] if guess is None else max(outcome_at, min(horizon_end, lesson.time))
    fuel_edge = event["level"] * (1 + (1 if up else -1) * config.fuel_pct / 100)
    level = pd.DataFrame(
        {"price": [event["level"]], "label": [f"broken level {event['level']:,.0f}"], "colour": [BROKEN_LEVEL_COLOUR]}
    )
    band = (event["time"], end, float(event["level"]), float(fuel_edge), f"fuel {compact_usd(event['fuel_usd'])}")
    _map(end=end, band=band, levels=level, moments=((event["time"], "breakout"),))
    if end < lesson.time:
        before = int(bars.searchsorted(lesson.time)) - int(bars.searchsorted(end))
        st.caption(
            f"This map stops at {end:%b %d %H:%M} UTC, {before} bar(s) before your decision: the quiz shows the "
            "breakout and, once answered, its bars up to the outcome."
        )
    if guess is None:
        st.caption("Decide first; the bars after the breakout appear once you have answered.")
        return
    outcome = event["outcome"]
    said = "Right" if guess == outcome else "Not this time"
    st.markdown(
        f"**{said}:** it was a **{outcome}**, decided {int(event['bars_to_outcome'])} bar(s) after the breakout."
    )
    st.info(
        f"Across this data ({len(lesson.breakouts.frame)} breakouts): {lesson.breakouts.verdict}",
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
        f"Shorts above / longs below, {RULES.sentiment.describe_window()}",
        f"{compact_usd(row['above_usd'])} / {compact_usd(row['below_usd'])}",
    )
    _map()
    st.markdown(
        "The balance runs from −1 (all the nearby exposure is longs below price) to +1 (all shorts above). "
        "**Shorts stacked above** can be squeezed: a push up forces them to buy, which pushes price further. "
        "**Longs stacked below** can cascade the same way downward. A balanced book promises little forced flow "
        "either way. The *Sentiment* page shows whether this reading has meant anything on this data."
    )


def step_volatility() -> None:
    st.subheader("4 · Volatility → stop width and leverage")
    start = starting_plan(lesson, lesson.side, analysis.market.symbol)
    _map(levels=_levels(start))  # the map before the four readings, which stack a screen tall on a phone
    cols = st.columns(4)
    cols[0].metric(
        f"Expected move, next {lesson.horizon} bars",
        f"± {_usd(lesson.move_usd)}",
        f"± {lesson.move_pct:.2f} %",
        delta_color="off",
        delta_arrow="off",
    )
    cols[1].metric("Regime", lesson.regime)
    cols[2].metric(
        "Suggested stop distance",
        _usd(lesson.stop_distance),
        f"{100 * lesson.stop_distance / lesson.price:.2f} %",
        delta_color="off",
        delta_arrow="off",
    )
    cols[3].metric("Suggested leverage", f"{lesson.leverage:g}×")
    st.markdown(
        f"The expected move comes from the {lesson.move_source}. How the starting stop and leverage were chosen:\n"
        + "\n".join(f"- {reason}" for reason in lesson.risk_reasons)
        + f"\n\nAt **{lesson.leverage:g}×** a {start.side} from {_usd(start.entry)} would be liquidated at "
        f"**{_usd(start.liquidation)}**, beyond the stop at {_usd(start.stop)} — so the stop acts before the "
        "exchange does. Faster markets need wider stops, and wider stops need lower leverage."
    )


def step_decide() -> None:
    st.subheader("5 · Enter or wait?")
    st.markdown(
        "You have read the map, the breakout, the squeeze balance and the volatility. Would you take a trade here? "
        "Waiting is an answer like the others: it is scored against what happened next, by replaying the suggested "
        "long and short plans (stop and leverage from step 4, target at 2 × the risk)."
    )
    st.radio(
        "Your decision",
        list(CHOICES),
        index=None,
        key="wt_choice",
        horizontal=True,
        format_func=CHOICE_WORDS.get,
        on_change=lambda: (
            _reset_plan(st.session_state["wt_choice"])
            if st.session_state.get("wt_choice") in ("long", "short")
            else None
        ),
    )
    _map()
    if st.session_state.get("wt_choice") is None:
        st.caption("Choose before going on; the answer is revealed in the last step.")


def step_plan() -> None:
    st.subheader("6 · Plan the trade")
    if st.session_state.get("wt_choice") == "wait":
        st.info(
            "You chose to wait. You can still sketch a plan here to see what it would have done; your score counts "
            "the decision to wait.",
            icon=":material/hourglass_empty:",
        )
    st.markdown(
        "Choose a side, entry, stop-loss, take-profit and leverage below the map. The plan is scored against the map "
        "at the decision point; each point explains itself. The starting values come from steps 4 and 5."
    )
    sketched = _plan()  # the map first (on a phone the inputs would push it a screen down); it follows every edit
    _map(height=500, levels=None if problems(sketched) else _levels(sketched))
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
    title = f"Your {plan.side} plan at {plan.leverage:g}× on the estimated book"
    plan_spec = cached(_plan_spec, analysis, st.session_state["wt_at"], plan)
    chart_with_png(plan_spec, title, analysis.label, "walkthrough-plan", left)
    with right:
        for finding in score_plan(plan, lesson.profile):
            SHOW[finding.severity](
                f"**{finding.title}.** {finding.detail}", icon=ICONS.get(finding.severity, ":material/check_circle:")
            )


def _score_card(decision, plan_result) -> pd.DataFrame:
    rows = []
    event, guess = lesson.breakout, st.session_state.get("wt_guess")
    if event is not None:
        rows.append(
            ("Fakeout check", guess or "not answered", event["outcome"], "✓" if guess == event["outcome"] else "✗")
        )
    if decision is not None:
        rows.append(
            (
                "Enter or wait",
                CHOICE_WORDS[decision.choice],
                CHOICE_WORDS[decision.best],
                "✓" if decision.correct else "✗",
            )
        )
    if plan_result is not None:
        rows.append(
            (
                "Your plan",
                f"{_plan().side} at {_plan().leverage:g}×",
                f"{plan_result.exit}, {plan_result.r_multiple:+.2f} R",
                "✓" if plan_result.r_multiple > 0 else "✗",
            )
        )
    return pd.DataFrame(rows, columns=["Step", "Your answer", "What happened", "Score"])


def step_reveal() -> None:
    st.subheader("7 · What happened")
    choice = st.session_state.get("wt_choice")
    decision = score_decision(lesson, choice, analysis.market.symbol) if choice else None
    plan = _plan()
    issues = problems(plan)
    result = None if issues else replay(plan, lesson.after)
    _map(end=lesson.after.index[-1] if len(lesson.after) else None, levels=None if issues else _levels(plan))
    if decision is None:
        st.warning(
            "You have not decided in step 5 (enter or wait), so that step is not scored.", icon=":material/warning:"
        )
    else:
        show = st.success if decision.correct else st.warning
        show(
            f"**{'Right' if decision.correct else 'Not this time'}:** you chose *{CHOICE_WORDS[decision.choice]}*; "
            f"in hindsight the best was *{CHOICE_WORDS[decision.best]}*. {decision.explanation}",
            icon=":material/fact_check:",
        )
    if issues:
        st.error("The plan in step 6 is not valid: " + " ".join(issues), icon=":material/dangerous:")
    else:
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

        def outcome() -> None:  # built and sent only while its box is open
            title = f"What happened after {lesson.time:%Y-%m-%d %H:%M} UTC, with your plan"
            chart_with_png(replay_chart(shown, lesson.time, plan), title, analysis.label, "walkthrough-outcome")

        section("Candles only, with the plan", outcome, key="wt_candles_open", icon=":material/candlestick_chart:")
    st.markdown("**Score card**")
    st.table(_score_card(decision, result).set_index("Step"))
    st.caption(
        "One moment is one sample, not evidence: a good decision can lose and a poor one can win. Try several "
        "moments before trusting a habit."
    )
    a, b = st.columns(2)
    a.button(
        "Try another moment",
        key="wt_another",
        icon=":material/casino:",
        on_click=_random_moment,
        type="primary",
        width="stretch",
    )
    b.button(
        "Try this on real data",
        key="wt_real",
        icon=":material/public:",
        on_click=lambda: st.session_state.update(src="archive"),
        width="stretch",
        help="Switches the sidebar to the Binance public archive: pick a symbol and fetch, then come back here.",
    )


[step_map, step_fakeout, step_squeeze, step_volatility, step_decide, step_plan, step_reveal][step - 1]()

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
