"""``generic``: the article of a page whose markup no known layout describes (any site).

* **title**: the heading (``h1``–``h3``, else any element, a list's link last) whose text the
  ``og:title``, the TRS/Hanweb ``ArticleTitle`` meta, JSON-LD ``headline`` or ``<title>`` agrees
  with, so an ``h1`` holding the site's name or slogan loses to the ``h2``/``div`` that holds the
  headline; when none agrees, the first ``h1`` if the hints are only short names (``人民日报``) or a
  dated byline sits by it; else the hint itself, the site's name cut off (``标题_新华网``,
  ``XX日报数字报-标题``, ``Title | Site``);
* **body**: :mod:`._generic_body` (the container with the most prose net of everything else,
  then its paragraphs without chrome, bylines, credit lines, summary boxes, related lists, notices
  and app prompts); a story shipped as escaped markup in a ``<textarea>`` when the page shows none;
* **published**: the byline by the heading (after it, or a byline-shaped line before it; spans
  read apart, weekdays skipped, English month names read) when it prints a time; else the page's
  own metadata (``article:published_time``/``pubdate``/``PubDate``… meta tags, JSON-LD
  ``datePublished``, ``<time datetime>``, an inline ``var publish_time = "…"``, a time of day
  winning over a bare day); else a year-less ``09-07 13:43`` byline (the capture's year is
  normalize's to add); else any date printed between the heading and the story, then just after
  the story (``发布于 …``, on the URL's day); else an epoch time the page's script would print;
  else the day in the URL. Returned raw, as printed;
* **source, author, editor**: the labelled byline (``来源：``, ``作者：``, ``责任编辑：``; a value
  ends at the next label or bar), JSON-LD authors for pages that print no label.

Pure lxml and our own rules: measured on the real-pages benchmark (``benchmarks/realpages.py``)
against trafilatura, this is as accurate and several times faster.
"""

from __future__ import annotations

import re

from northnews.normalize import collapse_ws, date_raw, section_from_crumbs, split_tags
from northnews.pages import _dom, _meta
from northnews.pages._article import ArticlePage
from northnews.pages._byline import (
    Byline,
    after_container_lines,
    after_heading_text,
    byline_elements,
    clean_copy,
    editor_anywhere,
    first_value,
    parse_byline,
    text_byline,
    without_weekday,
)
from northnews.pages._fields import crumbs, keywords, page_urls
from northnews.pages._generic_body import Body, find_container, is_cjk, paragraphs
from northnews.pages._generic_gallery import gallery_body
from northnews.pages._select import Doc, Element

NAME = "generic"

_TITLE_SPLIT_RE = re.compile(r"\s+[-|–—·•:：]+\s+|\s*[_|｜]+\s*|\s*[-–—]{2,}\s*|\s+-\s*|\s*-\s+")
_HEADING_TAGS = ("h1", "h2", "h3")
_WRITE_RE = re.compile(r"document\.write(?:ln)?\(\s*[\"']([^\"'<>]{6,40})[\"']\s*\)")
_CJK_NAME_RE = re.compile(r"[\u4e00-\u9fff]{2}|网|报|台|\.(?:com|cn|net|org)")


# Quotes and punctuation a <title> and the headline print in different widths ('"守护消费"' / '“守护消费”').
_FOLD = str.maketrans({"“": '"', "”": '"', "＂": '"', "‘": "'", "’": "'", "，": ",", "：": ":", "！": "!", "？": "?",
                       "（": "(", "）": ")", "　": " "})


def _norm(text: str | None) -> str:
    return collapse_ws(text).translate(_FOLD).strip(" \xa0-_|｜–—·•:").casefold()


def _hints(root: Element, meta: dict[str, str], ld: list[dict]) -> list[str]:
    """What the page says its headline is, best first (raw strings)."""
    out: list[str] = []
    # "ArticleTitle": the headline meta of TRS WCM and Hanweb, the CMSs of most government sites.
    for key in ("og:title", "twitter:title", "articletitle"):
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


