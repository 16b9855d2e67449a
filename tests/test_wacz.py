"""``northnews-archive wacz``: a WACZ of a crawl of the fixture portal is valid for py-wacz's
``wacz validate``, meets the spec's own rules (checked here independently), and its index
resolves every article to its own record."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from northnews.archive import wacz
from tests.conftest import PORTAL, CrawlResult, run_crawl
from tests.mockserver import MockPortal

BIN = Path(sys.executable).parent
CONSOLE = BIN / "northnews-archive"
WACZ_TOOL = shutil.which("wacz", path=str(BIN)) or shutil.which("wacz")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    with MockPortal(PORTAL, gzip=True) as server:
        result = run_crawl(tmp_path_factory.mktemp("wacz") / "archive", env={"http_proxy": server.proxy_url})
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.items
    return result


@pytest.fixture(scope="module")
def package(crawl: CrawlResult) -> Path:
    out = crawl.archive.parent / "fixture.wacz"
    proc = subprocess.run([str(CONSOLE), "-d", str(crawl.archive), "wacz", str(out)],
                          check=False, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{len(crawl.items)} pages (titles from the store)" in proc.stdout
    return out


def index_lines(zf: zipfile.ZipFile) -> list[tuple[str, str, dict]]:
    """Every CDXJ line, read the way a WACZ reader does: through index.idx's block table."""
    idx = zf.read("indexes/index.idx").decode("utf-8").splitlines()
    meta = json.loads(idx[0].split(" ", 2)[2])
    assert idx[0].startswith("!meta 0 ") and meta["format"] == "cdxj-gzip-1.0"
    data = zf.read("indexes/" + meta["filename"])
    lines = []
    for block in idx[1:]:
        key, ts, loc = block.split(" ", 2)
        loc = json.loads(loc)
        chunk = data[loc["offset"]:loc["offset"] + loc["length"]]
        assert loc["digest"] == "sha256:" + hashlib.sha256(chunk).hexdigest()
        text = gzip.decompress(chunk).decode("utf-8").splitlines()
        assert text[0].startswith(f"{key} {ts} "), "a block's first line is the key idx names"
        lines += [(ln.split(" ", 2)[0], ln.split(" ", 2)[1], json.loads(ln.split(" ", 2)[2])) for ln in text]
    assert len(data) == sum(json.loads(b.split(" ", 2)[2])["length"] for b in idx[1:])
    return lines


