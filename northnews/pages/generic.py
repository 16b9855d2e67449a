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

from typing import Any

from lxml import etree

from northnews.normalize import collapse_ws, date_raw, split_tags
from northnews.pages import _dom, _meta, rules
from northnews.pages._article import ArticlePage
from northnews.pages._byline import (
    Byline,
    after_container_lines,
    after_heading_text,
    byline_elements,
    clean_copy,
    editor_anywhere,
    first_value,
    looks_like_meta,
    parse_byline,
    text_byline,
    without_weekday,
)
from northnews.pages._container import TooDeep, find_container
from northnews.pages._fields import keywords, page_urls, section
from northnews.pages._gallery import gallery_body, lead_pictures
from northnews.pages._lines import is_deck, is_meta_line, is_sentence, reporters
from northnews.pages._paragraphs import Body, Container, generic_chrome, paragraphs, read
from northnews.pages._select import Doc, Element
from northnews.pages._title import (
    HEADING_TAGS,
    dated_h1,
    find_heading,
    first_h1,
    headline_hints,
    short_names,
    title_of,
)

NAME = "generic"

_WRITE_RE = rules.SCRIPT_WRITE_RE


def _published(
    root: Element, heading: Element | None, byline: Byline, meta: dict[str, str], ld: list[dict[str, Any]],
    container: Element | None, byline_text: str, url: str, tail_lines: list[str], hints: list[str],
) -> str | None:
    if byline.revised:
        # The byline prints only a revision's time: the publication the page's metadata states wins
        # (else the revision's time stands for it, the closest the page tells; README, "Dates").
        stated = _meta.meta_published(meta) or _meta.ld_value(ld, "datePublished")
        if stated:
            return stated
    printed = byline.date or _meta.english_date(byline_text)
    if printed and _meta.has_time(printed):
        return printed
    machine = _meta.meta_published(meta) or _meta.ld_value(ld, "datePublished")
    if machine is None:
        machine = _time_datetime(root, container)
    if machine is None:
        machine = _meta.script_published(root)
    yearless = _meta.yearless_date(byline_text)
    if printed:
        # A printed day without its time: the machine-readable value when it is the same day, else
        # the same day's time printed elsewhere (below the story, written by a script).
        if machine and _meta.has_time(machine) and date_raw(machine) and _same_day(printed, machine):
            return machine
        for text in _elsewhere(root, heading, container, tail_lines):
            found = date_raw(text)
            if found and _meta.has_time(found) and _same_day(printed, found):
                return found
        if yearless is None:
            return printed
    if machine:
        return machine
    if yearless:
        return yearless
    relative = _meta.relative_date(byline_text)
    if relative:
        return relative  # "昨天 13:43": normalize reads it against the capture time
    written = _written_date(root)
    if written:
        return written
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
    # issue's day in its masthead only) the URL's day, else the e-paper's date bar.
    return _meta.epoch_published(root) or day or _date_bar(root, url, hints)


def _elsewhere(root: Element, heading: Element | None, container: Element | None, tail_lines: list[str]) -> list[str]:
    """Texts that may print the time of a day the byline printed bare, nearest first."""
    texts = [without_weekday(after_heading_text(heading, container))] if heading is not None else []
    texts.append(without_weekday(" ".join(tail_lines + after_container_lines(container))))
    written = _written_date(root)
    return [*texts, written] if written else texts


def _written_date(root: Element) -> str | None:
    """A date an inline script writes as the page loads (``document.write("2023-07-05 16:48")``),
    wherever it stands: what the reader sees printed."""
    for js in root.iter("script"):
        text = js.text
        if not text or "write" not in text or js.get("src"):
            continue
        for value in _WRITE_RE.findall(text):
            found = date_raw(value)
            if found:
                return found
    return None


def _time_datetime(root: Element, container: Element | None) -> str | None:
    """The ``datetime`` of the story's first ``<time>``: in its container, else before it (a header
    above the story), never in a link (a list's entry)."""
    scope = container if container is not None else root
    for el in scope.iter("time"):
        if collapse_ws(el.get("datetime")):
            return collapse_ws(el.get("datetime"))
    if container is None or not any(el.get("datetime") for el in root.iter("time")):
        return None
    for el in root.iter():
        if el is container:
            break
        if el.tag == "time" and collapse_ws(el.get("datetime")) and next(el.iterancestors("a"), None) is None:
            return collapse_ws(el.get("datetime"))
    return None


