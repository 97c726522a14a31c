"""How the loader words what it did: file lines in notes, and which notes report repairs."""

from __future__ import annotations

import re

import numpy as np

DROPPED = re.compile(r": dropped [1-9]")
_REPAIR = re.compile(
    r"dropped [1-9]|[1-9][\d,]* dropped|reversed|sorted by time|left empty|left out|not used|halved|divided by 100|gap"
    r"|frozen"
)


def lines_text(lines: np.ndarray) -> str:
    """'line 7' or 'lines 7, 9, 12 …': the first few file lines, for a note."""
    shown = ", ".join(str(int(n)) for n in lines[:5])
    return f"line {shown}" if len(lines) == 1 else f"lines {shown}" + (" …" if len(lines) > 5 else "")


def repairs(notes: tuple[str, ...]) -> tuple[str, ...]:
    """The notes that report dropped, reordered, emptied or rescaled data (what a user should look at first)."""
    return tuple(note for note in notes if _REPAIR.search(note))
