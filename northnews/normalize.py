"""Normalisation rules: pure functions from raw page fields to item fields.

Contract used by the spider:

* ``article_fields(pages: list[ArticlePage], url: str) -> tuple[dict, list[str]]`` — merge the
  pages of one article (first page first) into the item fields ``title, source, source_raw,
  author, editor, published, published_raw, body, images, tags, template, section,
  content_digest`` and return them with a list of problem codes (e.g. ``"date_url_mismatch"``,
  ``"generic_template"``) for the caller to log and count.
"""
