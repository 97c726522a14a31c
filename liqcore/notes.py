"""Notes that carry a kind: the UI decides what to highlight from the kind, never by reading the prose.

A `Note` is a `str` (so every list of notes still prints, joins, compares and escapes as text) with a `kind`
attached where it is written. Plain strings are notes of kind `NoteKind.INFO`.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class NoteKind(StrEnum):
    """What a note reports."""

    INFO = "info"  # an assumption or a fact about the data
    REPAIR = "repair"  # rows dropped, reordered, emptied or rescaled
    INCOMPLETE = "incomplete"  # part of the requested range could not be had (fetching again may get it)
    MISSING = "missing"  # the source has no data for part of the range (fetching again will not change it)


class Note(str):
    """A note's text with its kind: ``Note("Incomplete download: …", NoteKind.INCOMPLETE)``."""

    kind: NoteKind

    def __new__(cls, text: str, kind: NoteKind | str = NoteKind.INFO) -> Note:
        note = super().__new__(cls, text)
        note.kind = NoteKind(kind)
        return note

    def __reduce__(self) -> tuple[type[Note], tuple[str, NoteKind]]:
        return (Note, (str(self), self.kind))


def kind_of(note: str) -> NoteKind:
    """The kind of a note; a plain string is `NoteKind.INFO`."""
    return getattr(note, "kind", NoteKind.INFO)


def of_kind(notes: Iterable[str], kind: NoteKind) -> tuple[str, ...]:
    """The notes of one kind, in order."""
    return tuple(note for note in notes if kind_of(note) is kind)
