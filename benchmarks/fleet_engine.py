"""What the job engine costs: procrastinate on a local PostgreSQL, measured with no-op jobs.

    .venv/bin/python -m benchmarks.fleet_engine [--jobs 500]

* defer: jobs queued per second by one client (``defer``, one transaction each);
* drain: jobs run per second by one worker (concurrency 1), from a full queue;
* pick-up: from ``defer`` to the job starting on an idle worker (LISTEN/NOTIFY), median and max of 20;
* the ``lock`` a crawl holds: a second job with the same lock waits until the first is done.

A crawl job lasts tens of seconds to hours; these are the engine's overheads beside it. It prints a
table and asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import procrastinate

from tests.pgserver import PgCluster

STARTED: dict[int, float] = {}
ORDER: list[tuple[str, float, float]] = []


def make_app(url: str) -> procrastinate.App:
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=url))

    @app.task(name="noop", pass_context=True)
    async def noop(context: procrastinate.JobContext, n: int) -> None:
        STARTED[n] = time.monotonic()

    @app.task(name="hold", pass_context=True)
    async def hold(context: procrastinate.JobContext, tag: str) -> None:
        begin = time.monotonic()
        await asyncio.sleep(0.5)
        ORDER.append((tag, begin, time.monotonic()))

    return app


async def measure(url: str, jobs: int) -> dict[str, float]:
    app = make_app(url)
    async with app.open_async():
        await app.schema_manager.apply_schema_async()
        t0 = time.monotonic()
        for n in range(jobs):
            await app.tasks["noop"].defer_async(n=n)
        defer_rate = jobs / (time.monotonic() - t0)
        t0 = time.monotonic()
        await app.run_worker_async(concurrency=1, wait=False, install_signal_handlers=False, listen_notify=False)
        drain_rate = jobs / (time.monotonic() - t0)
        STARTED.clear()
        worker = asyncio.create_task(app.run_worker_async(concurrency=1, install_signal_handlers=False,
                                                          listen_notify=True, fetch_job_polling_interval=5))
        await asyncio.sleep(1.0)
        waits = []
        for n in range(20):
            sent = time.monotonic()
            await app.tasks["noop"].defer_async(n=10_000 + n)
            while 10_000 + n not in STARTED:
                await asyncio.sleep(0.001)
            waits.append(STARTED[10_000 + n] - sent)
            await asyncio.sleep(0.05)
        for tag in ("a", "b"):
            await app.tasks["hold"].configure(lock="northnews-site:x").defer_async(tag=tag)
        while len(ORDER) < 2:
            await asyncio.sleep(0.05)
        worker.cancel()
        try:
            await worker
        except asyncio.CancelledError:
            pass
    (_, _, a_end), (_, b_begin, _) = sorted(ORDER, key=lambda r: r[1])
    return {"defer": defer_rate, "drain": drain_rate, "pickup_median": statistics.median(waits),
            "pickup_max": max(waits), "lock_serialised": float(b_begin >= a_end)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=500)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="northnews-pg-"))
    root.chmod(0o755)
    cluster = PgCluster(root)
    cluster.start()
    try:
        found = asyncio.run(measure(cluster.create_database("engine"), args.jobs))
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
    print("| procrastinate 3.10 on PostgreSQL 15 (local) | value |")
    print("| --- | --- |")
    print(f"| defer, jobs/s (one client) | {found['defer']:.0f} |")
    print(f"| drain, no-op jobs/s (one worker) | {found['drain']:.0f} |")
    print(f"| pick-up on an idle worker, median / max ms | {1000 * found['pickup_median']:.1f} / {1000 * found['pickup_max']:.1f} |")
    print(f"| second job with the same lock waited for the first | {'yes' if found['lock_serialised'] else 'NO'} |")


if __name__ == "__main__":
    main()
