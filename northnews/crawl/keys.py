"""The project's own Scrapy signals (sent with ``crawler.signals.send_catch_log``)."""

#: An article URL was fetched but gives no complete item: the page was not the article (a soft
#: 404, an empty 200, a maintenance notice, an image…), its fetch failed for good, or a page of a
#: split article failed (``incomplete``). Arguments: ``url`` (the article's first page, as
#: linked), ``reason`` (a code, see :mod:`northnews.pagecheck`), ``detail`` (what happened). The
#: validation pipeline writes it to rejects.jsonl; the store keeps the URL pending
#: (:mod:`northnews.ops.pending`) so that later runs fetch it again.
article_pending = object()
#: The earlier name of :data:`article_pending` (a split article's page failed), the same signal.
article_incomplete = article_pending

#: Sent by the spider from ``start()``: which article URLs, beyond what the site's pages link,
#: should this run fetch? Receivers take ``spider`` and return an iterable of article URLs (the
#: store's due pending articles); the spider requests each as an article, with its own callbacks,
#: so no component below it needs to know them.
articles_wanted = object()

#: An article's first page redirected to another article (see :mod:`northnews.redirects`): ``url``
#: (the alias, as linked) redirects to ``target`` (the article's first page). The store records
#: the alias (:mod:`northnews.ops.aliases`); a receiver returns ``"archived"`` when ``target`` is
#: known already (nothing is fetched), ``"loop: A → B → A"`` when this run's aliases lead from
#: ``target`` back to ``url`` (the article is pending ``redirect_loop``), else ``""``.
article_alias = object()
