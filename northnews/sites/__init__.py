"""Site profiles: everything true of one portal and of no other.

A profile is ``northnews/sites/<name>/site.toml`` (the schema is in ``northnews/sites/README.md``),
optionally with a ``hooks.py`` beside it for what a table cannot say. The core (spider, discovery,
pages, normalize, archive, operations) reads a :class:`Site`; it holds no portal's constants.

This module is a leaf: it imports nothing else of northnews, so every layer may depend on it.
"""

from __future__ import annotations

from northnews.sites.profile import (
    DEFAULT_SITE,
    Edition,
    IssueRules,
    LayoutSpec,
    SectionRules,
    Site,
    SiteError,
    SourceRules,
    TextRules,
    UrlRules,
    known_sites,
    load_site,
)

__all__ = [
    "DEFAULT_SITE", "Edition", "IssueRules", "LayoutSpec", "SectionRules", "Site", "SiteError", "SourceRules",
    "TextRules", "UrlRules",
    "known_sites", "load_site",
]
