"""The one URL key (northnews.util.urls.url_key): two spellings of one URL, one capture target."""

from __future__ import annotations

from northnews.util.urls import url_key


def test_scheme_case_default_port_trailing_dot_and_fragment_do_not_count() -> None:
    key = "www.northnews.cn/2015/0915/2049381.shtml"
    for url in (
        "http://www.northnews.cn/2015/0915/2049381.shtml",
        "https://www.northnews.cn/2015/0915/2049381.shtml",
        "HTTP://WWW.NorthNews.CN:80/2015/0915/2049381.shtml",
        "https://www.northnews.cn.:443/2015/0915/2049381.shtml#comments",
        "  http://www.northnews.cn/2015/0915/2049381.shtml\n",
    ):
        assert url_key(url) == key, url


def test_path_case_query_and_other_ports_count() -> None:
    assert url_key("http://a.example/A.html") != url_key("http://a.example/a.html")
    assert url_key("http://a.example/show.php?id=2") == "a.example/show.php?id=2"
    assert url_key("http://a.example/show.php?id=2") != url_key("http://a.example/show.php?id=3")
    assert url_key("http://a.example:8080/x") == "a.example:8080/x"
    assert url_key("https://a.example:80/x") == "a.example:80/x"  # 80 is not https's default


def test_an_empty_path_is_the_root_and_a_bad_port_keeps_the_netloc() -> None:
    assert url_key("http://a.example") == "a.example/"
    assert url_key("http://A.example:abc/x") == "a.example:abc/x"
