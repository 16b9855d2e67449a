"""Pictures as a reader sees them (issue 16.5): a lazy-loaded picture's real address over its
placeholder ``src``, one rule (:func:`northnews.pages.rules.real_image_src`) for the known layouts
and the generic path alike. Expected addresses are written by hand from each snippet."""

from __future__ import annotations

import pytest

from northnews.pages import generic, rules
from northnews.pages._dom import parse_html

SNIPPETS = [
    # (the markup around the picture, the address a reader's browser shows; None: only a placeholder)
    ('<img src="/img/loading.gif" data-src="/p/real.jpg">', "/p/real.jpg"),
    ('<img src="/img/blank.gif" data-original="/p/o.jpg">', "/p/o.jpg"),
    ('<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-lazy-src="/p/l.jpg">', "/p/l.jpg"),
    ('<img src="/img/grey.gif" data-srcset="/p/a-300.jpg 300w, /p/a-1024.jpg 1024w">', "/p/a-1024.jpg"),
    ('<img src="/img/lazy.png" srcset="/p/s.jpg 1x, /p/s2.jpg 2x">', "/p/s2.jpg"),
    ('<img srcset="/p/t.jpg 1x,/p/t2.jpg 2x">', "/p/t2.jpg"),
    ('<img class="lazy" src="/img/placeholder.png"><noscript><img src="/p/n.jpg"></noscript>', "/p/n.jpg"),
    ('<span class="lazy"><img src="/img/loading.gif"></span><noscript><img src="/p/w.jpg"></noscript>', "/p/w.jpg"),
    ('<img src="/p/plain.jpg" data-src="/img/loading.gif">', "/p/plain.jpg"),  # the lazy attribute is the placeholder
    ('<img src="/p/plain.jpg" srcset="/p/plain-2x.jpg 2x">', "/p/plain.jpg"),  # a real src stays
    ('<img src="/img/loading.gif">', None),
    ('<img src="data:image/png;base64,iVBORw0KGgo=">', None),
]


@pytest.mark.parametrize(("markup", "expected"), SNIPPETS)
def test_real_image_src(markup: str, expected: str | None) -> None:
    root = parse_html(f"<html><body><p>{markup}</p></body></html>")
    assert root is not None
    img = next(root.iter("img"))
    assert rules.real_image_src(img) == expected


@pytest.mark.parametrize(("markup", "expected"), SNIPPETS)
def test_the_generic_path_shows_what_a_reader_sees(markup: str, expected: str | None) -> None:
    html = ("<html><head><title>标题在这里很长</title></head><body><h1>标题在这里很长</h1><div class='article-content'>"
            f"<p>{markup}</p>" + "<p>这是正文的段落，内容足够长，可以被认出来是正文。</p>" * 5 + "</div></body></html>")
    page = generic.parse(html, "http://a.example/a/1.html")
    assert [i["url"] for i in page.images] == ([f"http://a.example{expected}"] if expected else [])


@pytest.mark.parametrize(("value", "best"), [
    ("/a.jpg 300w, /b.jpg 1024w, /c.jpg 640w", "/b.jpg"),
    ("/a.jpg, /b.jpg 2x", "/b.jpg"),
    ("/a.jpg 1.5x, /b.jpg 1x", "/a.jpg"),
    ("/only.jpg", "/only.jpg"),
    ("/img/loading.gif 1x", None),
    ("", None),
])
def test_best_srcset_candidate(value: str, best: str | None) -> None:
    assert rules.best_srcset_candidate(value) == best
