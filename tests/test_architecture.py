"""The layers of the README's "Architecture" section, checked on the source tree.

    application   app, cli, deps, routers, the match service, reports, allocations, demo, ...
         |
    matching      the engine and its index (NumPy, the reference data, the records)
         |
    domains       organisations, candidates, vacancies, placements, audit, ingestion
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
LAYER_NAMES = ("kernel", "domain", "matching", "application")
KERNEL, DOMAIN, MATCHING, APPLICATION = range(len(LAYER_NAMES))

# A module takes the layer of the longest prefix listed here; modules named `router` or
# `*_router` are HTTP routes, so application whatever package they sit in.
LAYERS: dict[str, int] = {
    "talentbridge": KERNEL,  # the package's __init__ (the version)
    "talentbridge.config": KERNEL,
    "talentbridge.db": KERNEL,
    "talentbridge.errors": KERNEL,
    "talentbridge.fields": KERNEL,
    "talentbridge.records": KERNEL,
    "talentbridge.reference": KERNEL,
    "talentbridge.migrate": KERNEL,
    "talentbridge.organisations": DOMAIN,
    "talentbridge.candidates": DOMAIN,
    "talentbridge.vacancies": DOMAIN,
    "talentbridge.placements": DOMAIN,
    "talentbridge.audit": DOMAIN,
    "talentbridge.visibility": DOMAIN,
    "talentbridge.ingestion": DOMAIN,  # the queue's table and service; the worker is above
    "talentbridge.ingestion.worker": APPLICATION,  # embeds queued records
    "talentbridge.matching": MATCHING,  # engine, gates, features, store, explain, index, ...
    "talentbridge.serving.sync": APPLICATION,  # feeds the index from the database
    "talentbridge.serving.schemas": APPLICATION,  # the match endpoints' shapes
    "talentbridge.serving.embed_all": APPLICATION,  # `talentbridge embed`
    "talentbridge.serving.answers": APPLICATION,  # who sees what of a match, the audit
    "talentbridge.benchmarks.embed": APPLICATION,
    "talentbridge.matching.evaluate": APPLICATION,  # `talentbridge evaluate`
    "talentbridge.benchmarks.engine": APPLICATION,
    "talentbridge.app": APPLICATION,
    "talentbridge.cli": APPLICATION,
    "talentbridge.deps": APPLICATION,
    "talentbridge.apidocs": APPLICATION,
    "talentbridge.ratelimit": APPLICATION,
    "talentbridge.models_registry": APPLICATION,  # every table, for Alembic
    "talentbridge.reports": APPLICATION,
    "talentbridge.allocations": APPLICATION,
    "talentbridge.demo": APPLICATION,
    "talentbridge.benchmarks": APPLICATION,
}

# Imports that point up today: (importing module, imported module). Delete a line when its
# import goes; never add one.
ALLOWED_UPWARD: set[tuple[str, str]] = {
    # candidates and vacancies embed a record in the transaction that writes it
    ("talentbridge.candidates.service", "talentbridge.matching.derived"),
    ("talentbridge.candidates.service", "talentbridge.matching.toolkit"),
    ("talentbridge.vacancies.service", "talentbridge.matching.derived"),
    ("talentbridge.vacancies.service", "talentbridge.matching.toolkit"),
    # placements check the SSW gates at every step with the engine's own gates and reasons
    ("talentbridge.placements.schemas", "talentbridge.matching.gates"),
    ("talentbridge.placements.service", "talentbridge.matching.explain"),
    ("talentbridge.placements.service", "talentbridge.matching.features"),
    ("talentbridge.placements.service", "talentbridge.matching.gates"),
}

# Imports between top-level parts (`talentbridge.<part>`) that lie on a circle today, as
# (importing part, imported part), with the first module import that makes each (and how
# many more). Most are harmless on their own (app imports every router); the circle closes
# through the few that point up or sideways: matching's routes and commands importing the
# domains, app and deps; domain routers importing deps; candidates, vacancies and placements
# importing matching. A circle of new parts, or a new import along this one, fails; an entry
# no longer on a circle fails too: delete it.
ALLOWED_CIRCLE_LINKS: set[tuple[str, str]] = {
    ("allocations", "candidates"),  # allocations.service -> candidates.models
    ("allocations", "deps"),  # allocations.router -> deps
    ("allocations", "matching"),  # allocations.bench -> matching.bench (+9)
    ("allocations", "organisations"),  # allocations.service -> organisations.models
    ("allocations", "placements"),  # allocations.service -> placements.models (+1)
    ("allocations", "vacancies"),  # allocations.service -> vacancies.models
    ("app", "allocations"),  # app -> allocations.router
    ("app", "candidates"),  # app -> candidates.router
    ("app", "deps"),  # app -> deps
    ("app", "ingestion"),  # app -> ingestion.router (+2)
    ("app", "matching"),  # app -> matching.embedder (+5)
    ("app", "organisations"),  # app -> organisations.router
    ("app", "placements"),  # app -> placements.router
    ("app", "reports"),  # app -> reports.demand_router (+1)
    ("app", "vacancies"),  # app -> vacancies.router
    ("candidates", "deps"),  # candidates.router -> deps
    ("candidates", "ingestion"),  # candidates.bulk -> ingestion.service
    ("candidates", "matching"),  # candidates.service -> matching.derived (+1)
    ("candidates", "organisations"),  # candidates.bulk -> organisations.models (+1)
    ("candidates", "placements"),  # candidates.router -> placements.service
    ("demo", "app"),  # demo.command -> app
    ("demo", "candidates"),  # demo.cast -> candidates.models (+2)
    ("demo", "matching"),  # demo.command -> matching.toolkit (+5)
    ("demo", "organisations"),  # demo.cast -> organisations.models (+3)
    ("demo", "placements"),  # demo.history -> placements.models (+2)
    ("demo", "vacancies"),  # demo.cast -> vacancies.models (+5)
    ("deps", "candidates"),  # deps -> candidates.models (+1)
    ("deps", "matching"),  # deps -> matching.sync (+1)
    ("deps", "organisations"),  # deps -> organisations.models (+1)
    ("deps", "placements"),  # deps -> placements.models (+1)
    ("deps", "vacancies"),  # deps -> vacancies.models (+1)
    ("ingestion", "candidates"),  # ingestion.service -> candidates.models (+1)
    ("ingestion", "deps"),  # ingestion.router -> deps
    ("ingestion", "matching"),  # ingestion.worker -> matching.embedder (+2)
    ("ingestion", "organisations"),  # ingestion.service -> organisations.models
    ("ingestion", "vacancies"),  # ingestion.service -> vacancies.models (+1)
    ("matching", "app"),  # matching.evaluate -> app
    ("matching", "candidates"),  # matching.answers -> candidates.models (+4)
    ("matching", "demo"),  # matching.bench_embed -> demo
    ("matching", "deps"),  # matching.router -> deps
    ("matching", "organisations"),  # matching.answers -> organisations.models
    ("matching", "placements"),  # matching.answers -> placements.service (+1)
    ("matching", "vacancies"),  # matching.answers -> vacancies.models (+4)
    ("organisations", "deps"),  # organisations.router -> deps
    ("placements", "candidates"),  # placements.service -> candidates.models (+1)
    ("placements", "deps"),  # placements.router -> deps
    ("placements", "matching"),  # placements.schemas -> matching.gates (+3)
    ("placements", "organisations"),  # placements.service -> organisations.models
    ("placements", "vacancies"),  # placements.service -> vacancies.models (+1)
    ("reports", "candidates"),  # reports.demand -> candidates.models
    ("reports", "deps"),  # reports.demand_router -> deps (+1)
    ("reports", "matching"),  # reports.demand -> matching.features
    ("reports", "organisations"),  # reports.bench -> organisations.models (+2)
    ("reports", "placements"),  # reports.bench -> placements.models (+4)
    ("reports", "vacancies"),  # reports.demand -> vacancies.models
    ("vacancies", "candidates"),  # vacancies.schemas -> candidates.schemas
    ("vacancies", "deps"),  # vacancies.router -> deps
    ("vacancies", "matching"),  # vacancies.service -> matching.derived (+1)
    ("vacancies", "organisations"),  # vacancies.service -> organisations.models
}

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
    last = module.rsplit(".", 1)[-1]
    if last == "router" or last.endswith("_router"):
        return APPLICATION
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
