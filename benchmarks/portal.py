"""The benchmark portal: the bundled fixture portal plus N synthetic articles, as a mirror directory.

    .venv/bin/python -m benchmarks.portal DEST --articles 10000

The synthetic articles are copies of the fixture's single-page Chinese articles (every layout
and encoding they come in) under new URLs in ``SECTIONS`` extra sections of 10 entries per list
page, linked from the home page. Each copy:

* keeps its source's date directory (``/2015/0915/9000042.shtml``), so the date printed on the
  page is the URL's date: no ``date url mismatch`` warning (the generator before this one put
  every copy under October, and every synthetic article logged one);
* gets a unique marker, so every payload is distinct and a WARC holds a full record for each
  (not a revisit of its source, which would make archiving look free);
* is listed with the date it prints, as a real list page does.

Sources are the fixture's single-page, valid articles on www.northnews.cn whose printed date is
their URL's (the fixture's deliberate mismatch and quarantine cases are left out).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
PORTAL = FIXTURES / "portal"
HOST = "www.northnews.cn"
SECTIONS = 10
PER_LIST_PAGE = 10
_ARTICLE_URL = re.compile(r"^/(?P<dir>\d{4}/\d{4}|\d{6}/\d{2})/(?P<id>\d+)(?P<ext>\.s?html?)$")


def sources() -> list[tuple[str, str, str]]:
    """``(path in the mirror, date directory, suffix)`` of each usable source article."""
    pages = [json.loads(line) for line in (FIXTURES / "expected" / "pages.jsonl").read_text("utf-8").splitlines() if line]
    items = {
        item["url"]: item
        for item in map(json.loads, (FIXTURES / "expected" / "portal.jsonl").read_text("utf-8").splitlines())
    }
    found = []
    for page in pages:
        url = page["url"]
        if page["kind"] != "article" or page.get("pages") != 1 or url not in items:
            continue
        path = url.split(HOST, 1)[1] if f"//{HOST}/" in url else None
        match = _ARTICLE_URL.match(path or "")
        published = (items[url].get("published") or "")[:10].replace("-", "")
        if not match or not published:
            continue
        digits = match["dir"].replace("/", "")
        if digits != published:
            continue  # the fixture's deliberate date/URL mismatch
        found.append((page["path"], match["dir"], match["ext"]))
    return sorted(found)


def build_portal(dest: Path, articles: int, sections: int = SECTIONS) -> dict[str, int]:
    """Write the portal under ``dest`` (which must not exist); returns what it holds."""
    shutil.copytree(PORTAL, dest)
    usable = sources()
    listing: dict[int, list[tuple[str, str]]] = {s: [] for s in range(sections)}
    for n in range(articles):
        source, directory, ext = usable[n % len(usable)]
        path = f"/{directory}/9{n:06d}{ext}"
        body = (PORTAL / source).read_bytes()
        # A unique payload (an HTML comment: the parsers never read it).
        body = body.replace(b"<head>", f"<head><!-- bench article {n} -->".encode(), 1)
        target = dest / HOST / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        day = directory.replace("/", "")
        listing[n % sections].append((path, f"{day[:4]}-{day[4:6]}-{day[6:8]}"))
    list_pages = 0
    for s, entries in listing.items():
        section = dest / HOST / "news" / f"bench{s}"
        section.mkdir(parents=True)
        pages = max(1, (len(entries) + PER_LIST_PAGE - 1) // PER_LIST_PAGE)
        for k in range(pages):
            chunk = entries[k * PER_LIST_PAGE : (k + 1) * PER_LIST_PAGE]
            lis = "".join(f'<li><a href="{p}">第{s}-{k}条</a><span>{d}</span></li>' for p, d in chunk)
            nxt = f'<a href="index_{k + 2}.shtml">下一页</a>' if k + 1 < pages else ""
            name = "index.html" if k == 0 else f"index_{k + 1}.shtml"
            html = f'<html><head><meta charset="utf-8"><title>bench {s}</title></head><body><ul>{lis}</ul>{nxt}</body></html>'
            (section / name).write_text(html, encoding="utf-8")
            list_pages += 1
    home = dest / HOST / "index.html"
    links = "".join(f'<a href="/news/bench{s}/">bench{s}</a>' for s in range(sections))
    home.write_bytes(home.read_bytes().replace(b"</body>", links.encode() + b"</body>", 1))
    return {"articles": articles, "list_pages": list_pages, "sources": len(usable)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dest", type=Path)
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--sections", type=int, default=SECTIONS)
    args = ap.parse_args()
    print(build_portal(args.dest, args.articles, args.sections))


if __name__ == "__main__":
    main()