# "标题-新华网": a hyphen without spaces, before a short name at the very end.
_SITE_TAIL_RE = re.compile(r"^(?P<head>.{4,}?)[-–—_|｜](?P<tail>[^\s\-–—_|｜]{2,12})$")
# "XX日报数字报-标题": the same, the name first (e-paper pages).
_SITE_HEAD_RE = re.compile(r"^(?P<head>[^\s\-–—_|｜]{2,12})[-–—_|｜](?P<tail>.{4,})$")
_SITE_WORD_RE = re.compile(r"网|报|台|频道|客户端|政府|新闻|\.(?:com|cn|net|org)")


def _parts(hint: str, site: str | None) -> list[str]:
    """A title split at its separators, longest part first, the site's name left out."""
    parts = [p.strip() for p in _TITLE_SPLIT_RE.split(hint) if p and p.strip()]
    if len(parts) == 1:
        tail = _SITE_TAIL_RE.match(parts[0])
        head = _SITE_HEAD_RE.match(parts[0])
        if tail and _CJK_NAME_RE.search(tail["tail"]):
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
    return len(shorter) >= max(4, 0.6 * len(longer)) and shorter in longer


def _heading(body: Element, hints: list[str], site: str | None) -> Element | None:
    keys = [_norm(h) for h in hints]
    keys += [_norm(p) for h in hints for p in _parts(h, site)[:1]]
    keys = [k for k in keys if len(k) >= 4]
    headings = [el for el in body.iter(*_HEADING_TAGS)]
    for el in headings:
        text = _norm(_dom.text_of(el))
        if any(_agrees(text, key) for key in keys):
            return el
    # The headline in a <div>/<p>/<td>: the element whose whole text is a hint; a link of that text
    # (the article's own entry in a list beside it) only when nothing else has it.
    linked: Element | None = None
    for key in keys:
        for el in body.iter():
            text = el.text
            if (
                text and len(text) < 300 and isinstance(el.tag, str) and _norm(text)[:8] == key[:8]
                and _agrees(_norm(_dom.text_of(el)), key)
            ):
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
        return _first_h1(body)
    return None


def _first_h1(body: Element) -> Element | None:
    for el in body.iter("h1"):
        if _dom.text_of(el):
            return el
    return None


def _short_names(hints: list[str]) -> bool:
    """Is every hint made of short names ("人民日报", "澎湃新闻-专注时政与思想", an app's name)?"""
    return all(len(part) <= 8 for hint in hints for part in _parts(hint, None))


def _dated(el: Element) -> bool:
    for line in byline_elements(el, None):
        text = _dom.segmented_text(line).replace(_dom.SEP, " ")
        if date_raw(text) or _meta.yearless_date(text) or _meta.english_date(text):
            return True
    return False


def _dated_h1(body: Element, hints: list[str], need_date: bool = False) -> Element | None:
    """The first ``h1`` when nothing the page says its headline is agrees with any heading (a
    ``<title>`` that is only the site's name or slogan): taken when every hint is made of short
    names or a dated byline sits by it. With no ``h1``, the first element named as a title (a class
    or id with "title", the usual convention: an app share page's ``div.share-title``) that has
    a dated byline by it."""
    h1 = _first_h1(body)
    if h1 is not None:
        if len(_dom.text_of(h1)) < 6 or any(_dom.tag_of(a) == "a" for a in h1.iterancestors()):
            return None
        return h1 if (not need_date and _short_names(hints)) or _dated(h1) else None
    tried = 0
    for el in body.iter("div", "p", "span", "strong", "td", "h4"):
        if "title" not in f"{el.get('class') or ''} {el.get('id') or ''}".lower():
            continue
        text = _dom.text_of(el)
        if not 6 <= len(text) <= 100 or next(el.iter("a"), None) is not None or next(el.iterancestors("a"), None) is not None:
            continue
        if _dated(el):
            return el
        tried += 1
        if tried >= 5:
            break
    return None


