"""The northnews.cn profile: ``site.toml`` (data) and ``hooks.py`` (what a table cannot say)."""
