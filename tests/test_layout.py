"""The code's shape: no import cycle, the policy pack stands alone (but for the standalone cost
estimator), the estimator imports nothing of the program, config stays out of components.

The import graph is read from the source (every `import`, at any depth, so a late import inside
a function counts too) over the project's own packages.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("components", "config", "policies", "preview", "ops", "cost", "preflight", "tiers")
LAYERS = ("network", "edge", "app", "data", "observability")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    modules = {module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}
    modules["__main__"] = ROOT / "__main__.py"
    return modules


def imported(path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules `path` imports (a `from a.b import c` counts as a.b, or a.b.c if that
    is a module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        found.update(name for name in names if name in modules)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imported(path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module, or a module importing itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


GRAPH = import_graph()


def test_the_import_graph_has_no_cycle():
    assert cycles(GRAPH) == []


def test_the_cycle_finder_finds_one():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"a"}}) == [["a"]]


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if m.startswith("policies")))
def test_the_policy_pack_imports_nothing_of_the_program(module):
    # `cost` is standalone (below); the CLI loads the pack with the repo root on sys.path.
    outside = {m for m in GRAPH[module] if not m.startswith(("policies", "cost"))}
    assert outside == set(), f"{module} imports {sorted(outside)}; the CLI loads policies/ alone"


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if m.startswith("cost")))
def test_the_cost_estimator_imports_nothing_of_the_program(module):
    outside = {m for m in GRAPH[module] if not m.startswith("cost")}
    assert outside == set(), f"{module} imports {sorted(outside)}; the estimator stands alone"


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if m.startswith("components")))
def test_components_never_parse_config(module):
    assert not {m for m in GRAPH[module] if m.startswith(("config.keys", "config.rules", "preview"))}
    assert "pulumi.Config(" not in project_modules()[module].read_text()


def test_preflight_reads_plans_not_the_program():
    """Preflight checks what the program registers; importing a component would let it check
    the program against itself."""
    for module in (m for m in GRAPH if m.startswith("preflight")):
        assert not {m for m in GRAPH[module] if m.startswith(("components", "policies"))}, module


def test_every_component_module_lives_in_a_layer_folder():
    # iam.py and former_names.py (aliases of moved children) serve every layer.
    loose = [p.name for p in (ROOT / "components").glob("*.py")
             if p.name not in ("__init__.py", "iam.py", "former_names.py")]
    assert loose == []
    assert sorted(p.name for p in (ROOT / "components").iterdir() if p.is_dir() and p.name != "__pycache__") \
        == sorted(LAYERS)


@pytest.mark.parametrize("layer", LAYERS)
def test_tests_mirror_the_component_layers(layer):
    assert (ROOT / "tests" / layer).is_dir(), f"tests/{layer}/ mirrors components/{layer}/"
