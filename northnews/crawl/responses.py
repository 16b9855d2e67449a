"""One parsed tree per page, for every component that reads a response's markup.

The spider reads a page's links (:mod:`northnews.discovery`) and its article fields
(:mod:`northnews.pages`) from the same lxml tree; a component that reads the markup too (page
requisites, say) asks :func:`page_tree` for that tree instead of building a parsel selector,
which would parse the page a second time. The tree is parsed on first use and kept in the
request's meta (``meta["northnews_tree"]``) for the life of the response; parsers never modify it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from northnews.crawl.keys import TREE_META
from northnews.pages import Element, parse_html

if TYPE_CHECKING:  # pragma: no cover
    from scrapy.http import TextResponse

_NONE = object()


def page_tree(response: TextResponse) -> Element | None:
    """The response's lxml tree (``None`` for an empty or unparseable page), parsed once."""
    try:
        meta = response.meta
    except AttributeError:  # a response built without a request (tests): nowhere to keep it
        return parse_html(response.text)
    tree = meta.get(TREE_META, _NONE)
    if tree is _NONE:
        tree = meta[TREE_META] = parse_html(response.text)
    return tree
