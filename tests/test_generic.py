"""The generic extractor's parts: broken markup never loses the article, where the title and the
date come from, what the body keeps and drops."""

from __future__ import annotations

from northnews.pages import _dom, _meta, generic
from northnews.pages._container import class_verdict

STORY = (
    "<p>第一段：自治区召开会议，部署秋季农业生产和防灾减灾工作，要求各地抓紧抓实。</p>"
    "<p>第二段：会议强调，要加强监测预警，确保群众生命财产安全和粮食丰收。</p>"
    "<p>第三段：会议还对下一阶段重点工作进行了安排部署，提出了明确要求。</p>"
)


def page(body: str, head: str = "<title>秋季农业生产会议召开_某某网</title>") -> str:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


def article(extra_before: str = "", extra_after: str = "") -> str:
    return page(
        "<div class='nav'><a href='/'>首页</a> <a href='/n/'>新闻</a></div>"
        f"{extra_before}<h1>秋季农业生产会议召开</h1><div class='info'>2019-09-07 13:43 来源：某某日报</div>"
        f"<div class='content'>{STORY}</div>{extra_after}"
    )


def body_of(html: str | bytes) -> list[str]:
    return generic.parse(html, "http://example.cn/a/1.html").paragraphs


def assert_story(paragraphs: list[str]) -> None:
    assert [p[:3] for p in paragraphs] == ["第一段", "第二段", "第三段"], paragraphs


# --- broken markup (issue 9 item 2) ---------------------------------------------------------------


def test_stray_html_end_tag_mid_page() -> None:
    html = page("<div class='top'>网站首页</div></body></html>"
                "<h1>秋季农业生产会议召开</h1><div class='content'>" + STORY + "</div>")
    assert_story(body_of(html))
    assert generic.parse(html, "http://example.cn/a/1.html").title == "秋季农业生产会议召开"


def test_stray_body_end_tag() -> None:
    html = page("<div class='top'>网站首页</div></body><h1>秋季农业生产会议召开</h1><div>" + STORY + "</div>")
    assert_story(body_of(html))


def test_nul_bytes() -> None:
    html = article().replace("第二段", "第\x00二段").replace("<div class='content'>", "<div class='content'>\x00")
    paragraphs = body_of(html)
    assert_story(paragraphs)
    assert not any("\x00" in p or "\ufffd" in p for p in paragraphs)


def test_unclosed_tags() -> None:
    html = ("<html><head><title>秋季农业生产会议召开</title></head><body><div><h1>秋季农业生产会议召开</h1>"
            "<div class='content'><p>第一段：自治区召开会议，部署秋季农业生产和防灾减灾工作，要求各地抓紧抓实。"
            "<p>第二段：会议强调，要加强监测预警，确保群众生命财产安全和粮食丰收。<span>"
            "<p>第三段：会议还对下一阶段重点工作进行了安排部署，提出了明确要求。<div class='share'>分享到：微信")
    assert_story(body_of(html))


def test_ten_thousand_levels_of_nesting() -> None:
    deep = "<div>" * 10_000 + "侧栏" + "</div>" * 10_000
    html = article(extra_before=f"<div class='side'>{deep}</div>")
    root = _dom.parse_html(html)
    assert root is not None
    assert_story(body_of(html))


def test_ten_thousand_levels_of_nesting_around_the_story() -> None:
    html = page("<div>" * 10_000 + "<h1>秋季农业生产会议召开</h1><div class='content'>" + STORY
                + "</div>" + "</div>" * 10_000)
    assert_story(body_of(html))


def test_huge_text_node() -> None:
    filler = "数" * 12_000_000  # past libxml2's 10 MB text-node limit
    html = article(extra_after=f"<div class='footer'><script>var x = '{filler}';</script></div>")
    assert_story(body_of(html))


def test_huge_paragraph_is_kept() -> None:
    long_text = "很长的段落。" * 2_000_000
    html = page(f"<h1>秋季农业生产会议召开</h1><div class='content'><p>{long_text}</p></div>")
    paragraphs = body_of(html)
    assert len(paragraphs) == 1 and len(paragraphs[0]) == len(long_text)


