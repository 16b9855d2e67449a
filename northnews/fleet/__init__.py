"""A fleet: crawls, backfills and re-extractions as jobs of procrastinate, on the store's PostgreSQL.

Workers on any number of machines (``northnews-fleet worker``) take jobs from the job tables that
procrastinate keeps in the same database as the store of record (``NORTHNEWS_STORE_URL``):

* ``crawl`` a site: a ``northnews-cron`` run, on the schedule the workers are given or deferred
  by hand; at most one job per site at a time (procrastinate's ``lock``), at most one waiting
  (``queueing_lock``);
* ``backfill`` a site: the same with ``-a`` arguments that reach further back (``since=…``);
* ``reextract`` a WARC file: ``northnews-archive extract --store`` on one file.

A worker killed mid-job stops sending heartbeats; every worker runs a periodic job that hands
jobs of workers silent for ``--stalled-after`` seconds back to the queue, and the next worker that
takes the crawl resumes the site from the store: the killed run is closed as ``killed``, the
next one walks every list page and fetches only what the store does not hold (nothing twice,
nothing lost). See the README's "Fleet" section for where WARCs live and how a killed worker's
``.open`` files are recovered.
"""
