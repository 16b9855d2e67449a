"""``pages/_dom.py``: the end tags dropped before parsing are dropped from the page's UTF-8 bytes;
the bytes pattern must drop exactly what the text pattern ``</(?:html|body)\\s*>`` drops."""

from __future__ import annotations

import re
import sys

import pytest

from northnews.pages import _dom

_TEXT_RE = re.compile(r"</(?:html|body)\s*>", re.IGNORECASE)
_SPACES = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
_NOT_SPACES = ["\u200b", "\ufeff", "x", "\u00ad", "\u180e", "\u3001", "\ud800"]


@pytest.mark.parametrize("char", _SPACES + _NOT_SPACES, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("word", ["html", "BODY", "Body"])
def test_end_tags_dropped_from_bytes_as_from_text(char: str, word: str) -> None:
    text = f"<p>一</{word}{char}>二</{word}{char * 3}> </{word}>三</{word}"
    want = _TEXT_RE.sub("", text).encode("utf-8", "surrogatepass")
    got = _dom._END_TAG_BYTES_RE.sub(b"", text.encode("utf-8", "surrogatepass"))
    assert got == want
    assert want.count(b"</") < text.count("</")  # the plain end tag at least was dropped


def test_whitespace_table_is_pythons() -> None:
    """The bytes pattern spells out ``\\s``: it must be every character ``\\s`` matches."""
    assert _SPACES == [chr(c) for c in range(sys.maxunicode + 1) if re.fullmatch(r"\s", chr(c))]


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<html><body><p>甲</p></html><p>乙</p></body></html>", "甲乙"),
        ("<html><body><p>a\x00b</p></BODY\u3000><p>c</p>", "abc"),
        ("<html><body><p>x</p></body \n><p>y</p></html\xa0>", "xy"),
    ],
)
def test_stray_end_tags_and_nul_bytes_lose_no_text(html: str, text: str) -> None:
    root = _dom.parse_html(html)
    assert root is not None
    assert "".join(root.itertext()) == text
