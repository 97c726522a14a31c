"""How the loader words what it did: file lines in notes, and the notes that report repairs (by their kind)."""

from __future__ import annotations

import numpy as np

from liqcore.notes import Note, NoteKind, of_kind


def lines_text(lines: np.ndarray) -> str:
    """'line 7' or 'lines 7, 9, 12 …': the first few file lines, for a note."""
    shown = ", ".join(str(int(n)) for n in lines[:5])
    return f"line {shown}" if len(lines) == 1 else f"lines {shown}" + (" …" if len(lines) > 5 else "")


def repair(text: str) -> Note:
    """A note saying rows were dropped, reordered, emptied or rescaled: the UI lists these first, by kind."""
    return Note(text, NoteKind.REPAIR)


def repairs(notes: tuple[str, ...]) -> tuple[str, ...]:
    """The notes that report dropped, reordered, emptied or rescaled data (what a user should look at first)."""
    return of_kind(notes, NoteKind.REPAIR)
