"""The archive end to end: ``scrapy crawl articles`` through ``http_proxy`` against a local
stand-in of the portal (gzip on the wire, repeated Set-Cookie, 503s, cut bodies), then replay."""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from base64 import b32encode
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from northnews.archive.cli import main as archive_main
from tests.mockserver import MockPortal, Served
from tests.warc_helpers import scan_file

REPO = Path(__file__).resolve().parent.parent
PORTAL = REPO / "tests" / "fixtures" / "portal"
BIN = Path(sys.executable).parent
# What every archive test gets on the wire: gzip-encoded bodies and two Set-Cookie headers.
NOISY = {"gzip": True, "cookies": True}
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO"]


@dataclass
class Crawl:
    returncode: int
    log: str
    items: list[dict]
    sent: list[Served]
    requests: list[str]


def crawl_cmd(archive: Path, out: Path, *args: str) -> list[str]:
    return [str(BIN / "scrapy"), "crawl", "articles", *args, "-O", str(out),
            "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}", *FAST]


def env_for(proxy: str | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    if proxy:
        env["http_proxy"] = env["https_proxy"] = proxy  # https too: never a direct connection
    env.update(extra)
    return env


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def crawl(server: MockPortal | None, archive: Path, out: Path, *args: str, **env: str) -> Crawl:
    before_sent = len(server.sent()) if server else 0
    before_req = len(server.requested_urls()) if server else 0
    proc = subprocess.run(
        crawl_cmd(archive, out, *args), cwd=REPO, env=env_for(server.proxy_url if server else None, **env),
        capture_output=True, text=True, timeout=300,
    )
    return Crawl(
        proc.returncode, proc.stderr, read_jsonl(out),
        server.sent()[before_sent:] if server else [], server.requested_urls()[before_req:] if server else [],
    )


def records(path: Path) -> Iterator[tuple[int, object, bytes]]:
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh)
        for rec in it:
            payload = rec.raw_stream.read()  # first: asking for the offset reads to the end
            yield it.get_record_offset(), rec, payload


def sha1_b32(hex_digest: str) -> str:
    return "sha1:" + b32encode(bytes.fromhex(hex_digest)).decode()


def warc_names(archive: Path) -> set[str]:
    return {p.name for p in (archive / "warc").glob("*.warc.gz*")}


PROVENANCE = ("fetched_at", "warc", "warc_missing_reason")  # where and when, not what


def no_project_items(items: list[dict]) -> list[dict]:
    """Items without provenance (theirs and their images'): what extraction found."""
    def strip(it: dict) -> dict:
        return {k: v for k, v in it.items() if k not in PROVENANCE}

    return sorted(({**strip(it), "images": [strip(im) for im in it.get("images", [])]} for it in items),
                  key=lambda it: it["url"])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """Crawl the fixture portal twice into one archive, then replay it with the server gone."""
    tmp = tmp_path_factory.mktemp("archive-e2e")
    archive = tmp / "archive"
    server = MockPortal(PORTAL, **NOISY).start()
    try:
        first = crawl(server, archive, tmp / "first.jsonl")
        files_after_first = warc_names(archive)
        # Same site, later run; refresh=30 re-fetches every article seen in the last 30 days.
        second = crawl(server, archive, tmp / "second.jsonl", "-a", "refresh=30")
    finally:
        server.stop()
    files_before_replay = {p.name: p.stat().st_size for p in (archive / "warc").glob("*")}
    guard_log = tmp / "netguard.log"
    replay = crawl(
        None, tmp / "replay-out", tmp / "replay.jsonl", "-a", f"replay={archive}",
        PYTHONPATH=str(REPO / "tests" / "netguard"), NORTHNEWS_NETGUARD_LOG=str(guard_log),
    )
    yield {
        "archive": archive, "first": first, "second": second, "replay": replay,
        "files_after_first": files_after_first, "files_before_replay": files_before_replay,
        "guard_log": guard_log, "tmp": tmp,
    }


