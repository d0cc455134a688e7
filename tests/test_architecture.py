"""The house rules, read from the code itself (docs/architecture.md explains them).

- layers point one way: cli → app → build, importer → outputs → render → core → errors;
  every import counts, those inside functions too;
- no import cycle between modules;
- no module over 400 lines;
- an output's name appears as a string only under persklaar/outputs/.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from persklaar.outputs import REGISTRY

PACKAGE = Path(__file__).resolve().parent.parent / "persklaar"
# Top to bottom; a module may import from its own layer's package and from any layer below.
LAYERS = [
    ("persklaar.__main__",),
    ("persklaar.cli",),
    ("persklaar.app",),
    ("persklaar.build", "persklaar.importer", "persklaar.starter"),
    ("persklaar.outputs",),
    ("persklaar.render",),
    ("persklaar.core",),
    ("persklaar.errors", "persklaar"),
]
MAX_LINES = 400


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path) -> list[tuple[str, int]]:
    """Every persklaar module `name` imports (anywhere in the file), with its line."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from . import page` needs only the module page; `from . import NAME` needs the package
            known = modules()
            names = [f"{base}.{alias.name}" for alias in node.names]
            found += [(n, node.lineno) for n in names if n in known]
            if any(n not in known for n in names):
                found.append((base, node.lineno))
    known = modules()
    return [(m, line) for m, line in found if m in known and m != name]


def layer(module: str) -> tuple[int, str]:
    """(layer index, the layer package the module belongs to)."""
    for index, group in enumerate(LAYERS):
        for top in group:
            if module == top or (top != "persklaar" and module.startswith(top + ".")):
                return index, top
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS and docs/architecture.md")


def test_every_module_has_a_layer():
    for name in modules():
        layer(name)


def test_imports_point_down_only():
    wrong = []
    for name, path in modules().items():
        here, home = layer(name)
        for imported, line in imports(name, path):
            there, other = layer(imported)
            if there < here or (there == here and other != home):
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {name} imports {imported}")
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_no_import_cycles():
    graph = {name: {m for m, _ in imports(name, path)} for name, path in modules().items()}
    cycles = [c for c in _strongly_connected(graph) if len(c) > 1]
    assert not cycles, f"import cycles: {cycles}"


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            out.append(component)

    for v in graph:
        if v not in index:
            visit(v)
    return out


@pytest.mark.parametrize("name", sorted(modules()))
def test_no_module_is_over_400_lines(name: str):
    lines = len(modules()[name].read_text("utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines; split it"


# Strings that equal an output's name but mean something else, each with its reason.
NOT_OUTPUT_NAMES = {("persklaar/importer/body.py", "web"): "a Material icon's name (kind: website)"}


def test_output_names_appear_only_under_outputs():
    names = set(REGISTRY.names())
    outputs = PACKAGE / "outputs"
    found = []
    for path in PACKAGE.rglob("*.py"):
        if path.is_relative_to(outputs):
            continue
        rel = path.relative_to(PACKAGE.parent).as_posix()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.split(":")[0] in names \
                    and (rel, node.value) not in NOT_OUTPUT_NAMES:
                found.append(f"{rel}:{node.lineno}: {node.value!r}")
    assert not found, "output names outside persklaar/outputs/:\n" + "\n".join(found)


def test_the_layer_check_sees_imports_inside_functions(tmp_path: Path):
    """A check that cannot fail is no check: an import inside a function is found."""
    source = tmp_path / "x.py"
    source.write_text("def f():\n    from persklaar import cli\n")
    assert ("persklaar.cli", 2) in imports("persklaar.core.x", source)
