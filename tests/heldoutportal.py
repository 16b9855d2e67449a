"""A portal of a CMS family the README does not describe, generated here without northnews: a
Ghost-style blog whose articles are reachable from its sitemaps only, with the date in the path.

``www.aldercreek.test`` (阿尔德溪时报, UTF-8, Asia/Shanghai):

- ``/``: a script-rendered shell: no link to any article (only ``/about/`` and ``/tag/news/``);
- ``/robots.txt``: ``Sitemap: http://www.aldercreek.test/sitemap.xml``;
- ``/sitemap.xml``: a sitemap index of ``/sitemap-posts.xml`` (every post) and
  ``/sitemap-pages.xml`` (``/about/``, ``/contact/``: pages, not articles);
- posts at ``/archives/<yyyy>-<mm>-<dd>/<slug>/``; post 3 is split over two pages, its second at
  ``…/<slug>/2/`` (linked as 下一页 from the first, 上一页 back);
- each post: ``<article class="post">`` with ``h1.post-title``, ``time.post-date`` (``datetime`` with
  the zone), ``span.post-author``, a breadcrumb ``nav.crumbs`` (首页 › <section>),
  ``section.post-content`` paragraphs, and ``<aside class="related">`` linking two other posts.

:func:`write` writes the mirror (``wget --mirror`` layout) and returns the expected items' fields
(``url``, ``title``, ``author``, ``published``, ``section``, ``body``) by these rules: the body is the
paragraphs joined by a blank line, a split post's pages in order; published is the ``datetime``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

HOST = "www.aldercreek.test"
BASE = f"http://{HOST}"
SECTIONS = ("本地", "教育", "民生")
AUTHORS = ("林晓", "周敏", "陈立新")
TOPICS = ("溪畔步道改造", "县一中新校区", "老旧小区加装电梯", "夜市试点", "公交线路调整", "社区食堂",
          "河道清淤", "图书馆延时开放", "农贸市场搬迁", "停车收费新规", "暴雨应急演练", "青少年足球联赛")


@dataclass(frozen=True)
class Post:
    n: int

    @property
    def day(self) -> str:
        return f"2024-05-{self.n + 1:02d}"

    @property
    def slug(self) -> str:
        return f"story-{self.n:02d}"

    @property
    def url(self) -> str:
        return f"{BASE}/archives/{self.day}/{self.slug}/"

    @property
    def title(self) -> str:
        return f"{TOPICS[self.n]}方案公布"

    @property
    def author(self) -> str:
        return AUTHORS[self.n % 3]

    @property
    def section(self) -> str:
        return SECTIONS[self.n % 3]

    @property
    def published(self) -> str:
        return f"{self.day}T{8 + self.n % 10:02d}:30:00+08:00"

    def paragraphs(self, page: int) -> list[str]:
        topic = TOPICS[self.n]
        return [f"记者从县相关部门获悉，{topic}的实施方案已经公布，第{page}部分第{k}条说明了工作安排、"
                f"资金来源和完成时间，居民可以在社区公告栏和政府网站查看全文并提出意见。" for k in range(1, 4)]

    @property
    def pages(self) -> int:
        return 2 if self.n == 3 else 1


POSTS = [Post(n) for n in range(len(TOPICS))]


def _shell(title: str, main: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{title} - 阿尔德溪时报</title>'
            f'<script src="/assets/app.js" defer></script></head>\n<body>\n'
            f'<header class="site-head"><a href="/">阿尔德溪时报</a> <a href="/about/">关于</a> '
            f'<a href="/tag/news/">新闻</a></header>\n{main}\n<footer>© 阿尔德溪时报</footer>\n</body></html>\n')


def _post_page(post: Post, page: int) -> str:
    paras = "\n".join(f"<p>{p}</p>" for p in post.paragraphs(page))
    pager = ""
    if post.pages > 1:
        pager = (f'<nav class="pager"><a href="{post.url}2/">下一页</a></nav>' if page == 1
                 else f'<nav class="pager"><a href="{post.url}">上一页</a></nav>')
    others = [POSTS[(post.n + k) % len(POSTS)] for k in (1, 2)]
    related = "".join(f'<li><a href="{o.url}">{o.title}</a></li>' for o in others)
    return _shell(post.title, f"""<main>
<nav class="crumbs"><a href="/">首页</a> › <a href="/tag/news/">{post.section}</a></nav>
<article class="post">
<header><h1 class="post-title">{post.title}</h1>
<time class="post-date" datetime="{post.published}">{post.day[:4]}年{int(post.day[5:7])}月{int(post.day[8:])}日</time>
<span class="post-author">{post.author}</span></header>
<section class="post-content">
{paras}
</section>
{pager}
</article>
<aside class="related"><h3>相关阅读</h3><ul>{related}</ul></aside>
</main>""")


def _urlset(urls: list[str]) -> str:
    entries = "".join(f"<url><loc>{u}</loc></url>\n" for u in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</urlset>\n')


def expected_items() -> list[dict[str, object]]:
    return [{"url": p.url, "title": p.title, "author": p.author, "published": p.published, "section": p.section,
             "body": "\n\n".join(para for page in range(1, p.pages + 1) for para in p.paragraphs(page))}
            for p in POSTS]


def write(root: Path) -> tuple[Path, list[dict[str, object]]]:
    """The mirror under ``root`` (``root/<host>/…``) and the expected items."""
    files: dict[str, str] = {
        "index.html": _shell("首页", '<main><div id="app">加载中…</div></main>'),
        "about/index.html": _shell("关于我们", "<main><p>阿尔德溪时报是一家县级新闻网站。</p></main>"),
        "contact/index.html": _shell("联系我们", "<main><p>电话：0000-1234567</p></main>"),
        "tag/news/index.html": _shell("新闻", '<main><div id="app">加载中…</div></main>'),
        "assets/app.js": "/* renders the post list client-side */\n",
        "robots.txt": f"User-agent: *\nAllow: /\nSitemap: {BASE}/sitemap.xml\n",
        "sitemap.xml": ('<?xml version="1.0" encoding="UTF-8"?>\n'
                        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                        f"<sitemap><loc>{BASE}/sitemap-posts.xml</loc></sitemap>\n"
                        f"<sitemap><loc>{BASE}/sitemap-pages.xml</loc></sitemap>\n</sitemapindex>\n"),
        "sitemap-posts.xml": _urlset([p.url for p in POSTS]),
        "sitemap-pages.xml": _urlset([f"{BASE}/about/", f"{BASE}/contact/"]),
    }
    for post in POSTS:
        rel = post.url[len(BASE) + 1:]
        files[rel + "index.html"] = _post_page(post, 1)
        if post.pages > 1:
            files[rel + "2/index.html"] = _post_page(post, 2)
    for rel, text in files.items():
        target = root / HOST / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root, expected_items()
