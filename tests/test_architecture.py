"""The layers of the README's "Architecture" section, checked on the source tree.

    application   app, cli, deps, api (the routes), serving (the match service), reports,
         |        allocations, demo, benchmarks
    domains       organisations, candidates, vacancies, placements, audit, ingestion, visibility
         |
    matching      the engine and its index (NumPy, scikit-learn, the reference data, the kernel)
         |
    kernel        config, db, errors, fields, records, reference, migrate

A module may import its own layer and the layers below it, never one above; the top-level
parts of the package (`talentbridge.<part>`) do not import each other in circles; no module
is longer than 500 lines. Every import counts, including one inside a function.

What the tree still breaks today is listed below, each entry with why it is there. The lists
only shrink: a new break fails the test, and so does an entry that no longer happens (delete
it, so it cannot come back unnoticed).
"""

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "talentbridge"
MAX_LINES = 500
LAYER_NAMES = ("kernel", "matching", "domain", "application")
KERNEL, MATCHING, DOMAIN, APPLICATION = range(len(LAYER_NAMES))

# A module takes the layer of the longest prefix listed here.
LAYERS: dict[str, int] = {
    "talentbridge": KERNEL,  # the package's __init__ (the version)
    "talentbridge.config": KERNEL,
    "talentbridge.db": KERNEL,
    "talentbridge.errors": KERNEL,
    "talentbridge.fields": KERNEL,
    "talentbridge.records": KERNEL,
    "talentbridge.reference": KERNEL,
    "talentbridge.migrate": KERNEL,
    "talentbridge.metrics": KERNEL,  # the process's Prometheus counters
    "talentbridge.logs": KERNEL,  # JSON log lines with the request id
    "talentbridge.maintenance": KERNEL,  # the registry of cleanup tasks
    "talentbridge.matching": MATCHING,  # engine, gates, features, store, explain, index, ...
    "talentbridge.organisations": DOMAIN,
    "talentbridge.accounts": DOMAIN,  # people, passwords, sessions
    "talentbridge.candidates": DOMAIN,
    "talentbridge.vacancies": DOMAIN,
    "talentbridge.placements": DOMAIN,
    "talentbridge.audit": DOMAIN,
    "talentbridge.visibility": DOMAIN,
    "talentbridge.ingestion": DOMAIN,  # the queue, its embedding worker, bulk upload
    "talentbridge.duplicates": DOMAIN,  # record linkage, its checker, officers' decisions
    "talentbridge.notifications": DOMAIN,  # the outbox, in-app notifications, webhooks, email
    "talentbridge.api": APPLICATION,  # the HTTP routes
    "talentbridge.serving": APPLICATION,  # the index kept in step, who sees what of a match
    "talentbridge.app": APPLICATION,
    "talentbridge.web": APPLICATION,  # the /app pages: templates, catalogues, forms
    "talentbridge.cli": APPLICATION,
    "talentbridge.deps": APPLICATION,
    "talentbridge.apidocs": APPLICATION,
    "talentbridge.openapi_errors": APPLICATION,
    "talentbridge.ratelimit": APPLICATION,
    "talentbridge.admission": APPLICATION,  # bounded admission: 503 with Retry-After at overload
    "talentbridge.middleware": APPLICATION,  # the body limit and security headers of every answer
    "talentbridge.models_registry": APPLICATION,  # every table, for Alembic
    "talentbridge.reports": APPLICATION,
    "talentbridge.allocations": APPLICATION,
    "talentbridge.demo": APPLICATION,
    "talentbridge.benchmarks": APPLICATION,
    "talentbridge.evaluation": APPLICATION,
    "talentbridge.ops": APPLICATION,  # metrics page, request ids, health details, backups
}

# Imports that point up, as (importing module, imported module): none left; never add one.
ALLOWED_UPWARD: set[tuple[str, str]] = set()

# Imports between top-level parts (`talentbridge.<part>`) that lie on a circle today, as
# (importing part, imported part): none left. A circle fails the test; never add one.
ALLOWED_CIRCLE_LINKS: set[tuple[str, str]] = set()

