"""Replay from a ``wget --mirror`` directory (northnews.archive.mirror): URL to file as wget names
it, http and https alike, a directory's index, a 404 for anything else and for every way out."""

from __future__ import annotations

from pathlib import Path

import pytest

from northnews.archive.hits import ReplayHit
from northnews.archive.mirror import MirrorSource, content_type, mirror_path


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    root = tmp_path / "mirror"
    site = root / "www.northnews.cn"
    (site / "2015" / "0915").mkdir(parents=True)
    (site / "index.html").write_text("<html>home</html>")
    (site / "2015" / "0915" / "2049381.shtml").write_bytes("<html>北方</html>".encode("gb18030"))
    (site / "list.php?page=2").write_text("<html>list 2</html>")
    (site / "新闻.html").write_text("<html>cn</html>")
    (root / "img.northnews.cn:8080").mkdir()
    (root / "img.northnews.cn:8080" / "a.jpg").write_bytes(b"\xff\xd8\xff")
    (tmp_path / "secret.txt").write_text("outside")
    (root / "evil.example").symlink_to(tmp_path)  # a host folder leading out of the mirror
    return root


def test_urls_map_to_wget_file_names(mirror: Path) -> None:
    site = mirror.resolve() / "www.northnews.cn"
    assert mirror_path(mirror, "http://www.northnews.cn/") == site / "index.html"
    assert mirror_path(mirror, "https://WWW.northnews.cn:443/2015/0915/2049381.shtml#c") == \
        site / "2015" / "0915" / "2049381.shtml"
    assert mirror_path(mirror, "http://www.northnews.cn/list.php?page=2") == site / "list.php?page=2"
    assert mirror_path(mirror, "http://www.northnews.cn/%E6%96%B0%E9%97%BB.html") == site / "新闻.html"
    assert mirror_path(mirror, "http://img.northnews.cn:8080/a.jpg") == mirror.resolve() / "img.northnews.cn:8080" / "a.jpg"


@pytest.mark.parametrize("url", [
    "http://www.northnews.cn/../secret.txt",
    "http://www.northnews.cn/%2e%2e/%2e%2e/secret.txt",
    "http://evil.example/secret.txt",
    "http://www.northnews.cn/a%00b.html",
    "file:///etc/passwd",
])
def test_no_url_reaches_a_file_outside_the_mirror(mirror: Path, url: str) -> None:
    assert mirror_path(mirror, url) is None
    assert MirrorSource(mirror).lookup(url).status == 404


def test_answers_as_a_server_would(mirror: Path) -> None:
    source = MirrorSource(mirror)
    hit = source.lookup("http://www.northnews.cn/2015/0915/2049381.shtml")
    body = "<html>北方</html>".encode("gb18030")
    assert hit == ReplayHit(url="http://www.northnews.cn/2015/0915/2049381.shtml", status=200,
                            headers=[("Content-Type", "text/html"), ("Content-Length", str(len(body)))], body=body)
    moved = source.lookup("http://www.northnews.cn/2015")
    assert (moved.status, moved.headers) == (301, [("Location", "http://www.northnews.cn/2015/")])
    missing = source.lookup("http://www.northnews.cn/2015/0915/404.shtml")
    assert (missing.status, missing.body) == (404, b"not in mirror\n")
    assert content_type(Path("notes.txt?v=2")) == "text/plain"  # the query is not the extension
    assert content_type(Path("a.JPG")) == "image/jpeg"
    source.close()


def test_a_mirror_must_be_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="replay mirror is not a directory"):
        MirrorSource(tmp_path / "none")
    (tmp_path / "file").write_text("")
    with pytest.raises(ValueError, match="replay mirror is not a directory"):
        MirrorSource(tmp_path / "file")
