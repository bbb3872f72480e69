"""The package's import map: no module imports another that (directly or through others) imports it back, and no
layer imports from a layer above it. Read statically (every import statement, lazy and type-only ones too), so a
circle hidden in a function body fails here rather than when that function first runs."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "lmms_compgap"

#: Bottom to top; a module may import from its own layer and the ones below (docs/design.md draws this map).
LAYERS: tuple[tuple[str, ...], ...] = (
    # what every layer may use: the version, the errors a command prints, reading answers, drawing text
    ("lmms_compgap", "lmms_compgap.errors", "lmms_compgap.scoring", "lmms_compgap.draw"),
    # the composition core: family declarations, registry, settings, data files, the scorer
    ("lmms_compgap.core",),
    # the families, and the independent data check their datacheck modules use
    ("lmms_compgap.families", "lmms_compgap.datacheck"),
    # the seam with lmms-eval: hooks, task YAMLs written and read, shadowing, installed tasks
    ("lmms_compgap.tasks",),
    # what runs a model: the cascade and wrappers, fine-tuning
    ("lmms_compgap.models", "lmms_compgap.finetune"),
    # the commands' engines: report, submissions and leaderboard, doctor, new-family kit; the old hooks path
    ("lmms_compgap.report", "lmms_compgap.doctor", "lmms_compgap.kit", "lmms_compgap.hooks"),
    # the command line
    ("lmms_compgap.cli", "lmms_compgap.__main__"),
)


def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that `name` imports anywhere in its body (the most specific module each names)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = [
                f"{module}.{alias.name}" if f"{module}.{alias.name}" in modules else module for alias in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in modules:  # `import a.b.c` of a package path names its module
                target = target.rpartition(".")[0]
            if target.startswith("lmms_compgap") and target != name:
                found.add(target)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _layer(module: str) -> int:
    best, level = -1, -1
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, level = len(prefix), index
    return level


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            advanced = False
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    advanced = True
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    circles.append(sorted(component))
    return circles


def test_every_module_has_a_layer() -> None:
    assert [name for name in _graph() if _layer(name) < 0] == []


def test_no_import_circle() -> None:
    assert _circles(_graph()) == []


def test_no_layer_imports_from_a_layer_above_it() -> None:
    upward = [
        f"{module} (layer {_layer(module)}) imports {target} (layer {_layer(target)})"
        for module, targets in sorted(_graph().items())
        for target in sorted(targets)
        if _layer(target) > _layer(module)
    ]
    assert upward == []


def test_the_checker_finds_a_circle_and_an_upward_import() -> None:
    """The map's checks themselves: a made-up circle is found, and a core module importing the report is upward."""
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _layer("lmms_compgap.report.files.runs") > _layer("lmms_compgap.core.data")
    assert _layer("lmms_compgap.scoring.arith") == 0 and _layer("lmms_compgap.tasks.hooks") == 3
