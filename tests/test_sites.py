"""Site profiles: the shipped ones load, a malformed one is one line naming file, key and what was expected."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from northnews.sites import SiteError, known_sites, load_site
from tests.conftest import REPO, SCRAPY

NORTHNEWS = REPO / "northnews" / "sites" / "northnews" / "site.toml"


def test_northnews_is_a_shipped_profile() -> None:
    assert "northnews" in known_sites()
    site = load_site("northnews")
    assert site is load_site(NORTHNEWS)  # by name or by path: one object
    assert set(site.editions) == {"zh", "en", "szb"}
    assert [c for c, e in site.editions.items() if e.default] == ["zh", "en"]
    assert site.editions["zh"].start_url == "http://www.northnews.cn/"
    assert site.allowed_domains == ("northnews.cn",)
    assert site.timezone_name == "Asia/Shanghai"
    assert [s.name for s in site.layouts] == ["wz-tit", "l-tit", "title-h3", "l-cont", "english"]
    assert site.publisher_index["新华社"] == "Xinhua"
    assert site.hooks is not None and hasattr(site.hooks, "refine_layout")
    assert site.edition_of("http://english.northnews.cn/2015/0915/1.shtml") == "en"


def profile(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = """
[site]
name = "mini"
timezone = "Asia/Shanghai"
allowed_domains = ["mini.test"]
[editions.zh]
start_url = "http://www.mini.test/"
[urls]
article = '/(?P<id>\\d+)\\.html$'
list = '/$'
"""


def test_a_minimal_profile_has_no_layouts_and_uses_generic_extraction(tmp_path: Path) -> None:
    site = load_site(profile(tmp_path, MINIMAL))
    assert site.name == "mini" and site.layouts == () and site.hooks is None
    assert site.urls.pager == "suffix" and site.urls.list_unsuffixed_page == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("", "[site"), "not valid TOML"),
        (('timezone = "Asia/Shanghai"', 'timezone = "Mars/Olympus"'), "site.timezone: expected an IANA time zone"),
        (('name = "mini"', 'name = "Mini Portal"'), "site.name: expected lower-case letters"),
        (("article = '/(?P<id>\\d+)\\.html$'", "article = '/(\\d+)\\.html$'"), "urls.article: expected a regular expression with the group(s) id"),
        (("article = '/(?P<id>\\d+)\\.html$'", "article = '/(?P<id>\\d+'"), "urls.article: expected a regular expression ("),
        (('start_url = "http://www.mini.test/"', 'start_url = "www.mini.test"'), "editions.zh.start_url: expected an http(s) URL"),
        (('allowed_domains = ["mini.test"]', "allowed_domains = []"), "site.allowed_domains: expected at least one domain"),
        (("list = '/$'", "list = '/$'\npager = 'maybe'"), 'urls.pager: expected "suffix", "pages" or "none"'),
        (("list = '/$'", "list = '/$'\n[[layouts]]\nname = 'x'\ntitle = 'h1'\nbyline = '.b'\nbody = '.c'\nbdy = '.d'"),
         "layouts[0].bdy: unknown key (did you mean 'body'?)"),
    ],
)
def test_a_malformed_profile_names_file_key_and_expectation(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    old, new = change
    text = (new + MINIMAL) if not old else MINIMAL.replace(old, new)
    path = profile(tmp_path, text)
    with pytest.raises(SiteError) as info:
        load_site(path)
    assert str(info.value).startswith(f"{path.resolve()}: ")
    assert message in str(info.value)


def test_an_unknown_site_lists_the_known_ones() -> None:
    with pytest.raises(SiteError, match="unknown site 'atlantis'; known sites: .*northnews"):
        load_site("atlantis")


def test_scrapy_sites_lists_profiles() -> None:
    out = subprocess.run([SCRAPY, "sites"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert "northnews: 正北方网 (northnews.cn)" in out and "layouts: wz-tit, l-tit" in out


def test_a_bad_site_argument_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = profile(tmp_path, MINIMAL.replace('timezone = "Asia/Shanghai"', 'timezone = "nowhere"'))
    for value in ("atlantis", str(bad)):
        result = subprocess.run(
            [SCRAPY, "crawl", "articles", "-a", f"site={value}", "-s", f"NORTHNEWS_ARCHIVE_DIR={tmp_path}"],
            cwd=REPO, capture_output=True, text=True, timeout=120,
        )
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("scrapy crawl articles: error: -a site: "), lines
    assert not (tmp_path / "warc").exists()
