"""``northnews-fleet``: run a worker, queue crawls, backfills and re-extractions, list jobs and files.

    northnews-fleet [--store URL] init
    northnews-fleet [--store URL] worker [--name NAME] [--archive-root DIR] [--concurrency N]
                    [--schedule SITE=CRON ...] [-s NAME=VALUE ...] [--stalled-after SECONDS]
    northnews-fleet [--store URL] crawl SITE
    northnews-fleet [--store URL] backfill SITE -a NAME=VALUE [-a ...]
    northnews-fleet [--store URL] reextract SITE FILE
    northnews-fleet [--store URL] jobs [--site SITE]
    northnews-fleet [--store URL] files

``--store`` defaults to ``$NORTHNEWS_STORE_URL``, then the project's ``NORTHNEWS_STORE_URL``; it
must be a PostgreSQL URL (the job tables live beside the store's). Exit status: 0 done, 2 usage
error, 1 anything else (the message says what).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from northnews.util.cmdline import name_value_pairs

PROG = "northnews-fleet"


def _store_url(given: str | None) -> str:
    if given:
        return given
    if os.environ.get("NORTHNEWS_STORE_URL"):
        return os.environ["NORTHNEWS_STORE_URL"]
    from scrapy.utils.project import get_project_settings

    return str(get_project_settings().get("NORTHNEWS_STORE_URL") or "")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="A fleet of northnews workers on one PostgreSQL store.")
    parser.add_argument("--store", metavar="URL", help="postgresql://… (default: NORTHNEWS_STORE_URL)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="create the store's and the job engine's tables (workers also do it)")
    w = sub.add_parser("worker", help="take jobs until stopped (SIGTERM/SIGINT: finish the running jobs, then stop)")
    w.add_argument("--name", help="unique in the fleet; in WARC file names (default: <host>_<pid>)")
    w.add_argument("--archive-root", default="archive", metavar="DIR",
                   help="each site's archive is DIR/<site> (shared storage, or this machine's disk; default ./archive)")
    w.add_argument("--concurrency", type=int, default=4, help="jobs (sites) at a time on this worker (default 4)")
    w.add_argument("--schedule", action="append", default=[], metavar="SITE=CRON",
                   help="crawl SITE on this cron line (5 fields, or 6 with seconds last); give every worker the same")
    w.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                   help="a Scrapy setting for every crawl of this worker")
    w.add_argument("--stalled-after", type=float, default=60.0, metavar="SECONDS",
                   help="a worker silent this long is dead: its jobs go back to the queue (default 60)")
    w.add_argument("--heartbeat", type=float, default=10.0, metavar="SECONDS", help="heartbeat interval (default 10)")
    w.add_argument("--retry-wait", type=int, default=60, metavar="SECONDS",
                   help="before an interrupted job runs again (default 60)")
    w.add_argument("--retry-stalled-cron", default="* * * * * */20", metavar="CRON",
                   help="how often a worker looks for stalled jobs (default every 20 s)")
    c = sub.add_parser("crawl", help="queue a crawl of SITE now (no-op when one already waits)")
    c.add_argument("site")
    b = sub.add_parser("backfill", help="queue a crawl of SITE with spider arguments (-a since=YYYY-MM-DD …)")
    b.add_argument("site")
    b.add_argument("-a", action="append", default=[], metavar="NAME=VALUE", help="spider argument")
    r = sub.add_parser("reextract", help="queue the re-extraction of one WARC file of SITE into the store")
    r.add_argument("site")
    r.add_argument("file", help="a file name of the manifest (`files`)")
    j = sub.add_parser("jobs", help="the queue: id, status, task, arguments, attempts, worker")
    j.add_argument("--site")
    sub.add_parser("files", help="the manifest of every closed WARC file of the fleet")
    return parser


def _worker(args: argparse.Namespace, url: str) -> int:
    from northnews.fleet.jobs import WorkerConfig, apply_schema, default_worker_name, make_app
    from northnews.fleet.recover import recover_spool

    name = (args.name or default_worker_name()).replace("-", "_")
    root = Path(args.archive_root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    schedules = name_value_pairs(args.schedule, "--schedule")
    apply_schema(url)
    for line in recover_spool(root, url):
        logging.getLogger(PROG).warning("worker %s: %s", name, line)
    cfg = WorkerConfig(url, name, root, list(args.set))
    app = make_app(url, schedules=schedules, stalled_after=args.stalled_after,
                   retry_stalled_cron=args.retry_stalled_cron, retry_wait=args.retry_wait)
    logging.getLogger(PROG).info("worker %s: archive root %s, %d schedule(s), concurrency %d",
                                 name, root, len(schedules), args.concurrency)
    with app.open():
        app.run_worker(name=name, concurrency=args.concurrency, additional_context={"northnews": cfg},
                       update_heartbeat_interval=args.heartbeat, stalled_worker_timeout=args.stalled_after,
                       listen_notify=True, fetch_job_polling_interval=2.0)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    from northnews.util.pg import is_pg_url

    url = _store_url(args.store)
    if not is_pg_url(url):
        print(f"{PROG}: error: the fleet needs a PostgreSQL store: --store postgresql://… or NORTHNEWS_STORE_URL",
              file=sys.stderr)
        return 2
    try:
        if args.command == "worker":
            return _worker(args, url)
        return _client(args, url)
    except ValueError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2


def _client(args: argparse.Namespace, url: str) -> int:
    from northnews.fleet.jobs import apply_schema, defer_crawl, defer_reextract, make_app
    from northnews.ops.store_pg import PgStore

    PgStore(url).close()  # the store's tables
    apply_schema(url)
    if args.command == "init":
        print(f"{PROG}: store and job tables ready")
        return 0
    if args.command == "files":
        from northnews.archive.digests import PgDigestIndex

        index = PgDigestIndex(url)
        try:
            for row in index._db.execute("SELECT name, size, sha1, records, closed_at, how FROM warc_files ORDER BY name"):
                print("\t".join(str(v) for v in row))
        finally:
            index.close()
        return 0
    app = make_app(url)
    with app.open():
        if args.command == "crawl":
            job_id = defer_crawl(app, args.site)
            print(f"{PROG}: crawl of {args.site}: " + (f"job {job_id}" if job_id else "one is already waiting"))
        elif args.command == "backfill":
            spider_args = name_value_pairs(args.a, "-a")
            if not spider_args:
                raise ValueError("backfill: give the range as -a NAME=VALUE (for example -a since=2025-01-01)")
            print(f"{PROG}: backfill of {args.site}: job {defer_crawl(app, args.site, spider_args)}")
        elif args.command == "reextract":
            print(f"{PROG}: re-extraction of {args.file}: job {defer_reextract(app, args.site, args.file)}")
        elif args.command == "jobs":
            for job in app.job_manager.list_jobs():
                kwargs = job.task_kwargs
                if args.site and kwargs.get("site") != args.site:
                    continue
                print(f"{job.id}\t{job.status}\t{job.task_name}\t{kwargs}\tattempts {job.attempts}\t{job.lock or ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
