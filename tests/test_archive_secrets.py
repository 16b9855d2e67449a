"""Secrets never reach the archive, and a plain ``scrapy crawl`` after a kill makes its WARCs whole."""

from __future__ import annotations

import base64
import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse

from northnews.archive.http import request_http_headers
from tests.conftest import PORTAL, REPO, run_crawl
from tests.mockserver import MockPortal
from tests.opskit import run_cron

SECRETS = ("sid=S3CR3T-COOKIE", "S3CR3T-BEARER", "S3CR3T-TOKEN", "S3CR3T-PASS")
HEADERS = {"Cookie": SECRETS[0], "Authorization": f"Bearer {SECRETS[1]}", "X-Api-Token": SECRETS[2]}


def test_request_records_keep_header_names_and_drop_secret_values() -> None:
    request = Request("http://www.northnews.cn/", headers={**HEADERS, "Accept": "text/html"})
    response = HtmlResponse("http://www.northnews.cn/", body=b"", request=request)
    raw = request_http_headers(request, response, ["x-api-token"]).headers
    sent = {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v) for k, v in raw}
    assert sent["Cookie"] == "[redacted]"
    assert sent["Authorization"] == "Bearer [redacted]"  # the scheme is no secret
    assert sent["X-Api-Token"] == "[redacted]"
    assert sent["Accept"] == "text/html"


def every_text(root: Path) -> str:
    """Every file under ``root`` as text, gzip members decompressed (WARCs, logs, manifests, store)."""
    out = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.name.endswith(".gz"):
            data = gzip.decompress(data)
        out.append(data.decode("utf-8", "replace"))
    return "\n".join(out)


@pytest.mark.slow
def test_no_secret_in_any_file_of_a_cron_run(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    with MockPortal(PORTAL) as server:
        result = run_cron(
            archive,
            "-s", "DEFAULT_REQUEST_HEADERS=" + json.dumps(HEADERS),
            "-s", "NORTHNEWS_REDACT_HEADERS=X-Api-Token",
            proxy=server.proxy_url.replace("http://", f"http://user:{SECRETS[3]}@"),
        )
    assert result.returncode == 0, result.stdout + result.stderr
    text = every_text(archive)
    assert "[redacted]" in text  # the records say a secret was sent…
    proxy_auth = base64.b64encode(f"user:{SECRETS[3]}".encode()).decode()
    for secret in (*SECRETS, proxy_auth):
        assert secret not in text, secret  # …but never what it was


@pytest.mark.slow
def test_a_plain_crawl_after_a_kill_recovers_the_open_warc_first(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    with MockPortal(PORTAL) as server:
        first = run_crawl(archive, "-a", "editions=en", env={"http_proxy": server.proxy_url})
        assert first.returncode == 0, first.stderr[-2000:]
        warc = next((archive / "warc").glob("*.warc.gz"))
        # What a kill leaves: the file still .open, its last record cut in half, no index.
        cut = warc.with_name(warc.name.replace(".warc.gz", "-killed.warc.gz") + ".open")
        data = warc.read_bytes()
        cut.write_bytes(data[: len(data) - 700])
        second = run_crawl(archive, "-a", "editions=en", env={"http_proxy": server.proxy_url})
    assert second.returncode == 0, second.stderr[-2000:]
    assert "WARC left by an earlier crawl" in second.stderr
    assert not list((archive / "warc").glob("*.open"))
    check = subprocess.run([str(Path(sys.executable).parent / "northnews-archive"), "-d", str(archive), "check"],
                           cwd=REPO, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    for warc in (archive / "warc").glob("*.warc.gz"):  # metadata records leave the index as cdxj-indexer leaves it
        theirs = subprocess.run([str(Path(sys.executable).parent / "cdxj-indexer"), str(warc)], cwd=warc.parent,
                                capture_output=True, text=True, check=True).stdout.splitlines()
        ours = warc.with_name(warc.name[: -len(".warc.gz")] + ".cdxj").read_text(encoding="utf-8").splitlines()
        assert sorted(ours) == sorted(theirs)
    shutil.rmtree(archive)


@pytest.mark.slow
def test_a_fetch_without_an_answer_leaves_its_request_and_the_error(tmp_path: Path) -> None:
    from warcio.archiveiterator import ArchiveIterator

    from tests.faultserver import FaultPortal

    archive = tmp_path / "archive"
    url = "http://english.northnews.cn/2015/0915/90088.shtml"
    with FaultPortal(PORTAL) as server:
        server.fault(url, "reset")
        result = run_crawl(archive, "-a", "editions=en", "-s", "RETRY_TIMES=1", env={"http_proxy": server.proxy_url})
    assert result.returncode == 0, result.stderr[-2000:]
    errors, requests = [], 0
    for warc in sorted((archive / "warc").glob("*.warc.gz")):
        with open(warc, "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_headers.get_header("WARC-Target-URI") != url:
                    continue
                if record.rec_type == "metadata":
                    assert record.rec_headers.get_header("Content-Type") == "application/warc-fields"
                    errors.append(record.content_stream().read().decode())
                elif record.rec_type == "request":
                    requests += 1
    assert len(errors) == 2, errors  # the attempt and its one retry
    assert all("fetchError: " in e for e in errors) and "attempt: 2" in errors[1]
    assert requests == 2
    check = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check", *map(str, (archive / "warc").glob("*.warc.gz"))],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    for warc in (archive / "warc").glob("*.warc.gz"):  # metadata records leave the index as cdxj-indexer leaves it
        theirs = subprocess.run([str(Path(sys.executable).parent / "cdxj-indexer"), str(warc)], cwd=warc.parent,
                                capture_output=True, text=True, check=True).stdout.splitlines()
        ours = warc.with_name(warc.name[: -len(".warc.gz")] + ".cdxj").read_text(encoding="utf-8").splitlines()
        assert sorted(ours) == sorted(theirs)