def test_every_exchange_is_a_request_and_a_response_with_the_bytes_sent(site: dict) -> None:
    first: Crawl = site["first"]
    assert first.returncode == 0, first.log[-3000:]
    assert len(first.items) >= 40
    files = sorted(site["archive"] / "warc" / n for n in site["files_after_first"])
    responses, requests, unanswered, failures = {}, {}, set(), set()
    for path in files:
        for _, rec, payload in records(path):
            h = rec.rec_headers
            if rec.rec_type == "response":
                responses[h["WARC-Record-ID"]] = (h["WARC-Target-URI"], rec, payload)
            elif rec.rec_type == "request" and h["WARC-Concurrent-To"] is None:
                unanswered.add(h["WARC-Record-ID"])  # an attempt that got no answer …
            elif rec.rec_type == "request":
                requests[h["WARC-Concurrent-To"]] = rec
            elif rec.rec_type == "metadata":
                failures.add(h["WARC-Concurrent-To"])
    # … each with the metadata record naming its error (the fixture's one https image: the local
    # server cannot tunnel).
    assert unanswered == failures
    # One response per request the server answered, each paired with its request record.
    assert len(responses) == len(first.requests)
    assert sorted(u for u, _, _ in responses.values()) == sorted(first.requests)
    assert set(requests) == set(responses)
    sent = {(s.url, s.sha1) for s in first.sent}
    for rid, (url, rec, payload) in responses.items():
        # The payload is the body the server sent, byte for byte (gzip-encoded: as on the wire).
        assert (url, hashlib.sha1(payload).hexdigest()) in sent, url
        assert rec.http_headers["Content-Encoding"] == "gzip" or not payload
        cookies = [v for k, v in rec.http_headers.headers if k.lower() == "set-cookie"]
        assert len(cookies) == 2 and cookies[1] == "nn_pref=zh; Path=/; HttpOnly", url
        # Through http_proxy the socket's peer is the proxy, not the server: no WARC-IP-Address.
        assert rec.rec_headers["WARC-IP-Address"] is None
        req = requests[rid]
        assert req.http_headers["Host"] == url.split("/")[2]
        assert req.http_headers["User-Agent"].startswith("northnews/")
    robots = sorted(u for u, _, _ in responses.values() if u.endswith("/robots.txt"))
    hosts = sorted({u.split("/")[2] for u, _, _ in responses.values()})
    assert robots == [f"http://{host}/robots.txt" for host in hosts]  # one per host, archived too


