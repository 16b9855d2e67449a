"""northnews: an archive-grade crawler for regional news portals, each described by a site profile
(``northnews/sites/``); northnews.cn is the first."""

__version__ = "0.2.0"
