"""Scrapy settings for northnews.

Only deliberate values live here, each with the reason. Our own settings are prefixed
``NORTHNEWS_`` and each is documented in the README ("Settings"); any of them can be overridden
per run with ``-s NAME=VALUE``.
"""

import logging

from northnews import __version__

BOT_NAME = "northnews"
SPIDER_MODULES = ["northnews.spiders"]
NEWSPIDER_MODULE = "northnews.spiders"
COMMANDS_MODULE = "northnews.commands"

# --- northnews: crawl -------------------------------------------------------------------------

# Root for everything a crawl writes: feed, rejects, WARCs, store, run manifests.
NORTHNEWS_ARCHIVE_DIR = "archive"

# The portal to crawl: a site profile name (northnews/sites/<name>/site.toml) or a path to a
# profile .toml. Its editions, hosts, URL shapes, layouts and publisher names live there, not
# here; `-a site=NAME` sets it per run. northnews.cn is the first (and default) profile.
NORTHNEWS_SITE = "northnews"
# List pages walked per section per run at most. A section with more is a pagination trap (an
# endless "next" chain, a list with 10,000 page links): logged at WARNING, counted as
# northnews/spider/pagination_capped, and the run still finishes. The portal's deepest section
# has about 300 pages.
NORTHNEWS_MAX_LIST_PAGES = 1000

# --- northnews: archive (WARC) ----------------------------------------------------------------

# WARC capture of every HTTP exchange (northnews.archive.writer), into <NORTHNEWS_ARCHIVE_DIR>/warc/.
# Off in replay mode (the spider sets it False; replayed pages are never re-archived anyway).
NORTHNEWS_WARC_ENABLED = True
# IIPC file naming: <prefix>-<yyyymmddhhmmss>-<serial>-<host>.warc.gz
NORTHNEWS_WARC_PREFIX = "northnews"
# Rotate files at 1 GB, the size most WARC tooling and storage expect.
NORTHNEWS_WARC_MAX_SIZE = 1_000_000_000
# zlib level of each record's gzip member. 6, not warcio's 9: 9 saved 0.1% on HTML for more
# CPU; 1 made plain HTML records 12% larger to save ~3 points of throughput. A payload compressed
# already (gzip-encoded bodies: Scrapy asks for gzip; images) is stored, not deflated again, whatever
# the level; its record's head is deflated at it. `make bench-warc`, loopback,
# no delay: WARC writing cost 7% of pages/s on gzip-encoded pages, 24% on plain ones.
NORTHNEWS_WARC_GZIP_LEVEL = 6
# Who runs the crawl, written into each file's warcinfo record (contact, organisation).
NORTHNEWS_WARC_OPERATOR = ""
# Write a revisit record instead of the body again when a URL's payload is unchanged.
NORTHNEWS_WARC_REVISITS = True
# Records are built, gzipped and written on a writer thread (zlib and sha1 release the GIL: the
# second core compresses while the engine goes on); each response reaches the spider once its
# record is on disk. The queue to that thread holds at most this many bytes of bodies (16 MiB):
# when full, the reactor waits. 0 writes on the reactor thread.
NORTHNEWS_WARC_QUEUE_BYTES = 0  # inline: the writer thread measured slower (README, "The archive")
# Host part of WARC file names; empty: the machine's hostname (set it in containers).
NORTHNEWS_WARC_HOSTNAME = ""
# Request headers whose values are never written down (WARC request records, the warcinfo and
# manifest command lines, logs), besides Cookie, Authorization and Proxy-Authorization, which
# always are (northnews.util.redact).
NORTHNEWS_REDACT_HEADERS = []
# Archive files and the store are written 0640, directories 0750: readable by a group, never by
# everyone. The group they get (a name or a number); empty: the process's own.
NORTHNEWS_FILE_GROUP = ""

