"""The profile's URL model: rules over path and query, declared page shapes, list series, sections,
e-paper issues and sources. Expected values are written here by hand from the README's tables."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import pytest

from northnews import discovery, sources
from northnews.discovery import Kind
from northnews.pages import parse_html
from northnews.sites import SiteError, load_site
from northnews.spiders.articles import ArgumentError, parse_args

HEAD = """
[site]
name = "shapes"
timezone = "Asia/Shanghai"
allowed_domains = ["shapes.test"]
[editions.zh]
start_url = "http://www.shapes.test/"
"""


def profile(tmp_path: Path, urls: str, more: str = "") -> Path:
    path = tmp_path / "site.toml"
    path.write_text(HEAD + "[urls]\n" + urls + "\n" + more, encoding="utf-8")
    return path


#: shape → (urls table, a later page's URL, its first page, its page number)
SHAPES = {
    "_2": ("article = '/(?P<id>\\d+)(?P<paged>_(?P<page>\\d+))?\\.shtml$'\nlist = '/$'\nnoise = ['utm_*', 'from']",
           "http://www.shapes.test/a/123_2.shtml?from=rss&utm_source=x", "http://www.shapes.test/a/123.shtml", 2),
    "-2 numbered": ("article = '/show-\\d+-(?P<id>\\d+)-(?P<page>\\d+)\\.html$'\narticle_page_one = 'numbered'\nlist = '/$'\nquery = []",
                    "http://www.shapes.test/html/show-5-123-3.html", "http://www.shapes.test/html/show-5-123-1.html", 3),
    "_p2": ("article = '/(?P<id>\\d+)(?P<paged>_p(?P<page>\\d+))?\\.html$'\nlist = '/$'\nquery = []",
            "http://www.shapes.test/123_p4.html", "http://www.shapes.test/123.html", 4),
    "?page=2": ("article = '/content\\.php\\?id=(?P<id>\\d+)(?P<paged>&page=(?P<page>\\d+))?$'\nlist = '/$'\nquery = ['id', 'page']",
                "http://www.shapes.test/content.php?id=123&page=2&spm=9", "http://www.shapes.test/content.php?id=123", 2),
    "&pageno=2": ("article = '/plus/view\\.php\\?aid=(?P<id>\\d+)(?P<paged>&pageno=(?P<page>\\d+))?$'\nlist = '/$'\nquery = ['aid', 'pageno']",
                  "http://www.shapes.test/plus/view.php?aid=1961&pageno=2", "http://www.shapes.test/plus/view.php?aid=1961", 2),
    "/page/2/": ("article = '^/\\d{4}/\\d{2}/\\d{2}/(?P<id>[a-z0-9-]+)/(?P<paged>(?P<page>\\d+)/)?$'\nlist = '/$'\nnoise = ['utm_*']",
                 "http://www.shapes.test/2024/03/18/big-story/2/", "http://www.shapes.test/2024/03/18/big-story/", 2),
}


@pytest.mark.parametrize("shape", SHAPES)
def test_each_page_shape_gives_the_first_page_and_the_page_number(tmp_path: Path, shape: str) -> None:
    urls, page_url, first, number = SHAPES[shape]
    site = load_site(profile(tmp_path, urls))
    assert discovery.classify(page_url, site) is Kind.ARTICLE
    assert discovery.article_page(page_url, site) == (first, number)
    assert discovery.first_page_url(page_url, site) == first
    assert discovery.article_page(first, site) == (first, 1)


def test_the_pager_of_a_numbered_split_article_lists_its_other_pages_in_order(tmp_path: Path) -> None:
    site = load_site(profile(tmp_path, SHAPES["-2 numbered"][0]))
    html = """<div class="pages"><a href="show-5-123-1.html">1</a> <a href="show-5-123-2.html">2</a>
      <a href="show-5-123-3.html">3</a> <a href="show-5-1234-2.html">other</a> <a href="show-5-123-2.html">下一页</a></div>"""
    got = discovery.article_pages(parse_html(html), "http://www.shapes.test/html/show-5-123-1.html", site)
    assert got == ["http://www.shapes.test/html/show-5-123-2.html", "http://www.shapes.test/html/show-5-123-3.html"]


def test_the_pager_of_a_query_split_article(tmp_path: Path) -> None:
    site = load_site(profile(tmp_path, SHAPES["&pageno=2"][0]))
    html = """<a href="view.php?aid=1961">1</a><a href="view.php?aid=1961&amp;pageno=2">2</a>
      <a href="view.php?aid=1961&amp;pageno=3&amp;from=x">3</a><a href="view.php?aid=19612">no</a>"""
    got = discovery.article_pages(parse_html(html), "http://www.shapes.test/plus/view.php?aid=1961&pageno=2", site)
    assert got == ["http://www.shapes.test/plus/view.php?aid=1961", "http://www.shapes.test/plus/view.php?aid=1961&pageno=3"]


def test_page_one_linked_with_its_number_is_the_first_page(tmp_path: Path) -> None:
    """Issue 15: "page 1 with or without its number" is one page, the article's one URL."""
    site = load_site(profile(tmp_path, SHAPES["&pageno=2"][0]))
    html = """<a href="view.php?aid=1961&amp;pageno=1">1</a><a href="view.php?aid=1961&amp;pageno=2">2</a>
      <a href="view.php?aid=1961&amp;pageno=3">3</a>"""
    got = discovery.article_pages(parse_html(html), "http://www.shapes.test/plus/view.php?aid=1961&pageno=2", site)
    assert got == ["http://www.shapes.test/plus/view.php?aid=1961", "http://www.shapes.test/plus/view.php?aid=1961&pageno=3"]


