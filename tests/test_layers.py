"""The tree's shape, checked: imports point one way with no cycle, the core names no portal, modules stay small."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from northnews.sites import known_sites, load_site

PACKAGE = Path(__file__).resolve().parent.parent / "northnews"
#: layer → the northnews layers it must never import (at run time; TYPE_CHECKING imports are free).
FORBIDDEN = {
    "util": {"sites", "normalize", "pages", "discovery", "spiders", "archive", "ops", "pipelines", "extensions", "commands", "middlewares"},
    "sites": {"normalize", "pages", "discovery", "spiders", "archive", "ops", "pipelines", "extensions", "commands", "middlewares"},
    "normalize": {"pages", "discovery", "spiders", "archive", "ops", "pipelines", "extensions", "commands", "middlewares"},
    "pages": {"discovery", "spiders", "archive", "ops", "pipelines", "extensions", "commands", "middlewares"},
    "discovery": {"pages", "spiders", "archive", "ops", "pipelines", "extensions", "commands"},
    "sources": {"sites", "normalize", "pages", "discovery", "spiders", "archive", "ops", "pipelines", "extensions", "commands", "middlewares"},
    "sitekit": {"spiders", "archive", "ops", "pipelines", "extensions", "commands", "middlewares"},
    "spiders": {"archive", "ops", "pipelines", "extensions", "commands", "middlewares"},
    # The one article path (verdict, parse, stitch, normalise, validate): below the crawl and the ops.
    "article": {"spiders", "archive", "ops", "pipelines", "extensions", "commands", "middlewares", "redirects", "crawl"},
    "archive": {"normalize", "pages", "discovery", "spiders", "ops", "pipelines", "commands"},
    "ops": {"spiders"},
    # The archive view reads the store, the manifests and the WARCs; it knows no crawling.
    "view": {"spiders", "pages", "normalize", "discovery", "pipelines", "extensions", "middlewares", "commands"},
    "fleet": {"spiders", "pages", "normalize", "discovery", "pipelines", "extensions", "commands", "middlewares"},
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


def imports_of(path: Path, name: str, known: set[str]) -> set[str]:
    """northnews modules imported by a module at run time (also inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking(node):
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


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imports_of(path, name, known) for name, path in mods.items()}


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_no_import_cycle() -> None:
    g = graph()
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
    assert not cycles, "import cycles: " + "; ".join(" → ".join(c) for c in cycles)


def test_layers_import_one_way() -> None:
    wrong = []
    for module, deps in graph().items():
        banned = FORBIDDEN.get(layer(module), set())
        # A site profile's hooks.py is a plugin of the page layer: it may use pages, like a layout.
        if module.startswith("northnews.sites.") and module.endswith(".hooks"):
            banned = banned - {"pages", "normalize"}
        wrong += [f"{module} imports {dep}" for dep in sorted(deps) if layer(dep) in banned]
    assert not wrong, "\n".join(wrong)


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
