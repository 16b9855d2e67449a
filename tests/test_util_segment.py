"""Words for search engines that split on spaces (northnews.util.segment.search_words)."""

from __future__ import annotations

from northnews.util.segment import search_words


def test_text_without_chinese_is_only_respaced() -> None:
    assert search_words("  Hohhot\tcity\n\nnews, 2026 ") == "Hohhot city news, 2026"
    assert search_words("") == ""


def test_chinese_is_segmented_and_words_inside_long_words_are_findable() -> None:
    words = search_words("呼和浩特市举行内蒙古自治区运动会").split(" ")
    # The README's promise: 呼和浩特 is found in 呼和浩特市, 内蒙古 in 内蒙古自治区.
    assert "呼和浩特" in words and "内蒙古" in words
    assert "".join(words).startswith("呼和浩特市举行内蒙古自治区运动会")  # the prose first, in order
    assert len(words) == len(set(words))  # each inner word once


def test_mixed_text_keeps_latin_words_whole() -> None:
    words = search_words("北方新闻网报道 Hohhot").split(" ")
    assert "Hohhot" in words and "报道" in words  # the English word stays one word
    assert "新闻" in words[words.index("Hohhot") + 1:]  # inner words after the prose (新闻 of 新闻网)
