"""What a killed worker left in its archive root, made whole when a worker starts there.

Each site's archive is ``<archive root>/<site>``. A crawl killed with its worker leaves the
``.open`` WARC it was writing: every record in it is whole but the last, since records are
written without a user-space buffer (see :mod:`northnews.archive.files`). The next crawl of the
site in the same archive (on any worker, when the root is shared storage) recovers it before
writing, as every crawl does; a worker starting on a root recovers them all at once, so that the
files of sites it no longer crawls are not left open (the case of a machine's own disk). Files a
live crawl still holds (its ``flock``) are left alone. Manifest entries go to the fleet's store.
"""

from __future__ import annotations

from pathlib import Path

from northnews.archive.digests import PgDigestIndex
from northnews.archive.recover import Recovery, Repair, recover_all, repair_all


def recover_spool(root: Path, store_url: str) -> list[str]:
    """Recover and repair the WARCs of every site archive under ``root``; one line per file."""
    sites = sorted(p for p in root.iterdir() if (p / "warc").is_dir()) if root.is_dir() else []
    if not sites:
        return []
    index = PgDigestIndex(store_url)
    lines = []
    try:
        for archive in sites:
            outcomes: list[Recovery | Repair] = [*recover_all(archive / "warc", index),
                                                 *repair_all(archive / "warc", index)]
            for done in outcomes:
                lines.append(f"{archive.name}: {done.describe()}")
    finally:
        index.close()
    return lines