@pytest.mark.skipif(WACZ_TOOL is None, reason="py-wacz (`pip install wacz`, the test extra) is not installed")
def test_wacz_validate_passes(package: Path) -> None:
    proc = subprocess.run([WACZ_TOOL, "validate", "-f", str(package)], check=False, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Validation succeeded" in proc.stdout


def test_package_follows_the_spec(package: Path, crawl: CrawlResult) -> None:
    with zipfile.ZipFile(package) as zf:
        names = set(zf.namelist())
        warcs = sorted(p.name for p in (crawl.archive / "warc").glob("*.warc.gz"))
        assert warcs
        assert {f"archive/{w}" for w in warcs} <= names
        assert {"indexes/index.cdx.gz", "indexes/index.idx", "pages/pages.jsonl", "datapackage.json",
                "datapackage-digest.json"} <= names
        # WARCs and the compressed index are stored, so a reader can seek into them.
        for name in names:
            if name.startswith("archive/") or name.endswith(".cdx.gz"):
                assert zf.getinfo(name).compress_type == zipfile.ZIP_STORED, name
        for w in warcs:
            assert zf.read(f"archive/{w}") == (crawl.archive / "warc" / w).read_bytes()
        package_json = zf.read("datapackage.json")
        datapackage = json.loads(package_json)
        assert datapackage["wacz_version"] == "1.1.1" and datapackage["profile"] == "data-package"
        assert datapackage["software"].startswith("northnews/")
        listed = {r["path"]: r for r in datapackage["resources"]}
        assert set(listed) == names - {"datapackage.json", "datapackage-digest.json"}
        for path, resource in listed.items():
            body = zf.read(path)
            assert resource["hash"] == "sha256:" + hashlib.sha256(body).hexdigest(), path
            assert resource["bytes"] == len(body), path
        digest = json.loads(zf.read("datapackage-digest.json"))
        assert digest == {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(package_json).hexdigest()}


def test_pages_are_the_articles_with_their_titles(package: Path, crawl: CrawlResult) -> None:
    with zipfile.ZipFile(package) as zf:
        head, *rows = [json.loads(line) for line in zf.read("pages/pages.jsonl").decode("utf-8").splitlines()]
    assert head["format"] == "json-pages-1.0" and head["id"]
    pages = {row["url"]: row for row in rows}
    assert len(pages) == len(rows) == len(crawl.items)
    for item in crawl.items:
        page = pages[item["url"]]
        assert page["title"] == item["title"]
        # The capture to open is the item's own: its fetched_at, to the second.
        assert page["ts"] == item["fetched_at"]
        assert page["id"]


def test_index_resolves_every_article_to_its_record(package: Path, crawl: CrawlResult) -> None:
    with zipfile.ZipFile(package) as zf:
        lines = index_lines(zf)
        assert [(k, t) for k, t, _ in lines] == sorted((k, t) for k, t, _ in lines)
        by_url: dict[str, list[dict]] = {}
        for _, _, fields in lines:
            by_url.setdefault(fields["url"], []).append(fields)
        for item in crawl.items:
            url = item["url"]
            [found] = [f for f in by_url[url] if f["status"] == "200" and f["offset"] == str(item["warc"]["offset"])]
            assert found["filename"] == item["warc"]["file"]
            with zf.open(f"archive/{found['filename']}") as fh:  # a stored member: seekable
                fh.seek(int(found["offset"]))
                record = next(iter(ArchiveIterator(fh)))
                assert record.rec_headers.get_header("WARC-Target-URI") == url
                assert record.rec_headers.get_header("WARC-Record-ID") == item["warc"]["record_id"]
                if record.rec_type == "response":
                    host, _, path = url.removeprefix("http://").partition("/")
                    assert record.content_stream().read() == (PORTAL / host / (path or "index.html")).read_bytes()


def test_without_store_or_feed_pages_come_from_html_titles(crawl: CrawlResult, tmp_path: Path) -> None:
    """WARCs alone (say, from another crawler): every HTML page archived with status 200 is a
    page, titled by its <title>."""
    alone = tmp_path / "warcs"
    alone.mkdir()
    for path in (crawl.archive / "warc").glob("*.warc.gz"):
        shutil.copy(path, alone / path.name)
    summary = wacz.create(alone, tmp_path / "alone.wacz")
    assert summary.pages_source == "html"
    with zipfile.ZipFile(tmp_path / "alone.wacz") as zf:
        rows = [json.loads(line) for line in zf.read("pages/pages.jsonl").decode("utf-8").splitlines()[1:]]
    titles = {row["url"]: row["title"] for row in rows}
    for item in crawl.items:
        assert item["title"] in titles[item["url"]], item["url"]  # <title> may carry a site suffix
    assert "http://www.northnews.cn/" in titles  # list and home pages are pages too


def test_an_archive_without_closed_warcs_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "warc").mkdir()
    (tmp_path / "warc" / "x.warc.gz.open").write_bytes(b"")
    proc = subprocess.run([str(CONSOLE), "-d", str(tmp_path), "wacz", str(tmp_path / "out.wacz")],
                          check=False, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "no closed WARC file" in proc.stdout
    assert not (tmp_path / "out.wacz").exists()


def test_html_title_decodes_gbk_and_entities() -> None:
    body = '<meta charset="gb2312"><title>正北方网 &amp; 新闻\n  中心</title>'.encode("gb18030")
    assert wacz.html_title(body) == "正北方网 & 新闻 中心"
    assert wacz.html_title(b"<html>no title</html>") is None


def _extra_ids(extra: bytes) -> list[int]:
    ids, pos = [], 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack("<HH", extra[pos:pos + 4])
        ids.append(tag)
        pos += 4 + size
    return ids


def test_no_member_carries_zip64_fields_it_does_not_need(package: Path) -> None:
    """replayweb.page 2.5.3 cannot read members written with ZIP64 fields (``force_zip64``):
    small members must have none, in the central directory or in their local header."""
    raw = package.read_bytes()
    assert len(raw) < 0xFFFFFFFF
    with zipfile.ZipFile(package) as zf:
        for info in zf.infolist():
            assert 0x0001 not in _extra_ids(info.extra), info.filename
            local = raw[info.header_offset:info.header_offset + 30]
            assert local[:4] == b"PK\x03\x04"
            name_len, extra_len = struct.unpack("<HH", local[26:30])
            start = info.header_offset + 30 + name_len
            assert 0x0001 not in _extra_ids(raw[start:start + extra_len]), info.filename
            # Sizes in the local header itself, not 0xFFFFFFFF placeholders.
            assert struct.unpack("<I", local[22:26])[0] == info.file_size, info.filename


def test_pages_carry_the_body_as_searchable_words(package: Path, crawl: CrawlResult) -> None:
    with zipfile.ZipFile(package) as zf:
        head, *rows = [json.loads(line) for line in zf.read("pages/pages.jsonl").decode("utf-8").splitlines()]
    assert head["hasText"] is True
    pages = {row["url"]: row for row in rows}
    chinese = [item for item in crawl.items if "呼和浩特" in (item["body"] or "")]
    english = [item for item in crawl.items if "kilowatts" in (item["body"] or "")]
    assert chinese and english
    for item in chinese:
        words = pages[item["url"]]["text"].split(" ")
        assert "呼和浩特" in words, item["url"]  # a word of its own, also where the body says 呼和浩特市
    for item in english:
        assert "kilowatts" in pages[item["url"]]["text"].split(" ")
    for item in crawl.items:
        text = pages[item["url"]]["text"]
        # Nothing of the body lost: its non-space characters, in order, within the words'.
        chars = iter("".join(text.split()))
        assert all(ch in chars for ch in "".join((item["body"] or "").split())), item["url"]
        assert "  " not in text and text == text.strip()


def test_without_a_store_pages_come_from_the_feed_with_their_text(crawl: CrawlResult, tmp_path: Path) -> None:
    (tmp_path / "warc").mkdir()
    for path in (crawl.archive / "warc").glob("*.warc.gz"):
        shutil.copy(path, tmp_path / "warc" / path.name)
    feed = [json.dumps(item, ensure_ascii=False) for item in crawl.items]
    # One article whose capture is not packaged: named as missing, not listed.
    feed.append(json.dumps({"url": "http://www.northnews.cn/gone.shtml", "title": "gone", "body": "x",
                            "warc": {"file": "elsewhere.warc.gz", "offset": 0}}))
    (tmp_path / "articles.jsonl").write_text("\n".join(feed) + "\n", encoding="utf-8")
    summary = wacz.create(tmp_path, tmp_path / "feed.wacz")
    assert summary.pages_source == "feed" and summary.pages == len(crawl.items)
    assert summary.pages_missing == ["http://www.northnews.cn/gone.shtml"]
    with zipfile.ZipFile(tmp_path / "feed.wacz") as zf:
        head, *rows = [json.loads(line) for line in zf.read("pages/pages.jsonl").decode("utf-8").splitlines()]
    assert head["hasText"] is True
    assert {row["url"] for row in rows} == set(crawl.by_url)
    assert all(row["text"] for row in rows)


def test_pywb_reads_the_package(package: Path, crawl: CrawlResult, tmp_path: Path) -> None:
    """pywb's ``wb-manager add --unpack-wacz`` takes the WARCs out of the package and indexes them:
    the same bytes, every record of our index."""
    run = lambda *args: subprocess.run([str(BIN / "wb-manager"), *args], cwd=tmp_path, check=False,  # noqa: E731
                                       capture_output=True, text=True, timeout=300)
    assert run("init", "nn").returncode == 0
    added = run("add", "--unpack-wacz", "nn", str(package))
    assert added.returncode == 0, added.stdout + added.stderr
    unpacked = sorted((tmp_path / "collections" / "nn" / "archive").glob("*.warc.gz"))
    ours = sorted((crawl.archive / "warc").glob("*.warc.gz"))
    assert sorted(p.read_bytes() for p in unpacked) == sorted(p.read_bytes() for p in ours)
    indexed = (tmp_path / "collections" / "nn" / "indexes" / "index.cdxj").read_text(encoding="utf-8").splitlines()
    with zipfile.ZipFile(package) as zf:
        assert len(indexed) == len(index_lines(zf))
