"""The crawl's Scrapy components, by kind, as Scrapy lays out its own.

``downloadermiddlewares/``, ``spidermiddlewares/``, ``pipelines/`` and ``extensions/`` hold the
components ``settings.py`` enables; ``keys`` names the request-meta keys, stats keys and signals
they talk through; ``context`` is the one per-crawl view of the settings and the site profile.
What is not a Scrapy component (page understanding, the archive's files, the store) lives where
its job is: ``pages/``, ``archive/``, ``ops/``.
"""