# A badge closing a headline ("原创", "独家", "视频"): a short last child that names a kind of story.
_BADGE_RE = re.compile(r"^[\[【(（]?(?:原创|独家|首发|视频|图集|组图|直播|热|荐|新|置顶|专题)[\]】)）]?$")


def _title(heading: Element | None, hints: list[str], site: str | None) -> str | None:
    if heading is not None:
        text = _dom.text_of(heading)
        last = heading[-1] if len(heading) else None
        if last is not None and isinstance(last.tag, str) and not (last.tail or "").strip():
            badge = _dom.text_of(last)
            if badge and _BADGE_RE.match(badge) and text.endswith(badge) and len(text) > len(badge) + 4:
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
    return hint


def _published(
    root: Element, heading: Element | None, byline: Byline, meta: dict[str, str], ld: list[dict],
    container: Element | None, byline_text: str, url: str, tail_lines: list[str],
) -> str | None:
    printed = byline.date or _meta.english_date(byline_text)
    if printed and _meta.has_time(printed):
        return printed
    machine = _meta.meta_published(meta) or _meta.ld_value(ld, "datePublished")
    if machine is None:
        scope = container if container is not None else root
        for el in scope.iter("time"):
            if collapse_ws(el.get("datetime")):
                machine = collapse_ws(el.get("datetime"))
                break
    if machine is None:
        machine = _meta.script_published(root)
    yearless = _meta.yearless_date(byline_text)
    if printed:
        # A printed day without its time: the machine-readable value when it is the same day.
        if machine and _meta.has_time(machine) and date_raw(machine) and _same_day(printed, machine):
            return machine
        if yearless is None:
            return printed
    if machine:
        return machine
    if yearless:
        return yearless
    relative = _meta.relative_date(byline_text)
    if relative:
        return relative  # "昨天 13:43": normalize reads it against the capture time
    if heading is not None:
        text = without_weekday(after_heading_text(heading, container))
        found = date_raw(text) or _meta.yearless_date(text) or _meta.english_date(text)
        if found:
            return found
    # A date printed after the story (zhihu's "发布于 2022-09-07 21:14"), in it or just after it; on
    # the URL's day when the URL has one.
    day = _meta.url_day(url)
    tail = without_weekday(" ".join(tail_lines + after_container_lines(container)))
    found = date_raw(tail) or _meta.yearless_date(tail)
    if found and (day is None or not date_raw(found) or _same_day(found, day)):
        return found
    # Printed nowhere: an epoch time the page's script would print, else (an e-paper page prints the
    # issue's day in its masthead only) the URL's day.
    return _meta.epoch_published(root) or day


_CRUMB_CLASSES = (
    "crumb", "crumbs", "breadcrumb", "breadcrumbs", "position", "location", "weizhi", "dqwz", "nav-path",
    "senav", "l-pos", "bread", "path", "site-path", "curpos", "current",
)


def _section(doc: Doc) -> str | None:
    """The breadcrumb's section, looked up in the class index (no selector scans the whole tree)."""
    candidates = [el for name in _CRUMB_CLASSES for el in doc.by_class(name)]
    candidates += [el for el in doc.root.iter("nav") if (el.get("aria-label") or "").lower() == "breadcrumb"]
    for el in candidates:
        if len(el) > 40:
            continue
        found = section_from_crumbs(crumbs(el))
        if found:
            return found
    return None


def _same_day(a: str, b: str) -> bool:
    from northnews.normalize import parse_datetime

    x, y = parse_datetime(a), parse_datetime(b)
    return bool(x and y and x.date() == y.date())


def _shipped_body(body_el: Element, url: str, cjk: bool, skip: frozenset[str]) -> Body | None:
    """The story a page ships as escaped markup in a ``<textarea>`` for its script to draw (the
    visible containers empty), read as a page of its own."""
    best = max(
        (t.text for t in body_el.iter("textarea") if t.text and len(t.text) > 200 and "<p" in t.text.lower()),
        key=len, default=None,
    )
    root = _dom.parse_html(f"<html><body>{best}</body></html>") if best else None
    inner = root.find("body") if root is not None else None
    if inner is None:
        return None
    container, good = find_container(inner, cjk)
    body = paragraphs(container, url, cjk, good, skip) if container is not None else None
    return body if body is not None and body.paragraphs else None