def _date_bar(root: Element, url: str, hints: list[str]) -> str | None:
    """The day an e-paper's date bar prints above its pages (``<td class="riqi">2023年7月5日 星期三
    第03版</td>``): only on a page that says it is an e-paper's (a portal's bar prints today)."""
    for el in root.iter("div", "td", "span", "p", "li", "em", "strong", "font"):
        names = f"{el.get('class') or ''} {el.get('id') or ''}"
        if not names.strip() or not rules.DATE_BAR_CLASS_RE.search(names):
            continue
        text = _dom.text_of(el)
        if len(text) > rules.DATE_BAR_MAX_CHARS:
            continue
        found = date_raw(without_weekday(text))
        if found and any(rules.EPAPER_HINT_RE.search(t) for t in (url, text, *hints)):
            return found
    return None


def _unlabelled_author(cjk: bool, ld: list[dict[str, Any]], byline_texts: list[str], body: Body | None) -> str | None:
    """No labelled author: a reporter line by the headline or at the story's start (``本报记者 赵喆``),
    else (a page not in Chinese) JSON-LD's authors."""
    if not cjk:
        return _meta.ld_author(ld)
    lines = byline_texts + (body.meta_lines if body is not None else [])
    return next((names for names in map(reporters, lines) if names), None)


def _section(doc: Doc, crumbs: tuple[str, ...]) -> str | None:
    """The breadcrumb's section: the profile's breadcrumb selectors first, then the rule book's."""
    for crumb in crumbs:
        found = section(doc, crumb, generic=False)
        if found:
            return found
    return section(doc)


def _same_day(a: str, b: str) -> bool:
    from northnews.normalize import parse_datetime

    x, y = parse_datetime(a), parse_datetime(b)
    return bool(x and y and x.date() == y.date())


def _story_sentence(text: str) -> bool:
    """A line by the headline that is the story's sentence, though a date or a "by" is in it
    (``…since being sacked by Manchester United in December 2018.``, ``2023年7月5日上午，…会议。``):
    it ends as a sentence does and is long, and no label opens it."""
    if is_meta_line(text):
        return False
    if is_sentence(text):
        return True
    return text.rstrip().endswith(rules.SENTENCE_ENDS) and len(rules.WORD_RE.findall(text)) >= rules.STORY_SENTENCE_MIN_WORDS


def _after_story_text(container: Element, text: str) -> bool:
    """Does story text come before ``text`` in the container (more words than a headline and a
    byline, a sentence among them)? Then ``text`` is no standfirst under the headline."""
    full = _dom.text_of(container)
    at = full.find(text)
    before = full[:at] if at > 0 else ""
    return len(rules.WORD_RE.findall(before)) >= rules.STORY_TEXT_BEFORE_MIN_WORDS and any(
        end in before for end in rules.SENTENCE_ENDS
    )


def _after_prose(heading: Element | None, el: Element, cjk: bool) -> bool:
    """Is ``el`` (one of the heading's next siblings) a sub-heading (``h2``–``h6``) below a paragraph
    of the story? Then it is the story's, not a deck under the headline (a short line of another
    kind there, an app prompt, stays out)."""
    if heading is None or el.tag not in rules.SUBHEADING_TAGS or el.getparent() is not heading.getparent():
        return False
    least = rules.PROSE_MIN_CHARS_CJK if cjk else rules.PROSE_MIN_CHARS
    for sibling in heading.itersiblings():
        if sibling is el:
            return False
        if isinstance(sibling.tag, str) and len(_dom.text_of(sibling)) >= max(least, rules.DECK_MAX_CHARS):
            return True
    return False


def _shipped_body(body_el: Element, url: str, cjk: bool, skip: frozenset[str], site_chrome: frozenset[str]) -> Body | None:
    """The story a page ships as escaped markup in a ``<textarea>`` for its script to draw (the
    visible containers empty), read as a page of its own."""
    best = max(
        (t.text for t in body_el.iter("textarea") if t.text and len(t.text) > rules.SHIPPED_MARKUP_MIN_CHARS and "<p" in t.text.lower()),
        key=len, default=None,
    )
    root = _dom.parse_html(f"<html><body>{best}</body></html>") if best else None
    inner = root.find("body") if root is not None else None
    if inner is None:
        return None
    container, good = find_container(inner, cjk, site_chrome)
    body = paragraphs(container, url, cjk, good, skip, site_chrome=site_chrome) if container is not None else None
    return body if body is not None and body.paragraphs else None


