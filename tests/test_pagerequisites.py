"""What a page loads, read from its tree (:mod:`northnews.crawl.pagerequisites`): the pure part of
the requisites pipeline, which a page worker (``NORTHNEWS_PARSE_WORKERS``) runs too."""

from __future__ import annotations

from urllib.parse import urldefrag, urljoin, urlsplit

from northnews.crawl import pagerequisites
from northnews.crawl.pagerequisites import Requisite, requisites_of
from northnews.pages import parse_html


def test_requisites_of_a_tree_in_document_order_joined_with_the_base() -> None:
    root = parse_html(
        '<html><head><link rel="stylesheet" href="css/a.css#x"><link rel="icon" href="/i.ico">'
        '<script src="//cdn.example.cn/j.js"></script></head><body><img src="p.jpg" srcset="p2.jpg 2x, p.jpg 1x">'
        '<input type="IMAGE" src="go.gif"><img src="data:image/png;base64,AA"></body></html>'
    )
    base = "http://www.northnews.cn/2015/0915/1.shtml"
    assert requisites_of(root, base, images=False) == [
        Requisite("http://www.northnews.cn/2015/0915/css/a.css", "stylesheet"),
        Requisite("http://www.northnews.cn/i.ico", "icon"),
        Requisite("http://cdn.example.cn/j.js", "script"),
    ]
    images = [r for r in requisites_of(root, base, images=True) if r.kind == "image"]
    assert [r.url for r in images] == ["http://www.northnews.cn/2015/0915/p.jpg", "http://www.northnews.cn/2015/0915/p2.jpg",
                                       "http://www.northnews.cn/2015/0915/go.gif", "data:image/png;base64,AA"]


def test_joined_links_are_urljoins_whatever_page_joined_them_first() -> None:
    """page_requisites (crawl.pagerequisites) memoises joins by the part of the base URL they depend on: every answer is
    still ``urljoin``'s (cleaned of its fragment), whichever page asked first."""
    bases = ["http://www.northnews.cn/2015/0915/1.shtml", "http://www.northnews.cn/2015/0915/2.shtml?x=/y",
             "http://www.northnews.cn/2015/0916/;p", "https://www.northnews.cn/2015/0915/1.shtml#f",
             "http://www.northnews.cn", "http://www.northnews.cn/a/b;c/d.html", "http://img.northnews.cn/",
             "https://www.northnews.cn:8443/", "http://www.northnews.cn/2015/0915/1.shtml?q=1#top"]
    hrefs = ["a.css", "../css/a.css", "./b/../c.js", "/css/a.css", "//cdn.northnews.cn/a.js", "http://x.cn/a.css",
             "https://x.cn", "http://", "http:///a", "http:a.css", "https:?q", "?q=2", "#top", ";p", "", " a.css ",
             "\ta.css", "mailto:a@b.cn", "data:image/png;base64,AAAA", "javascript:void(0)", "a.css#frag",
             "/a/../../b.png?x=1#y", "图片/甲.jpg", "//?x", "http://#f", "https:///a", "http://X.CN/A.css", "..", ".", "/", "//", "a.css?x=/y"]
    for round_ in range(2):
        for base in (bases if round_ == 0 else bases[::-1]):
            parts = urlsplit(base)
            for href in hrefs:
                assert pagerequisites._join(base, parts, href) == urldefrag(urljoin(base, href).strip())[0], (base, href)
