"""The Validation page's score tables, shaped to fit a 390 px phone: scores as rows, sides or presets as columns.

The per-side report has nine columns (a phone scrolls it sideways); its ρ columns read as well down a column per side,
and its bar counts read better as a sentence under it.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from liqcore.validation import LocationScore

PRESET_SCORES = {  # what differs between presets, with the short headers that let three fit beside the preset
    "map ρ": "map ρ",
    "map given candle (partial ρ)": "partial ρ",
    "hybrid ρ (held out)": "hybrid ρ, held out",
}


def scores_by_side(table: pd.DataFrame) -> pd.DataFrame:
    """`ValidationReport.table` (one row per side) → one row per ρ score, a column per side ("longs", "shorts")."""
    scores = table[[c for c in table.columns if "ρ" in c]].T
    scores.columns = [f"{side}s" for side in scores.columns]
    return scores.rename_axis("score").reset_index()


def sample_sizes(table: pd.DataFrame) -> str:
    """The bar counts of `ValidationReport.table` in words, per side."""
    return "; ".join(
        f"{side}s {int(row['bars scored']):,} scored ({int(row['bars with liquidations']):,} with liquidations), "
        f"{int(row['held-out bars']):,} held out"
        for side, row in table.iterrows()
    )


def presets_of_side(presets: pd.DataFrame, side: str) -> pd.DataFrame:
    """`compare_presets` rows of one side, indexed by preset, with the scores that change with the preset."""
    return presets[presets["side"] == side].set_index("preset")[list(PRESET_SCORES)]


def book_by_side(scores: Sequence[LocationScore]) -> pd.DataFrame:
    """`liqcore.where.against_truth` → one row per share (of notional in the densest bins), a column per side."""
    rows = {  # short enough for a phone; the caption says what densest and nearest mean
        "truth in the map's densest bins": "truth_in_estimate_dense",
        "truth in the nearest bins (baseline)": "truth_in_nearest",
        "map in the truth's densest bins": "estimate_in_truth_dense",
    }
    return pd.DataFrame(
        {"share": list(rows)} | {f"{s.side}s": [getattr(s, field) for field in rows.values()] for s in scores}
    )
