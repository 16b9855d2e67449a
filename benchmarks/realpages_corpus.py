"""Build the widened real-pages corpus (``tests/fixtures/realpages_more``) from public test sets.

    python -m benchmarks.realpages_corpus READABILITY_GIT_DIR TRAFILATURA_GIT_DIR \
        [--dragnet DRAGNET_DATA_GIT_DIR MERGED_DATASETS_GIT_DIR]

Data files only, no code: Mozilla Readability's ``test/test-pages/*/source.html`` with the text of
its ``expected.html`` as the body (Apache-2.0), a deterministic sample of trafilatura's
evaluation pages (``tests/eval``/``tests/cache`` + ``tests/evaldata.json``: snippets the text must
and must not hold; Apache-2.0), and a deterministic sample of the Dragnet data (Moz, 2012: news and
blog pages with hand-corrected main text; AGPL-3.0): the gold text from seomoz/dragnet_data's
``dragnet_Corrected.tar.gz``, the HTML (whose tarball that mirror does not hold) from
j-szulc/html-cleaning-dataset-merged's copy of it (``dragnet_data/input``, same file names). Each
repository is read with ``git show`` from a bare mirror.
Does not import northnews; the split (development / our own held-out) is :func:`split_of`.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import subprocess
import sys
from pathlib import Path

from lxml import html as lxml_html

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "realpages_more"
#: How many of trafilatura's ~1,000 evaluation pages are kept (the archive stays small).
TRAFILATURA_SAMPLE = 240
#: How many of the Dragnet data's 1,381 pages are kept (about 15 kB each, gzipped).
DRAGNET_SAMPLE = 300
#: Dragnet's gold separates the article from its comments with this line; comments are no body.
_DRAGNET_COMMENTS = "!@#$%^&*()  COMMENTS"
_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "pre", "blockquote", "figcaption",
           "section", "article", "tr", "dt", "dd", "br"}


def split_of(key: str) -> str:
    """``dev`` or ``heldout``, from the key alone: half and half, stable whatever is added."""
    return "dev" if int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) % 2 == 0 else "heldout"


def _git(git_dir: Path, *args: str) -> bytes:
    return subprocess.run(["git", "--git-dir", str(git_dir), *args], check=True, capture_output=True).stdout


def _text_of_expected(markup: bytes) -> str:
    root = lxml_html.fromstring(markup.decode("utf-8", "replace"))
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCKS:
            el.tail = "\n" + (el.tail or "")
    return "\n".join(line.strip() for line in root.text_content().splitlines() if line.strip())


def readability(git_dir: Path) -> None:
    out = OUT / "readability"
    (out / "html").mkdir(parents=True, exist_ok=True)
    names = sorted({
        line.split("/")[2]
        for line in _git(git_dir, "ls-tree", "-r", "--name-only", "HEAD", "test/test-pages").decode().splitlines()
    })
    truth = {}
    for name in names:
        try:
            source = _git(git_dir, "show", f"HEAD:test/test-pages/{name}/source.html")
            expected = _git(git_dir, "show", f"HEAD:test/test-pages/{name}/expected.html")
        except subprocess.CalledProcessError:
            continue
        (out / "html" / f"{name}.html.gz").write_bytes(gzip.compress(source, mtime=0))
        truth[name] = {"url": f"http://fakehost/{name}/index.html", "articleBody": _text_of_expected(expected)}
    (out / "ground-truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1, sort_keys=True), "utf-8")
    (out / "LICENSE").write_bytes(_git(git_dir, "show", "HEAD:LICENSE.md"))
    print(f"readability: {len(truth)} pages")


def trafilatura(git_dir: Path) -> None:
    out = OUT / "trafilatura"
    (out / "html").mkdir(parents=True, exist_ok=True)
    evaldata = json.loads(_git(git_dir, "show", "HEAD:tests/evaldata.json"))
    listed = set(_git(git_dir, "ls-tree", "-r", "--name-only", "HEAD", "tests/eval", "tests/cache").decode().splitlines())
    ranked = sorted(evaldata, key=lambda url: hashlib.sha1(url.encode()).hexdigest())
    kept = {}
    for url in ranked:
        item = evaldata[url]
        path = next((p for p in (f"tests/cache/{item['file']}", f"tests/eval/{item['file']}") if p in listed), None)
        if path is None or not item.get("with"):
            continue
        key = hashlib.sha1(url.encode()).hexdigest()[:16]
        (out / "html" / f"{key}.html.gz").write_bytes(gzip.compress(_git(git_dir, "show", f"HEAD:{path}"), mtime=0))
        kept[key] = {"url": url, "with": item["with"], "without": item.get("without", [])}
        if len(kept) >= TRAFILATURA_SAMPLE:
            break
    (out / "evaldata.json").write_text(json.dumps(kept, ensure_ascii=False, indent=1, sort_keys=True), "utf-8")
    (out / "LICENSE").write_bytes(_git(git_dir, "show", "HEAD:LICENSE"))
    print(f"trafilatura: {len(kept)} pages")


def dragnet(data_git: Path, html_git: Path) -> None:
    """A sample of the Dragnet data: pages ranked by the sha1 of their name, the first
    :data:`DRAGNET_SAMPLE` with HTML and a non-empty article (the text before the comments line)."""
    import io
    import tarfile

    out = OUT / "dragnet"
    (out / "html").mkdir(parents=True, exist_ok=True)
    archive = tarfile.open(fileobj=io.BytesIO(_git(data_git, "show", "HEAD:dragnet_Corrected.tar.gz")))
    gold = {}
    for member in archive.getmembers():
        name = Path(member.name).name
        if member.isfile() and name.endswith(".html.corrected.txt"):
            text = archive.extractfile(member).read().decode("utf-8", "replace")  # type: ignore[union-attr]
            gold[name[: -len(".html.corrected.txt")]] = text.split(_DRAGNET_COMMENTS)[0]
    listed = set(_git(html_git, "ls-tree", "-r", "--name-only", "HEAD", "dragnet_data/input").decode().splitlines())
    truth = {}
    for name in sorted(gold, key=lambda n: hashlib.sha1(n.encode()).hexdigest()):
        body = "\n".join(line.strip() for line in gold[name].splitlines() if line.strip())
        path = f"dragnet_data/input/{name}.html"
        if path not in listed or not body:
            continue
        (out / "html" / f"{name}.html.gz").write_bytes(gzip.compress(_git(html_git, "show", f"HEAD:{path}"), mtime=0))
        truth[name] = {"url": f"http://fakehost/dragnet/{name}.html", "articleBody": body}
        if len(truth) >= DRAGNET_SAMPLE:
            break
    (out / "ground-truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1, sort_keys=True), "utf-8")
    (out / "LICENSE").write_bytes(_git(data_git, "show", "HEAD:LICENSE"))
    print(f"dragnet: {len(truth)} pages")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("readability", type=Path)
    parser.add_argument("trafilatura", type=Path)
    parser.add_argument("--dragnet", type=Path, nargs=2, metavar=("DRAGNET_DATA_GIT", "MERGED_DATASETS_GIT"),
                        help="seomoz/dragnet_data (gold text) and j-szulc/html-cleaning-dataset-merged (HTML)")
    args = parser.parse_args(argv)
    readability(args.readability)
    trafilatura(args.trafilatura)
    if args.dragnet:
        dragnet(*args.dragnet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
