"""The "truth versus estimate" block of the analysis pages on simulated data: a table, the verdict, the caveats.

Everything is computed in `liqcore.truth`; this module caches the seeds and the comparison and lays out the result.
The seeds' simulations are most of the cost (~1 s CPU each, five of them) and do not depend on the model, so they are
cached apart from it, under the key the sidebar's own simulation uses: the loaded seed is not simulated twice, and a
preset change maps the same simulations again (~0.1 s per seed) instead of simulating them again. The comparison is
cached per seeds and settings (Volatility's refits the forecast on ten maps, ~1 s CPU, on every run before).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from liqcore.analysis import Analysis
from liqcore.simulator import Simulation, simulate
from liqcore.truth import TRUTH_SEEDS, Comparison, SeedPair, comparison_seeds, pair_seed
from pages.components.cache import cached
from pages.components.lazy import reading


def truth_pairs(analysis: Analysis) -> list[SeedPair]:
    """The simulated `analysis`'s seed and the next ones, each as its estimated map and its true book (cached)."""
    sim, config = analysis.simulation, analysis.heatmap.config
    return [cached(pair_seed, cached(simulate, sim.scenario, seed=seed), config) for seed in comparison_seeds(sim.seed)]


def warm(analysis: Analysis) -> None:
    """Leave the truth seeds of a simulated `analysis` in the cache, drawing nothing: the readiness probe's run does
    this (see streamlit_app.py), so the first visitor's first truth block only compares (~0.2–1 s) instead of
    simulating four more seeds (~4 s CPU) during a page switch."""
    if analysis.is_simulated:
        truth_pairs(analysis)


def render_truth(analysis: Analysis, compare: Callable[..., Comparison], *settings: object) -> None:
    """On simulated data: the page's reading, `compare(pairs, *settings)` (a `liqcore.truth` comparison and the
    page's frozen settings), on the true book and on the estimate over `TRUTH_SEEDS` seeds."""
    if not analysis.is_simulated:
        return
    sim = analysis.simulation
    st.subheader("Truth versus estimate (simulator only)")
    seeds = comparison_seeds(sim.seed)
    with st.spinner(f"Simulating and mapping {TRUTH_SEEDS} seeds of this scenario (once per scenario and model)…"):
        result = cached(compare, truth_pairs(analysis), *settings)
    st.caption(
        f"The same reading and history check run twice on seeds {seeds[0]}–{seeds[-1]} of *{sim.guide.title}* (your "
        f"seed and the next {TRUTH_SEEDS - 1}, whole series): on the **true book** the simulator knows, and on the "
        f"**estimated map**. Number: {result.metric}."
    )
    table = result.table.set_index("map")
    unit = result.unit.strip().replace("%", "%%")  # a printf format: a bare % made the grid drop the format
    number = st.column_config.NumberColumn(format=f"%+.2f {unit}".strip())
    shown = table.drop(columns="seeds").rename(columns={"low": "95 % low", "high": "95 % high"}).T  # fits a phone
    st.dataframe(shown.rename_axis("over seeds"), width="stretch", column_config=dict.fromkeys(shown.columns, number))
    st.caption(
        "Seeds with a value: " + ", ".join(f"{int(n)} on the {name}" for name, n in table["seeds"].items()) + "."
    )
    st.info(result.verdict, icon=":material/science:")
    reading(
        "What the simulator has, and what it leaves out",
        lambda: _mechanisms(sim),
        key="truth_mechanisms",
        icon=":material/science:",
    )


def _mechanisms(sim: Simulation) -> None:
    st.markdown(
        "**Has:**\n"
        + "\n".join(f"- {text}" for text in sim.guide.mechanisms)
        + "\n\n**Leaves out:**\n"
        + "\n".join(f"- {text}" for text in sim.guide.missing_mechanisms)
    )
    st.caption(
        "Intervals are 95 % t-intervals over the seeds; each seed's own number is in the table. A result that "
        "holds on the true book but not on the estimate is the estimate's fault; one that fails on both is the "
        "idea's (in this simulated market)."
    )