def test_flatten_keeps_text_and_shallow_tags() -> None:
    html = "<div><p>a</p>" + "<span>" * 5 + "b" + "</span>" * 5 + "</div>"
    flat = _dom.flatten(html, max_depth=2)
    assert "<div>" in flat and "<p>a</p>" in flat and "b" in flat
    assert flat.count("<span>") == 1 and flat.count("</span>") == 1


def test_bytes_with_a_wrong_declaration() -> None:
    html = article().replace("charset='utf-8'", "charset='gb2312'")
    assert_story(body_of(html.encode("utf-8")))  # declared GB2312, bytes UTF-8
    gbk = article().encode("gb18030")  # declared UTF-8, bytes GBK
    assert_story(body_of(gbk))


def test_empty_and_junk_input_never_raises() -> None:
    for html in ("", "   ", "<", "</html>", "\x00\x00", "<html><body></body></html>", "<p>短</p>"):
        page_ = generic.parse(html, "http://example.cn/a/1.html")
        assert page_.template == "generic"
        assert page_.paragraphs == [] or isinstance(page_.paragraphs[0], str)


# --- title ---------------------------------------------------------------------------------------


def test_title_from_the_heading_the_title_tag_agrees_with() -> None:
    html = page("<h1 class='logo'>某某网 权威发布</h1><div class='t'><h2>秋季农业生产会议召开</h2></div>"
                f"<div class='content'>{STORY}</div>")
    assert generic.parse(html, "http://example.cn/a/1.html").title == "秋季农业生产会议召开"


def test_title_from_the_title_tag_without_the_site_name() -> None:
    html = page(f"<div class='content'>{STORY}</div>",
                head="<title>秋季农业生产会议召开_某某网</title><meta property='og:site_name' content='某某网'>")
    assert generic.parse(html, "http://example.cn/a/1.html").title == "秋季农业生产会议召开"


# --- dates ---------------------------------------------------------------------------------------


def date_of(html: str) -> str | None:
    return generic.parse(html, "http://example.cn/a/1.html").date


def test_printed_byline_with_time_wins_over_metadata() -> None:
    head = "<title>t</title><meta property='article:published_time' content='2019-09-06T08:00:00+08:00'>"
    html = page(f"<h1>t</h1><div>2019-09-07 13:43:12 来源：某某日报</div><div>{STORY}</div>", head=head)
    assert date_of(html) == "2019-09-07 13:43:12"


def test_meta_time_beats_a_printed_day_of_the_same_date() -> None:
    head = "<title>t</title><meta name='PubDate' content='2019-09-07 13:43'>"
    html = page(f"<h1>t</h1><div>发布日期：2019-09-07 来源：某某日报</div><div>{STORY}</div>", head=head)
    assert date_of(html) == "2019-09-07 13:43"


def test_published_not_modified() -> None:
    head = ("<title>t</title><meta property='article:modified_time' content='2019-09-09T10:00:00+08:00'>"
            "<meta property='article:published_time' content='2019-09-07T13:43:00+08:00'>")
    assert date_of(page(f"<h1>t</h1><div>{STORY}</div>", head=head)) == "2019-09-07T13:43:00+08:00"


def test_json_ld_date() -> None:
    head = ('<title>t</title><script type="application/ld+json">{"@graph": [{"@type": "WebSite"},'
            ' {"@type": "NewsArticle", "datePublished": "2019-09-07T05:43:00Z"}]}</script>')
    assert date_of(page(f"<h1>t</h1><div>{STORY}</div>", head=head)) == "2019-09-07T05:43:00Z"


def test_script_variable_date() -> None:
    head = '<title>t</title><script>var ct = "1567835000"; var publish_time = "2019-09-07 13:43:12";</script>'
    assert date_of(page(f"<h1>t</h1><div>{STORY}</div>", head=head)) == "2019-09-07 13:43:12"
    assert _meta.script_published(_dom.parse_html(page("", head='<script>var end_date = "2019-09-07";</script>'))) is None


