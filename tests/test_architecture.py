"""The shape of balie/services: no import cycles (counting imports inside functions) and no
Reflex, read from the source with ast so a lazy import cannot hide a cycle."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

SERVICES = Path(__file__).resolve().parent.parent / "balie" / "services"
PACKAGE = "balie.services"

Graph = dict[str, set[str]]


def _module_name(path: Path) -> str:
    """``balie.services.meetings.teams`` for …/balie/services/meetings/teams.py."""
    parts = path.relative_to(SERVICES.parent.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    """Every module and package under balie/services by its dotted name."""
    return {_module_name(path): path for path in sorted(SERVICES.rglob("*.py"))}


def _imported_names(name: str, path: Path) -> Iterator[str]:
    """Every dotted name an import statement anywhere in the module (functions too) names."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parent, base] if base else parent)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _resolve(name: str, modules: Mapping[str, Path]) -> str | None:
    """The module of balie.services a dotted name refers to (``a.b.func`` → ``a.b``)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name if name.startswith(f"{PACKAGE}.") else None


def import_graph() -> Graph:
    """Module → the modules of balie.services it imports."""
    modules = _modules()
    graph: Graph = {}
    for name, path in modules.items():
        targets = {_resolve(imported, modules) for imported in _imported_names(name, path)}
        graph[name] = {target for target in targets if target and target != name}
    return graph


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_cycle_finder_finds_a_cycle_through_three_modules() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_imports_inside_functions() -> None:
    graph = import_graph()
    assert f"{PACKAGE}.jobs" in graph[f"{PACKAGE}.booking"]
    assert len(graph) > 40


def test_services_have_no_import_cycles() -> None:
    found = cycles(import_graph())
    assert not found, "import cycles in balie/services:\n" + "\n".join(
        " ↔ ".join(component) for component in found
    )


def test_services_do_not_import_reflex() -> None:
    offenders = sorted(
        name
        for name, path in _modules().items()
        for imported in _imported_names(name, path)
        if imported == "reflex" or imported.startswith("reflex.")
    )
    assert not offenders, f"balie/services must not import Reflex: {offenders}"


# The app's layers above the services: a service importing one of them would pull in Reflex or
# the HTTP routes and turn the dependency the wrong way round.
UPPER_LAYERS = ("balie.states", "balie.pages", "balie.components", "balie.api", "balie.balie")


def _upper_layer(imported: str) -> bool:
    """Whether a dotted import name lies in one of the layers above the services."""
    return any(imported == layer or imported.startswith(f"{layer}.") for layer in UPPER_LAYERS)


def test_services_do_not_import_states_pages_or_routes() -> None:
    offenders = sorted(
        f"{name} → {imported}"
        for name, path in _modules().items()
        for imported in _imported_names(name, path)
        if _upper_layer(imported)
    )
    assert not offenders, f"balie/services must not import the layers above it: {offenders}"


def _domain_folders() -> list[Path]:
    """The domain packages of balie/services (meetings, privacy, staff, …)."""
    return sorted(path.parent for path in SERVICES.glob("*/__init__.py"))


def test_no_flat_module_repeats_a_module_a_domain_folder_owns() -> None:
    flat = {path.stem for path in SERVICES.glob("*.py")} - {"__init__"}
    owned = {
        path.stem: folder.name
        for folder in _domain_folders()
        for path in folder.glob("*.py")
        if path.stem != "__init__"
    }
    left = sorted(f"{stem}.py (owned by {owned[stem]}/)" for stem in flat & owned.keys())
    assert not left, f"flat modules that a domain folder owns (old-path shims?): {left}"


def test_no_flat_module_is_named_after_a_domain_folder() -> None:
    folders = {folder.name for folder in _domain_folders()}
    left = sorted(
        path.name
        for path in SERVICES.glob("*.py")
        if path.stem in folders or path.stem.split("_")[0] in folders
    )
    assert not left, f"modules that belong in their domain folder: {left}"


def test_tests_of_a_domain_folder_live_in_its_test_folder() -> None:
    tests = Path(__file__).resolve().parent / "services"
    owned = {
        path.stem: folder.name
        for folder in _domain_folders()
        for path in folder.glob("*.py")
        if path.stem != "__init__"
    }
    misplaced = sorted(
        f"{path.name} → tests/services/{owned[path.stem.removeprefix('test_')]}/"
        for path in tests.glob("test_*.py")
        if path.stem.removeprefix("test_") in owned
    )
    assert not misplaced, f"tests that should mirror their module's folder: {misplaced}"
