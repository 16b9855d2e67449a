"""Secrets never written down: header values, URL credentials, command lines (northnews.util.redact)."""

from __future__ import annotations

import json

from northnews.util.redact import (
    REDACTED,
    Redactor,
    is_sensitive_header,
    redact_command,
    redact_headers,
    redact_text,
    redact_url,
    secrets_of_command,
    secrets_of_headers,
)

HEADERS = json.dumps({"Authorization": "Bearer s3cr3t-t0ken-value", "Cookie": "sid=abcdef123456; pref=zh",
                      "Accept-Language": "zh-CN", "X-Api-Key": "k-987654321"})


def test_request_headers_keep_their_names_and_lose_sensitive_values() -> None:
    pairs = [("Host", "www.northnews.cn"), ("Cookie", "sid=1"), ("authorization", "Basic dXNlcjpwYXNz"),
             ("Proxy-Authorization", "Basic cHJveHk6cHc="), ("X-Token", "abc"), ("Accept", "text/html")]
    assert redact_headers(pairs, extra=["x-token"]) == [
        ("Host", "www.northnews.cn"), ("Cookie", REDACTED), ("authorization", REDACTED),
        ("Proxy-Authorization", REDACTED), ("X-Token", REDACTED), ("Accept", "text/html"),
    ]
    assert is_sensitive_header(b"COOKIE") and is_sensitive_header("X-Token", ["X-TOKEN"])
    assert not is_sensitive_header("Accept")


def test_url_credentials_and_secret_parameters() -> None:
    assert redact_url("http://user:pa55@proxy.example:3128/") == f"http://{REDACTED}@proxy.example:3128/"
    assert redact_url("http://www.northnews.cn/a.shtml?from=rss") == "http://www.northnews.cn/a.shtml?from=rss"
    assert redact_url("https://x.example/feed?access_token=zzz&page=2") == f"https://x.example/feed?access_token={REDACTED}&page=2"
    assert redact_text("proxy http://u:p4ss@10.0.0.1:8080 failed") == f"proxy http://{REDACTED}@10.0.0.1:8080 failed"


def test_command_line_redacted_in_every_spelling() -> None:
    argv = ["scrapy", "crawl", "articles", "-s", f"DEFAULT_REQUEST_HEADERS={HEADERS}",
            "--set=HTTPPROXY_PASSWORD=hunter22", "-sNORTHNEWS_WARC_OPERATOR=me@example.org",
            "-a", "refresh=2", "-s", "HTTP_PROXY=http://bob:b0bpass@proxy:3128"]
    safe = redact_command(argv)
    assert len(safe) == len(argv)
    text = " ".join(safe)
    for secret in ("s3cr3t-t0ken-value", "abcdef123456", "k-987654321", "hunter22", "b0bpass"):
        assert secret not in text
    headers = json.loads(safe[4].partition("=")[2])
    assert headers == {"Authorization": REDACTED, "Cookie": REDACTED, "Accept-Language": "zh-CN", "X-Api-Key": REDACTED}
    assert "-sNORTHNEWS_WARC_OPERATOR=me@example.org" in safe and "refresh=2" in safe
    assert set(secrets_of_command(argv)) >= {"Bearer s3cr3t-t0ken-value", "hunter22", "bob:b0bpass", "k-987654321"}


def test_a_header_setting_that_is_not_json_is_redacted_whole() -> None:
    assert redact_command(["-s", "DEFAULT_REQUEST_HEADERS=Cookie: x=1"]) == ["-s", f"DEFAULT_REQUEST_HEADERS={REDACTED}"]


def test_redactor_finds_secrets_quoted_anywhere() -> None:
    argv = ["-s", f"DEFAULT_REQUEST_HEADERS={HEADERS}"]
    redact = Redactor(secrets_of_command(argv))
    line = "Overridden settings: {'DEFAULT_REQUEST_HEADERS': {'Authorization': 'Bearer s3cr3t-t0ken-value', 'Cookie': 'sid=abcdef123456; pref=zh'}}"
    out = redact(line)
    assert "s3cr3t" not in out and "abcdef123456" not in out and out.count(REDACTED) == 2
    assert redact("token s3cr3t-t0ken-value alone") == f"token {REDACTED} alone"  # the part after "Bearer"
    assert not Redactor([]) and Redactor([])("plain http://u:pw@h/") == f"plain http://{REDACTED}@h/"
    assert secrets_of_headers({"Cookie": "sid=abcdef", "Accept": "text/html"}) == ["sid=abcdef"]


def test_the_crawl_log_never_shows_a_secret_of_the_command(caplog) -> None:
    import logging

    from scrapy.settings import Settings

    from northnews.util import logredact

    argv = ["scrapy", "crawl", "articles", "-s", 'DEFAULT_REQUEST_HEADERS={"Authorization": "Bearer tok-0123456789"}']
    settings = Settings({"DEFAULT_REQUEST_HEADERS": {"Cookie": "sid=cookie-0123456789"}})
    redact = logredact.redactor_for(settings, argv)
    assert redact("sent Bearer tok-0123456789 and sid=cookie-0123456789") == f"sent {REDACTED} and {REDACTED}"
    previous = logging.getLogRecordFactory()
    try:
        logredact._installed = None
        logredact.install_log_redaction(settings, argv)
        with caplog.at_level(logging.INFO):
            logging.getLogger("northnews.test").info("headers %s", {"Authorization": "Bearer tok-0123456789"})
        assert "tok-0123456789" not in caplog.text and REDACTED in caplog.text
    finally:
        logging.setLogRecordFactory(previous)
        logredact._installed = None
