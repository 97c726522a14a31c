"""`plain`: user text escaped for markdown and HTML, autolinks broken, still reading the same."""

from __future__ import annotations

import pytest

from pages.components.text import WORD_JOINER, plain


@pytest.mark.parametrize(
    ("text", "unescaped"),
    [
        ("![p](http://h/x.png)", "!["),
        ("<img src=x>", "<img"),
        ("$x^2$", "$x"),
        (":red[red]", ":red["),
        ("**bold** _it_ `code`", "**"),
        ("# heading", "# "),
    ],
)
def test_markup_characters_are_escaped(text: str, unescaped: str) -> None:
    assert unescaped not in plain(text)
    assert plain(text).replace("\\", "").replace(WORD_JOINER, "") == text


def test_autolinks_and_lists_and_line_breaks_are_broken() -> None:
    assert "http://" not in plain("see http://h/x").replace("\\", "")
    assert "www." not in plain("www.example.com")
    assert plain("a@b.com") == f"a@{WORD_JOINER}b.com"
    assert plain("1. first").startswith("1\\.")
    assert plain("- item").startswith("\\-")
    assert plain("line one\n# two") == "line one \\# two"
