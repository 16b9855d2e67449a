"""The generic extractor's headline: what the page says it is (og:title, ArticleTitle, JSON-LD
``headline``, ``<title>``), the heading that agrees with it, and the title text (see
:mod:`.generic`'s docstring)."""

from __future__ import annotations

from typing import Any

from northnews.normalize import collapse_ws, date_raw
from northnews.pages import _dom, _meta, rules
from northnews.pages._byline import byline_elements
from northnews.pages._select import Element

HEADING_TAGS = rules.HEADLINE_TAGS
_TITLE_SPLIT_RE = rules.TITLE_SPLIT_RE
_CJK_NAME_RE = rules.SITE_NAME_TAIL_RE


_FOLD = rules.TITLE_FOLD


def _norm(text: str | None) -> str:
    return collapse_ws(text).translate(_FOLD).strip(rules.TITLE_COMPARE_EDGE_CHARS).casefold()


def headline_hints(root: Element, meta: dict[str, str], ld: list[dict[str, Any]]) -> list[str]:
    """What the page says its headline is, best first (raw strings)."""
    out: list[str] = []
    for key in rules.HEADLINE_META_NAMES:
        if meta.get(key):
            out.append(collapse_ws(meta[key]))
    headline = _meta.ld_value(ld, "headline")
    if headline:
        out.append(headline)
    head = root.find("head")
    title_el = head.find("title") if head is not None else None
    if title_el is None:
        title_el = root.find(".//title")
    if title_el is not None:
        out.append(collapse_ws(title_el.text_content() if hasattr(title_el, "text_content") else title_el.text))
    return [h for h in out if h]


_SITE_TAIL_RE = rules.SITE_TAIL_RE
_SITE_HEAD_RE = rules.SITE_HEAD_RE
_SITE_WORD_RE = rules.SITE_NAME_HEAD_RE


def _parts(hint: str, site: str | None) -> list[str]:
    """A title split at its separators, longest part first, the site's name left out."""
    parts = [p.strip() for p in _TITLE_SPLIT_RE.split(hint) if p and p.strip()]
    if len(parts) == 1:
        tail = _SITE_TAIL_RE.match(parts[0])
        head = _SITE_HEAD_RE.match(parts[0])
        if tail and _CJK_NAME_RE.search(tail["tail"]) and (
            len(tail["tail"]) <= rules.SITE_TAIL_SHORT_CHARS or _site_name(tail["tail"])
        ):
            parts = [tail["head"].strip(), tail["tail"]]
        elif head and _SITE_WORD_RE.search(head["head"]):
            parts = [head["tail"].strip(), head["head"]]
    site_key = _norm(site) if site else None
    parts = [p for p in parts if _norm(p) != site_key] or parts
    return sorted(parts, key=len, reverse=True)


def _agrees(text: str, hint: str) -> bool:
    if not text or not hint:
        return False
    if text == hint:
        return True
    shorter, longer = (text, hint) if len(text) <= len(hint) else (hint, text)
    return len(shorter) >= max(rules.TITLE_HINT_MIN_CHARS, rules.TITLE_AGREE_SHARE * len(longer)) and shorter in longer


def find_heading(body: Element, hints: list[str], site: str | None) -> Element | None:
    keys = [_norm(h) for h in hints]
    keys += [_norm(p) for h in hints for p in _parts(h, site)[:1]]
    keys = [k for k in keys if len(k) >= rules.TITLE_HINT_MIN_CHARS]
    headings = [el for el in body.iter(*HEADING_TAGS)]
    for el in headings:
        text = _norm(_dom.text_of(el))
        if any(_agrees(text, key) for key in keys):
            return el
    # The headline in a <div>/<p>/<td>: the element whose whole text is a hint; a link of that text
    # (the article's own entry in a list beside it) only when nothing else has it.
    linked: Element | None = None
    by_start: dict[str, list[Element]] = {}  # elements by the first characters of their own text
    if keys:
        starts = {key[: rules.HEADLINE_KEY_PREFIX_CHARS] for key in keys}
        for el in body.iter():
            text = el.text
            if text and len(text) < rules.HEADLINE_CANDIDATE_MAX_CHARS and isinstance(el.tag, str):
                start = _norm(text)[: rules.HEADLINE_KEY_PREFIX_CHARS]
                if start in starts:
                    by_start.setdefault(start, []).append(el)
    for key in keys:
        for el in by_start.get(key[: rules.HEADLINE_KEY_PREFIX_CHARS], ()):
            if _agrees(_norm(_dom.text_of(el)), key):
                # The outermost element of that text (<td><font><b>title</b></font></td>).
                parent = el.getparent()
                text = _norm(_dom.text_of(el))
                while parent is not None and parent.tag != "body" and _norm(_dom.text_of(parent)) == text:
                    el, parent = parent, parent.getparent()
                if el.tag != "a" and not any(a.tag == "a" for a in el.iterdescendants("a")):
                    return el
                linked = linked if linked is not None else el
    if linked is not None:
        return linked
    if not keys:
        h1 = first_h1(body)
        return None if h1 is not None and _logo(h1) else h1  # a logo: dated_h1 looks further
    return None


