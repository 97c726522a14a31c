"""The one shape every analysis result has, so pages and notebooks read them alike.

An analysis is called as ``fn(analysis, config) -> Result`` (``liqcore.breakouts.scan``,
``liqcore.sentiment.read``, ``liqcore.volatility.forecast``, ``liqcore.validation.validate``,
``liqcore.walkthrough.build_lesson``) or, the same thing, as a method of `liqcore.Analysis`
(``analysis.breakouts(config)`` …). Like a fitted model's result in `arch`, each result carries:

- ``config``: the frozen settings it was computed with (its numbers are what page text quotes);
- ``frame``: the per-bar or per-event data behind it (one row per snapshot, bar or breakout);
- ``table``: the small summary a person reads, with sample sizes;
- ``verdict``: one plain sentence saying what the numbers mean on this data — "no edge found" included.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import pandas as pd


@runtime_checkable
class Result(Protocol):
    """What every analysis returns (see the module docstring)."""

    @property
    def config(self) -> Any: ...

    @property
    def frame(self) -> pd.DataFrame: ...

    @property
    def table(self) -> pd.DataFrame: ...

    @property
    def verdict(self) -> str: ...
