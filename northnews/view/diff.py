"""The difference between two versions of an article, as HTML: changed fields side by side, the
body paragraph by paragraph (a changed paragraph character by character: Chinese has no words to
diff by). The standard library's :mod:`difflib` does the matching; every text is escaped."""

from __future__ import annotations

from difflib import SequenceMatcher
from html import escape
from typing import Any

FIELDS = ("title", "published", "section", "source", "author", "editor", "tags")


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def inline(old: str, new: str) -> str:
    """One text against another, deletions in ``<del>``, insertions in ``<ins>``."""
    out = []
    for op, a1, a2, b1, b2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape(old[a1:a2]))
            continue
        if a2 > a1:
            out.append(f"<del>{escape(old[a1:a2])}</del>")
        if b2 > b1:
            out.append(f"<ins>{escape(new[b1:b2])}</ins>")
    return "".join(out)


def fields(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, inline diff) of every listed field that changed."""
    return [(name, inline(_text(old.get(name)), _text(new.get(name))))
            for name in FIELDS if _text(old.get(name)) != _text(new.get(name))]


def body(old: str | None, new: str | None) -> list[tuple[str, str]]:
    """(kind, html) per paragraph: ``same``, ``changed``, ``added`` or ``removed``."""
    a = [p for p in (old or "").split("\n\n") if p.strip()]
    b = [p for p in (new or "").split("\n\n") if p.strip()]
    out: list[tuple[str, str]] = []
    for op, a1, a2, b1, b2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.extend(("same", escape(p)) for p in a[a1:a2])
            continue
        paired = min(a2 - a1, b2 - b1) if op == "replace" else 0
        out.extend(("changed", inline(a[a1 + i], b[b1 + i])) for i in range(paired))
        out.extend(("removed", f"<del>{escape(p)}</del>") for p in a[a1 + paired:a2])
        out.extend(("added", f"<ins>{escape(p)}</ins>") for p in b[b1 + paired:b2])
    return out