# Page requisites (northnews.crawl.pipelines.requisites): the images an article page shows and the template
# files (CSS, JS, icons, fonts) every page links, fetched and archived so that a replay shows
# the page as readers saw it and each item's images point into the WARCs. Same politeness,
# robots.txt and scope as pages; a failure is counted, never fatal.
NORTHNEWS_REQUISITES_ENABLED = True
# New requisites fetched per page at most (the template's files are fetched once per run, so
# this bounds a page's own images): a gallery page of 500 photos must not stall the crawl.
NORTHNEWS_REQUISITES_MAX_PER_PAGE = 100
# Bytes: a larger requisite (a video linked as an image, say) is cancelled, recorded as too_large.
NORTHNEWS_REQUISITE_MAX_SIZE = 10_000_000
# More hosts (sub-domains included) whose images and template files are fetched, beyond the site
# profile's allowed_domains and requisite_hosts (a CDN the profile does not list yet, say).
NORTHNEWS_REQUISITE_HOSTS = []

# --- northnews: operations --------------------------------------------------------------------

# The store of record, <NORTHNEWS_ARCHIVE_DIR>/northnews.sqlite3: written by every live crawl,
# consulted by incremental runs, read by `scrapy export`. Never touched in replay.
NORTHNEWS_STORE_ENABLED = True
# Where the store is: empty for <NORTHNEWS_ARCHIVE_DIR>/northnews.sqlite3, postgresql://… for a
# server that several workers share (its WARC digest index and file manifest too).
NORTHNEWS_STORE_URL = ""
# The crawl commits the stored items of up to this many seconds at once (savepoints inside one
# SQLite transaction; 0: one commit per item). One WAL commit per item rewrote the same index pages
# every time: ~7% of the reactor's time in a crawl without delays. A kill loses at most the open
# group, whose articles are then not known: the next run fetches them again. Only items are
# grouped: the run's own record, a pending article and an alias commit the open group and
# themselves at once (a run killed by a second SIGINT leaves "shutdown" behind, as without groups).
NORTHNEWS_STORE_COMMIT_INTERVAL = 1.0
# A fleet worker's name (northnews-fleet sets it): added to WARC file names, unique across workers.
NORTHNEWS_WORKER = ""
# Skip article pages already in the store (-a refresh=DAYS re-fetches recent ones). False
# fetches every article again (the store still records versions and unchanged sightings).
NORTHNEWS_INCREMENTAL = True
# An article URL fetched but not stored complete (a soft 404, an empty 200, page 2 missing, a
# timeout...) is pending in the store with its reason and fetched again by later runs: the next
# run after its first failure, then no sooner than BACKOFF x 2^(attempts-2) seconds after its last
# attempt. After MAX_ATTEMPTS it is `failed` (`scrapy pending` lists it; -a retry_failed=1 retries).
NORTHNEWS_PENDING_MAX_ATTEMPTS = 5
NORTHNEWS_PENDING_BACKOFF = 3600.0
# Never longer than this (7 days) after the last attempt; a row dated further ahead (a clock that
# ran ahead, then was corrected) is due at once.
NORTHNEWS_PENDING_BACKOFF_MAX = 604800.0
# Article pages read on the reactor thread (0), or whole in N worker processes fed the page's HTML
# (northnews.crawl.pageworker: its fields, links, requisites and a one-page article's item come
# back; the reactor thread never parses it). Off by default: on the loaded shared 2 cores, one
# worker (with NORTHNEWS_WARC_QUEUE_BYTES) took the crawl from 1.47x to 1.12x the tuned no-op
# spider's time (README "Benchmarks"), not yet measured on idle cores; a worker killed outright
# (the OOM killer) loses the page it held and the crawl waits for it.
NORTHNEWS_PARSE_WORKERS = 0
# Seconds between progress lines in the log; 0 keeps only the final line.
NORTHNEWS_PROGRESS_INTERVAL = 60.0
# northnews-cron exits 5 when errors / requests exceeds this fraction.
NORTHNEWS_MAX_ERROR_RATE = 0.05
# Drift alarms (northnews.crawl.extensions.drift): a run whose article pages come from the generic
# extractor or end in quarantine more often than this, site-wide or in one section (judged from
# NORTHNEWS_DRIFT_MIN_PAGES pages on), is flagged layout_drift (northnews-cron exits 7). The
# fixture portals run at 0-7% generic and 6% quarantined; a redesigned section is at 100%. Ten
# pages at least: a run resumed after a kill may fetch only a handful, which says nothing.
NORTHNEWS_DRIFT_MAX_GENERIC = 0.3
NORTHNEWS_DRIFT_MAX_QUARANTINED = 0.2
NORTHNEWS_DRIFT_SECTION_MAX_GENERIC = 0.5
NORTHNEWS_DRIFT_SECTION_MAX_QUARANTINED = 0.5
NORTHNEWS_DRIFT_MIN_PAGES = 10
# Scrapy's own "Crawled N pages" line says less than ours, every minute: keep one.
LOGSTATS_INTERVAL = 0

