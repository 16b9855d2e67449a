"""One article path: a fetched page → verdict → parse → stitch pages → normalise → validate.

The ``articles`` spider (live crawl, replay) and ``northnews-archive extract`` (bulk re-extraction
from WARCs) assemble every article here; they differ only in where responses come from (Scrapy's
engine and its middlewares, or :mod:`northnews.ops.replayed` reading WARCs). Pure: no Scrapy, no
I/O, no store; below both the crawl and the operations in the import layers
(``tests/test_layers.py``).

* :mod:`~northnews.article.assembly` — :func:`read_page` (a page's verdict and its raw fields, the
  page parsed once) and :class:`Assembly` (one article's pages in order, then its item);
* :mod:`~northnews.article.aliases` — what an article page's redirect or ``<link rel=canonical>``
  to another URL is (same page, an alias of another article, refused);
* :mod:`~northnews.article.validate` — whether an item is complete (the validate pipeline's rules),
  and the ``rejects.jsonl`` lines;
* :mod:`~northnews.article.robots` — the one robots.txt policy (RFC 9309 as we read it).
"""

from northnews.article.assembly import Assembly, PageRead, read_page

__all__ = ["Assembly", "PageRead", "read_page"]