def parse_tree(
    doc: Doc, url: str, site_chrome: frozenset[str] = frozenset(), crumbs: tuple[str, ...] = (), *,
    _flattened: bool = False,
) -> ArticlePage:
    """The article of a page no layout describes. ``site_chrome``: the profile's own chrome class
    names; ``crumbs``: its breadcrumb selectors (the layouts' ``crumb`` parts), tried first."""
    root = doc.root
    body_el = root.find("body")
    if body_el is None:
        body_el = root.find(".//body")
    if body_el is None:
        body_el = root
    meta = _meta.meta_map(root)
    ld = _meta.json_ld(root)
    site = meta.get("og:site_name") or meta.get("application-name")
    hints = headline_hints(root, meta, ld)
    heading = find_heading(body_el, hints, site)
    if heading is None:
        heading = dated_h1(body_el, hints)
    elif heading.tag not in HEADING_TAGS and hints and short_names(hints):
        # What agrees with a <title> that is only a name (an app's banner "新华社客户端") is no
        # headline when a dated one stands elsewhere.
        dated = dated_h1(body_el, hints, need_date=True)
        heading = dated if dated is not None else heading
    title = title_of(heading, hints, site)
    cjk = rules.is_cjk(title or (hints[0] if hints else ""))

    good: dict[Element, int]  # find_container's Verdicts, or none when the page is too deep
    try:
        container, good = find_container(body_el, cjk, site_chrome)
    except TooDeep:
        # Unclosed tags nested the page past what is walked: read it flattened (its text and its
        # links, scripts and headings kept), once.
        flat = None if _flattened else _dom.parse_html(_dom.flatten(etree.tostring(root, encoding="unicode", method="html")))
        if flat is None:
            container, good = None, {}
        else:
            return parse_tree(Doc(flat), url, site_chrome, crumbs, _flattened=True)
    # The byline sits by the headline; with no headline found, by the first h1 at least.
    anchor = heading if heading is not None else first_h1(body_el)
    bylines = byline_elements(anchor, container)
    byline_texts = [_dom.text_of(el) for el in bylines]
    # Lines by the headline that the story's container holds too are left out of the body only when
    # they are byline-shaped (a label or a date) or a deck (a short line, no sentence): a story whose
    # paragraphs follow its <h1> keeps them.
    skip = {
        t for el, t in zip(bylines, byline_texts, strict=True)
        if t and (
            container is None or (looks_like_meta(t) and not (_story_sentence(t) and _after_story_text(container, t)))
            or (is_deck(t) and not _after_prose(anchor, el, cjk))
        )
    }
    if heading is not None:
        skip.add(_dom.text_of(heading))
    if title:
        skip.add(title)
    body = (
        paragraphs(container, url, cjk, good, frozenset(skip), site_chrome=site_chrome) if container is not None else None
    )
    tried: frozenset[Element] = frozenset()
    for _ in range(rules.CONTAINER_TRIES):
        # The container gave no story (its text all links or chrome): the next best one.
        if container is None or body is None or body.paragraphs or container in tried:
            break
        tried |= {container}
        container, good = find_container(body_el, cjk, site_chrome, tried)
        if container is not None and container not in tried:
            body = paragraphs(container, url, cjk, good, frozenset(skip), site_chrome=site_chrome)
    if body is None or sum(map(len, body.paragraphs)) < rules.SHIPPED_BODY_MIN_CHARS:
        body = _shipped_body(body_el, url, cjk, frozenset(skip), site_chrome) or body
    if body is not None and container is not None:
        body = gallery_body(body, container, url, cjk, good, frozenset(skip), site_chrome)
    if (body is None or not body.paragraphs) and _dom.text_of(body_el):
        # No container gave a story (the page's text is all short lines, or its one container was all
        # junk): the page itself is read as the container, its chrome left out, rather than no story.
        body = paragraphs(body_el, url, cjk, good, frozenset(skip), site_chrome=site_chrome)
        if not body.paragraphs:
            # Not a line long enough to be prose ("Test"): the page's lines outside its chrome, untrimmed.
            body = read(Container([body_el], url, generic_chrome(good, 0, site_chrome), trusted=True, skip_texts=frozenset(skip)))
    if body is not None:
        lead = lead_pictures(anchor, container, url, site_chrome)
        if lead:
            inside = {img["url"] for img in body.images}
            body.images[:0] = [img for img in lead if img["url"] not in inside]
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
            revised=byline.revised if byline.date else inner.revised,
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
        author=first_value(byline.author) or _unlabelled_author(cjk, ld, byline_texts, body),
        editor=first_value(editor),
        date=_published(
            root, anchor, byline, meta, ld, container, byline_text, url, body.tail_lines if body is not None else [],
            hints,
        ),
        section=_section(doc, crumbs),
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
