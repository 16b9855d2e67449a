"""The tree's shape, checked: every module in a layer, imports point one way with no cycle, every Scrapy
component in crawl/, the core names no portal."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from northnews.sites import known_sites, load_site

PACKAGE = Path(__file__).resolve().parent.parent / "northnews"
#: Every layer: the top-level packages, each root module (``config``, ``items``…) and, in ``crawl/``,
#: each kind of component (``crawl.pipelines``…), ``crawl.keys`` and ``crawl.stats`` (the crawl's
#: vocabulary, which the archive and the operations may read) and ``crawl`` (its other modules).
LAYERS = {
    "", "util", "sites", "config", "inputs", "items", "encoding", "pagecheck", "normalize", "pages",
    "discovery", "sources", "sitekit", "spiders", "article", "archive", "ops", "view", "fleet", "commands", "settings",
    "crawl", "crawl.keys", "crawl.stats", "crawl.downloadermiddlewares", "crawl.spidermiddlewares",
    "crawl.pipelines", "crawl.extensions",
}
#: The Scrapy components: the spider, the operations, the archive and the view import none of them.
COMPONENTS = {"crawl.downloadermiddlewares", "crawl.spidermiddlewares", "crawl.pipelines", "crawl.extensions"}
CRAWL = {"crawl", *COMPONENTS}
#: The layers that run a crawl or a tool (nothing below imports them).
TOP = {"spiders", *CRAWL, "commands", "fleet", "view", "sitekit", "settings"}
#: layer → the northnews layers it must never import (at run time; TYPE_CHECKING imports are free).
FORBIDDEN = {
    "": LAYERS - {""},
    "util": LAYERS - {"", "util"},
    "sites": LAYERS - {"", "util", "sites"},
    "config": LAYERS - {"", "util", "sites", "config"},
    "inputs": LAYERS - {"", "util", "config", "inputs"},
    "items": LAYERS - {"", "items"},
    "encoding": LAYERS - {"", "encoding"},
    "pagecheck": LAYERS - {"", "pagecheck"},
    "sources": LAYERS - {"", "util", "sources"},
    "normalize": LAYERS - {"", "util", "sites", "normalize"},
    "pages": LAYERS - {"", "util", "sites", "normalize", "encoding", "pages"},
    "discovery": LAYERS - {"", "util", "sites", "normalize", "discovery"},
    "sitekit": TOP - {"sitekit"} | {"archive", "ops"},
    # The spider navigates: it talks to the components through request meta, signals and the
    # crawl's context, and imports none of them, nor the archive or the store.
    "spiders": TOP - {"spiders", "crawl"} | {"archive", "ops"},
    # The one article path (issue 19.2; verdict, parse, stitch, normalise, validate): below the crawl
    # and the operations, which both run it.
    "article": TOP | {"archive", "ops"},
    "crawl.keys": LAYERS - {"crawl.keys"},
    "crawl.stats": LAYERS - {"crawl.keys", "crawl.stats"},
    "crawl": TOP - {"crawl"} | {"ops"},
    "crawl.downloadermiddlewares": TOP - {"crawl", "crawl.downloadermiddlewares"} | {"ops"},
    "crawl.pipelines": TOP - {"crawl", "crawl.pipelines", "crawl.extensions", "crawl.downloadermiddlewares"},
    "crawl.spidermiddlewares": TOP - {"crawl", "crawl.spidermiddlewares", "crawl.extensions", "crawl.pipelines"},
    "crawl.extensions": TOP - {"crawl", "crawl.extensions", "crawl.pipelines", "crawl.downloadermiddlewares"},
    "archive": TOP | {"normalize", "pages", "discovery", "ops", "crawl.stats"},
    # cron writes the run report (view.report); the rest of the view is not the operations' business.
    "ops": TOP - {"view"},
    # The archive view reads the store, the manifests and the WARCs; it knows no crawling.
    "view": TOP - {"view"} | {"pages", "normalize", "discovery"},
    "fleet": TOP - {"fleet"} | {"pages", "normalize", "discovery"},
    "commands": {"settings"},
    "settings": LAYERS - {"", "settings"},
}
#: Known exceptions, each with its reason (to go when the reason does).
EXCEPTIONS = {
    # Bulk re-extraction still holds a second article engine (issue 19.2: one article path).
    ("northnews.ops.extract", "crawl.pipelines"), ("northnews.ops.replayed", "crawl.downloadermiddlewares"),
}


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path, name: str, known: set[str], type_checking: bool = False) -> set[str]:
    """northnews modules imported by a module at run time (also inside functions); with
    ``type_checking``, also those imported for annotations only."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking(node) and not type_checking:
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("northnews"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            if base.startswith("northnews"):
                out.add(base)
                out.update(f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in known)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {m for m in out if m in known and m != name}


def graph(type_checking: bool = False) -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imports_of(path, name, known, type_checking) for name, path in mods.items()}


