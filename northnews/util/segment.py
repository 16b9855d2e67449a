"""Words of a text for search engines that split on spaces and punctuation only.

replayweb.page's page search (flexsearch, ``tokenize: "strict"``) matches whole words, and finds
a word only where spaces or punctuation delimit it: Chinese, written without spaces, has to be
segmented first. :func:`search_words` does it with jieba (the de facto standard segmenter for
Chinese, pure Python, its dictionary shipped in the wheel) and appends, once each, the dictionary
words inside its long words, so that ``呼和浩特`` is found in ``呼和浩特市`` and ``内蒙古`` in
``内蒙古自治区`` (jieba's own search mode adds only the 2- and 3-character ones). Text without
Chinese is only re-spaced.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from typing import Any

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_lock = threading.Lock()
_jieba: Any = None


def _tokenizer() -> Any:
    """jieba's default tokenizer, its dictionary loaded once (about a second), quietly."""
    global _jieba
    with _lock:
        if _jieba is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _jieba = jieba.dt
    return _jieba


def _inner_words(word: str, freq: dict[str, int]) -> Iterator[str]:
    """Dictionary words strictly inside a word, shortest first."""
    for size in range(2, len(word)):
        for start in range(len(word) - size + 1):
            part = word[start:start + size]
            if freq.get(part):
                yield part


def search_words(text: str) -> str:
    """``text`` as space-separated words: Chinese segmented, whitespace collapsed; then, once each,
    the dictionary words found inside its long words and not already among its words (so the
    text reads as segmented prose where a search result quotes it). Meant for a search index."""
    if not text:
        return ""
    if not _HAN.search(text):
        return " ".join(text.split())
    dt = _tokenizer()
    words: list[str] = []
    for word in dt.cut(text):
        word = word.strip()
        if word:
            words.append(word)
    seen = set(words)
    inner: dict[str, None] = {}
    for word in seen:
        if len(word) > 2 and _HAN.search(word):
            inner.update((part, None) for part in _inner_words(word, dt.FREQ) if part not in seen)
    return " ".join(words + sorted(inner))
