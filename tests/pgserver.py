"""A real PostgreSQL server for the tests: a throw-away cluster, started and stopped by the session.

Debian's PostgreSQL (``.ci/run`` installs ``postgresql-15`` when missing) refuses to run as root,
so as root the cluster is made and run through the ``postgres`` user (``runuser -u postgres --
initdb``, ``pg_ctl``), listening on 127.0.0.1 and a socket in its own directory only. Where no
server can start (no binaries, no ``postgres`` user), the tests that need one skip and say why.

The ``postgres`` fixture is session-wide (one cluster, ~1 s to start); ``pg_url`` gives each test a
fresh database of its own.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: p.parent.name, reverse=True)
_counter = itertools.count()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.port = _free_port()
        self.bin = next((d for d in BIN_DIRS if (d / "initdb").exists()), None)
        self.as_root = os.geteuid() == 0

    def _run(self, *cmd: str) -> subprocess.CompletedProcess[str]:
        argv = ["runuser", "-u", "postgres", "--", *cmd] if self.as_root else list(cmd)
        return subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=self.root)

    def start(self) -> None:
        if self.bin is None:
            raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql (.ci/run installs postgresql-15)")
        if self.as_root:
            if shutil.which("runuser") is None:
                raise RuntimeError("running as root without runuser: cannot start PostgreSQL as its own user")
            try:
                shutil.chown(self.root, user="postgres")
            except (LookupError, OSError) as exc:
                raise RuntimeError(f"no postgres user to run the server as ({exc})") from None
        init = self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                         "-E", "UTF8", "--locale", "C.UTF-8")
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed: {init.stderr.strip()[-500:]}")
        opts = f"-k {self.root} -h 127.0.0.1 -p {self.port} -c fsync=off -c max_connections=200"
        started = self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", opts,
                            "-l", str(self.root / "server.log"), "-w", "-t", "60", "start")
        if started.returncode != 0:
            log = (self.root / "server.log").read_text(errors="replace")[-800:] if (self.root / "server.log").exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {started.stderr.strip()[-300:]} {log}")

    def stop(self) -> None:
        if self.bin is not None and self.data.exists():
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str | None = None) -> str:
        import psycopg

        name = name or f"t{os.getpid()}_{next(_counter)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PgCluster]:
    root = Path(tempfile.mkdtemp(prefix="northnews-pg-"))
    root.chmod(0o755)
    cluster = PgCluster(root)
    try:
        cluster.start()
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"no PostgreSQL server could start: {exc}")
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(postgres: PgCluster) -> str:
    """A fresh, empty database on the session's server."""
    return postgres.create_database()
