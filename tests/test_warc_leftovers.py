"""One warning per WARC file a crawl actually repaired or recovered at start, none for sound files.

Each run used to warn "WARC left by an earlier crawl: … nothing to do" once per existing WARC, so
the noise grew with the archive.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import PORTAL, run_crawl
from tests.mockserver import MockPortal

pytestmark = pytest.mark.slow


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "WARNING" in line and ("WARC" in line or "Recovered" in line)]


def test_sound_warcs_are_not_mentioned_and_a_recovered_one_once(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    with MockPortal(PORTAL) as server:
        env = {"http_proxy": server.proxy_url}
        for _ in range(3):  # three sound, indexed WARC files
            run = run_crawl(archive, "-a", "editions=en", "-s", "NORTHNEWS_INCREMENTAL=False", env=env)
            assert run.returncode == 0, run.stderr[-2000:]
        assert len(list((archive / "warc").glob("*.warc.gz"))) >= 3
        quiet = run_crawl(archive, "-a", "editions=en", env=env)
        assert quiet.returncode == 0
        assert warnings(quiet.stderr) == [] and "nothing to do" not in quiet.stderr
        # A kill's leftover: one .open file, its last record cut.
        warc = sorted((archive / "warc").glob("*.warc.gz"))[0]
        data = warc.read_bytes()
        warc.with_name(warc.name.replace(".warc.gz", "-killed.warc.gz") + ".open").write_bytes(data[: len(data) - 700])
        after = run_crawl(archive, "-a", "editions=en", env=env)
    assert after.returncode == 0
    found = warnings(after.stderr)
    assert len(found) == 1 and "-killed.warc.gz" in found[0] and "Recovered" in found[0], found
    assert "nothing to do" not in after.stderr