def test_noise_parameters_go_and_meaningful_ones_stay_in_their_order(tmp_path: Path) -> None:
    site = load_site(profile(tmp_path, "article = '\\?aid=(?P<id>\\d+)$'\nlist = 'list\\.php\\?tid=\\d+'\nnoise = ['utm_*', 'from', 'spm']"))
    assert discovery.canonical("http://www.shapes.test/plus/list.php?utm_medium=a&tid=5&from=rss&PageNo=2#x", site) == (
        "http://www.shapes.test/plus/list.php?tid=5&PageNo=2"
    )
    assert discovery.classify("http://www.shapes.test/plus/view.php?from=rss&aid=7", site) is Kind.ARTICLE
    assert discovery.classify("http://www.shapes.test/plus/view.php?aid=7&print=1", site) is Kind.OTHER


def test_a_0_2_0_profile_sees_the_path_only_and_drops_an_articles_query() -> None:
    nn = load_site(Path(__file__).parent / "fixtures" / "profiles_0_2_0" / "northnews" / "site.toml")
    assert not nn.urls.sees_query
    assert discovery.first_page_url("http://www.northnews.cn/2015/0915/2049381_2.shtml?x=1", nn) == (
        "http://www.northnews.cn/2015/0915/2049381.shtml"
    )
    assert discovery.canonical("http://www.northnews.cn/news/?a=1&utm_x=2#f", nn) == "http://www.northnews.cn/news/?a=1&utm_x=2"


def test_list_pages_of_one_list_are_told_apart_by_the_rules_groups(tmp_path: Path) -> None:
    urls = "article = 'show-(?P<id>\\d+)\\.html$'\nlist = '^/list-(?P<catid>\\d+)-(?P<page>\\d+)\\.html$'\nquery = []"
    site = load_site(profile(tmp_path, urls))
    assert discovery.list_series("http://www.shapes.test/list-5-1.html", site) == discovery.list_series(
        "http://www.shapes.test/list-5-3.html", site)
    assert discovery.list_series("http://www.shapes.test/list-5-1.html", site) != discovery.list_series(
        "http://www.shapes.test/list-6-1.html", site)
    links = [discovery.Link(f"http://www.shapes.test/list-{c}-{n}.html", Kind.LIST) for c in (5, 6) for n in (1, 2, 3)]
    assert discovery.next_list_page("http://www.shapes.test/list-6-1.html", links, site) == "http://www.shapes.test/list-6-2.html"