def parse_tree(doc: Doc, url: str) -> ArticlePage:
    root = doc.root
    body_el = root.find("body")
    if body_el is None:
        body_el = root.find(".//body")
    if body_el is None:
        body_el = root
    meta = _meta.meta_map(root)
    ld = _meta.json_ld(root)
    site = meta.get("og:site_name") or meta.get("application-name")
    hints = _hints(root, meta, ld)
    heading = _heading(body_el, hints, site)
    if heading is None:
        heading = _dated_h1(body_el, hints)
    elif heading.tag not in _HEADING_TAGS and hints and _short_names(hints):
        # What agrees with a <title> that is only a name (an app's banner "新华社客户端") is no
        # headline when a dated one stands elsewhere.
        dated = _dated_h1(body_el, hints, need_date=True)
        heading = dated if dated is not None else heading
    title = _title(heading, hints, site)
    cjk = is_cjk(title or (hints[0] if hints else ""))

    container, good = find_container(body_el, cjk)
    # The byline sits by the headline; with no headline found, by the first h1 at least.
    anchor = heading if heading is not None else _first_h1(body_el)
    bylines = byline_elements(anchor, container)
    byline_texts = [_dom.text_of(el) for el in bylines]
    skip = {t for t in byline_texts if t}
    if heading is not None:
        skip.add(_dom.text_of(heading))
    if title:
        skip.add(title)
    body = (
        paragraphs(container, url, cjk, good, frozenset(skip)) if container is not None else None
    )
    if body is None or sum(map(len, body.paragraphs)) < 100:
        body = _shipped_body(body_el, url, cjk, frozenset(skip)) or body
    if body is not None and container is not None:
        body = gallery_body(body, container, url, cjk, good, frozenset(skip))
    byline = parse_byline(*(clean_copy(el) for el in bylines))
    if byline.date is None:
        # The time a byline's script writes ('发布时间：<script>document.write("2023-07-05 16:48")</script>').
        written = " ".join(m for el in bylines for js in el.iter("script") for m in _WRITE_RE.findall(js.text or ""))
        if written and date_raw(written):
            byline = Byline(byline.source, byline.author, byline.editor, date_raw(written))
    if body is not None and body.meta_lines:
        inner = text_byline(body.meta_lines)
        byline = Byline(
            source=byline.source or inner.source, author=byline.author or inner.author,
            editor=byline.editor or inner.editor, date=byline.date or inner.date,
        )
    editor = byline.editor or (body.editor if body is not None else None)
    if editor is None and cjk:
        editor = editor_anywhere(body_el)
    # Spans kept apart ("发布时间: 09-07</span><span>16:22"), so a date split over two reads as one.
    segmented = [_dom.segmented_text(el).replace(_dom.SEP, " ") for el in bylines]
    byline_text = without_weekday(" ".join(segmented + (body.meta_lines if body is not None else [])))
    return ArticlePage(
        template=NAME,
        title=title,
        source=byline.source,
        author=first_value(byline.author) or (_meta.ld_author(ld) if not cjk else None),
        editor=first_value(editor),
        date=_published(
            root, anchor, byline, meta, ld, container, byline_text, url, body.tail_lines if body is not None else [],
        ),
        section=_section(doc),
        paragraphs=body.paragraphs if body is not None else [],
        images=body.images if body is not None else [],
        tags=split_tags(meta["keywords"]) if meta.get("keywords") else keywords(root),
        page_urls=page_urls(root, url),
    )


def parse(html: str, url: str) -> ArticlePage:
    root = _dom.parse_html(html)
    if root is None:
        return ArticlePage(template=NAME)
    return parse_tree(Doc(root), url)
