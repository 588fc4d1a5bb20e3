"""No import cycle between elearn's packages (and top-level modules), lazy imports
inside functions included: each area can be read, tested and changed on its own."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "elearn"


def module_name(path: Path) -> tuple[str, bool]:
    parts = path.with_suffix("").relative_to(ROOT.parent).parts
    is_package = path.name == "__init__.py"
    return ".".join(parts[:-1] if is_package else parts), is_package


def area(module: str) -> str:
    """elearn.admin.users -> admin; elearn.web -> web; elearn -> elearn (create_app)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "elearn"


def is_module(dotted: str) -> bool:
    path = ROOT.parent.joinpath(*dotted.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        module, is_package = module_name(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = module.split(".") if is_package else module.split(".")[:-1]
                    base = base[: len(base) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                # "from .. import security_log" imports a module; "from .. import create_app"
                # a name of the package itself
                targets = [f"{target}.{a.name}" if is_module(f"{target}.{a.name}") else target for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            for target in targets:
                if target == "elearn" or target.startswith("elearn."):
                    if area(target) != area(module):
                        graph.setdefault(area(module), set()).add(area(target))
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_is_read():
    graph = import_graph()
    assert "catalog" in graph.get("courses", set()) and "extensions" in graph.get("admin", set())


def test_no_cycle_between_packages():
    graph = import_graph()
    found = cycles(graph)
    details = [" <-> ".join(c) + ": " + "; ".join(f"{a} -> {sorted(graph[a] & set(c))}" for a in c) for c in found]
    assert found == [], "\n".join(details)
