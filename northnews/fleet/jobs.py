"""The fleet's jobs, registered on a procrastinate :class:`~procrastinate.App` (see the package doc).

Every job runs a documented command in a child process (``northnews-cron`` for crawls and
backfills, ``northnews-archive extract --store`` for re-extraction), so a job is exactly what an
operator would type, with its manifest, lock, recovery and exit codes; the child dies with the
worker (``PR_SET_PDEATHSIG``), so a killed worker leaves no crawl behind it that could race the job's
retry on another worker.

Locks (procrastinate's, in the database): ``lock`` ``northnews-site:<site>`` — one job of a site
runs at a time in the whole fleet (politeness is per host; the archive of a site has one writer);
``queueing_lock`` ``northnews-crawl:<site>`` — at most one crawl of a site waits, so a schedule
never piles up behind a slow crawl.

Retries: an exit code that says "interrupted, resume later" (killed, terminated, locked, a full
disk, the site unreachable) raises :class:`Interrupted`, retried ``RETRY_ATTEMPTS`` times
``RETRY_WAIT`` seconds apart; a usage error or a run over the error rate raises :class:`Failed`,
not retried (someone must look). A worker that dies sends no more heartbeats: the periodic
``retry_stalled`` job (run by whichever worker is alive) puts its jobs back in the queue.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import os
import signal
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import procrastinate

from northnews.ops.manifest import (
    EXIT_CRASHED,
    EXIT_LAYOUT_DRIFT,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_TERMINATED,
    EXIT_UNREACHABLE,
    EXIT_WRITE_ERROR,
    STATUS_BY_CODE,
)

logger = logging.getLogger(__name__)

CRAWL_TASK = "northnews_crawl"
SCHEDULED_TASK = "northnews_scheduled_crawl"
REEXTRACT_TASK = "northnews_reextract"
RETRY_STALLED_TASK = "northnews_retry_stalled"
#: Exit codes of northnews-cron after which the job is retried (the next run resumes the site).
RETRYABLE = frozenset({EXIT_LOCKED, EXIT_CRASHED, EXIT_TERMINATED, EXIT_WRITE_ERROR, EXIT_UNREACHABLE})
DONE = frozenset({EXIT_OK, EXIT_LAYOUT_DRIFT})
RETRY_ATTEMPTS = 10
RETRY_WAIT = 60
JOB_HISTORY_HOURS = 24 * 7
BIN = Path(sys.executable).parent


class Interrupted(Exception):
    """The job stopped before its end; retried (the next attempt resumes from the store)."""


class Failed(Exception):
    """The job ran and failed in a way a retry does not mend (usage error, error rate)."""


def site_lock(site: str) -> str:
    return f"northnews-site:{site}"


def crawl_queueing_lock(site: str) -> str:
    return f"northnews-crawl:{site}"


@dataclass
class WorkerConfig:
    """What a worker's jobs need: the store, its name, where its sites' archives are."""

    store_url: str
    name: str
    archive_root: Path
    #: ``NAME=VALUE`` settings given to every crawl of this worker (``-s``).
    settings: list[str] = field(default_factory=list)

    def archive(self, site: str) -> Path:
        return self.archive_root / site_name(site)


def site_name(site: str) -> str:
    """A site's archive dir and WARC prefix: its profile name, or a profile file's stem."""
    return Path(site).stem if site.endswith(".toml") else site


def default_worker_name() -> str:
    """``<host>_<pid>``: unique among the workers alive on one machine."""
    host = socket.gethostname().split(".")[0].replace("-", "_") or "host"
    return f"{host}_{os.getpid()}"


def _die_with_parent() -> None:  # in the child, between fork and exec
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the stalled-job retry waits for the lock instead
        pass


def crawl_command(cfg: WorkerConfig, site: str, args: dict[str, str]) -> list[str]:
    cron = BIN / "northnews-cron"
    base = [str(cron)] if cron.exists() else [sys.executable, "-m", "northnews.ops.cron"]
    spider_args = [x for name, value in args.items() for x in ("-a", f"{name}={value}")]
    settings = [x for value in cfg.settings for x in ("-s", value)]
    return [
        *base, "-a", f"site={site}", *spider_args, *settings,
        "-s", f"NORTHNEWS_ARCHIVE_DIR={cfg.archive(site)}",
        "-s", f"NORTHNEWS_STORE_URL={cfg.store_url}",
        "-s", f"NORTHNEWS_WORKER={cfg.name}",
        # The site in every file name: the fleet's manifest says whose each file is.
        "-s", f"NORTHNEWS_WARC_PREFIX={site_name(site)}",
    ]


async def _run(argv: list[str], cwd: Path | None = None) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        preexec_fn=_die_with_parent, cwd=cwd,
    )
    try:
        out, _ = await proc.communicate()
    except asyncio.CancelledError:  # the worker is shutting down: stop the child cleanly
        proc.send_signal(signal.SIGTERM)
        await proc.wait()
        raise
    return proc.returncode if proc.returncode is not None else -1, out.decode("utf-8", "replace").strip()


async def run_crawl(cfg: WorkerConfig, site: str, args: dict[str, str] | None = None) -> dict[str, Any]:
    """One ``northnews-cron`` run of ``site`` into ``<archive root>/<site>``; raises on failure."""
    cfg.archive(site).mkdir(parents=True, exist_ok=True)
    code, out = await _run(crawl_command(cfg, site, dict(args or {})))
    status = STATUS_BY_CODE.get(code, f"exit {code}")
    last = out.splitlines()[-1] if out else ""
    logger.info("worker %s: crawl of %s ended %s: %s", cfg.name, site, status, last)
    if code in DONE:
        return {"site": site, "worker": cfg.name, "exit_code": code, "status": status, "summary": last}
    if code in RETRYABLE or code < 0:
        raise Interrupted(f"crawl of {site} on {cfg.name}: {status}: {last}")
    raise Failed(f"crawl of {site} on {cfg.name}: {status}: {last}")


async def run_reextract(cfg: WorkerConfig, site: str, file: str) -> dict[str, Any]:
    """``northnews-archive extract --store`` of one WARC file of ``site`` (a name in the manifest)."""
    archive = cfg.archive(site)
    path = archive / "warc" / file
    if not path.is_file():
        raise Failed(f"{file}: not under {archive}/warc on worker {cfg.name} (is the archive root shared?)")
    out_dir = archive / "extract"
    out_dir.mkdir(exist_ok=True)
    tool = BIN / "northnews-archive"
    base = [str(tool)] if tool.exists() else [sys.executable, "-m", "northnews.ops.archive_cli"]
    code, out = await _run([*base, "-d", str(archive), "extract", str(path), "--site", site, "--store",
                            "--store-url", cfg.store_url, "-o", str(out_dir / (file + ".jsonl"))])
    if code == 3:
        raise Interrupted(f"re-extraction of {file}: the archive of {site} is locked: {out[-300:]}")
    if code != 0:
        raise Failed(f"re-extraction of {file} exited {code}: {out[-500:]}")
    return {"site": site, "file": file, "worker": cfg.name, "summary": out.splitlines()[0] if out else ""}


def _config(context: procrastinate.JobContext) -> WorkerConfig:
    cfg: WorkerConfig = context.additional_context["northnews"]
    return cfg


def make_app(
    store_url: str,
    *,
    schedules: dict[str, str] | None = None,
    stalled_after: float = 60.0,
    retry_stalled_cron: str = "* * * * * */20",
    retry_wait: int = RETRY_WAIT,
) -> procrastinate.App:
    """The fleet's procrastinate app on ``store_url``: its tasks, each site's schedule (a cron
    line; seconds as an optional 6th field, last), and the job that re-queues stalled jobs."""
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=store_url))
    retry = procrastinate.RetryStrategy(max_attempts=RETRY_ATTEMPTS, wait=retry_wait, retry_exceptions={Interrupted})

    @app.task(name=CRAWL_TASK, pass_context=True, retry=retry)
    async def crawl(context: procrastinate.JobContext, site: str, args: dict[str, str] | None = None) -> dict[str, Any]:
        return await run_crawl(_config(context), site, args)

    @app.task(name=SCHEDULED_TASK, pass_context=True, retry=retry)
    async def scheduled_crawl(context: procrastinate.JobContext, timestamp: int, site: str) -> dict[str, Any]:
        return await run_crawl(_config(context), site)

    for site, cron in (schedules or {}).items():
        app.periodic(cron=cron, periodic_id=site, task_kwargs={"site": site}, lock=site_lock(site),
                     queueing_lock=crawl_queueing_lock(site))(scheduled_crawl)

    @app.task(name=REEXTRACT_TASK, pass_context=True, retry=retry)
    async def reextract(context: procrastinate.JobContext, site: str, file: str) -> dict[str, Any]:
        return await run_reextract(_config(context), site, file)

    @app.periodic(cron=retry_stalled_cron)
    @app.task(name=RETRY_STALLED_TASK, pass_context=True)
    async def retry_stalled(context: procrastinate.JobContext, timestamp: int) -> list[int]:
        """Jobs of workers silent for ``stalled_after`` seconds, back in the queue."""
        manager = context.app.job_manager
        jobs = list(await manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after))
        for job in jobs:
            logger.warning("job %s (%s %s) was running on a worker that stopped: queued again",
                           job.id, job.task_name, job.task_kwargs)
            await manager.retry_job(job)
        # Finished jobs are kept a week (`northnews-fleet jobs`); the runs' own record is the store's.
        await manager.delete_old_jobs(nb_hours=JOB_HISTORY_HOURS)
        return [job.id for job in jobs if job.id is not None]

    return app


def defer_crawl(app: procrastinate.App, site: str, args: dict[str, str] | None = None) -> int | None:
    """Queue a crawl (or, with ``args``, a backfill) of ``site``; ``None`` when one already waits."""
    # A backfill waits beside a scheduled crawl; two plain crawls do not (None: the task's default).
    queueing_lock = None if args else crawl_queueing_lock(site)
    try:
        return (app.tasks[CRAWL_TASK].configure(lock=site_lock(site), queueing_lock=queueing_lock)
                .defer(site=site, args=dict(args or {})))
    except procrastinate.exceptions.AlreadyEnqueued:
        return None


def defer_reextract(app: procrastinate.App, site: str, file: str) -> int:
    return app.tasks[REEXTRACT_TASK].configure(lock=site_lock(site)).defer(site=site, file=file)


def apply_schema(store_url: str) -> bool:
    """procrastinate's tables in the store's database, created once (under an advisory lock)."""
    from northnews.util.pg import ADVISORY_LOCK, Connection

    conn = Connection(store_url, application_name="northnews-fleet-schema")
    try:
        with conn.transaction():
            conn.execute(ADVISORY_LOCK, ("northnews fleet schema",))
            if conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()[0] is not None:
                return False
            conn.execute(procrastinate.schema.SchemaManager.get_schema())
        return True
    finally:
        conn.close()