# --- identity and politeness (live crawls) ---------------------------------------------------

# An honest identity: archivists identify themselves (add your contact with -s USER_AGENT=…).
USER_AGENT = f"northnews/{__version__} (web archiving crawler for regional news portals; Scrapy)"
ROBOTSTXT_OBEY = True
# A government news portal on modest hosting: a few requests at a time per host, with a delay
# that AutoThrottle stretches when the server slows down.
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 60
# Scrapy's 1 GiB default lets a 1 MB gzip bomb inflate to ~3 GB of memory. 64 MiB holds any
# real page (the largest portal page seen is ~2 MB; a page with inline data: images ~50 MB) and
# bounds both the body on the wire and the body once decompressed (Scrapy's
# HttpCompressionMiddleware stops inflating past it). Bigger answers are cancelled and the
# article is pending `too_large`.
DOWNLOAD_MAXSIZE = 67_108_864  # 64 MiB
DOWNLOAD_WARNSIZE = 16_777_216  # 16 MiB
# Transient failures (503, timeouts) deserve more than Scrapy's 2 retries on a long archive run.
RETRY_TIMES = 3
# The longest Retry-After (seconds) a 429/503 retry waits; a longer ask waits this long.
NORTHNEWS_RETRY_AFTER_MAX = 120.0
# No sessions are needed, and Scrapy's cookie middleware would try to download the public
# suffix list from the internet. Set-Cookie headers are still kept in the WARCs.
COOKIES_ENABLED = False

# Scrapy 2.19 starts a telnet console and a local remote-control HTTP server by default: an
# unattended cron job needs neither, and a replay must open no socket at all.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# --- speed ------------------------------------------------------------------------------------
# Each value measured (benchmarks: 1,000-article generated portal, live crawl through the local
# server, gzip bodies, WARC on; paired runs, medians of 3; CPU per response includes start-up).

# Scrapy hands a callback's output to CONCURRENT_ITEMS concurrent tasks (default 100: for every
# response 100 asyncio tasks and end markers are created, then awaited). A callback here yields
# one item or a few requests and the pipelines are synchronous, so the concurrency bought
# nothing: at 1, 4.61 ms of CPU per response instead of 5.62 (-18%), 245 vs 206 pages/s.
# Responses are still processed in parallel (SCRAPER_SLOT_MAX_ACTIVE_SIZE).
CONCURRENT_ITEMS = 1
# Scrapy reads each callback's source (inspect.getsource + ast.parse) to warn about a generator
# that returns a value; its cache is keyed by the bound method, a new object for every request,
# so the parse ran again and again (~1% of CPU samples): 4.53 vs 4.61 ms per response. None of
# our callbacks returns a value.
WARN_ON_GENERATOR_RETURN_VALUE = False
# TWISTED_REACTOR stays Scrapy's default (asyncio): Twisted's epoll reactor was no faster
# (4.7-5.4 vs 4.4-4.9 ms per response). DOWNLOADER_STATS stays on: 0.3% of samples, and the
# crawl summary and run manifest read its counts. LOG_LEVEL is INFO (below): Scrapy's default
# DEBUG, a "Crawled" line per response and a "Scraped from" line with every item, cost 0.35 ms
# more per response.

