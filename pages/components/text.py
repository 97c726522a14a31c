"""User-supplied text shown as text: one escape, used by every widget that shows file names, column names, symbols,
cell samples or notes.

Streamlit renders captions, labels, error boxes and markdown as markdown (links, images that the browser fetches,
`$math$`, `:red[colour]`) and passes HTML through as text only when it is escaped, so a file named
`![p](http://host/x.png).csv` would make every viewer's browser fetch that image. `plain` escapes every character
that starts markup and flattens line breaks, so the text reads the same and renders as nothing else.
"""

from __future__ import annotations

import re

_MARKUP = re.compile(r"([\\`*_{}\[\]()<>#+|!$~:&=^])")
_LIST_START = re.compile(r"^(\s*)(\d+)([.)])")  # '1. x' and '1) x' start an ordered list
# Bare URLs, 'www.' and e-mail addresses are turned into links after escapes are resolved, so a word joiner (an
# invisible U+2060) breaks each pattern instead.
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(?=://)|(?<=\bwww)(?=\.)|(?<=@)")
WORD_JOINER = "\u2060"


def plain(text: object) -> str:
    """`text` with markdown and HTML markup escaped, autolinks broken and line breaks replaced by spaces."""
    flat = _AUTOLINK.sub(WORD_JOINER, " ".join(str(text).splitlines()))
    escaped = _MARKUP.sub(r"\\\1", flat)
    escaped = _LIST_START.sub(r"\1\2\\\3", escaped)
    return "\\" + escaped if escaped.startswith("-") else escaped  # '- x' starts a bullet list
