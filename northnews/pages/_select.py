"""A small CSS subset over a per-document class index.

The layouts need only descendant selectors of tags and classes (``.l-cont h1``,
``.zhengwen.content``, ``.picture-main .summary``) and a few attribute tests. Compiled XPath from
cssselect scans the whole tree once per selector; indexing the classes once per page makes every
lookup a dictionary hit, which keeps the extractor well over 10x faster than trafilatura.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TypeAlias

from lxml import etree

from northnews.pages import rules

Element: TypeAlias = etree._Element  # an alias (not a variable), so that mypy takes it as a type

_STEP_RE = rules.CSS_STEP_RE
_ATTR_RE = rules.CSS_ATTR_RE


@functools.lru_cache(maxsize=64)
def _with_attr(name: str) -> etree.XPath:
    return etree.XPath(f"//*[@{name}]")


class Doc:
    """A parsed page with a lazily built index of elements by class token and document order.

    ``wanted``: the class tokens the caller's selectors will ask for (a site's layouts and the
    breadcrumb classes); only they are indexed, unless another is asked for.
    """

    __slots__ = ("root", "_by_class", "_order", "_wanted", "_by_wanted")

    def __init__(self, root: Element, wanted: frozenset[str] | None = None) -> None:
        self.root = root
        self._by_class: dict[str, list[Element]] | None = None
        self._order: dict[Element, int] | None = None
        self._wanted = wanted
        self._by_wanted: dict[str, list[Element]] | None = None

    def by_class(self, token: str) -> list[Element]:
        if self._by_class is None and self._wanted is not None and token in self._wanted:
            if self._by_wanted is None:
                self._by_wanted = self._index(self._wanted)
            return self._by_wanted.get(token, [])
        if self._by_class is None:
            self._by_class = self._index(None)
        return self._by_class.get(token, [])

    def _index(self, wanted: frozenset[str] | None) -> dict[str, list[Element]]:
        """Elements by class token (only ``wanted``'s, when given), in document order: one pass
        over the tree, each distinct class attribute split once (a walk in lxml's iterator is
        cheaper than an XPath for ``@class``)."""
        index: dict[str, list[Element]] = {}
        tokens_of: dict[str, tuple[str, ...]] = {}
        for el in self.root.iter():
            value = el.get("class")
            if not value:
                continue
            tokens = tokens_of.get(value)
            if tokens is None:
                names = dict.fromkeys(value.split())
                tokens = tokens_of[value] = tuple(n for n in names if n in wanted) if wanted is not None else tuple(names)
            for name in tokens:
                found = index.get(name)
                if found is None:
                    index[name] = [el]
                else:
                    found.append(el)
        return index

    def position(self, el: Element) -> int:
        if self._order is None:
            self._order = {e: i for i, e in enumerate(self.root.iter())}
        return self._order.get(el, -1)


@dataclass(frozen=True)
class Step:
    tag: str | None
    classes: tuple[str, ...]
    attrs: tuple[tuple[str, str | None], ...]

    def matches(self, el: Element) -> bool:
        if self.tag is not None and el.tag != self.tag:
            return False
        if self.classes:
            tokens = (el.get("class") or "").split()
            if not all(c in tokens for c in self.classes):
                return False
        for name, value in self.attrs:
            got = el.get(name)
            if got is None:
                return False
            if value is not None and value.startswith("\0"):
                if got.strip() != value[1:]:
                    return False
            elif value is not None and got.strip().lower() != value:
                return False
        return True


def _parse_step(text: str) -> Step:
    match = _STEP_RE.match(text)
    if not match:
        raise ValueError(f"unsupported selector step: {text!r}")
    tag = match["tag"].lower() if match["tag"] and match["tag"] != "*" else None
    classes = tuple(c for c in match["classes"].split(".") if c)
    attrs = tuple(
        (name.lower(), value.strip("\"' ").lower() if value is not None else None)
        for name, value in _ATTR_RE.findall(match["attrs"])
    )
    if match["ident"]:  # #id: an attribute test on the id, exact (ids are case-sensitive)
        attrs = (("id", "\0" + match["ident"][1:]), *attrs)
    return Step(tag, classes, attrs)


class Selector:
    """``sel(doc)`` → matching elements in document order. Supports ``a b, .c.d tag[x=y]``."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.alternatives = [
            [_parse_step(step) for step in alternative.split()]
            for alternative in text.split(",")
            if alternative.strip()
        ]

    def __repr__(self) -> str:
        return f"Selector({self.text!r})"

    def __call__(self, doc: Doc) -> list[Element]:
        found: dict[Element, None] = {}
        for steps in self.alternatives:
            for el in self._run(doc, steps):
                found[el] = None
        if len(self.alternatives) > 1:
            return sorted(found, key=doc.position)
        return list(found)

    @staticmethod
    def _run(doc: Doc, steps: list[Step]) -> list[Element]:
        head = steps[0]
        if head.classes:
            current = [el for el in doc.by_class(head.classes[0]) if head.matches(el)]
        elif head.tag is None and head.attrs:
            # [attr=…] alone: the elements that have the attribute, found by libxml2, not by a walk.
            current = [el for el in _with_attr(head.attrs[0][0])(doc.root) if head.matches(el)]
        else:
            current = [el for el in doc.root.iter(head.tag or etree.Element) if head.matches(el)]
        for step in steps[1:]:
            if not current:
                return []
            scope = set(current)
            if step.classes:
                candidates = doc.by_class(step.classes[0])
                current = [
                    el for el in candidates
                    if step.matches(el) and any(a in scope for a in el.iterancestors())
                ]
            else:
                # Scopes come in document order, an outer one before those inside it, so
                # concatenating their descendants keeps document order once deduplicated.
                seen: dict[Element, None] = {}
                for el in current:
                    for d in el.iterdescendants(step.tag or etree.Element):
                        if d not in seen and step.matches(d):
                            seen[d] = None
                current = list(seen)
        return current
