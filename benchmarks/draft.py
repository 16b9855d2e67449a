"""How close ``scrapy sites draft`` gets: each fixture portal crawled with its unedited draft.

    .venv/bin/python -m benchmarks.draft [--portal NAME ...]

For every fixture portal (a mirror and the expected items its generator wrote, independently of
the code): ``scrapy sites draft MIRROR -o draft.toml``, then ``scrapy crawl articles
-a site=draft.toml -a replay=MIRROR -a editions=all``, and the items compared with the expected
ones. Printed per portal: the share of expected articles the crawl found, the items that are not
expected articles (extra), and the share of found articles whose title, published time and body
are exact (the layouts the draft proposed, or the generic extractor where it proposed none).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SCRAPY = Path(sys.executable).parent / "scrapy"
PORTALS = {
    "northnews-2015": (FIXTURES / "portal", FIXTURES / "expected" / "portal.jsonl"),
    "northnews-2015-b": (FIXTURES / "portal_b", FIXTURES / "expected" / "portal_b.jsonl"),
}


def site_fixtures(root: Path) -> dict[str, tuple[Path, Path]]:
    """Every ``<root>/<name>/mirror`` with its ``expected/items.jsonl`` (tests/fixtures/sites/)."""
    found = {}
    for mirror in sorted(root.glob("*/mirror")):
        expected = mirror.parent / "expected" / "items.jsonl"
        if expected.is_file():
            found["northnews-today" if mirror.parent.name == "northnews" else mirror.parent.name] = (mirror, expected)
    return found


PORTALS.update(site_fixtures(FIXTURES / "sites"))
FIELDS = ("title", "published", "body")


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def key(url: str) -> str:
    return url.split("://", 1)[-1]


def measure(name: str, mirror: Path, expected_file: Path, work: Path) -> dict:
    profile = work / name / "site.toml"
    profile.parent.mkdir(parents=True)
    drafted = subprocess.run([str(SCRAPY), "sites", "draft", str(mirror), "-o", str(profile)],
                             cwd=ROOT, capture_output=True, text=True)
    if drafted.returncode != 0:
        return {"portal": name, "error": drafted.stderr.strip()}
    out = work / name / "items.jsonl"
    crawl = subprocess.run(
        [str(SCRAPY), "crawl", "articles", "-a", f"site={profile}", "-a", f"replay={mirror}", "-a", "editions=all",
         "-O", str(out), "-s", f"NORTHNEWS_ARCHIVE_DIR={work / name / 'archive'}", "-s", "LOG_LEVEL=WARNING"],
        cwd=ROOT, capture_output=True, text=True,
    )
    expected = {key(i["url"]): i for i in read_jsonl(expected_file)}
    got = {key(i["url"]): i for i in read_jsonl(out)}
    found = set(expected) & set(got)
    exact = {f: sum(got[u].get(f) == expected[u].get(f) for u in found) for f in FIELDS}
    return {
        "portal": name, "expected": len(expected), "found": len(found), "extra": len(set(got) - set(expected)),
        "share": round(len(found) / len(expected), 3) if expected else None,
        "exact": {f: round(n / len(found), 3) if found else None for f, n in exact.items()},
        "crawl_exit": crawl.returncode, "draft": str(profile),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portal", action="append", help="only these portals")
    parser.add_argument("--sites", type=Path, action="append", default=[],
                        help="also the fixture portals of this tests/fixtures/sites directory (another checkout's)")
    parser.add_argument("--keep", type=Path, help="keep the drafts and crawls in this directory")
    args = parser.parse_args()
    for root in args.sites:
        PORTALS.update(site_fixtures(root))
    names = args.portal or list(PORTALS)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        print(f"{'portal':<18} {'found':>9} {'share':>6} {'extra':>5}  exact (of found): " + ", ".join(FIELDS))
        for name in names:
            mirror, expected = PORTALS[name]
            r = measure(name, mirror, expected, work)
            if "error" in r:
                print(f"{name:<18} draft failed: {r['error']}")
                continue
            exact = ", ".join(f"{f} {v:.0%}" if v is not None else f"{f} -" for f, v in r["exact"].items())
            print(f"{name:<18} {r['found']:>4}/{r['expected']:<4} {r['share']:>6.1%} {r['extra']:>5}  {exact}")


if __name__ == "__main__":
    main()