def _logo(h1: Element) -> bool:
    """An ``h1`` that is the site's logo (a page with no ``<title>`` to tell): its text named as
    sites are (``…门户网站``), or all of it one link to the home page."""
    text = _dom.text_of(h1)
    if _site_name(text):
        return True
    links = list(h1.iter("a"))
    return len(links) == 1 and _dom.text_of(links[0]) == text and bool(rules.HOME_HREF_RE.match(links[0].get("href") or ""))


def first_h1(body: Element) -> Element | None:
    for el in body.iter("h1"):
        if _dom.text_of(el):
            return el
    return None


def short_names(hints: list[str]) -> bool:
    """Is every hint made of short names ("人民日报", "澎湃新闻-专注时政与思想", an app's name)?"""
    return all(len(part) <= rules.SITE_NAME_MAX_CHARS for hint in hints for part in _parts(hint, None))


def _dated(el: Element) -> bool:
    for line in byline_elements(el, None):
        text = _dom.segmented_text(line).replace(_dom.SEP, " ")
        if date_raw(text) or _meta.yearless_date(text) or _meta.english_date(text):
            return True
    return False


_TITLE_NAME_RE = rules.TITLE_CLASS_RE


def dated_h1(body: Element, hints: list[str], need_date: bool = False) -> Element | None:
    """The first ``h1`` when nothing the page says its headline is agrees with any heading (a
    ``<title>`` that is only the site's name or slogan): taken when every hint is made of short
    names or a dated byline sits by it. With no ``h1``, the first ``h2``/``h3`` or element named as
    a title (a class or id with "title", "biaoti", "bt"…: an app share page's ``div.share-title``, a
    TRS table's ``td.bt``) that has a dated byline by it."""
    h1 = first_h1(body)
    logo: Element | None = None  # with no hints at all, an h1 that is the site's logo is the last resort
    if h1 is not None:
        if len(_dom.text_of(h1)) < rules.UNHINTED_HEADLINE_MIN_CHARS or any(_dom.tag_of(a) == "a" for a in h1.iterancestors()):
            return None
        taken = h1 if (not need_date and short_names(hints)) or _dated(h1) else None
        if taken is None or hints or not _logo(h1):
            return taken
        logo = h1
    tried = 0
    for el in body.iter("div", "p", "span", "strong", "b", "font", "td", "h2", "h3", "h4"):
        if logo is not None and any(a is logo for a in el.iterancestors()):
            continue
        if el.tag not in ("h2", "h3") and not _TITLE_NAME_RE.search(f"{el.get('class') or ''} {el.get('id') or ''}") \
                and not big_font(el):
            continue
        text = _dom.text_of(el)
        if not rules.UNHINTED_HEADLINE_MIN_CHARS <= len(text) <= rules.UNHINTED_HEADLINE_MAX_CHARS or next(el.iter("a"), None) is not None or next(el.iterancestors("a"), None) is not None:
            continue
        if _dated(el):
            return el
        tried += 1
        if tried >= rules.UNHINTED_HEADLINE_TRIES:
            break
    return logo


def big_font(el: Element) -> bool:
    """Is the element set in a headline's font (``<font size="5">``, ``font-size: 22px``)? How
    old pages without heading tags print their headline."""
    style = el.get("style")
    if style and rules.BIG_FONT_STYLE_RE.search(style):
        return True
    return el.tag == "font" and bool(rules.BIG_FONT_SIZE_RE.match(el.get("size") or ""))


_BADGE_RE = rules.BADGE_RE


def title_of(heading: Element | None, hints: list[str], site: str | None) -> str | None:
    if heading is not None:
        text = _dom.headline_text(heading)
        last = heading[-1] if len(heading) else None
        if last is not None and isinstance(last.tag, str) and not (last.tail or "").strip():
            badge = _dom.text_of(last)
            if badge and _BADGE_RE.match(badge) and text.endswith(badge) and len(text) > len(badge) + rules.TITLE_HINT_MIN_CHARS:
                text = text[: -len(badge)].rstrip()
        if text:
            return text
    for hint in hints:
        every = _parts(hint, None)
        parts = _parts(hint, site)
        if site and parts and len(parts) < len(every):
            return parts[0]  # the site's own name was one of the parts
        if every:
            return _strip_site(hint, every)
    return None


def _strip_site(hint: str, parts: list[str]) -> str:
    """``Headline - Site``: the longest part when the rest is short (a site name), else the whole."""
    if len(parts) > 1 and len(parts[0]) >= 2 * sum(len(p) for p in parts[1:]):
        return parts[0]
    if len(parts) > 1 and all(_site_name(p) for p in parts[1:]) and hint.startswith(parts[0]):
        return parts[0]  # ``标题-内蒙古自治区人民政府门户网站``: the rest is named as sites are
    return hint


def _site_name(part: str) -> bool:
    return len(part) <= rules.SITE_NAME_MAX_LEN and bool(rules.SITE_NAME_END_RE.search(part))