def test_every_file_passes_both_checks_and_none_is_left_open(site: dict, capsys) -> None:
    archive = site["archive"]
    assert not list((archive / "warc").glob("*.open"))
    for path in (archive / "warc").glob("*.warc.gz"):
        proc = subprocess.run([str(BIN / "warcio"), "check", "-v", str(path)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout
        assert "digest pass" in proc.stdout
    assert archive_main(["-d", str(archive), "check"]) == 0, capsys.readouterr().out


def test_every_item_points_at_its_record(site: dict) -> None:
    archive = site["archive"]
    for crawl_ in (site["first"], site["second"]):
        assert crawl_.items
        for item in crawl_.items:
            ptr = item["warc"]
            assert set(ptr) == {"file", "offset", "record_id"}
            with open(archive / "warc" / ptr["file"], "rb") as fh:
                fh.seek(ptr["offset"])
                rec = next(iter(ArchiveIterator(fh)))
            assert rec.rec_headers["WARC-Record-ID"] == ptr["record_id"]
            assert rec.rec_type in ("response", "revisit")
            assert rec.rec_headers["WARC-Target-URI"] == item["url"]
            assert rec.rec_headers["WARC-Date"][:19] == item["fetched_at"][:19]


def test_second_crawl_of_an_unchanged_site_writes_revisits_not_bodies(site: dict) -> None:
    second: Crawl = site["second"]
    assert second.returncode == 0, second.log[-3000:]
    new = sorted(set(p.name for p in (site["archive"] / "warc").glob("*.warc.gz")) - site["files_after_first"])
    assert new
    kinds: dict[str, int] = {}
    sent = {(s.url, sha1_b32(s.sha1)) for s in second.sent}
    for name in new:
        for _, rec, payload in records(site["archive"] / "warc" / name):
            answered = rec.rec_type != "request" or rec.rec_headers["WARC-Concurrent-To"] is not None
            kinds[rec.rec_type if answered else "unanswered"] = kinds.get(rec.rec_type if answered else "unanswered", 0) + 1
            if rec.rec_type == "revisit":
                h = rec.rec_headers
                assert payload == b""
                assert (h["WARC-Target-URI"], h["WARC-Payload-Digest"]) in sent
                assert h["WARC-Refers-To-Date"] < h["WARC-Date"]
    assert kinds.get("response", 0) == 0
    assert kinds["revisit"] == kinds["request"] == len(second.requests)
    assert kinds.get("unanswered", 0) == kinds.get("metadata", 0)  # attempts without an answer
    assert len(second.items) == len(site["first"].items)  # every article re-fetched


def test_replay_from_the_archive_gives_the_same_items_without_network(site: dict) -> None:
    replay: Crawl = site["replay"]
    assert replay.returncode == 0, replay.log[-3000:]
    assert no_project_items(replay.items) == no_project_items(site["first"].items)
    # Provenance in replay is the original capture (the latest: the second crawl's revisits).
    second = {it["url"]: it for it in site["second"].items}
    for item in replay.items:
        assert item["warc"] == second[item["url"]]["warc"]
        assert item["fetched_at"] == second[item["url"]]["fetched_at"]
    # No socket, no DNS; no new WARC anywhere.
    assert not site["guard_log"].exists() or site["guard_log"].read_text() == ""
    assert not (site["tmp"] / "replay-out" / "warc").exists()
    assert {p.name: p.stat().st_size for p in (site["archive"] / "warc").glob("*")} == site["files_before_replay"]


def test_cdxj_indexer_indexes_every_file_and_lists_every_article(site: dict) -> None:
    files = sorted((site["archive"] / "warc").glob("*.warc.gz"))
    proc = subprocess.run([str(BIN / "cdxj-indexer"), *map(str, files)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line.split(" ", 2)[2]) for line in proc.stdout.splitlines()]
    assert {entry["filename"] for entry in lines} == {f.name for f in files}
    indexed = {entry["url"] for entry in lines}
    assert {item["url"] for item in site["first"].items} <= indexed
    ours = set()
    for f in files:
        ours |= set(f.with_name(f.name.replace(".warc.gz", ".cdxj")).read_text().splitlines())
    assert ours == set(proc.stdout.splitlines())


def test_noisy_site_503s_cut_bodies_and_chunking(tmp_path: Path, capsys) -> None:
    """The held-out conditions: a proxy that gzips, chunks, answers 503 and cuts bodies."""
    def every_fifth(url: str) -> bool:
        return int(hashlib.md5(url.encode()).hexdigest(), 16) % 5 == 0

    def every_seventh(url: str) -> bool:
        return int(hashlib.sha1(url.encode()).hexdigest(), 16) % 7 == 0

    archive = tmp_path / "archive"
    with MockPortal(PORTAL, **NOISY, chunked=True, fail_first=every_fifth, truncate_first=every_seventh) as server:
        result = crawl(server, archive, tmp_path / "items.jsonl")
    assert result.returncode == 0, result.log[-3000:]
    assert len(result.items) >= 40
    assert any(s.status == 503 for s in result.sent)
    assert any(every_seventh(u) and result.requests.count(u) > 1 for u in result.requests)

    # Zero check failures (warcio's and ours), zero .open files, every item linked to its record.
    assert not list((archive / "warc").glob("*.open"))
    for path in (archive / "warc").glob("*.warc.gz"):
        assert subprocess.run([str(BIN / "warcio"), "check", str(path)], capture_output=True).returncode == 0
    assert archive_main(["-d", str(archive), "check"]) == 0, capsys.readouterr().out
    statuses = {}
    for path in (archive / "warc").glob("*.warc.gz"):
        for _off, rec, _payload in records(path):
            if rec.rec_type in ("response", "revisit"):
                statuses.setdefault(rec.rec_headers["WARC-Target-URI"], []).append(int(rec.http_headers.get_statuscode()))
            if rec.rec_type == "response":
                assert "Transfer-Encoding" not in rec.http_headers  # de-chunked body, no chunked claim
    for u in {s.url for s in result.sent if s.status == 503}:
        assert statuses[u][0] == 503 and statuses[u][-1] != 503  # the 503 is archived, then the retry's answer
    for item in result.items:
        ptr = item["warc"]
        with open(archive / "warc" / ptr["file"], "rb") as fh:
            fh.seek(ptr["offset"])
            rec = next(iter(ArchiveIterator(fh)))
        assert rec.rec_headers["WARC-Record-ID"] == ptr["record_id"]
        assert rec.http_headers.get_statuscode() == "200"

    # Never fetched: /search/, other sites, attachments (images and CSS only as page requisites,
    # on the profile's hosts: their own tests hold them to their rules).
    for url in result.requests:
        host = url.split("/")[2]
        assert host in ("www.northnews.cn", "english.northnews.cn", "upload.northnews.cn"), url
        assert "/search/" not in url and not url.lower().endswith((".pdf", ".doc", ".zip")), url


def test_crawl_killed_with_sigkill_leaves_records_that_read_back(tmp_path: Path, capsys) -> None:
    archive = tmp_path / "archive"
    with MockPortal(PORTAL, **NOISY, delay=0.2) as server:
        proc = subprocess.Popen(
            crawl_cmd(archive, tmp_path / "items.jsonl"), cwd=REPO, env=env_for(server.proxy_url),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                open_files = list((archive / "warc").glob("*.open")) if (archive / "warc").exists() else []
                if open_files and len(scan_file(open_files[0]).records) >= 21:
                    break
                assert proc.poll() is None, "the crawl ended before it could be killed"
                time.sleep(0.05)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    [open_file] = list((archive / "warc").glob("*.open"))
    scan = scan_file(open_file)
    assert len(scan.records) >= 21
    if scan.error:  # a kill inside a write: only the last member is cut
        assert scan.error_offset == scan.good_end
    it = ArchiveIterator(io.BytesIO(open_file.read_bytes()[: scan.good_end]), check_digests=True)
    read = 0
    for rec in it:
        rec.content_stream().read()
        assert rec.digest_checker.passed is not False
        read += 1
    assert read == len(scan.records)
    # The next run's first step (northnews-cron calls the same code) makes the archive sound.
    assert archive_main(["-d", str(archive), "check", "--recover"]) == 0, capsys.readouterr().out
    assert not list((archive / "warc").glob("*.open"))
