"""How falling open interest closes positions: small named rules that both cohort implementations ask.

A closing rule answers three questions, one per place that needs it:

- `survival` (preparation): the share of every live cohort that survives a bar's net OI decline (pro rata), or 1;
- `still_open` (the per-bar reference): which live cohorts are still open after the cumulative decline so far;
- `closing_bar` (the fast engine): for every cohort at once, the bar in which the decline closes it (T = never).

Gross turnover is not a closing rule: it closes a share of every cohort pro rata whatever the rule (see
`liqcore.cohorts`), because churn is spread over all holders, not a queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

MIN_SURVIVAL = 1e-9  # a bar that closes (almost) all open interest keeps this share, so logs stay finite


class ClosingRule(Protocol):
    name: str
    label: str  # short, for a radio button
    words: str  # one sentence a trader reads in the Assumptions panel

    def survival(self, oi: np.ndarray, previous: np.ndarray, valid: np.ndarray) -> np.ndarray: ...

    def still_open(self, queue_end: np.ndarray, declined: float) -> np.ndarray: ...

    def closing_bar(self, queue_end: np.ndarray, born: np.ndarray, declined: np.ndarray) -> np.ndarray | None: ...


@dataclass(frozen=True)
class ProRata:
    """Every live position shrinks by the share of open interest that disappeared."""

    name: str = "pro_rata"
    label: str = "all positions shrink alike"
    words: str = "every open position shrinks by the share of open interest that disappeared"

    def survival(self, oi: np.ndarray, previous: np.ndarray, valid: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(valid & (previous > 0), oi / previous, 1.0)
        return np.clip(ratio, MIN_SURVIVAL, 1.0)

    def still_open(self, queue_end: np.ndarray, declined: float) -> np.ndarray:
        return np.ones(len(queue_end), dtype=bool)

    def closing_bar(self, queue_end: np.ndarray, born: np.ndarray, declined: np.ndarray) -> np.ndarray | None:
        return None


@dataclass(frozen=True)
class OldestFirst:
    """Falling open interest closes the oldest positions first (a queue in base units opened)."""

    name: str = "oldest_first"
    label: str = "oldest close first"
    words: str = "the oldest positions close first"

    def survival(self, oi: np.ndarray, previous: np.ndarray, valid: np.ndarray) -> np.ndarray:
        return np.ones(len(oi))

    def still_open(self, queue_end: np.ndarray, declined: float) -> np.ndarray:
        return queue_end > declined

    def closing_bar(self, queue_end: np.ndarray, born: np.ndarray, declined: np.ndarray) -> np.ndarray | None:
        # The first bar whose cumulative decline reaches the cohort's place in the queue, never its own bar.
        return np.maximum(np.searchsorted(declined, queue_end, side="left"), born + 1)


CLOSING_RULES: dict[str, ClosingRule] = {rule.name: rule for rule in (ProRata(), OldestFirst())}
