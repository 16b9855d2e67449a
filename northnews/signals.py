"""The project's own Scrapy signals (sent with ``crawler.signals.send_catch_log``)."""

#: An article could not be assembled (a page of a split article failed after its retries), so
#: no item is emitted for it. Arguments: ``url`` (the article's first page), ``reason`` (a
#: short code), ``detail`` (what failed). The validation pipeline writes it to rejects.jsonl.
article_incomplete = object()
