"""How close ``scrapy sites draft`` gets: each fixture portal crawled with its unedited draft.

    .venv/bin/python -m benchmarks.draft [--portal NAME ...]

For every fixture portal (a mirror and the expected items its generator wrote, independently of
the code): ``scrapy sites draft MIRROR -o draft.toml``, then ``scrapy crawl articles
-a site=draft.toml -a replay=MIRROR -a editions=all``, and the items compared with the expected
ones. Printed per portal: the share of expected articles the crawl found, the items that are not
expected articles (extra), and the share of found articles whose title, published time and body
are exact (the layouts the draft proposed, or the generic extractor where it proposed none), and
the edits it took to reach exact: ``benchmarks/draft_edits/<portal>.diff`` is a person's edit of
the unedited draft (``diff -u``), applied to the fresh draft and crawled again; ``edits`` counts its
removed and added lines, ``exact`` the items then exact in every field (``!`` when the diff no
longer applies: the draft changed, edit it again). ``to shipped``: lines removed plus added from
the draft to the shipped profile (comments and blank lines left out), an upper bound.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
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
PROFILES = ROOT / "northnews" / "sites"


def shipped_profile(name: str) -> Path:
    """The profile that crawls the portal exact (northnews-2015, -b and -today: northnews's)."""
    return PROFILES / ("northnews" if name.startswith("northnews") else name) / "site.toml"


def profile_lines(path: Path) -> list[str]:
    """A profile's lines that say something: comments and blank lines left out, spaces trimmed."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


EDITS = Path(__file__).resolve().parent / "draft_edits"
CAPTURE_FIELDS = ("fetched_at", "warc", "content_digest", "redirected_from")


def apply_diff(text: str, diff: str) -> str | None:
    """``text`` with a unified diff applied (its hunks at their line numbers), or None when a
    context or removed line does not match."""
    lines, out, at = text.splitlines(), [], 0
    hunks = re.split(r"(?m)^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@.*\n", diff)
    for start, body in zip(hunks[1::2], hunks[2::2], strict=True):
        first = int(start) - 1
        out += lines[at:first]
        at = first
        for line in body.splitlines():
            tag, rest = line[:1], line[1:]
            if tag in (" ", "-"):
                if at >= len(lines) or lines[at] != rest:
                    return None
                at += 1
                if tag == " ":
                    out.append(rest)
            elif tag == "+":
                out.append(rest)
    return "\n".join(out + lines[at:]) + "\n"


def diff_lines(diff: str) -> int:
    return sum(1 for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---")))


def exact_items(got: dict[str, dict], expected: dict[str, dict]) -> int:
    def view(item: dict) -> dict:
        images = [{k: v for k, v in i.items() if k in ("url", "caption")} for i in item.get("images") or []]
        return {k: v for k, v in {**item, "images": images}.items() if k not in CAPTURE_FIELDS}

    return sum(1 for u, want in expected.items() if u in got and all(view(got[u]).get(k) == v for k, v in view(want).items()))


def crawl(profile: Path, mirror: Path, out: Path, archive: Path) -> int:
    return subprocess.run(
        [str(SCRAPY), "crawl", "articles", "-a", f"site={profile}", "-a", f"replay={mirror}", "-a", "editions=all",
         "-O", str(out), "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}", "-s", "LOG_LEVEL=WARNING"],
        cwd=ROOT, capture_output=True, text=True,
    ).returncode


def edits(draft: Path, shipped: Path) -> int:
    """Lines removed plus lines added to turn the draft into the shipped profile."""
    if not shipped.is_file():
        return -1
    diff = difflib.ndiff(profile_lines(draft), profile_lines(shipped))
    return sum(1 for line in diff if line[:2] in ("- ", "+ "))


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
    crawl_exit = crawl(profile, mirror, out, work / name / "archive")
    expected = {key(i["url"]): i for i in read_jsonl(expected_file)}
    edited = {"edits": None, "edited_exact": None}
    diff_file = EDITS / f"{name}.diff"
    if diff_file.is_file():
        diff = diff_file.read_text(encoding="utf-8")
        text = apply_diff(profile.read_text(encoding="utf-8"), diff)
        edited["edits"] = diff_lines(diff)
        if text is not None:
            fixed = work / name / "edited" / "site.toml"
            fixed.parent.mkdir()
            fixed.write_text(text, encoding="utf-8")
            crawl(fixed, mirror, fixed.parent / "items.jsonl", fixed.parent / "archive")
            edited["edited_exact"] = exact_items({key(i["url"]): i for i in read_jsonl(fixed.parent / "items.jsonl")},
                                                 expected)
    got = {key(i["url"]): i for i in read_jsonl(out)}
    found = set(expected) & set(got)
    exact = {f: sum(got[u].get(f) == expected[u].get(f) for u in found) for f in FIELDS}
    return {
        "portal": name, "expected": len(expected), "found": len(found), "extra": len(set(got) - set(expected)),
        "share": round(len(found) / len(expected), 3) if expected else None,
        "exact": {f: round(n / len(found), 3) if found else None for f, n in exact.items()},
        "crawl_exit": crawl_exit, "draft": str(profile), **edited,
        "edits_to_shipped": edits(profile, shipped_profile(name)), "shipped_lines": len(profile_lines(shipped_profile(name))),
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
        print(f"{'portal':<18} {'found':>9} {'share':>6} {'extra':>5} {'edits':>5} {'exact':>9} {'to shipped':>10}"
              "  draft exact (of found): " + ", ".join(FIELDS))
        for name in names:
            mirror, expected = PORTALS[name]
            r = measure(name, mirror, expected, work)
            if "error" in r:
                print(f"{name:<18} draft failed: {r['error']}")
                continue
            exact = ", ".join(f"{f} {v:.0%}" if v is not None else f"{f} -" for f, v in r["exact"].items())
            shipped = f"{r['edits_to_shipped']}/{r['shipped_lines']}"
            edits_ = "-" if r["edits"] is None else str(r["edits"])
            after = "-" if r["edits"] is None else "!" if r["edited_exact"] is None else f"{r['edited_exact']}/{r['expected']}"
            print(f"{name:<18} {r['found']:>4}/{r['expected']:<4} {r['share']:>6.1%} {r['extra']:>5} {edits_:>5} {after:>9} "
                  f"{shipped:>10}  {exact}")


if __name__ == "__main__":
    main()
