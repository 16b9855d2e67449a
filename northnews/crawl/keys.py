"""The names the crawl's components talk through: request-meta keys, stats keys, finish reasons and
the project's own Scrapy signals. Each is defined here once; every component imports it from here.

Imports nothing (of ours or anyone's): any layer may name a key.
"""

# --- request meta ---------------------------------------------------------------------------------
# Set by the spider (northnews.spiders.articles), read by the components below it.

#: What a request fetches, for the components below the spider: "list" (home and section list
#: pages), "article" (an article's first page), "article_page" (its later pages).
PAGE_META = "northnews_page"
#: On an article's later pages: the article being assembled (its first page's fields so far).
ARTICLE_META = "northnews_article"
#: On a list page's request for the next list page: the article URLs the current page lists
#: (minus those older than ``-a since``), so the incremental middleware can stop paginating.
LISTING_META = "northnews_listing"
#: On article requests: the section (host + directory of the list page) the article was found
#: in; related articles inherit their referrer's. Drift alarms count per section with it.
SECTION_META = "northnews_section"
#: On a list page's request: how many list pages of its section this run walked before it (1 for a
#: section's first page), so that a pagination trap ends at NORTHNEWS_MAX_LIST_PAGES.
POSITION_META = "northnews_list_position"
#: On an e-paper issue's request stepped back to by date: how many days in a row had no issue.
ISSUE_GAP_META = "northnews_issue_gap"
#: On the request an e-paper issue is entered by: its page links the other issues taken.
ISSUE_ENTRY_META = "northnews_issue_entry"
#: On source requests (sitemaps, feeds, robots.txt): which kind of source it is.
SOURCE_META = "northnews_source"

# Set by the components, read by the spider and the others.

#: Where the response's capture is: ``{"warc": {"file", "offset", "record_id"}, "fetched_at"}``,
#: set by the WARC writer when it records the response, by replay from the archive it reads.
CAPTURE_META = "northnews_capture"
#: On page requisites' requests (northnews.crawl.pipelines.requisites): the kind (``stylesheet``,
#: ``script``, ``icon``, ``font``, ``image``, ``css``). Such requests are not pages.
REQUISITE_META = "northnews_requisite"
#: The response's one parsed lxml tree (northnews.crawl.responses.page_tree).
TREE_META = "northnews_tree"
#: An article page read in a worker process (NORTHNEWS_PARSE_WORKERS: northnews.crawl.pageworker),
#: whose tree stays there: its links (``discovery.Link`` s, as the spider reads them from a tree)
#: and its requisites (as the requisites pipeline reads them), read there.
LINKS_META = "northnews_links"
REQUISITES_META = "northnews_requisites"
#: On an article fetched through an alias's redirect (northnews.crawl.redirects): the article's
#: URL, and the URLs as linked that redirected to it.
ARTICLE_URL_META = "northnews_article_url"
ALIASES_META = "northnews_redirected_from"
#: On the start requests for pending articles (the incremental spider middleware), so the drift
#: monitor does not count an old reject again as this run's.
RETRY_META = "northnews_pending_retry"

# --- finish reasons -------------------------------------------------------------------------------

#: A write failed (store, feed, rejects: northnews.crawl.writeerrors; northnews-cron exits 9).
WRITE_ERROR_REASON = "northnews_write_error"
#: A WARC write failed (the WARC writer), the same exit.
WARC_ERROR_REASON = "northnews_warc_error"

# --- stats ----------------------------------------------------------------------------------------
# Prefixes end with "/": the key is the prefix plus a kind (``PAGES_STATS + "article"``).

#: Outcomes of requests (northnews.crawl.downloadermiddlewares.outcomes): fetched, failed,
#: answered, gone, list, article, other, status/<code>.
PAGES_STATS = "northnews/pages/"
#: Errors of the run by kind (what cron's error rate counts).
ERRORS_STATS = "northnews/errors/"
PAGES_ANSWERED = PAGES_STATS + "answered"
#: The spider's counts.
ARTICLE_LINKS_STAT = "northnews/spider/article_links"
ARTICLE_KNOWN_STAT = "northnews/spider/article_known"
ARTICLE_TOO_OLD_STAT = "northnews/spider/article_too_old"
ARTICLE_INCOMPLETE_STAT = "northnews/spider/article_incomplete"
PAGINATION_STOPPED_STAT = "northnews/spider/pagination_stopped"
#: Articles each kind of source gave first (``…/<kind>/articles``) and the URLs listed (``…/urls``).
SOURCE_STATS = "northnews/sources/"
#: A sitemap or feed that could not be read whole (cut short, a broken gzip stream): its URLs
#: after the damage are missing, so it is an error of the run.
SOURCE_DAMAGED_STAT = ERRORS_STATS + "source_damaged"
#: The run and the store of record.
RUN_ID_STAT = "northnews/run/id"
STORE_STATS = "northnews/store/"
STORE_ARTICLES_BEFORE = STORE_STATS + "articles_before"
STORE_REJECTED = STORE_STATS + "rejected"
INCREMENTAL_FULL_WALK = "northnews/incremental/full_walk"
#: Pending articles (northnews.ops.pending): ``…/recorded``, ``…/failed``, ``…/scheduled``,
#: ``…/resolved``, ``…/reason/<reason>``.
PENDING_STATS = "northnews/pending/"
#: Items the validate pipeline rejected, by reason (``…/<reason>``).
REJECTED_STATS = "northnews/rejected/"
#: The drift monitor's report (a dict), read by the run manifest.
DRIFT_REPORT_STAT = "northnews/drift/report"
DRIFT_GENERIC_STAT = "northnews/drift/generic"
#: Replay: the status of each replayed answer (``…/status/<code>``), damaged records read past.
REPLAY_STATS = "northnews/replay/"
REPLAY_DAMAGED = REPLAY_STATS + "damaged"
#: A feed that was not written (the feed storage).
FEED_NOT_WRITTEN = "northnews/feed/not_written"
#: ``-a since`` made exact (northnews.crawl.spidermiddlewares.since): items dated before the date,
#: archived but not emitted; items with no ``published`` at all, let through (validation judges them).
SINCE_DROPPED_OLDER_STAT = "northnews/since/dropped_older"
SINCE_UNDATED_STAT = "northnews/since/undated_kept"
#: An edition whose start page robots.txt forbids (``…/<edition>`` too).
EDITION_DISALLOWED_STAT = "northnews/robots/edition_disallowed"

# --- signals (sent with ``crawler.signals.send_catch_log``) ---------------------------------------

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

#: An article's first page redirected to another article (see :mod:`northnews.crawl.redirects`): ``url``
#: (the alias, as linked) redirects to ``target`` (the article's first page). The store records
#: the alias (:mod:`northnews.ops.aliases`); a receiver returns ``"archived"`` when ``target`` is
#: known already (nothing is fetched), ``"loop: A → B → A"`` when this run's aliases lead from
#: ``target`` back to ``url`` (the article is pending ``redirect_loop``), else ``""``.
article_alias = object()