def test_yearless_byline() -> None:
    html = page(f"<h1>t</h1><div class='date-source'><span>09-07 13:43</span> 某某网</div><div>{STORY}</div>")
    assert date_of(html) == "09-07 13:43"
    assert _meta.yearless_date("09月07日 13:43 来源") == "09月07日 13:43"
    assert _meta.yearless_date("第2019-09-07号") is None


def test_date_in_a_related_list_is_not_the_article_date() -> None:
    html = page(f"<h1>t</h1><div class='content'>{STORY}</div>"
                "<ul class='related'><li><a href='/1'>旧闻</a> 2018-01-01 08:00</li></ul>")
    assert date_of(html) is None


# --- body ----------------------------------------------------------------------------------------


def test_chrome_after_the_story_is_dropped() -> None:
    tail = ("<p>责任编辑：王芳</p><p>分享到：微信 微博</p><p>相关阅读</p><p><a href='/1'>另一条新闻的标题很长很长</a></p>"
            "<p>声明：本网转载稿件，不代表本网观点。</p>")
    html = article().replace(STORY, STORY + tail)
    parsed = generic.parse(html, "http://example.cn/a/1.html")
    assert_story(parsed.paragraphs)
    assert parsed.editor == "王芳"


def test_summary_and_original_title_before_the_story() -> None:
    html = article().replace(STORY, "<p>摘要：本次会议部署了秋季农业生产。</p><p>（原标题：秋收会议）</p>" + STORY)
    assert_story(body_of(html))


def test_body_split_over_sibling_divs() -> None:
    first, second, third = STORY.split("</p>")[:3]
    html = page(f"<h1>t</h1><div class='c'><div class='TRS_Editor'>{first}</p>{second}</p></div>"
                f"<div class='ad'><a href='/ad'>广告</a></div><div class='TRS_Editor'>{third}</p></div></div>")
    assert_story(body_of(html))


def test_class_words() -> None:
    from lxml import etree

    def verdict(cls: str) -> int:
        return class_verdict(etree.fromstring(f'<div class="{cls}"/>'))[0]

    assert verdict("related-posts") == 2 and verdict("share-bar") == 2 and verdict("commentlist") == 2
    assert verdict("tag-travel post type-post") == 0  # WordPress post classes
    assert verdict("non-ad-column") == 0 and verdict("content-sidebar-wrap") == 0
    assert verdict("sidebar") == 1  # may be a wrapper's word: weak


def test_a_relative_byline_date_is_read_against_the_capture() -> None:
    """Self-media pages print "昨天 13:43": the item's date is that, counted from the capture."""
    from datetime import datetime, timezone

    from northnews.normalize import article_fields
    from northnews.pages import parse_article

    story = "".join(f"<p>第{i}段：当地持续推进基层治理工作，群众满意度稳步提升，相关部门表示将继续加大投入力度。</p>" for i in range(6))
    html = (
        "<html><head><title>社区食堂开进老旧小区_某某号</title></head><body>"
        "<div class='nav'><a href='/'>首页</a></div>"
        "<div class='article'><h1>社区食堂开进老旧小区</h1>"
        "<div class='info'><span class='author'>某某号</span> <span class='time'>昨天 13:43</span></div>"
        f"<div class='article-content'>{story}</div></div></body></html>"
    )
    url = "https://www.example-media.cn/a/123456"
    page = parse_article(html, url)
    fields, _ = article_fields([page], url, captured=datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc))
    assert page.date == "昨天 13:43"
    assert fields["published"] == "2026-11-27T13:43:00+08:00" and fields["published_raw"] == "昨天 13:43"


# --- habits met on the blind realworld_cn batch ---------------------------------------------------


def test_app_share_page_headline_when_title_is_the_apps_name() -> None:
    html = page(
        "<div class='top'><span>某某客户端</span><a>立即打开</a></div>"
        "<div class='share-title'>秋季农业生产会议召开</div>"
        "<div class='share-info'><span class='share-time'>2019-09-07 13:43:21</span></div>"
        f"<div id='content'>{STORY}</div>",
        head="<title>某某客户端</title>",
    )
    parsed = generic.parse(html, "http://example.cn/share/1")
    assert parsed.title == "秋季农业生产会议召开"
    assert parsed.date == "2019-09-07 13:43:21"  # a share-classed span printing a date is a value