def test_wordpress_list_pages_by_path_segment(tmp_path: Path) -> None:
    urls = ("article = '\\?p=(?P<id>\\d+)$'\nlist = '^/category/(?P<section>[a-z-]+)/(?P<paged>page/(?P<page>\\d+)/)?$'\n"
            "noise = ['utm_*']")
    site = load_site(profile(tmp_path, urls, '[sections]\nfrom = "list"\nnames = { "local-news" = "本地" }\n'))
    page2 = "http://www.shapes.test/category/local-news/page/2/"
    assert discovery.list_page_number(page2, site) == 2
    assert discovery.list_series(page2, site) == discovery.list_series("http://www.shapes.test/category/local-news/", site)
    assert discovery.section_name(page2, None, site) == "本地"
    assert discovery.section_name("http://www.shapes.test/category/sport/", None, site) == "sport"


def test_a_section_named_by_the_printed_page_name(tmp_path: Path) -> None:
    site = load_site(profile(tmp_path, "article = 'content_(?P<id>\\d+)\\.htm$'\nlist = 'node_\\d+\\.htm$'",
                             "[sections]\nfrom = 'list'\npage_name = '第\\d+版[:：]\\s*(?P<section>\\S+)'\n"))
    root = parse_html("<html><head><title>内蒙古日报 - 第03版：经济</title></head><body><p>x</p></body></html>")
    assert discovery.section_name("http://www.shapes.test/html/2024-03/18/node_3.htm", root, site) == "经济"


def test_one_article_per_id_across_hosts(tmp_path: Path) -> None:
    urls = ("article = ['/(?P<y>\\d{4})/(?P<md>\\d{4})/(?P<id>\\d+)\\.shtml$', '^/p/(?P<id>\\d+)(?:\\.html)?$']\nlist = '/$'\n"
            "[urls.same_article]\n\"m.shapes.test\" = \"https://www.shapes.test/p/{id}\"")
    site = load_site(profile(tmp_path, urls))
    assert discovery.first_page_url("https://m.shapes.test/p/2511928.html", site) == "https://www.shapes.test/p/2511928"
    assert discovery.first_page_url("https://www.shapes.test/p/2359976", site) == "https://www.shapes.test/p/2359976"
    assert discovery.first_page_url("http://www.shapes.test/2015/0915/7.shtml", site) == "http://www.shapes.test/2015/0915/7.shtml"
    links = discovery.page_links('<a href="https://m.shapes.test/p/9.html">m</a><a href="/p/9">www</a>',
                                 "https://www.shapes.test/", site)
    assert [link.url for link in links] == ["https://www.shapes.test/p/9"]


