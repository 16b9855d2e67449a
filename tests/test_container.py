"""The generic container's reach (issue 16 item 3): the story's lead printed above its text block,
the story split over sibling blocks, and what must stay out (a byline, the next story, a teaser
column, the page's footer). Pages written by hand; the expected paragraphs are written out, not
computed."""

from __future__ import annotations

import pytest

from northnews.pages import generic

LEAD = "<p>The council approved the new budget on Tuesday, ending a month of arguments over schools.</p>"
BODY = (
    "<p>Members voted seven to two after a long evening session in the town hall on Main Street.</p>"
    "<p>The plan moves money from road repairs to the two primary schools in the northern district.</p>"
    "<p>Critics said the roads would suffer, but the mayor promised a second look in the spring.</p>"
)
MORE = (
    "<p>Parents who attended the meeting cheered when the result was read out by the clerk.</p>"
    "<p>The budget takes effect on the first of July and runs for twelve months from then.</p>"
)
FIRST_WORDS = ["The council", "Members voted", "The plan", "Critics said"]
#: Links to other stories under the story, in its wrapper: they make the wrapper lose to the text block.
LINKS = "<ul class='list'>" + "".join(
    f"<li><a href='/{i}'>Another story of the town, number {i}, with a long headline to read</a></li>" for i in range(8)
) + "</ul>"


def page(article: str) -> str:
    return (
        "<html><head><title>Council approves budget - Town News</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<main>{article}</main>"
        "<footer><p>Town News, 1 Main Street. All rights reserved. Contact the newsroom for corrections.</p></footer>"
        "</body></html>"
    )


def starts(html: str) -> list[str]:
    return [" ".join(p.split()[:2]) for p in generic.parse(html, "http://town.example/news/1.html").paragraphs]


@pytest.mark.parametrize(("name", "article", "expected"), [
    ("lead in a header above the text block",
     f"<article><header><h1>Council approves budget</h1><div class='standfirst'>{LEAD}</div></header>"
     f"<div class='text'>{BODY}</div></article>", FIRST_WORDS),
    ("lead in a sibling div, the text in a wrapper",
     f"<div class='story'><h1>Council approves budget</h1><div class='teaser'>{LEAD}</div>"
     f"<div class='wrap'><div class='text'>{BODY}</div></div>{LINKS}</div>", FIRST_WORDS),
    ("a wiki article: one long paragraph beside tables of links",
     "<div class='wiki'><p>The council approved the new budget on Tuesday, ending a month of arguments over "
     "schools, roads and the library, after members had heard from more than forty residents in two evenings of "
     "public comment and the clerk had read out every letter the town had received since the spring.</p>"
     f"<table>{''.join(f'<tr><td><a href=/{i}>Budget line {i} of the town</a></td><td><a href=/x{i}>Details</a></td></tr>' for i in range(30))}</table>"
     f"{BODY}{MORE}</div>",
     [*FIRST_WORDS, "Parents who", "The budget"]),
    ("story split over sibling blocks around a picture",
     f"<div class='story'><h1>Council approves budget</h1><div class='part'>{LEAD}{BODY}</div>"
     f"<figure><img src='/p.jpg'></figure><div class='part'>{MORE}</div>{LINKS}</div>",
     [*FIRST_WORDS, "Parents who", "The budget"]),
])
def test_the_container_reaches_the_whole_story(name: str, article: str, expected: list[str]) -> None:
    assert starts(page(article)) == expected, name


@pytest.mark.parametrize(("name", "article"), [
    ("a byline is no lead",
     "<div class='story'><h1>Council approves budget</h1><div class='by'>By Anna Smith</div>"
     f"<div class='text'>{LEAD}{BODY}</div></div>"),
    ("the next story is no continuation",
     f"<div class='stories'><div class='story'><h1>Council approves budget</h1><div class='text'>{LEAD}{BODY}</div></div>"
     "<div class='story'><h1>Library extends its hours</h1><div class='text'>"
     "<p>The library will open until nine on weekdays from next month, the librarian said.</p>"
     "<p>Volunteers will staff the extra hours, and the reading room stays open too.</p></div></div>"
     f"{LINKS}</div>"),
    ("a teaser column after other text is no continuation",
     f"<div class='story'><h1>Council approves budget</h1><div class='text'>{LEAD}{BODY}</div>"
     "<div class='more-head'>More news</div><div class='teasers'>"
     "<p><a href='/2'>Library extends hours</a> The library will open until nine on weekdays from next month.</p>"
     "<p><a href='/3'>Bridge closed</a> The old bridge is closed for repairs until the end of the summer.</p>"
     f"</div>{LINKS}</div>"),
])
def test_what_stays_out(name: str, article: str) -> None:
    assert starts(page(article)) == FIRST_WORDS, name


@pytest.mark.parametrize(("markup", "kept", "left_out"), [
    # a glossary link named "popup" inside a sentence is the sentence's words
    ("<p>I am a <a class='popup' href='#'>rather elderly</a> man, and the nature of my work brought me "
     "into contact with an interesting set of men.</p>", "I am a rather elderly man, and the nature", None),
    # share buttons after a sentence are not followed by words: still chrome
    ("<p>I am a rather elderly man, and the nature of my work brought me into contact with an interesting "
     "set of men. <a class='share' href='#'>Facebook</a>, <a class='share' href='#'>Twitter</a></p>",
     "I am a rather elderly man, and the nature", "Facebook"),
])
def test_chrome_named_words_inside_a_sentence_stay(markup: str, kept: str, left_out: str | None) -> None:
    first = generic.parse(page(f"<div class='text'>{markup}{BODY}</div>"), "http://town.example/news/1.html").paragraphs[0]
    assert first.startswith(kept)
    assert left_out is None or left_out not in first


def test_a_story_named_for_itself_wins_over_a_comment() -> None:
    """A post whose prose is outweighed by its table of links, and a long comment below it: the
    comment is chrome's, the block named for the story ("entry-content") is the story."""
    rows = "".join(f"<tr><td><a href='/bug/{i}'>Bug {i} fixed in the address bar</a></td></tr>" for i in range(30))
    comment = ("<p>Thank you for fixing the address bar bugs, I have waited for these fixes for a long time and I am "
               "glad to see them land in this release, keep up the great work everyone on the team, really.</p>")
    html = page("<article><h1>These weeks in the browser</h1><div class='entry-content'><p>Here is what the team "
                f"fixed in the last two weeks, with thanks to all the volunteers.</p><table>{rows}</table></div></article>"
                f"<section id='comments'><ol class='comment-list'><li class='comment'>{comment * 4}</li></ol></section>")
    paragraphs = generic.parse(html, "http://town.example/news/1.html").paragraphs
    assert paragraphs[0].startswith("Here is what the team fixed"), paragraphs
    assert not any("Thank you for fixing" in p for p in paragraphs)