def layer(module: str) -> str:
    """``northnews.X…`` → ``X``; in ``crawl/``, the kind of component (``crawl.pipelines``), or
    ``crawl.keys``/``crawl.stats``, or ``crawl``; a root module is a layer of its own."""
    parts = module.split(".")
    if len(parts) < 2:
        return ""
    if parts[1] == "crawl" and len(parts) > 2 and f"crawl.{parts[2]}" in LAYERS:
        return f"crawl.{parts[2]}"
    return parts[1]


def test_every_module_has_a_layer_in_the_table() -> None:
    """A new package or root module must say what it may import (add it to LAYERS and FORBIDDEN)."""
    missing = sorted(f"{m} (layer {layer(m)!r})" for m in modules() if layer(m) not in FORBIDDEN)
    assert not missing, "modules of no layer in the table: " + ", ".join(missing)
    assert set(FORBIDDEN) == LAYERS


def test_every_scrapy_component_lives_in_crawl() -> None:
    """The components settings.py enables are all in crawl/ (by kind), its spiders and commands where
    Scrapy looks for them; the WARC writer is the one extension still in archive/."""
    from northnews import settings

    enabled = [
        *(settings.DOWNLOADER_MIDDLEWARES), *(settings.SPIDER_MIDDLEWARES), *(settings.ITEM_PIPELINES),
        *(settings.EXTENSIONS), *settings.FEED_STORAGES.values(),
    ]
    ours = [path for path in enabled if path.startswith("northnews.")]
    kinds = {
        **dict.fromkeys(settings.DOWNLOADER_MIDDLEWARES, "northnews.crawl.downloadermiddlewares."),
        **dict.fromkeys(settings.SPIDER_MIDDLEWARES, "northnews.crawl.spidermiddlewares."),
        **dict.fromkeys(settings.ITEM_PIPELINES, "northnews.crawl.pipelines."),
        **dict.fromkeys(settings.EXTENSIONS, "northnews.crawl.extensions."),
        "northnews.crawl.context.CrawlContext": "northnews.crawl.context.",
    }
    elsewhere = [p for p in ours if not p.startswith(kinds.get(p, "northnews.crawl."))
                 and p != "northnews.archive.writer.WarcWriter"]
    assert len(ours) >= 16
    assert not elsewhere, elsewhere
    assert settings.SPIDER_MODULES == ["northnews.spiders"] and settings.COMMANDS_MODULE == "northnews.commands"


def _cycles(g: dict[str, set[str]]) -> list[list[str]]:
    # A package's __init__ importing its own submodules is not a cycle between layers.
    edges = {m: {d for d in deps if not m.startswith(d + ".") and not d.startswith(m + ".") or m.count(".") == d.count(".")}
             for m, deps in g.items()}
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def dfs(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(edges.get(node, ())):
            if state.get(dep) == 1:
                cycles.append(stack[stack.index(dep):] + [dep])
            elif dep not in state:
                dfs(dep)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            dfs(node)
    return cycles


def test_no_import_cycle() -> None:
    cycles = _cycles(graph())
    assert not cycles, "import cycles: " + "; ".join(" → ".join(c) for c in cycles)


def test_layers_import_one_way() -> None:
    wrong = []
    for module, deps in graph().items():
        banned = FORBIDDEN.get(layer(module), set())
        # A site profile's hooks.py is a plugin of the page layer: it may use pages, like a layout.
        if module.startswith("northnews.sites.") and module.endswith(".hooks"):
            banned = banned - {"pages", "normalize"}
        wrong += [f"{module} imports {dep}" for dep in sorted(deps)
                  if layer(dep) in banned and (module, layer(dep)) not in EXCEPTIONS]
    assert not wrong, "\n".join(wrong)
    used = {(module, layer(dep)) for module, deps in graph().items() for dep in deps}
    assert EXCEPTIONS <= used, f"exceptions no longer needed (remove them): {sorted(EXCEPTIONS - used)}"


@pytest.mark.xfail(strict=True, reason="pages/_layout imports pages/objects inside a function and objects imports "
                   "_layout for its annotations: the one cycle left, in the page layer (not moved by issue 19.1)")
def test_no_import_cycle_even_of_annotations() -> None:
    """The stricter check: imports for type checking count too (cron and manifest were such a pair)."""
    assert not _cycles(graph(type_checking=True))


def _code_strings(path: Path) -> list[str]:
    """String literals that are code, not docstrings or comments."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # A string standing alone as a statement is documentation (docstrings, attribute docstrings).
    docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)}
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and id(n) not in docstrings]


@pytest.mark.parametrize("name", known_sites())
def test_the_core_names_no_portal(name: str) -> None:
    """A portal's hosts, domains and names appear in its own profile only (not in code elsewhere)."""
    site = load_site(name)
    marks = {*site.allowed_domains, *(e.host for e in site.editions.values()), *site.requisite_hosts}
    marks |= {a for aliases in site.publishers.values() for a in aliases if len(a) >= 4 and "." in a}
    own = site.path.parent
    found = []
    for path in PACKAGE.rglob("*.py"):
        if own in path.parents:
            continue
        for text in _code_strings(path):
            found += [f"{path.relative_to(PACKAGE.parent)}: {mark!r} in {text[:60]!r}" for mark in marks if mark in text]
    assert not found, "\n".join(found)