def test_e_paper_issue_pages_carry_their_date(tmp_path: Path) -> None:
    more = ("[editions.szb]\nstart_url = 'http://szb.shapes.test/paper/'\n"
            "[issues]\nedition = 'szb'\npage = '/paper/html/(?P<y>\\d{4})-(?P<m>\\d{2})/(?P<d>\\d{2})/node_\\d+\\.htm$'\n"
            "first_page = '/paper/html/{y}-{m}/{d}/node_2.htm'\n")
    site = load_site(profile(tmp_path, "article = 'content_(?P<id>\\d+)\\.htm$'\nlist = '/$'", more))
    url = "http://szb.shapes.test/paper/html/2017-04/12/node_5.htm"
    assert discovery.classify(url, site) is Kind.ISSUE
    assert discovery.issue_date(url, site) == date(2017, 4, 12)
    assert discovery.issue_first_page(date(2017, 4, 11), url, site) == "http://szb.shapes.test/paper/html/2017-04/11/node_2.htm"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[urls]\narticle = '/(?P<id>\\d+)'\nlist = '/$'\npagr = 'none'\n", "urls.pagr: unknown key (did you mean 'pager'?)"),
        ("[urls]\narticle = '/(?P<id>\\d+)'\nlist = '/$'\n[text]\nchrome_class = ['x']\n",
         "text.chrome_class: unknown key (did you mean 'chrome_classes'?)"),
        ("[urls]\narticle = '/(?P<id>\\d+)'\nlist = '/$'\n[[layout]]\nname = 'x'\n", "[layout]: unknown table (did you mean 'layouts'?)"),
        ("[urls]\narticle = '/(?P<id>\\d+)'\nlist = '/$'\n[publisher]\nx = ['y']\n", "[publisher]: unknown table (did you mean 'publishers'?)"),
        ("[urls]\narticle = '/(?P<id>\\d+)'\nlist = '/$'\n[sections]\nfrom = 'directory'\n", 'sections.from: expected "crumb"'),
        ("[urls]\narticle = '/(?P<id>\\d+)'\nlist = '/$'\n[sources]\nsitemap = ['/s.xml']\n", "sources.sitemap: unknown key (did you mean 'sitemaps'?)"),
    ],
)
def test_a_misspelt_key_or_table_is_named_with_the_closest_known_name(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "site.toml"
    path.write_text(HEAD + text, encoding="utf-8")
    with pytest.raises(SiteError) as info:
        load_site(path)
    assert str(info.value) == f"{path.resolve()}: {message}" or message in str(info.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HEAD.replace("[editions.zh]", "[[editions]]\ncode = 'zh'") + "[urls]\narticle = '/(?P<id>\\d+)'\nlist = '/$'\n",
         "[[editions]]: expected one [editions.CODE] table per edition, such as [editions.zh], got 'an array of tables'"),
        (HEAD + "[urls]\narticle = '/(?P<id>\\d+)'\nlist = '/$'\n[layouts]\nname = 'x'\n",
         "[layouts]: expected [[layouts]] (an array of tables, one per layout), got 'a table'"),
    ],
)
def test_a_table_written_as_an_array_or_the_reverse_is_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SiteError) as info:
        load_site(path)
    assert str(info.value) == f"{path.resolve()}: {message}" or str(info.value).endswith(message)


def test_a_selector_that_does_not_compile_stops_the_crawl_before_it_starts(tmp_path: Path) -> None:
    path = profile(tmp_path, "article = '/(?P<id>\\d+)'\nlist = '/$'",
                   "[[layouts]]\nname = 'dede'\ntitle = 'h1'\nbyline = '.info'\nbody = '#endtext ~ p'\n")
    with pytest.raises(ArgumentError) as info:
        parse_args(site=str(path))
    assert "layouts[0].body: selector '#endtext ~ p' does not compile" in str(info.value)


def test_an_edition_off_by_default_is_crawled_only_when_named(tmp_path: Path) -> None:
    path = profile(tmp_path, "article = '/(?P<id>\\d+)'\nlist = '/$'", "[editions.epaper]\nstart_url = 'http://e.shapes.test/'\ndefault = false\n")
    assert parse_args(site=str(path))["editions"] == ["zh"]
    assert parse_args(site=str(path), editions="all")["editions"] == ["zh", "epaper"]
    assert parse_args(site=str(path), editions="epaper")["editions"] == ["epaper"]


# --- sources ------------------------------------------------------------------------------------

