"""The mutation score's own counting (.mutation/run.py): what it calls prose, and that its sample is repeatable."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location("mutation_run", Path(__file__).parents[1] / ".mutation" / "run.py")
run = sys.modules["mutation_run"] = importlib.util.module_from_spec(_SPEC)  # dataclasses look it up
_SPEC.loader.exec_module(run)


def _diff(before: str, after: str) -> str:
    return f"--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-    {before}\n+    {after}\n"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('"Positions open before the first bar are unknown.",', '"positions open before the first bar are unknown.",'),
        ('"stop": "The stop-loss was hit first.",', '"stop": "XXThe stop-loss was hit first.XX",'),
        ('"partial ρ": partial_rank_correlation(x, y),', '"XXpartial ρXX": partial_rank_correlation(x, y),'),
        ('f"{label} for {days} days"', 'f"{label} FOR {days} DAYS"'),
        ('"liquidated."', '"LIQUIDATED."'),
    ],
)
def test_changed_words_of_a_message_are_prose(before: str, after: str) -> None:
    assert run.is_prose_only(_diff(before, after))


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # code between two literals is code, not the inside of one literal
        (
            'q = bars["quote_volume"].to_numpy() / bars["volume"].to_numpy()',
            'q = bars["quote_volume"].to_numpy() * bars["volume"].to_numpy()',
        ),
        # a number or a call inside an f-string's fields is what the message reports
        ('f"failed {100 * rate:.0f} % (n = {n})"', 'f"failed {100 / rate:.0f} % (n = {n})"'),
        ('f"{label} for {_days_text(days)}"', 'f"{label} for {_days_text(None)}"'),
        ('f"moved {x:.0f} %"', 'f"moved {x:.1f} %"'),
        (
            's = d if "estimate" in title.lower() else f"{d} · estimate"',
            's = d if "estimate" in title.upper() else f"{d} · estimate"',
        ),
        ('"stop": "The stop-loss was hit first.",', '"STOP": "The stop-loss was hit first.",'),
        ('st.subheader("5 · Enter or wait?")', "st.subheader(None)"),
        ('outcome = "fakeout"', 'outcome = "XXfakeoutXX"'),
    ],
)
def test_changed_code_around_or_inside_a_message_is_scored(before: str, after: str) -> None:
    assert not run.is_prose_only(_diff(before, after))


def test_sample_is_repeatable_per_seed_and_group() -> None:
    names = [f"m{i}" for i in range(50)]
    first = run.sample(names, "engine", 12, 29)
    assert first == run.sample(list(reversed(names)), "engine", 12, 29) and len(first) == 12
    assert first != run.sample(names, "engine", 12, 17) and first != run.sample(names, "cohorts", 12, 29)
    assert run.sample(names, "engine", 0, 29) == sorted(names)


def test_only_page_scripts_are_named_after_their_path() -> None:
    # Streamlit runs pages/<name>.py as __main__ (its functions need the page's name); components are imported.
    assert run._is_page_script("pages/heatmap.py") and run._is_page_script("pages/walkthrough.py")
    assert not run._is_page_script("pages/components/where.py") and not run._is_page_script("liqcore/engine.py")


def test_every_equivalent_mutant_has_its_lines_and_a_reason() -> None:
    for entry in run.read_equivalents():
        assert set(entry) == {"file", "original", "mutated", "reason"}, entry
        assert (Path(__file__).parents[1] / entry["file"]).exists(), entry["file"]
        assert entry["original"].strip() != entry["mutated"].strip() and len(entry["reason"]) > 20, entry
