"""Scrapy extensions of the project (enabled in ``EXTENSIONS``)."""
