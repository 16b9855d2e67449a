"""Spider middlewares (enabled in ``SPIDER_MIDDLEWARES``)."""
