"""northnews: an archive-grade crawler for the northnews.cn portal."""

__version__ = "0.1.0"