# Python's cyclic garbage collector walked the young objects every 700 allocations and, now and
# then, the whole start-up heap (Scrapy, lxml, the site profile), never garbage: 4% of the reactor
# thread's time. During a crawl the start-up heap is frozen and the young generation collected
# every 20,000 allocations (northnews.crawl.extensions.collector); 0 leaves Python's settings.
NORTHNEWS_GC_THRESHOLD = 20_000

# Scrapy's duplicate filter with the same fingerprints, JOBDIR file and logging, its crawl-wide
# seen-set kept as 20-byte digests in one sorted run (~20 bytes a request instead of ~90 in a
# set of bytes): peak RSS must not grow with the portal (northnews/crawl/dupefilter.py).
DUPEFILTER_CLASS = "northnews.crawl.dupefilter.CompactDupeFilter"

# --- output -------------------------------------------------------------------------------------

# The default feed (<NORTHNEWS_ARCHIVE_DIR>/articles.jsonl) is set by the spider unless -o/-O
# names another. Chinese must come out as Chinese in JSON feeds, not \uXXXX.
FEED_EXPORT_ENCODING = "utf-8"
# Local feed files through northnews.crawl.feeds: an overwritten feed (-O, the default articles.jsonl)
# is written to <feed>.part and moved over the feed when the crawl ends, never replaced by the
# empty output of a run that fetched nothing, never left half-written by a kill or a full disk.
FEED_STORAGES = {"": "northnews.crawl.feeds.SafeFileFeedStorage", "file": "northnews.crawl.feeds.SafeFileFeedStorage"}
# Stable column order in every feed (CSV included).
FEED_EXPORT_FIELDS = [
    "url", "site", "edition", "section", "title", "source", "source_raw", "author", "editor",
    "published", "published_raw", "body", "images", "tags", "template", "fetched_at",
    "warc", "content_digest", "redirected_from", "kicker", "subtitle", "page", "continued_from", "continued_to",
]
LOG_LEVEL = "INFO"
# charset_normalizer logs every step of a detection at TRACE (5) and DEBUG; the root logger is
# at NOTSET, so each of those LogRecords was built, then dropped by the handler (18% of CPU
# samples in a live crawl): Scrapy's guess on one gzip fixture page took 4.6 ms, 0.8 ms with
# this logger at INFO, which drops them before they are built. (Our middlewares no longer let
# Scrapy guess on pages at all; other code may still call charset_normalizer.)
logging.getLogger("charset_normalizer").setLevel(logging.INFO)

# --- components --------------------------------------------------------------------------------

DOWNLOADER_MIDDLEWARES = {
    # Scrapy's robots.txt, retry and redirect middlewares, at their own places, replaced by
    # subclasses that close gaps checked in Scrapy 2.19: a robots.txt answering 5xx means
    # "disallow all" (RFC 9309), not "allow all"; Retry-After on 429/503 is honoured (capped by
    # NORTHNEWS_RETRY_AFTER_MAX); redirect loops and exhausted redirects are WARNINGs, not DEBUG.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "northnews.crawl.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "northnews.crawl.downloadermiddlewares.retry.RetryAfterMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "northnews.crawl.downloadermiddlewares.redirect.RedirectMiddleware": 600,
    # An article page's redirect (HTTP or <meta refresh>) is followed only to the same page, an
    # alias to another article, refused otherwise (northnews.crawl.redirects).
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "northnews.crawl.downloadermiddlewares.redirect.MetaRefreshMiddleware": 580,
    # Outermost: sees the final outcome of each request, after retries and redirects (what the
    # progress line, the run manifest and the "complete run" test count).
    "northnews.crawl.downloadermiddlewares.outcomes.Outcomes": 10,
    # Re-decodes pages whose declared charset does not fit their bytes (GBK served as utf-8).
    # Below HttpCompressionMiddleware (590) so that it sees the decompressed body.
    "northnews.crawl.downloadermiddlewares.encoding.EncodingMiddleware": 585,
    # Scrapy's decompression at its own place, without the charset guess Scrapy 2.19 makes on
    # the still-compressed body and throws away (Response.replace evaluates .encoding): 2.3 ms
    # of CPU per gzip response with no charset header (northnews/crawl/downloadermiddlewares/httpcompression.py).
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "northnews.crawl.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": 590,
    # Answers requests from a mirror or WARCs when the spider runs with -a replay=PATH; off
    # otherwise. Last before the downloader, so every other middleware runs as in a live crawl.
    "northnews.crawl.downloadermiddlewares.replay.ReplayMiddleware": 950,
    # Each attempt that ends in a timeout, reset or refusal leaves its request and the error in
    # the WARCs (next to the downloader, so every retry's failure is seen).
    "northnews.crawl.downloadermiddlewares.failedfetch.FailedFetchRecorder": 940,
}