def test_unlabelled_name_and_date_line_before_the_story_is_a_byline() -> None:
    html = page(f"<h1>秋季农业生产会议召开</h1><div class='article'><p>某某+2019-09-07 13:43</p>{STORY}</div>")
    assert_story(body_of(html))


def test_bracketed_role_credit_and_affiliation_at_the_end() -> None:
    credit = article().replace("</div></body>", "<p>【作者】李明</p></div></body>")
    assert_story(body_of(credit))
    bio = article().replace("</div></body>", "<p>（作者系某大学教授）</p></div></body>")
    assert body_of(bio)[-1] == "（作者系某大学教授）"


def test_short_notice_keeps_its_salutation_and_signature() -> None:
    html = page(
        "<h1>关于开展安全检查的通知</h1><div class='body'><p>各乡镇人民政府，县直有关单位：</p>"
        "<p>现就开展2023年度安全生产大检查工作有关事项通知如下，请认真贯彻执行。</p>"
        "<p>某某县人民政府办公室</p><p>2023年7月3日</p><p>（此件公开发布）</p></div>",
        head="<title>关于开展安全检查的通知</title>",
    )
    assert body_of(html) == [
        "各乡镇人民政府，县直有关单位：", "现就开展2023年度安全生产大检查工作有关事项通知如下，请认真贯彻执行。",
        "某某县人民政府办公室", "2023年7月3日", "（此件公开发布）",
    ]


def test_gallery_slides_after_the_intro_are_the_story() -> None:
    slides = "".join(
        f"<div class='pic-item'><img src='/{i}.jpg'><p class='pic-num'>{i}/3</p><p class='pic-txt'>第{i}张图的说明文字。</p></div>"
        for i in (1, 2, 3)
    )
    html = page(
        "<h1>秋季农业生产会议召开</h1><div class='info'>2019-09-07 13:43</div>"
        "<div class='pic-intro'><p>9月7日，自治区召开会议，部署秋季农业生产和防灾减灾工作，要求各地抓紧抓实。</p></div>"
        f"<div class='pic-show'>{slides}</div>"
    )
    assert body_of(html)[1:] == ["第1张图的说明文字。", "第2张图的说明文字。", "第3张图的说明文字。"]


def test_short_story_beats_a_column_of_teasers() -> None:
    teasers = "".join(
        f"<li><a href='/n/{i}'>其他新闻标题第{i}条</a><p>第{i}条推荐新闻的摘要，介绍城市建设、产业发展和民生改善等方面的最新进展，欢迎阅读。</p></li>"
        for i in range(6)
    )
    html = page(
        "<div class='left'><h1>市区新增公交线路</h1><div class='info'>2019-09-07 13:43</div>"
        "<div class='txt'><p>市区新开通3条公交线路，方便市民出行。</p><p>新线路连接高铁站和大学城。</p></div></div>"
        f"<div class='right'><ul>{teasers}</ul></div>",
        head="<title>市区新增公交线路_某某网</title>",
    )
    assert body_of(html) == ["市区新开通3条公交线路，方便市民出行。", "新线路连接高铁站和大学城。"]


def test_story_opening_with_the_full_date_is_no_date_line() -> None:
    html = article().replace("<p>第一段：", "<p>2023年7月5日上午，市委书记主持召开会议。</p><p>第一段：")
    assert body_of(html)[0] == "2023年7月5日上午，市委书记主持召开会议。"


def test_an_events_time_line_inside_a_notice_stays() -> None:
    html = article().replace("<p>第二段：", "<p>时间：9月10日上午9:00</p><p>地点：市体育馆</p><p>第二段：")
    assert "时间：9月10日上午9:00" in body_of(html)


