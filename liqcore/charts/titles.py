"""Chart titles a 390 px phone shows whole: a short headline with the variable detail on lines beneath it.

Vega cuts a title line that is wider than the room it gets with "…" ("Estimated side profile at 2026-03-15 23:55
U…"). On a 390 px phone Streamlit gives a chart 358 px (the viewport less 16 px of padding on each side) and Vega
cut every title we drew there after 314–323 px of text, the same on every page (measured in Chromium at 390 px on
2026-12-01). Streamlit draws chart titles in Source Sans bold 16 px: real titles average 7.1 px a character, digits
are 8.45 px (the widest glyphs our titles use in runs: times, dates, prices). So a line of at most
`PHONE_TITLE_CHARS` = 37 characters fits even when it is all digits: 37 × 8.45 = 313 px.
"""

from __future__ import annotations

import re
import textwrap

import altair as alt

PHONE_TITLE_CHARS = 37
LINE_HEIGHT = 20  # px between title lines (16 px text)
_NO_BREAK = "\u00a0"
_PARTS = " · "  # how a title separates its parts: the first place to break a line
_STAMP = re.compile(r"(\d{4}-\d\d-\d\d|[A-Z][a-z]{2} \d\d) (\d\d:\d\d)( UTC)?")


def title_lines(text: str) -> list[str]:
    """`text` in lines of at most PHONE_TITLE_CHARS characters: one line if it fits, else a line per " · " part,
    each wrapped at spaces; a date and its time (and "UTC") stay together. A single word longer than the budget keeps
    its own line rather than being cut."""
    if len(text) <= PHONE_TITLE_CHARS:
        return [text]
    lines = []
    for part in text.split(_PARTS):
        joined = _STAMP.sub(lambda m: m.group(0).replace(" ", _NO_BREAK), part)
        wrapped = textwrap.wrap(joined, PHONE_TITLE_CHARS, break_long_words=False, break_on_hyphens=False)
        lines += [line.replace(_NO_BREAK, " ") for line in wrapped]
    return lines


def chart_title(headline: str, detail: str = "") -> alt.TitleParams:
    """The chart's title: `headline`, then `detail` (the variable part: a time, a count, a note) on the lines beneath
    it, each line within PHONE_TITLE_CHARS so a phone shows it whole.

    The detail is title lines, not a Vega subtitle: Streamlit colours a chart's title for its theme but not the
    subtitle, which stayed black on the dark theme.
    """
    lines = title_lines(headline) + (title_lines(detail) if detail else [])
    text = lines[0] if len(lines) == 1 else lines  # Vega-Lite takes a line or a list of lines
    return alt.TitleParams(text, anchor="start", lineHeight=LINE_HEIGHT)
