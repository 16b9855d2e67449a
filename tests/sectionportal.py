"""A small generated portal whose list pages name sections other than its articles' breadcrumbs,
and the section each ``[sections] from`` gives every article, written without northnews.

``www.hexiang.test`` (an invented county news site, UTF-8, Asia/Shanghai):

- the home page links four list pages;
- ``/list-7-1.html`` (its list rule's ``section`` group ``7``, which the profile's ``names`` maps to
  要闻) lists articles 101 and 102 and links its next page ``/list-7-2.html`` (article 103);
- ``/list-9-1.html`` (group ``9``, not in ``names``: the value is kept) lists 104;
- ``/col/jingji/index.html``, titled ``第03版：经济`` (the profile's ``page_name`` finds 经济), lists
  105 and 106;
- ``/col/misc/index.html``, titled 综合新闻 (no ``page_name`` match, no ``section`` group) lists 107;
- every article prints a breadcrumb ``首页 > <crumb>`` that differs from the list's name; article 107
  links article 108 as related news, which no list page lists.

:func:`write` writes the mirror (``wget --mirror`` layout) and the profile for one ``from``, and
returns what each article's ``section`` must be, by the README's rules:

- ``crumb``: the breadcrumb's last entry;
- ``list``: the name the list page gives (``names`` mapping of its ``section`` group, else the
  ``page_name`` match), else the list's directory's last part; articles reached only through
  another article are not followed;
- ``list_or_crumb``: the list page's name when it gives one, else the breadcrumb.
"""

from __future__ import annotations

from pathlib import Path

HOST = "www.hexiang.test"
SOURCES = ("crumb", "list", "list_or_crumb")

#: list page path -> (its <title>, its articles, the name it gives or None, its directory's last part)
LISTS = {
    "/list-7-1.html": ("要闻列表", [101, 102], "要闻", ""),
    "/list-7-2.html": ("要闻列表 第2页", [103], "要闻", ""),
    "/list-9-1.html": ("栏目九", [104], "9", ""),
    "/col/jingji/index.html": ("第03版：经济", [105, 106], "经济", "jingji"),
    "/col/misc/index.html": ("综合新闻", [107], None, "misc"),
}
#: article id -> its breadcrumb's section
CRUMBS = {101: "时政", 102: "时政", 103: "社会", 104: "体育", 105: "财经", 106: "财经", 107: "综合", 108: "民生"}
RELATED = {107: 108}

PROFILE = """\
[site]
name = "hexiang"
title = "河香新闻网"
timezone = "Asia/Shanghai"
allowed_domains = ["hexiang.test"]

[editions.zh]
start_url = "http://www.hexiang.test/"
language = "zh-CN"

[urls]
article = '^/a/(?P<id>\\d+)\\.html$'
list = ['^/list-(?P<section>\\d+)-(?P<page>\\d+)\\.html$', '^/col/\\w+/index\\.html$']
list_unsuffixed_page = 1
pager = "none"

[sections]
from = "{source}"
names = {{ "7" = "要闻" }}
page_name = '第\\s*\\d+\\s*版\\s*[:：]\\s*(?P<section>[^\\s<>|]+)'

[text]
site_names = ['河香新闻网']
home_crumbs = ["首页"]

[[layouts]]
name = "hexiang-article"
title = "h1.title"
byline = ".info"
body = ".content"
crumb = ".crumb"
"""


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{title}_河香新闻网</title></head>\n'
            f'<body>\n<div class="nav"><a href="/">首页</a></div>\n{body}\n</body></html>\n')


def _article(aid: int) -> str:
    related = (f'<div class="related"><h3>相关新闻</h3><ul><li><a href="/a/{RELATED[aid]}.html">'
               f'相关报道{RELATED[aid]}</a></li></ul></div>') if aid in RELATED else ""
    paragraphs = "\n".join(
        f"<p>这是第{aid}号稿件的第{n}段正文，河香县今年在乡村道路、供水和学校建设上继续加大投入，"
        f"相关部门表示将按计划推进各项工作，确保年内完工并交付使用。</p>" for n in range(1, 4))
    return _page(f"河香新闻第{aid}号", f"""<div class="crumb"><a href="/">首页</a> &gt; <a href="/col/misc/index.html">{CRUMBS[aid]}</a></div>
<h1 class="title">河香新闻第{aid}号</h1>
<div class="info">2024-05-{aid - 90:02d} 09:30 来源：河香日报</div>
<div class="content">
{paragraphs}
</div>
{related}""")


def _list(path: str) -> str:
    title, ids, _name, _dir = LISTS[path]
    items = "\n".join(f'<li><a href="/a/{aid}.html">河香新闻第{aid}号</a> <span>2024-05-{aid - 90:02d}</span></li>'
                      for aid in ids)
    nxt = '<a href="/list-7-2.html">下一页</a>' if path == "/list-7-1.html" else ""
    return _page(title, f"<h2>{title}</h2>\n<ul class=\"list\">\n{items}\n</ul>\n<div class=\"pager\">{nxt}</div>")


def _home() -> str:
    links = "\n".join(f'<li><a href="{path}">{LISTS[path][0]}</a></li>'
                      for path in LISTS if path != "/list-7-2.html")
    return _page("首页", f"<ul class=\"sections\">\n{links}\n</ul>")


def expected_sections(source: str) -> dict[str, str | None]:
    """Article URL -> the ``section`` its item must carry with ``[sections] from = source``."""
    want: dict[str, str | None] = {}
    for _path, (_title, ids, name, directory) in LISTS.items():
        for aid in ids:
            url = f"http://{HOST}/a/{aid}.html"
            if source == "crumb":
                want[url] = CRUMBS[aid]
            elif source == "list":
                want[url] = name or directory
            else:
                want[url] = name or CRUMBS[aid]
    if source != "list":  # "list" follows no related links: an article's section is its list's
        for aid in RELATED.values():
            want[f"http://{HOST}/a/{aid}.html"] = CRUMBS[aid]
    return want


def write(root: Path, source: str) -> tuple[Path, Path, dict[str, str | None]]:
    """The mirror under ``root/mirror`` and the profile ``root/hexiang/site.toml`` for ``source``;
    returns (mirror, profile, expected sections)."""
    mirror = root / "mirror" / HOST
    pages = {"index.html": _home()}
    pages.update({path.lstrip("/"): _list(path) for path in LISTS})
    pages.update({f"a/{aid}.html": _article(aid) for aid in CRUMBS})
    for rel, text in pages.items():
        target = mirror / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (mirror / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    profile = root / "hexiang" / "site.toml"
    profile.parent.mkdir(parents=True, exist_ok=True)
    profile.write_text(PROFILE.format(source=source), encoding="utf-8")
    return root / "mirror", profile, expected_sections(source)
