"""Helpers for the fleet tests and benchmark: one local server for several portals, workers as
subprocesses (``northnews-fleet worker``), the job table and the store read with plain SQL."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

from tests.conftest import FIXTURES, PORTAL, REPO

FLEET = Path(sys.executable).parent / "northnews-fleet"
YUNHE = FIXTURES / "sites" / "yunhe" / "mirror"
#: Test speed: no politeness delay, and the fleet's timings shortened (heartbeat, stalled, retry).
FAST_SETTINGS = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "LOG_LEVEL=INFO"]
#: How long a crawl's first request may be held by a :class:`Rendezvous` before it gives up and
#: says so (generous: two crawls starting on a loaded machine), and a download timeout above it, so
#: that the crawl waits for the held answer instead of retrying.
RENDEZVOUS_TIMEOUT = 300.0
RENDEZVOUS_SETTINGS = [f"DOWNLOAD_TIMEOUT={int(RENDEZVOUS_TIMEOUT * 2)}"]


class Rendezvous:
    """Proof that crawls ran at the same time, with no clock: the local server (as its ``override``)
    holds the first request of each party (a site) until every party has sent one.

    When every party's first request was held until all had arrived, answered, and asked for only
    once (its crawl did not give up on it and retry: :meth:`check`), each crawl was waiting on that
    answer while every other crawl sent its first request, so the crawls overlapped. Crawls run one
    after the other never meet: the first waits ``timeout`` seconds, then its request is answered and
    the rendezvous is marked broken, and :meth:`check` fails naming who came and who did not.
    """

    def __init__(self, parties: list[str], party_of: Callable[[str], str | None],
                 timeout: float = RENDEZVOUS_TIMEOUT) -> None:
        self.party_of = party_of
        self.timeout = timeout
        self.arrived = {party: threading.Event() for party in parties}
        self.held: dict[str, str] = {}  # party -> the URL of its first request
        self.broken: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, url: str) -> None:
        """MockPortal's ``override``: waits (in the server's thread for this request), then lets the
        usual answer go out (returns None)."""
        party = self.party_of(url)
        if party not in self.arrived:
            return None
        with self.lock:
            if party in self.held:
                return None  # not its first request
            self.held[party] = url
        self.arrived[party].set()
        for other, event in self.arrived.items():
            if not event.wait(self.timeout):
                with self.lock:
                    self.broken.append(f"{party} waited {self.timeout:g} s at {url} for {other}, which never came")
                return None
        return None

    def check(self, answered: list[str]) -> None:
        """Every party met the others, and its held request was answered once (``answered``: the
        URLs the server answered while the rendezvous was on)."""
        assert not self.broken, self.broken
        assert set(self.held) == set(self.arrived), f"first requests seen from {sorted(self.held)} only"
        for party, url in self.held.items():
            assert answered.count(url) == 1, f"{party}'s held request {url} answered {answered.count(url)} times"


def two_portals(tmp_path: Path) -> Path:
    """One server root holding both portals' host folders (northnews.cn and yunhe)."""
    root = tmp_path / "portals"
    shutil.copytree(PORTAL, root)
    shutil.copytree(YUNHE, root, dirs_exist_ok=True)
    return root


def start_worker(url: str, name: str, root: Path, proxy: str, log: Path, *, settings: list[str] = FAST_SETTINGS,
                 concurrency: int = 1, schedules: list[str] = ()) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["http_proxy"] = env["https_proxy"] = proxy
    env["PYTHONPATH"] = str(REPO)
    argv = [str(FLEET), "--store", url, "worker", "--name", name, "--archive-root", str(root),
            "--concurrency", str(concurrency), "--heartbeat", "1", "--stalled-after", "4",
            "--retry-stalled-cron", "* * * * * */2", "--retry-wait", "1"]
    for value in settings:
        argv += ["-s", value]
    for value in schedules:
        argv += ["--schedule", value]
    out = open(log, "wb")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(argv, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def fleet(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(FLEET), "--store", url, *args], cwd=REPO, capture_output=True, text=True, timeout=60)


def sql(url: str, query: str, *params: object) -> list[tuple]:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(query, params or None).fetchall()


def live_workers(url: str) -> int:
    try:
        return sql(url, "SELECT count(*) FROM procrastinate_workers")[0][0]
    except psycopg.errors.UndefinedTable:
        return 0


def jobs(url: str) -> list[tuple]:
    """(id, task, site, status, worker_id, attempts) of every crawl job, in order."""
    return sql(url, "SELECT id, task_name, args->>'site', status::text, worker_id, attempts FROM procrastinate_jobs"
                    " WHERE task_name LIKE 'northnews_%crawl' ORDER BY id")


def wait_for(predicate, timeout: float = 240.0, every: float = 0.2, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        time.sleep(every)


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children first found, grandchildren after)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def kill_tree(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL a worker and everything it started, at once: a machine dying under it."""
    pids = [proc.pid, *descendants(proc.pid)]
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait(timeout=30)


def stop(proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_tree(proc)