SPIDER_MIDDLEWARES = {
    # Drops requests for article pages the store of record already holds, and the next list
    # page after an all-known one (reads only request meta; off in replay and without a store).
    "northnews.crawl.spidermiddlewares.incremental.IncrementalMiddleware": 50,
    # Sees each parsed page and hands its requisites (template files; an article's images) to
    # RequisitesPipeline, which fetches each once per crawl.
    "northnews.crawl.spidermiddlewares.requisites.RequisitesMiddleware": 650,
    # With -a since: an item dated earlier (reached through an undated link) is archived but not
    # emitted, and not recorded in the store (not configured without -a since).
    "northnews.crawl.spidermiddlewares.since.SinceMiddleware": 700,
}

ITEM_PIPELINES = {
    # Articles without title, body or date go to rejects.jsonl instead of the feed.
    "northnews.crawl.pipelines.validate.ValidatePipeline": 300,
    # Valid articles only: fetches each image (MediaPipeline-style, engine.download_async) and
    # writes where its capture is into images[] before the store and the feed see the item.
    "northnews.crawl.pipelines.requisites.RequisitesPipeline": 500,
    # After validation: only valid items become article versions in the store.
    "northnews.crawl.pipelines.store.StorePipeline": 800,
}

# Scrapy's own extensions, minus the telnet console and the remote-control server (both off
# above): Scrapy imports every extension named in EXTENSIONS_BASE/EXTENSIONS (even one mapped to
# None) before asking it whether it is enabled, and these two import twisted.conch and aiohttp:
# 0.11 s of CPU at every crawl's start (0.92 -> 0.80 s for a crawl that fetches nothing; a cron
# run starts one). The rest is Scrapy 2.19.0's list as is (tests/test_settings.py compares).
EXTENSIONS_BASE = {
    "scrapy.extensions.corestats.CoreStats": 0,
    "scrapy.extensions.logcount.LogCount": 0,
    "scrapy.extensions.memusage.MemoryUsage": 0,
    "scrapy.extensions.memdebug.MemoryDebugger": 0,
    "scrapy.extensions.closespider.CloseSpider": 0,
    "scrapy.extensions.feedexport.FeedExporter": 0,
    "scrapy.extensions.logstats.LogStats": 0,
    "scrapy.extensions.spiderstate.SpiderState": 0,
    "scrapy.extensions.throttle.AutoThrottle": 0,
}

EXTENSIONS = {
    # The crawl's context (northnews.crawl.context): settings validated once, the site profile
    # loaded once, the spider's arguments read once; first, as every other component reads it.
    "northnews.crawl.context.CrawlContext": 0,
    # Generic-path and quarantine shares per site and section; flags layout drift. Before the
    # store's extension (it writes nothing): its spider_closed report must be in the stats the
    # run's record keeps.
    "northnews.crawl.extensions.drift.DriftMonitor": 40,
    # Takes the archive lock (first: nothing may write the archive before it), opens the store,
    # wires incremental skipping into the spider, records the run.
    "northnews.crawl.extensions.incremental.IncrementalCrawl": 50,
    # WARC capture on response_downloaded (the wire form, before decompression).
    "northnews.archive.writer.WarcWriter": 100,
    # Python's garbage collector tuned for the crawl (NORTHNEWS_GC_THRESHOLD), Python's again after.
    "northnews.crawl.extensions.collector.GarbageCollector": 10,
    "northnews.crawl.extensions.progress.Progress": 800,
    "northnews.crawl.extensions.summary.CrawlSummary": 900,
}