def test_headline_without_h1_when_title_is_the_sites_name() -> None:
    for top in ("<h2>秋季农业生产会议召开</h2>", "<table><tr><td class='bt'>秋季农业生产会议召开</td></tr></table>"):
        html = page(f"{top}<div class='info'>发布日期：2019-09-07 13:43</div><div class='content'>{STORY}</div>",
                    head="<title>某某市人民政府门户网站</title>")
        parsed = generic.parse(html, "http://example.cn/a/1.html")
        assert (parsed.title, parsed.date) == ("秋季农业生产会议召开", "2019-09-07 13:43")


def test_publication_time_wins_over_a_revision_printed_before_it() -> None:
    html = page(f"<h1>秋季农业生产会议召开</h1><div class='upd'>更新于 2019-09-08 08:00</div>"
                f"<div class='pub'>发表于 2019-09-07 13:43</div><div class='content'>{STORY}</div>")
    assert generic.parse(html, "http://example.cn/a/1.html").date == "2019-09-07 13:43"


def test_an_inline_element_wrapping_the_storys_paragraphs_is_its_container() -> None:
    """Old CMSes wrap a story's ``<p>``s in a ``<span>`` (Vibrant Media's ``<span id="intelliTxt">``)
    or a ``<font>``: no block holds all of it, and a sidebar box with one paragraph longer than any
    of the story's used to win (a Dragnet development page read a tag's description instead of the
    story). The inline wrapper is a candidate like a block."""
    sentence = "The tablet for toddlers was named an honoree of the design awards, its maker said on Monday. "
    html = page(
        "<div class='article'><h1>Tablet curriculum named an awards honoree</h1><span id='intelliTxt'>"
        + "".join(f"<p>{n}. {sentence}</p>" for n in range(1, 5))
        + "</span><div class='meta'><span>Tags:</span> <a href='/t/android'>Android</a></div>"
        "<div class='tags-box'><div><p>" + "Android is the mobile operating system from Google, and more. " * 6
        + "</p></div></div></div>",
        head="<title>Tablet curriculum named an awards honoree</title>",
    )
    paragraphs = body_of(html)
    assert [p[:2] for p in paragraphs] == ["1.", "2.", "3.", "4."], paragraphs


def test_a_sidebar_box_competes_with_a_short_story_at_a_discount() -> None:
    """A sidebar (weak chrome: "sidebar" also names wrappers of a whole page, so what it holds still
    competes) may hold an "about this section" box with one paragraph longer than a short story's:
    inside weak chrome a candidate scores half, and the story beside it wins (a Dragnet development
    page read the blog's about box instead of its two-paragraph post)."""
    html = page(
        "<div id='main'><div class='post'><h1>Wireless carrier pays another big dividend</h1>"
        "<div class='article-text'><p>" + "The carrier will pay its owners a large dividend before the year ends. " * 3
        + "</p><p>" + "That means another big payday for the two shareholders of the venture. " * 2 + "</p></div></div></div>"
        "<div id='primary-sidebar'><div class='module'><h3>About this section</h3><p>"
        + "Along with original content and posts from across the network, this section includes must-reads. " * 5
        + "</p></div></div>",
        head="<title>Wireless carrier pays another big dividend</title>",
    )
    paragraphs = body_of(html)
    assert len(paragraphs) == 2 and paragraphs[0].startswith("The carrier will pay"), paragraphs


def test_a_short_line_below_a_story_paragraph_is_a_sub_heading_not_a_deck() -> None:
    """The headline's next siblings are read for the byline, and a short line among them without a
    sentence (a deck, a subtitle) is left out of the body; one below a paragraph of the story is the
    story's sub-heading and stays (Readability's test pages: an ``<h2>`` between two paragraphs was
    dropped)."""
    lead = "The council met on Monday and agreed the plan for the new bridge over the river. " * 2
    html = page(
        f"<article><h1>Bridge plan agreed</h1><h2>A deck under the headline</h2><div>{lead}</div>"
        f"<h2>What happens next</h2><div>{lead.replace('The council', 'Then the city')}</div></article>",
        head="<title>Bridge plan agreed</title>",
    )
    paragraphs = body_of(html)
    assert "What happens next" in paragraphs
    assert "A deck under the headline" not in paragraphs
    assert len(paragraphs) == 3, paragraphs