# Modules over MAX_LINES today.
ALLOWED_LONG: set[str] = set()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imported(module: str, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The talentbridge modules one import statement names (a name that is not a module
    counts as its package: `from talentbridge.db import Base` imports talentbridge.db)."""
    if isinstance(node, ast.Import):
        yield from (a.name for a in node.names if a.name.split(".")[0] == "talentbridge")
        return
    if node.level:  # relative: resolve against the importing module's package
        is_package = _modules()[module].name == "__init__.py"
        base = module.split(".")[: len(module.split(".")) - node.level + is_package]
        source = ".".join([*base, *([node.module] if node.module else [])])
    else:
        source = node.module or ""
    if source.split(".")[0] != "talentbridge":
        return
    for alias in node.names:
        full = f"{source}.{alias.name}"
        yield full if full in _modules() else source


@cache
def _imports() -> dict[str, frozenset[str]]:
    """Every talentbridge module each module imports, at the top or inside a function."""
    found = {}
    for module, path in _modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        found[module] = frozenset(
            target
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for target in _imported(module, node)
            if target != module
        )
    return found


def _layer(module: str) -> int | None:
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        layer = LAYERS.get(".".join(parts[:end]))
        if layer is not None:
            return layer
    return None


def _named(module: str) -> str:
    layer = _layer(module)
    return f"{module} ({LAYER_NAMES[layer] if layer is not None else 'no layer'})"


def _part(module: str) -> str:
    return module.split(".")[1] if "." in module else module


def _circles(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one part (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for after in sorted(edges.get(node, ())):
            if after not in index:
                visit(after)
                low[node] = min(low[node], low[after])
            elif after in stack:
                low[node] = min(low[node], index[after])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                out.append(frozenset(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return out


def test_the_walk_finds_the_package_and_its_imports() -> None:
    imports = _imports()
    assert len(imports) > 50
    assert "talentbridge.db" in imports["talentbridge.organisations.models"]
    assert (
        "talentbridge.reference" in imports["talentbridge.config"]
    )  # `from talentbridge import reference`
    assert _layer("talentbridge.api.candidates") == APPLICATION
    assert _layer("talentbridge.candidates.models") == DOMAIN
    assert _layer("talentbridge.matching.engine") == MATCHING
    assert _layer("talentbridge.serving.sync") == APPLICATION


def test_every_module_has_a_layer() -> None:
    missing = [module for module in _modules() if _layer(module) is None]
    assert missing == [], f"give these a layer in LAYERS: {missing}"


def test_imports_only_point_down() -> None:
    upward = {
        (module, target)
        for module, targets in _imports().items()
        for target in targets
        if (_layer(module) or 0) < (_layer(target) or 0)
    }
    new = sorted(upward - ALLOWED_UPWARD)
    gone = sorted(ALLOWED_UPWARD - upward)
    problems = [f"{_named(m)} imports {_named(t)}" for m, t in new]
    problems += [f"no longer happens, delete from ALLOWED_UPWARD: {m} -> {t}" for m, t in gone]
    assert problems == [], "\n".join(problems)


def _part_links() -> dict[tuple[str, str], list[str]]:
    """Imports between different top-level parts, with the module imports behind each."""
    links: dict[tuple[str, str], list[str]] = {}
    for module, targets in _imports().items():
        for target in targets:
            a, b = _part(module), _part(target)
            if a != b and "." in module and "." in target:
                links.setdefault((a, b), []).append(f"{module} -> {target}")
    return links


def test_the_parts_do_not_import_each_other_in_circles() -> None:
    links = _part_links()
    edges: dict[str, set[str]] = {}
    for a, b in links:
        edges.setdefault(a, set()).add(b)
    circles = _circles(edges)
    on_circle = {(a, b) for a, b in links if any(a in c and b in c for c in circles)}
    problems = [
        f"{a} -> {b} closes a circle through {sorted(next(c for c in circles if a in c))}: "
        + "; ".join(sorted(links[a, b]))
        for a, b in sorted(on_circle - ALLOWED_CIRCLE_LINKS)
    ]
    problems += [
        f"no longer on a circle, delete from ALLOWED_CIRCLE_LINKS: {a} -> {b}"
        for a, b in sorted(ALLOWED_CIRCLE_LINKS - on_circle)
    ]
    assert problems == [], "\n".join(problems)


def test_no_module_is_too_long() -> None:
    lengths = {
        module: len(path.read_text(encoding="utf-8").splitlines())
        for module, path in _modules().items()
    }
    long = {module for module, n in lengths.items() if n > MAX_LINES}
    problems = [
        f"{m} has {lengths[m]} lines (at most {MAX_LINES})" for m in sorted(long - ALLOWED_LONG)
    ]
    problems += [
        f"{m} is short enough now: delete it from ALLOWED_LONG" for m in sorted(ALLOWED_LONG - long)
    ]
    assert problems == [], "\n".join(problems)
