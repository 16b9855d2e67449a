"""The story's container on a page no layout describes.

One walk over ``<body>`` gives every element the length of its *paragraph text* (runs of block
text, mostly outside links, long enough to be prose) and of all its text. The container is the
element with the most paragraph text net of everything else it holds (``good - total_other``), so
the tightest wrapper around all of the story wins over both a single paragraph and the whole page.
Chrome is recognised by tag (``nav``, ``aside``, ``footer``, ``form``…), by class/id words
(:data:`rules.CHROME_WORDS`) and by the profile's own ``chrome_classes``: its text counts against
a container and is never paragraph text. A class naming the story (:data:`rules.BODY_CLASS_RE`)
gives a small bonus. The paragraphs are :mod:`._paragraphs`'.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from itertools import islice
from typing import Any

from lxml import etree

from northnews.normalize import collapse_ws
from northnews.pages import rules
from northnews.pages._dom import Element
from northnews.pages._lines import is_meta_line

_cache: dict[str, tuple[int, bool]] = {}


class TooDeep(Exception):
    """The page nests deeper than :data:`rules.MAX_WALK_DEPTH`."""


#: Verdicts per class or id token. A plain dict: the entries of a ``functools.lru_cache`` are
#: objects the garbage collector tracks, and after the real pages' 460 every full collection
#: walked 62,000 of them (13 ms of each collection's 19).
_token_verdicts: dict[str, tuple[int, bool, bool]] = {}


def _token_verdict(token: str) -> tuple[int, bool, bool]:
    """``(chrome, body_hint, advertising)`` of one class or id token (advertising: every chrome word
    it has names an advertisement)."""
    verdict = _token_verdicts.get(token)
    if verdict is None:
        if len(_token_verdicts) >= 1 << 16:
            _token_verdicts.clear()
        verdict = _token_verdicts[token] = _judge_token(token)
    return verdict


def _judge_token(token: str) -> tuple[int, bool, bool]:
    words = rules.class_words(token)
    if words and len(words) > 1 and words[0] in rules.SLUG_PREFIX_WORDS and not any(
        w in rules.SLUG_BOX_WORDS or w in rules.CHROME_WORDS for w in words[1:]
    ):
        words = []  # WordPress post classes: tag-<slug>, author-<slug> (not author-bio, tag-list)
    inner = words[1:-1]
    found = [
        w for w in words
        if (w in rules.CHROME_WORDS and not (w in rules.EDGE_WORDS and w in inner)) or w.startswith(rules.CHROME_PREFIXES)
    ]
    chrome = 0
    if found and not any(w in rules.KEEP_WORDS for w in words if w not in rules.CHROME_WORDS):
        chrome = 1 if all(w in rules.WEAK_CHROME_WORDS for w in found) else 2
    return chrome, bool(rules.BODY_CLASS_RE.search(token)), bool(found) and all(w in rules.AD_WORDS for w in found)


@functools.lru_cache(maxsize=1 << 14)
def _advertising(cls: str | None, ident: str | None) -> bool:
    """Is every chrome word of this class and id an advertising word?"""
    verdicts = [_token_verdict(t) for t in (cls or "").split() + (ident or "").split()]
    return any(v[0] for v in verdicts) and all(v[2] for v in verdicts if v[0])


def _verdict_of(cls: str | None, ident: str | None) -> tuple[int, bool]:
    key = f"{cls or ''}#{ident or ''}"
    verdict = _cache.get(key)
    if verdict is None:
        chrome, hint = 0, False
        for token in (cls or "").split() + (ident or "").split():
            level, body, _ = _token_verdict(token)
            chrome = max(chrome, level)
            hint = hint or body
        if chrome and hint:
            chrome = 0  # "article-body-share"? rare; a body hint is worth more than a guess
        if len(_cache) > 200_000:
            _cache.clear()
        verdict = _cache[key] = (chrome, hint)
    return verdict


def class_verdict(el: Element) -> tuple[int, bool]:
    """``(chrome, body_hint)`` for an element's class and id (cached per distinct value); chrome is
    0 (none), 1 (weak: may wrap the story too) or 2 (strong)."""
    cls, ident = el.get("class"), el.get("id")
    if not cls and not ident:
        return 0, False
    return _verdict_of(cls, ident)


#: Chrome levels by the profile's chrome classes, then by (class, id). The caches' keys hold only
#: strings: the garbage collector stops tracking such tuples, where a key holding the frozenset
#: stayed tracked and every full collection of a long crawl walked each of them (57,000 after the
#: real pages' 460, a full collection 10 times slower).
_levels: dict[frozenset[str], dict[tuple[str | None, str | None], int]] = {}


def _level_of(cls: str | None, ident: str | None, site_chrome: frozenset[str]) -> int:
    """The chrome level a class and id give (the profile's own chrome class names are strong),
    cached per distinct value: a page repeats its classes."""
    levels = _levels.get(site_chrome)
    if levels is None:
        if len(_levels) > 64:
            _levels.clear()
        levels = _levels[site_chrome] = {}
    key = (cls, ident)
    level = levels.get(key)
    if level is None:
        if site_chrome and any(n in site_chrome for n in f"{cls or ''} {ident or ''}".split()):
            level = 2
        else:
            level = _verdict_of(cls, ident)[0]
        if len(levels) > 200_000:
            levels.clear()
        levels[key] = level
    return level


def chrome_level(el: Element, tag: str, site_chrome: frozenset[str] = frozenset()) -> int:
    """0: not chrome; 1: chrome that may wrap the story (aside, form, "with-sidebar"); 2: chrome."""
    if tag in rules.CHROME_TAGS:
        return 2
    items = el.items()
    if not items:
        return 1 if tag in rules.WEAK_CHROME_TAGS else 0
    cls = ident = role = None
    for name, value in items:
        if name == "class":
            cls = value
        elif name == "id":
            ident = value
        elif name == "role":
            role = value
            if value in rules.CHROME_ROLES:
                return 2
        elif name == "hidden" or (name == "aria-hidden" and value == "true"):
            return 2
        elif name == "style" and value and rules.HIDDEN_STYLE_RE.search(value):
            return 2
    level = _level_of(cls, ident, site_chrome) if cls or ident else 0
    if level < 2 and (tag in rules.WEAK_CHROME_TAGS or role in rules.WEAK_CHROME_ROLES):
        return 1
    return level


def is_chrome(el: Element, tag: str, site_chrome: frozenset[str] = frozenset()) -> bool:
    return chrome_level(el, tag, site_chrome) > 0


_SKIP, _BLOCKS, _MAX_DEPTH, _AD_PROSE = rules.SKIP_TAGS, rules.BLOCK_TAGS, rules.MAX_WALK_DEPTH, rules.AD_MAX_PROSE_CHARS


class Verdicts(dict[Element, int]):
    """What the container's walk found, for the paragraph walk that follows (the page is judged
    once): each block's paragraph text (the mapping) and each element's chrome level
    (:attr:`chrome`, :func:`chrome_level`'s, for the elements the walk judged)."""

    def __init__(self) -> None:
        super().__init__()
        self.chrome: dict[Element, int] = {}


Step = Callable[[Element, str, int, bool, int, Any], tuple[int, int, int, int, int]]


class _Scorer:
    """One walk: per element (paragraph text, all text); remembers the best container.

    A chrome element's paragraph text does not count for its ancestors, and an element inside
    chrome scores half: a class word can be wrong ("tag-foo" on a WordPress article, a page
    wrapper named "advertisement-pusher"), so chrome lowers a candidate instead of ruling it out.
    """

    def __init__(self, cjk: bool, exclude: frozenset[Element] = frozenset(), site_chrome: frozenset[str] = frozenset()) -> None:
        self.exclude = exclude
        self.min_unit = rules.PROSE_MIN_CHARS_CJK if cjk else rules.PROSE_MIN_CHARS
        self.site_chrome = site_chrome
        self.best: Element | None = None
        self.best_score = 0.0
        self.good = Verdicts()
        self.scores: dict[Element, float] = {}
        #: Elements deeper than the walk goes were left out: the page must be flattened first.
        self.truncated = False
        #: Whether the best candidate is chrome or inside it; the block named for the story
        #: (:data:`rules.BODY_CLASS_RE`, ``itemprop=articleBody``) outside chrome holding the most prose.
        self.best_in_chrome = False
        self.named: Element | None = None
        self.named_good = 0
        #: How many weak chrome elements (a sidebar, an aside) the walk is inside.
        self.weak = 0

    def visit(self, el: Element, tag: str, depth: int, chrome: bool, level: int = 0) -> tuple[int, int, int, int, int]:
        """``(good, total, link, own, own_link)`` of ``el`` (own = text of this block outside child
        blocks), every element below it scored."""
        # The walk's recursive step is a closure over the scorer's state, bound once (the walk's hot
        # loop: one call per element that is a block, a link or named; an inline leaf is counted
        # in its parent's). It is handed itself to recurse (a closure naming itself is a reference
        # cycle: the page's tree would stay alive until the garbage collector found it).
        scorer = self
        good_of, scores = self.good, self.scores
        levels, exclude, site_chrome, min_unit = self.good.chrome, self.exclude, self.site_chrome, self.min_unit
        skip, blocks, max_depth, ad_prose = _SKIP, _BLOCKS, _MAX_DEPTH, _AD_PROSE
        meta_max, chrome_factor, body_factor = rules.META_LINE_MAX_CHARS, rules.CHROME_SCORE_FACTOR, rules.BODY_CLASS_SCORE_FACTOR
        weak_factor, wrapper_inline = rules.WEAK_CHROME_SCORE_FACTOR, rules.WRAPPER_INLINE_TAGS

        def step(el: Element, tag: str, depth: int, chrome: bool, level: int, step: Step) -> tuple[int, int, int, int, int]:
            text = el.text
            own = len(text.strip()) if text else 0
            is_link = tag == "a"
            own_link = own if is_link else 0
            good = total = link = 0
            deep = depth >= max_depth
            for child in el:
                ctag = child.tag
                if ctag.__class__ is str:
                    if deep:
                        scorer.truncated = True
                    else:
                        ctag = ctag.lower()
                        if ctag in skip:
                            pass
                        elif ctag not in blocks and not len(child):
                            # An inline leaf (a link, a span, a picture): its text is this block's,
                            # or chrome's; counted here, without a call of its own.
                            ctext = child.text
                            o = len(ctext.strip()) if ctext else 0
                            ol = o if ctag == "a" else 0
                            clevel = 0
                            if ctag == "a" or child.get("class") or child.get("id"):
                                clevel = chrome_level(child, ctag, site_chrome)
                                if clevel and _mid_sentence(child):
                                    clevel = 0
                                levels[child] = clevel
                                if exclude and child in exclude:
                                    clevel = 2
                            if clevel:
                                total += o
                                link += ol
                            else:
                                own += o
                                own_link += o if is_link else ol
                        elif ctag in blocks or ctag == "a" or child.get("class") or child.get("id"):
                            clevel = chrome_level(child, ctag, site_chrome)
                            if clevel and ctag not in blocks and _mid_sentence(child):
                                clevel = 0
                            levels[child] = clevel
                            if exclude and child in exclude:
                                clevel = 2
                            weak = clevel == 1  # a sidebar, an aside: what it holds competes, discounted
                            scorer.weak += weak
                            g, t, lk, o, ol = step(child, ctag, depth + 1, chrome or clevel == 2, clevel, step)
                            scorer.weak -= weak
                            if clevel and g >= ad_prose and _advertising(child.get("class"), child.get("id")):
                                clevel = 0  # no advertisement holds that much prose: the story, misnamed
                            if clevel:
                                total += t + o
                                link += lk + ol
                            elif ctag in blocks:
                                good += g
                                total += t + o
                                link += lk + ol
                            else:
                                good += g
                                total += t
                                link += lk
                                own += o
                                own_link += o if is_link else ol
                        else:  # plain inline markup: its text is this block's
                            g, t, lk, o, ol = step(child, ctag, depth + 1, chrome, 0, step)
                            good += g
                            total += t
                            link += lk
                            own += o
                            own_link += o if is_link else ol
                tail = child.tail
                if tail:
                    n = len(tail.strip())
                    own += n
                    if is_link:
                        own_link += n
            block = tag in blocks
            if block or (good and tag in wrapper_inline):
                # An inline element holding prose blocks (``<span id="intelliTxt"><p>…``) wraps them
                # as a block would: it is a candidate too, its own loose text its parent's.
                if block and tag != "h1":
                    plain = own - own_link
                    if plain >= min_unit and own_link * 2 < own and not (
                        plain < meta_max and is_meta_line(_inline_text(el))
                    ):
                        good += plain
                good_of[el] = good
                score: float = good - (total + own - good)  # times a factor below
                scores[el] = score
                if score > 0:
                    if level and good >= ad_prose and _advertising(el.get("class"), el.get("id")):
                        level = 0
                    if chrome or level:
                        score *= chrome_factor
                    elif scorer.weak:
                        score *= weak_factor
                    elif class_verdict(el)[1] or el.get("itemprop") == "articleBody":
                        score *= body_factor
                    if score > scorer.best_score:
                        scorer.best, scorer.best_score = el, score
                        scorer.best_in_chrome = bool(chrome or level)
                elif good > scorer.named_good and not (chrome or level) and (
                    class_verdict(el)[1] or el.get("itemprop") == "articleBody"
                ):
                    scorer.named, scorer.named_good = el, good  # named for the story, its prose outweighed (link lists)
            return good, total, link, own, own_link

        return step(el, tag, depth, chrome, level, step)


def _mid_sentence(el: Element) -> bool:
    """Is this inline element (a link, a span) words inside a sentence, the sentence going on after
    it? Then its class (a glossary "popup", a "tag" link) does not make it chrome: a share button or
    a tag list is not followed by words."""
    tail = el.tail
    return bool(tail) and rules.SENTENCE_GOES_ON_RE.match(tail) is not None


def _inline_text(el: Element) -> str:
    """The text of a short block, for the byline test (child blocks included: it is short)."""
    return collapse_ws(_all_text(el))


def _all_text(el: Element) -> str:
    """Every text node below ``el`` in order (``"".join(el.itertext())``), serialised by libxml2:
    three times faster than joining lxml's text iterator, large elements and small."""
    text: str = etree.tostring(el, method="text", encoding="unicode", with_tail=False)
    return text


def _teasers(el: Element) -> list[Element]:
    """The items of a list of other stories' teasers (each a linked headline and a summary) that
    make most of ``el``'s text: three or more, or none."""
    if sum(1 for _ in islice(el.iter("li"), rules.TEASER_MIN_ITEMS)) < rules.TEASER_MIN_ITEMS:
        return []  # too few list items to be a column of teasers: no text is read
    items = [
        li for li in el.iter("li")
        if any(len(_inline_text(a)) >= 6 for a in li.iter("a"))
    ]
    if len(items) < rules.TEASER_MIN_ITEMS:
        return []
    held = sum(len(_inline_text(li)) for li in items)
    return items if held >= rules.TEASER_SHARE * len(_inline_text(el)) else []


def _other_stories(el: Element, scorer: _Scorer) -> list[Element]:
    """The ``<article>``s in ``el`` that are other stories' teasers (a linked headline of their own),
    when there are at least :data:`rules.TEASER_MIN_ITEMS` of them besides the one holding the most
    prose: a story with a column of teasers ("More in …", each an article) beside it. An article
    holding the story's own headline and standfirst is no teaser."""
    tops: list[Element] = []
    seen: set[Element] = set()
    for a in el.iterdescendants(*rules.STORY_TAGS):
        if not any(anc in seen for anc in a.iterancestors()):
            tops.append(a)
        seen.add(a)
    if len(tops) <= rules.TEASER_MIN_ITEMS:
        return []
    main = max(tops, key=lambda a: scorer.good.get(a, 0))
    teasers = [a for a in tops if a is not main and _linked_headline(a)]
    return teasers if len(teasers) >= rules.TEASER_MIN_ITEMS else []


def _linked_headline(el: Element) -> bool:
    """Does ``el`` hold a headline that links elsewhere (a teaser's), not a story's own?"""
    return any(next(h.iter("a"), None) is not None for h in el.iter(*rules.TEASER_HEADLINE_TAGS))


def find_container(
    body: Element, cjk: bool, site_chrome: frozenset[str] = frozenset(), leave_out: frozenset[Element] = frozenset(),
) -> tuple[Element | None, Verdicts]:
    """The story's container and every block's paragraph text (to judge chrome inside it).
    ``leave_out``: elements scored as chrome (a container that gave no story, to find the next).

    Raises :class:`TooDeep` when the page nests deeper than the walk goes (unclosed tags): the
    caller reads the page again flattened, as a browser would show it."""
    scorer = _Scorer(cjk, leave_out, site_chrome=site_chrome)
    scorer.visit(body, "body", 0, False)
    teasers = (_teasers(scorer.best) or _other_stories(scorer.best, scorer)) if scorer.best is not None else []
    if teasers:  # a column of other stories' teasers outweighs a short story: score again without them
        scorer = _Scorer(cjk, frozenset(teasers) | leave_out, site_chrome)
        scorer.visit(body, "body", 0, False)
    if scorer.truncated:
        raise TooDeep
    best = scorer.best
    if best is None and scorer.good.get(body) is not None and _has_text(body):
        # No block holds prose (a page of short lines, text straight in <body>): the page is the
        # container, its chrome left out, rather than no story at all.
        best = body
    # Comments, a sidebar: what chrome holds is the story only when nothing named for it has prose.
    named = scorer.named
    if (
        best is not None and scorer.best_in_chrome and named is not None and scorer.named_good >= scorer.min_unit
        and named not in best.iterancestors()
    ):
        best = named
    # One paragraph is no container: a short notice's salutation, signature and date lines score
    # below its one long paragraph, but the block holding them all, when it scores at all and holds
    # more story text, is the story; and so is a block holding twice its prose whatever else it
    # holds (a wiki article's tables of links).
    if best is not None and best.tag == "p":
        parent = best.getparent()
        if parent is not None and scorer.good.get(parent, 0) > scorer.good[best] and (
            scorer.scores.get(parent, 0) > 0 or scorer.good[best] <= rules.LONE_PARAGRAPH_SHARE * scorer.good[parent]
        ):
            best = parent
    if best is not None:
        best = _with_siblings(best, body, scorer)
    return best, scorer.good


def _is_story(el: Element, scorer: _Scorer) -> bool:
    """A block that is a story of its own: an ``<article>``, or a block holding a headline, with prose."""
    tag = el.tag
    return isinstance(tag, str) and scorer.good.get(el, 0) > 0 and (
        tag.lower() in rules.STORY_TAGS or next(el.iter(*rules.STORY_HEADLINE_TAGS), None) is not None
    )


def _story_sibling(el: Element, tag: str, scorer: _Scorer, before: bool, held: int) -> bool:
    """Is this sibling of the story's wrapper more of the story: prose outweighing everything else
    it holds, not chrome (a ``<header>`` may hold the lead), and either before the story a lead
    (sentences, more than a line: no byline or deck) or after it a good share of the story's
    prose (a story split over sibling blocks), but never another story (an ``<article>`` of its
    own, a headline of its own)?"""
    good = scorer.good.get(el, 0)
    if good <= 0 or scorer.scores.get(el, 0) <= 0:
        return False
    level = scorer.good.chrome.get(el, 0)
    if level == 2 or (level == 1 and tag not in rules.LEAD_WRAPPER_TAGS):
        return False
    if before:
        return good >= rules.LEAD_MIN_UNITS * scorer.min_unit and any(
            end in t for t in el.itertext() if isinstance(t, str) for end in rules.SENTENCE_ENDS
        )
    return good >= rules.STORY_SIBLING_SHARE * held and not _is_story(el, scorer)


def _has_text(el: Element) -> bool:
    return any(t.strip() for t in el.itertext() if isinstance(t, str))


def _with_siblings(best: Element, body: Element, scorer: _Scorer) -> Element:
    """The story's container widened to a wrapper's parent when that parent's other children hold
    more of the story (:func:`_story_sibling`): the lead paragraph printed above the story's block,
    the story split over sibling blocks. Each wrapper holding no more of the story than the
    container (a wrapper ``<article>`` around the text's ``<div>``) is looked at, up to the first
    that holds more. The container is then the run of children from the first to the last of them
    (the pictures, headline and byline between them included, to be read as in any container); the
    children outside the run are marked chrome for the paragraph walk, the siblings taken in (a
    lead in a ``<header>``) not chrome. Without such a sibling the container stays as found."""
    good = scorer.good
    held = good.get(best, 0)
    container = node = best
    while True:
        parent = node.getparent()
        if parent is None or parent is body:
            return container  # the page's own children are no story's neighbours: the whole page is none
        children = [c for c in parent if isinstance(c.tag, str)]
        at = children.index(node)
        taken = []
        first = last = at
        for i in range(at - 1, -1, -1):  # a lead above the story, with what stands between them
            child = children[i]
            tag = child.tag.lower()
            if tag in _BLOCKS and _story_sibling(child, tag, scorer, True, held):
                first = i
                taken.append(child)
            elif good.chrome.get(child, 0) == 2 and _has_text(child):
                break  # a menu, a share bar: the lead is below it
        for i in range(at + 1, len(children)):  # the story's continuation, up to the first other text
            child = children[i]
            tag = child.tag.lower()
            if tag in _BLOCKS and _story_sibling(child, tag, scorer, False, held):
                last = i
                taken.append(child)
            elif tag not in _SKIP and _has_text(child):
                break
        if taken:
            for child in children[:first] + children[last + 1:]:
                good.chrome[child] = 2
            for child in taken:
                good.chrome[child] = 0
            container = parent
        if good.get(parent, 0) != held:
            return container
        node = parent