def test_author_slug_classes_are_a_posts_but_an_author_box_is_chrome() -> None:
    """WordPress sets ``author-<slug>`` and ``tag-<slug>`` on the post itself: no chrome. A class
    that names a box after ``author-`` (``author-bio``, ``author-box``, ``author-info``) is the
    writer's biography under the story, chrome (measured: a benchmark and a Dragnet development
    page read the bio as the story's last paragraph)."""
    from lxml import html as lxml_html

    def verdict(cls: str) -> int:
        return class_verdict(lxml_html.fromstring(f"<div class='{cls}'>x</div>"))[0]

    assert [verdict(c) for c in ("author-jdoe", "tag-politics", "post author-jdoe tag-nfl")] == [0, 0, 0]
    assert all(verdict(c) > 0 for c in ("author-bio", "author-bio-box", "author-info", "author-box", "tag-list"))


def test_a_column_of_teaser_articles_beside_the_story_is_left_out() -> None:
    """A story in an ``<article>`` with a "More in …" column of other stories beside it, each an
    ``<article>`` with a linked headline and an excerpt: their excerpts outweighed the story and the
    wrapper of both was read (a benchmark and a trafilatura development page). The teasers are
    scored as chrome and the story stands alone; an article holding the story's own headline and
    standfirst (no link) is no teaser."""
    story = "".join(
        f"<p>{n}. The captain scored twice as the team beat the visitors on Tuesday night at home.</p>" for n in range(1, 5)
    )
    teaser = (
        "<div class='item'><article><h5><a href='/other/{n}'>Another story number {n}</a></h5><div class='excerpt'>"
        + "An excerpt of another story that runs long enough to count as prose for the scorer, and more. " * 2
        + "</div></article></div>"
    )
    html = page(
        "<div class='site-content'><div class='content-area'><article><h1>Captain scores twice in win</h1>"
        f"{story}</article></div><div class='more-news'><h2>More in Sports</h2><div>"
        + "".join(teaser.format(n=n) for n in range(5)) + "</div></div></div>",
        head="<title>Captain scores twice in win</title>",
    )
    paragraphs = body_of(html)
    assert [p[:2] for p in paragraphs] == ["1.", "2.", "3.", "4."], paragraphs


def test_a_dated_sentence_below_the_storys_first_paragraph_is_story_not_byline() -> None:
    """The headline's next siblings are read for the byline, and one with a date or a "by" in it
    is left out of the body. A long sentence below the story's first paragraph is the story's,
    whatever it names (``…campaign led by Gov. Kristi Noem.``: a benchmark development page lost
    its second paragraph); a standfirst right under the headline stays out, as the gold has it."""
    first = ("SIOUX FALLS, S.D. – People across the nation are talking about it: South Dakota is on a new campaign"
             " that the state launched this week.")
    second = "The buzz on both national news and social media focused on a new anti-drug ad campaign led by Gov. Kristi Noem."
    html = page(
        f"<article><h1>State is on it</h1><p>{first}</p><p>{second}</p>"
        "<p>The tagline of the campaign was chosen to get people talking about it across the state.</p></article>",
        head="<title>State is on it</title>",
    )
    assert body_of(html)[:2] == [first, second]
    deck = "The governor had been out of office since being defeated by a rival in December 2018."
    html = page(
        f"<article><h1>Governor returns</h1><p>{deck}</p><div class='body'><p>{first}</p><p>{first}</p></div></article>",
        head="<title>Governor returns</title>",
    )
    assert deck not in body_of(html)


def test_a_page_with_no_prose_block_still_gives_its_text() -> None:
    """No container gave a story (the page's only text sits straight in ``<body>``, too short to be
    prose): the page is read as the container, its chrome left out, rather than an empty body
    (Readability's test page; the held-out sets had five empty bodies)."""
    html = page("<div class='nav'><a href='/'>Home</a> <a href='/news/'>News</a></div>\n Test \n")
    assert body_of(html) == ["Test"]
