"""Downloader middlewares (enabled in ``DOWNLOADER_MIDDLEWARES``)."""