SITEMAP_INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>http://www.shapes.test/sitemap-news.xml</loc></sitemap>
<sitemap><loc>http://www.shapes.test/sitemap-2024.xml.gz</loc><lastmod>2024-03-01</lastmod></sitemap>
</sitemapindex>"""
NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>http://www.shapes.test/a/1.shtml</loc><news:news><news:publication>
<news:name>X</news:name><news:language>zh</news:language></news:publication>
<news:publication_date>2024-03-18T14:02:51+08:00</news:publication_date><news:title>T</news:title></news:news></url>
<url><loc>http://www.shapes.test/a/2.shtml</loc><lastmod>2024-03-17</lastmod></url>
</urlset>"""
RSS = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>x</title>
<item><title>A</title><link>http://www.shapes.test/a/3.shtml?from=rss</link><pubDate>Mon, 18 Mar 2024 14:02:51 +0800</pubDate></item>
<item><title>B</title><link> /a/4.shtml </link></item></channel></rss>"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>
<entry><title>A</title><link rel="alternate" href="http://www.shapes.test/a/5.shtml"/><link rel="edit" href="/e"/>
<updated>2024-03-19T01:00:00Z</updated></entry></feed>"""


def test_a_sitemap_index_gives_its_sitemaps() -> None:
    entries, more = sources.read_source(SITEMAP_INDEX, "http://www.shapes.test/sitemap.xml", "sitemap")
    assert entries == []
    assert more == [("http://www.shapes.test/sitemap-news.xml", "sitemap"), ("http://www.shapes.test/sitemap-2024.xml.gz", "sitemap")]


def test_a_news_sitemap_gives_urls_with_their_publication_dates() -> None:
    entries, more = sources.read_source(NEWS_SITEMAP, "http://www.shapes.test/sitemap-news.xml", "sitemap")
    assert entries == [("http://www.shapes.test/a/1.shtml", date(2024, 3, 18)), ("http://www.shapes.test/a/2.shtml", date(2024, 3, 17))]
    assert more == []


def test_a_gzipped_sitemap_is_read() -> None:
    entries, _ = sources.read_source(gzip.compress(NEWS_SITEMAP), "http://www.shapes.test/sitemap-2024.xml.gz", "sitemap")
    assert len(entries) == 2


def test_feeds_rss_and_atom() -> None:
    assert sources.read_source(RSS, "http://www.shapes.test/rss.xml", "feed")[0] == [
        ("http://www.shapes.test/a/3.shtml?from=rss", date(2024, 3, 18)), ("http://www.shapes.test/a/4.shtml", None)]
    assert sources.read_source(ATOM, "http://www.shapes.test/atom.xml", "sitemap")[0] == [
        ("http://www.shapes.test/a/5.shtml", date(2024, 3, 19))]


def test_robots_txt_names_sitemaps() -> None:
    robots = b"User-agent: *\nDisallow: /search/\nSitemap: http://www.shapes.test/sitemap.xml\nsitemap: /news.xml\n"
    assert sources.read_source(robots, "http://www.shapes.test/robots.txt", "robots") == (
        [], [("http://www.shapes.test/sitemap.xml", "sitemap"), ("http://www.shapes.test/news.xml", "sitemap")])


def test_a_page_announces_its_feeds() -> None:
    root = parse_html('<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml">'
                      '<link rel="stylesheet" href="/a.css"><link rel="Alternate" type="application/atom+xml" href="atom.xml">'
                      '</head><body>x</body></html>')
    assert sources.alternate_feeds(root, "http://www.shapes.test/news/") == [
        ("http://www.shapes.test/rss.xml", "feed"), ("http://www.shapes.test/news/atom.xml", "feed")]


# --- end to end: parser errors, sources and e-paper steps by date, on a small generated site ----

MINI = """
[site]
name = "mini"
timezone = "Asia/Shanghai"
allowed_domains = ["mini.test"]
[editions.zh]
start_url = "http://www.mini.test/"
[editions.paper]
start_url = "http://paper.mini.test/html/2024-03/18/node_1.htm"
[urls]
article = ['^/a/(?P<id>\\d+)\\.html$', '^/html/\\d{4}-\\d{2}/\\d{2}/content_(?P<id>\\d+)\\.htm$']
list = '/$'
noise = ["from", "utm_*"]
[sources]
robots = true
feeds = ["/rss.xml"]
[issues]
edition = "paper"
page = '^/html/(?P<y>\\d{4})-(?P<m>\\d{2})/(?P<d>\\d{2})/node_\\d+\\.htm$'
first_page = "/html/{y}-{m}/{d}/node_1.htm"
max_gap = 3
"""


def article_html(title: str, day: str) -> str:
    return (f"<html><head><title>{title}</title></head><body><h1>{title}</h1><div class='info'>{day} 10:00</div>"
            f"<div class='content'><p>{title}的第一段正文，内容足够长，足以成为一篇文章的正文。</p>"
            f"<p>{title}的第二段正文，同样足够长，说明事情的经过和结果。</p></div></body></html>")


def mini_site(root: Path) -> Path:
    """www: a home page with no article link, robots.txt → a sitemap index → a news sitemap and a
    plain one; an RSS feed. paper: issues on 03-18 and 03-15 (none on 03-16 and 03-17, which the
    steps back by date skip), 03-10 beyond max_gap."""
    www, paper = root / "mirror" / "www.mini.test", root / "mirror" / "paper.mini.test"
    files = {
        www / "index.html": "<html><body><p>首页</p></body></html>",
        www / "robots.txt": "User-agent: *\nDisallow:\nSitemap: http://www.mini.test/sitemap_index.xml\n",
        www / "sitemap_index.xml": '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                                   "<sitemap><loc>http://www.mini.test/news.xml</loc></sitemap>"
                                   "<sitemap><loc>http://www.mini.test/old.xml</loc></sitemap></sitemapindex>",
        www / "news.xml": '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                          'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>http://www.mini.test/a/1.html</loc>'
                          "<news:news><news:publication_date>2024-03-18T09:00:00+08:00</news:publication_date></news:news></url></urlset>",
        www / "old.xml": '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                         "<url><loc>http://www.mini.test/a/2.html</loc><lastmod>2023-01-02</lastmod></url></urlset>",
        www / "rss.xml": '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>3</title>'
                         "<link>http://www.mini.test/a/3.html?from=rss</link><pubDate>Mon, 18 Mar 2024 08:00:00 +0800</pubDate></item>"
                         "<item><title>1</title><link>http://www.mini.test/a/1.html?utm_source=x</link></item></channel></rss>",
        www / "a" / "1.html": article_html("新闻一", "2024-03-18"),
        www / "a" / "2.html": article_html("新闻二", "2023-01-02"),
        www / "a" / "3.html": article_html("新闻三", "2024-03-18"),
    }
    for day in ("18", "15", "10"):
        folder = paper / "html" / "2024-03" / day
        files[folder / "node_1.htm"] = (f"<html><head><title>第01版：要闻</title></head><body>"
                                        f"<a href='content_{day}1.htm'>稿件</a></body></html>")
        files[folder / f"content_{day}1.htm"] = article_html(f"报纸{day}日稿件", f"2024-03-{day}")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "site.toml").write_text(MINI, encoding="utf-8")
    return root / "mirror"


@pytest.mark.slow
def test_sitemaps_from_robots_feeds_and_issues_stepped_back_by_date(tmp_path: Path) -> None:
    from tests.conftest import run_crawl

    mirror = mini_site(tmp_path)
    result = run_crawl(tmp_path / "archive", "-a", f"site={tmp_path / 'site.toml'}", "-a", f"replay={mirror}",
                       "-a", "editions=all")
    assert result.returncode == 0, result.stderr[-3000:]
    assert set(result.by_url) == {
        "http://www.mini.test/a/1.html", "http://www.mini.test/a/2.html", "http://www.mini.test/a/3.html",
        "http://paper.mini.test/html/2024-03/18/content_181.htm", "http://paper.mini.test/html/2024-03/15/content_151.htm",
    }
    stats = result.stderr
    assert "'northnews/sources/sitemap/urls': 2" in stats and "'northnews/sources/feed/urls': 2" in stats
    # 03-18, then 03-17 and 03-16 missing (404), 03-15; then 03-14, 13, 12 missing: max_gap 3 stops
    # it before 03-10. A day without an issue is not an error of the run.
    assert "'northnews/spider/issues': 7" in stats
    assert "  errors:    0" in result.stdout


@pytest.mark.slow
def test_since_skips_older_sitemap_entries(tmp_path: Path) -> None:
    from tests.conftest import run_crawl

    mirror = mini_site(tmp_path)
    result = run_crawl(tmp_path / "archive", "-a", f"site={tmp_path / 'site.toml'}", "-a", f"replay={mirror}",
                       "-a", "since=2024-03-01")
    assert result.returncode == 0, result.stderr[-3000:]
    assert set(result.by_url) == {"http://www.mini.test/a/1.html", "http://www.mini.test/a/3.html",  # 2 is of 2023
                                  "http://paper.mini.test/html/2024-03/18/content_181.htm",
                                  "http://paper.mini.test/html/2024-03/15/content_151.htm"}


@pytest.mark.slow
def test_an_exception_in_the_parsers_is_an_error_of_the_run(tmp_path: Path) -> None:
    from tests.conftest import FIXTURES, run_crawl

    profile = tmp_path / "yunhe"
    profile.mkdir()
    (profile / "site.toml").write_text((Path(__file__).parents[1] / "northnews" / "sites" / "yunhe" / "site.toml")
                                       .read_text(encoding="utf-8"), encoding="utf-8")
    (profile / "hooks.py").write_text("def refine_layout(doc, layout, layouts):\n    raise RuntimeError('a parser bug')\n",
                                      encoding="utf-8")
    result = run_crawl(tmp_path / "archive", "-a", f"site={profile / 'site.toml'}",
                       "-a", f"replay={FIXTURES / 'sites' / 'yunhe' / 'mirror'}")
    assert result.items == []
    assert "'northnews/errors/parser': 40" in result.stderr
    assert "  errors:    40" in result.stdout


def test_a_crumb_selector_may_name_the_breadcrumbs_entries(tmp_path: Path) -> None:
    """``crumb = "#pt .z a"`` (each entry) reads as ``crumb = "#pt .z"`` (the trail): the last entry
    that is no home crumb, not the first one (Discuz's 门户: the trail ends in a bare 查看内容)."""
    from northnews.pages import parse_article

    html = """<div id="pt"><div class="z"><a href="./">清河社区</a> <em>›</em> <a href="portal.php">门户</a> <em>›</em>
      <a href="portal.php?mod=list&catid=1">清河新闻</a> <em>›</em> 查看内容</div></div>
      <div class="vw"><h1 class="ph">标题</h1><p class="xg1">2024-3-4 08:17</p></div>
      <table><tr><td id="article_content"><p>正文第一段，足够长的一段文字。</p></td></tr></table>"""
    layout = "[[layouts]]\nname = 'view'\ntitle = '.vw h1'\nbyline = '.vw p.xg1'\nbody = '#article_content'\ncrumb = '{}'\n"
    for crumb in ("#pt .z a", "#pt .z"):  # a profile per directory: loaded profiles are cached by path
        (tmp_path / crumb).mkdir()
        site = load_site(profile(tmp_path / crumb, "article = 'aid=(?P<id>\\d+)'\nlist = '/$'", layout.format(crumb)))
        assert site.layouts[0].crumb == crumb
        assert parse_article(html, "http://www.shapes.test/portal.php?mod=view&aid=1", site).section == "清河新闻", crumb


def test_discuz_s_byline_gives_source_and_original_author_not_the_poster(tmp_path: Path) -> None:
    """Discuz's ``p.xg1``: ``来自:`` is the source, ``原作者:`` the author; ``发布者:`` (the member who
    posted it) is neither."""
    from northnews.pages import parse_article

    html = """<div class="vw"><h1 class="ph">标题</h1><p class="xg1">2024-3-4 08:17<span class="pipe">|</span>
      发布者: <a href="home.php?mod=space&amp;uid=5">admin</a><span class="pipe">|</span>查看: <em>12</em>
      <span class="pipe">|</span>来自: 清河日报<span class="pipe">|</span>原作者: 李雪 王磊</p></div>
      <table><tr><td id="article_content"><p>正文第一段，足够长的一段文字。</p></td></tr></table>"""
    layout = "[[layouts]]\nname = 'view'\ntitle = '.vw h1'\nbyline = '.vw p.xg1'\nbody = '#article_content'\n"
    site = load_site(profile(tmp_path, "article = 'aid=(?P<id>\\d+)'\nlist = '/$'", layout))
    page = parse_article(html, "http://www.shapes.test/portal.php?mod=view&aid=1", site)
    assert (page.source, page.author) == ("清河日报", "李雪 王磊")


def test_a_tags_part_reads_the_tags_the_page_prints(tmp_path: Path) -> None:
    """A layout's ``tags``: each link inside is a tag (Drupal's field_tags, its ``Tags`` heading left
    aside), an element without links is split as keywords are; without the part, the keywords meta."""
    from northnews.pages import parse_article

    html = """<head><meta name="keywords" content="meta1,meta2"></head><h1 class="t">Title</h1>
      <div class="meta">Mon, 03/18/2024 - 14:02</div><div class="body"><p>A paragraph long enough to be the story.</p></div>
      <div class="field--name-field-tags"><h3>Tags</h3><ul><li><a href="/t/1">Schools</a></li><li><a href="/t/2">Budget</a></li></ul></div>
      <p class="kw">标签：城市更新 王庄镇</p>"""
    layout = "[[layouts]]\nname = 'a'\ntitle = 'h1.t'\nbyline = '.meta'\nbody = '.body'\n"
    urls = "article = '/(?P<id>\\d+)$'\nlist = '/$'"
    for i, (tags, want) in enumerate(((".field--name-field-tags", ["Schools", "Budget"]), (".field--name-field-tags a", ["Schools", "Budget"]),
                                      ("p.kw", ["城市更新", "王庄镇"]), (None, ["meta1", "meta2"]))):
        (tmp_path / str(i)).mkdir()
        site = load_site(profile(tmp_path / str(i), urls, layout + (f"tags = '{tags}'\n" if tags else "")))
        assert parse_article(html, "http://www.shapes.test/1", site).tags == want, tags


TRS = ("article = '/\\d{6}/t\\d{8}_(?P<id>\\d+)(?P<paged>_(?P<page>\\d+))?\\.html$'\n"
       "list = '/(?:index(?P<paged>_(?P<page>\\d+))?\\.html)?$'\nlist_unsuffixed_page = 0\npager = 'pages'")


def test_trs_script_pagers_name_a_lists_and_an_articles_later_pages(tmp_path: Path) -> None:
    """TRS writes its pagers with ``createPageHTML(count, current, name, ext)``: no ``<a>`` names
    ``index_1.html`` or ``t…_1.html``; both count from 0 (``article_unsuffixed_page = 0``)."""
    site = load_site(profile(tmp_path, TRS + "\narticle_unsuffixed_page = 0"))
    listing = """<ul><li><a href="./202307/t20230705_1234567.html">a</a></li></ul>
      <script>function createPageHTML(a,b,c,d){}</script><script>createPageHTML(3, 0, "index", "html");</script>"""
    links = discovery.page_links(parse_html(listing), "http://www.shapes.test/xwzx/zwyw/index.html", site)
    assert discovery.next_list_page("http://www.shapes.test/xwzx/zwyw/index.html", links, site) == (
        "http://www.shapes.test/xwzx/zwyw/index_1.html")
    page = '<div>text</div><script>createPageHTML(3, 1, "t20230705_1234567", "html");</script>'
    url = "http://www.shapes.test/xwzx/zwyw/202307/t20230705_1234567_1.html"
    assert discovery.article_page(url, site) == ("http://www.shapes.test/xwzx/zwyw/202307/t20230705_1234567.html", 2)
    assert discovery.article_pages(parse_html(page), url, site) == [
        "http://www.shapes.test/xwzx/zwyw/202307/t20230705_1234567.html",
        "http://www.shapes.test/xwzx/zwyw/202307/t20230705_1234567_2.html"]


def test_a_long_script_pager_names_only_a_lists_neighbours(tmp_path: Path) -> None:
    site = load_site(profile(tmp_path, TRS))
    html = '<script>createPageHTML(5000, 7, "index", "html");</script>'
    links = discovery.page_links(parse_html(html), "http://www.shapes.test/a/index_7.html", site)
    assert [link.url.rsplit("/", 1)[1] for link in links] == ["index.html", "index_6.html", "index_8.html"]


def test_article_unsuffixed_page_is_0_or_1(tmp_path: Path) -> None:
    with pytest.raises(SiteError, match="urls.article_unsuffixed_page"):
        load_site(profile(tmp_path, TRS + "\narticle_unsuffixed_page = 2"))
