"""The code's structure, read with ``ast`` (issue 21): no import cycle
between modules, every import (function bodies included) downward in the
declared package order, no module over 600 lines outside migrations."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "bzpeer"
MAX_LINES = 600

# The declared order, lowest first: a package may import its own modules and
# any package on a lower level, never one on its own level or above.
LEVELS: dict[str, int] = {
    "home": 0,
    "settings": 1,
    "catalog": 2,
    "resolve": 3,
    "trust": 3,
    "ingest": 4,  # beside resolve in the design; it applies resolve's rules as it writes
    "enrich": 4,
    "curation": 4,  # corrections as people make them: resolve, then queue trust
    "claims": 5,
    "graph": 5,
    "search": 5,
    "evaluation": 5,
    "social": 6,  # builds on claims: only a record's verified owner invites
    "exports": 6,  # leaves taken-down records (claims) out of what it exports
    "accounts": 7,
    "demo": 7,
    "web": 8,
    "api": 8,
    "urls": 9,
    "wsgi": 9,
    "cli": 9,
    "cluster": 8,  # the batch stages of ingest and resolve on a Dask cluster
    "backup": 8,  # reads every table through Django's connection, imports nothing of ours
}


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def imports(name: str, path: Path) -> set[str]:
    """The project modules ``name`` imports, anywhere in its body."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("bzpeer."))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.startswith("bzpeer"):
                found.add(target)
                found.update(f"{target}.{a.name}" for a in node.names)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    edges: dict[str, set[str]] = {}
    for name, path in known.items():
        edges[name] = {t for t in imports(name, path) if t in known and t != name}
    return edges


def package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def test_every_package_has_a_level():
    assert {package(m) for m in modules() if m != "bzpeer"} <= set(LEVELS)


def test_imports_go_downward_only():
    wrong = []
    for module, targets in graph().items():
        mine = package(module)
        for target in sorted(targets):
            theirs = package(target)
            if theirs != mine and LEVELS.get(theirs, 99) >= LEVELS.get(mine, -1):
                wrong.append(f"{module} -> {target}")
    assert not wrong, "imports against the package order:\n  " + "\n  ".join(wrong)


def test_no_import_cycle_between_modules():
    edges = graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for other in edges.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    assert not cycles, "import cycles:\n  " + "\n  ".join(" <-> ".join(c) for c in cycles)


def test_no_module_over_600_lines():
    long = {
        str(path.relative_to(SRC)): n
        for path in modules().values()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_environment_variables_are_read_in_settings_only():
    """Every ``os.environ`` / ``os.getenv`` use outside ``settings.py`` is one
    of the two that run before settings exist: naming the settings module
    (``setdefault``) and ``bzpeer init`` finding the data folder."""
    allowed = {
        ("cli", "setdefault"),
        ("wsgi", "setdefault"),
        ("cli", "home_dir"),
        ("cluster.worker", "setdefault"),  # a Dask worker process, before its settings exist
    }
    found = set()
    for name, path in modules().items():
        short = name.removeprefix("bzpeer.")
        if short == "settings":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                if (
                    isinstance(owner, ast.Attribute) and owner.attr == "environ"
                ) or node.func.attr == "getenv":
                    found.add((short, node.func.attr))
                elif any(
                    isinstance(arg, ast.Attribute) and arg.attr == "environ" for arg in node.args
                ):
                    found.add((short, getattr(node.func, "attr", "")))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if any(isinstance(a, ast.Attribute) and a.attr == "environ" for a in node.args):
                    found.add((short, node.func.id))
            elif isinstance(node, ast.Subscript) and (
                isinstance(node.value, ast.Attribute) and node.value.attr == "environ"
            ):
                found.add((short, "[]"))
    assert found <= allowed, f"environment read outside settings: {sorted(found - allowed)}"
