"""``northnews``: the archive as a place to read.

    northnews serve [-d ARCHIVE] [--store URL] [--host 127.0.0.1] [--port 8600] [--replay-url PREFIX]

``serve`` answers on 127.0.0.1 only unless ``--host`` says otherwise (with a warning: the view has
no login, and whoever reaches it reads the whole archive). The store is opened read-only; the view
writes nothing anywhere. The store is the archive's SQLite file, or the PostgreSQL store of record
(``--store``, default the project's ``NORTHNEWS_STORE_URL``), read over read-only transactions;
the WARCs (images) and run manifests are the archive directory's. Exit status: 0 after Ctrl-C, 1 the archive cannot be read, 2 usage.
"""

from __future__ import annotations

import argparse
import ipaddress
import socketserver
import sys
from collections.abc import Sequence
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from northnews.archive.cli import default_archive_dir
from northnews.util.pg import is_pg_url
from northnews.util.redact import redact_url
from northnews.view.app import build
from northnews.view.data import ArchiveData, ViewError

DEFAULT_PORT = 8600


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True  # images of a page load in parallel; Ctrl-C does not wait for them
    verbose: bool  # set by main() once bound


class _Quiet(WSGIRequestHandler):
    server_verbose: bool  # set on the class by main()
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        if self.server_verbose:
            super().log_message(format, *args)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _project_store_url() -> str:
    try:
        from scrapy.utils.project import get_project_settings

        return str(get_project_settings().get("NORTHNEWS_STORE_URL") or "").strip()
    except Exception:  # noqa: BLE001 - outside a project: the archive's SQLite file
        return ""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="northnews", description="Read a northnews archive.")
    sub = p.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="a local, read-only web view of the archive",
                           description="Serve a read-only view of the archive: search, articles with their versions"
                                       " and diffs, sections per day, runs, pending and failed articles.")
    serve.add_argument("-d", "--archive-dir", metavar="ARCHIVE", default=None,
                       help="archive dir (holds northnews.sqlite3); default: NORTHNEWS_ARCHIVE_DIR of the project")
    serve.add_argument("--store", metavar="URL", default=None,
                       help="the store of record on PostgreSQL (postgresql://…); default: NORTHNEWS_STORE_URL of the"
                            " project, else the archive's northnews.sqlite3")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to bind (default 127.0.0.1; anything else is reachable by others: a warning)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0: any free one)")
    serve.add_argument("--replay-url", metavar="PREFIX", default=None,
                       help="replay collection prefix, e.g. http://127.0.0.1:8080/northnews/ (pywb `wayback`):"
                            " an article's capture opens at PREFIX<timestamp>/<url>")
    serve.add_argument("-v", "--verbose", action="store_true", help="log every request")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    archive = args.archive_dir or default_archive_dir()
    url = args.store if args.store is not None else _project_store_url()
    if url and not is_pg_url(url):
        print(f"northnews serve: error: --store: expected postgresql://…, got {redact_url(url)!r}", file=sys.stderr)
        return 2
    try:
        data = ArchiveData(archive, url or None)
    except ViewError as exc:
        print(f"northnews serve: error: {exc}", file=sys.stderr)
        return 1
    loopback = _loopback(args.host)
    if not loopback:
        print(f"northnews serve: warning: binding {args.host}: anyone who can reach this address reads the whole"
              " archive (the view has no login)", file=sys.stderr)
    replay = args.replay_url
    if replay and not replay.endswith("/"):
        replay += "/"
    try:
        # No app yet (set_app below, once the port is bound): make_server's app is not Optional.
        server = make_server(args.host, args.port, None, server_class=_Server,  # type: ignore[call-overload]
                             handler_class=_Quiet)
    except OSError as exc:
        print(f"northnews serve: error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    server.verbose = args.verbose
    _Quiet.server_verbose = args.verbose
    port = server.server_address[1]
    hosts = {f"{h}:{port}" for h in ("127.0.0.1", "localhost", "[::1]")} if loopback else None
    server.set_app(build(data, replay_url=replay, allowed_hosts=hosts))
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    store = f", store {data.where}" if data.store_url else ""
    print(f"northnews serve: {data.archive}{store} at http://{shown}:{port}/ (read-only; Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        data.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
