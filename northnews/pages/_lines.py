"""What a line of text is (a byline, an editor line, a pager, chrome, a credit): predicates over
the rule book's patterns, shared by the body, the byline and the title readers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from northnews.normalize import clean_person
from northnews.pages import rules

if TYPE_CHECKING:  # pragma: no cover
    from northnews.pages._walk import Block


def editor_line(text: str) -> str | None:
    """The editor named by a ``责任编辑：XX`` line (any frame), else ``None``."""
    match = rules.EDITOR_LINE_RE.match(text)
    return clean_person(match.group("v"), "editor") if match else None


def is_pager(block: Block) -> bool:
    """A pager line: page numbers and next/previous words, nothing else."""
    text = block.text
    if not text or len(text) > rules.PAGER_MAX_CHARS or not rules.PAGER_LINE_RE.match(text):
        return False
    return bool(rules.PAGER_WORD_RE.search(text)) or block.link_ratio >= rules.PAGER_LINK_RATIO


def is_chrome_line(text: str) -> bool:
    """Share labels, widget rows, page tools and footers."""
    return bool(
        rules.SHARE_LINE_RE.match(text)
        or rules.WIDGET_LINE_RE.match(text)
        or rules.CHROME_LINE_RE.search(text)
        or text.lower() == "document.write"
    )


def has_credit(text: str) -> bool:
    """Does the text end in a photo credit: ``(Xinhua/Zhou Hua)``, ``（新华社记者 X 摄）``?"""
    return bool(rules.PHOTO_CREDIT_END_RE.search(text))


def related_head(text: str, block: Block) -> bool:
    """A related-news head: alone on its line, or followed by its links (``相关新闻：<a>…</a>``)."""
    head = rules.RELATED_HEAD_RE.match(text)
    if not head:
        return False
    rest = len(text) - head.end()
    return rest < rules.RELATED_HEAD_REST_CHARS or block.link_ratio >= rules.PAGER_LINK_RATIO or block.link_chars * 2 >= block.chars - len(head.group(0).strip())


def is_sentence(text: str) -> bool:
    """A line that says something: it ends as a sentence does, in Chinese words (``2023年7月5日上午，
    市委书记主持召开…会议。`` opens many a government story; no byline ends with a full stop)."""
    return text.rstrip().endswith(("。", "！", "？", "”")) and len(rules.CJK_CHAR_RE.findall(text)) >= rules.SENTENCE_MIN_CJK


def is_meta_line(text: str) -> bool:
    """A byline, a date line or a label line: not story text when it stands alone."""
    if len(text) > rules.META_LINE_MAX_CHARS or not rules.META_HINT_RE.search(text):
        return False
    if rules.BYLINE_LINE_RE.match(text) or rules.DATE_LINE_RE.match(text):
        return True
    if len(text) <= rules.DATE_START_MAX_CHARS and rules.DATE_START_RE.match(text) and not is_sentence(text):
        return True
    return len(rules.LABEL_ANYWHERE_RE.findall(text)) >= 2


def is_named_date(text: str) -> bool:
    """An unlabelled byline: a short name and a full date-time."""
    return len(text) <= rules.NAMED_DATE_MAX_CHARS and bool(rules.NAMED_DATE_RE.match(text))


def is_deck(text: str) -> bool:
    """A short line that says no sentence (a subtitle, a widget's words): by the headline, not story."""
    return len(text) < rules.DECK_MAX_CHARS and not text.rstrip().endswith(rules.SENTENCE_ENDS)


def reporters(text: str) -> str | None:
    """The names of an unlabelled reporter line, as Chinese newspapers print it under the headline
    (``本报记者 赵喆`` → ``赵喆``, ``本报记者 赵喆 通讯员 马丽`` → ``赵喆 马丽``), or of the writer a
    credit names first (``文/李明 图/王芳`` → ``李明``), or that reported it from a place (``联合报 记者陈嘉宁／
    桃园机场报导`` → ``陈嘉宁``, Taiwan's papers' credit), else ``None``."""
    text = text.strip()
    if not text or len(text) > rules.REPORTER_LINE_MAX_CHARS:
        return None
    credit = rules.TEXT_CREDIT_RE.match(text) or rules.REPORTED_FROM_RE.search(text)
    if credit:  # ``文/李明 图/王芳``: the text's writer; ``记者林悦／台南报导``: the reporter
        return " ".join(rules.NAME_SPLIT_RE.split(credit["v"].strip())) or None
    if not rules.REPORTER_LINE_RE.match(text):
        return None
    names = [rules.REPORTER_ROLE_RE.sub("", token, count=1) for token in rules.NAME_SPLIT_RE.split(text)]
    return " ".join(name for name in names if name) or None
