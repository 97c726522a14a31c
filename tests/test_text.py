"""`plain`: user text escaped for markdown and HTML, autolinks broken, still reading the same."""

from __future__ import annotations

import pytest

from pages.components.text import WORD_JOINER, plain


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("![p](x.png)", r"\!\[p\]\(x.png\)"),
        ("<img src=x>", r"\<img src\=x\>"),
        ("$x^2$", r"\$x\^2\$"),
        (":red[red]", r"\:red\[red\]"),
        ("**bold** _it_ `code`", r"\*\*bold\*\* \_it\_ \`code\`"),
        ("# heading", r"\# heading"),
        ("a & b | c ~ d", r"a \& b \| c \~ d"),
    ],
)
def test_markup_characters_are_escaped(text: str, escaped: str) -> None:
    assert plain(text) == escaped


def test_autolinks_and_lists_and_line_breaks_are_broken() -> None:
    assert "http://" not in plain("see http://h/x").replace("\\", "")
    assert "www." not in plain("www.example.com")
    assert plain("a@b.com") == f"a@{WORD_JOINER}b.com"
    assert plain("1. first").startswith("1\\.")
    assert plain("- item").startswith("\\-")
    assert plain("line one\n# two") == "line one \\# two"
