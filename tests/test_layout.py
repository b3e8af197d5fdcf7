"""The layout: imports point one way (service -> kakehashi <- training), no cycles, short modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("kakehashi", "training", "service")
FORBIDDEN = {"kakehashi": {"training", "service"}, "service": {"training"}, "training": {"service"}}
MAX_LINES = 300


def modules() -> dict[str, Path]:
    return {
        ".".join(path.relative_to(REPO).with_suffix("").parts): path
        for package in PACKAGES
        for path in (REPO / package).rglob("*.py")
    }


def imported(path: Path) -> set[str]:
    """Project modules a file imports at module level or inside functions (not TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = [ast.Pass()]  # imports for type hints only never run
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name.split(".")[0] in PACKAGES}


@pytest.mark.parametrize("module", sorted(modules()))
def test_layout_imports_point_one_way(module):
    package = module.split(".")[0]
    wrong = {
        name for name in imported(modules()[module]) if name.split(".")[0] in FORBIDDEN[package]
    }
    assert wrong == set()


def test_layout_has_no_import_cycle():
    known = modules()
    graph = {
        module: {name for name in imported(path) if name in known and name != module}
        for module, path in known.items()
    }
    visiting, done = set(), set()

    def visit(module: str, trail: tuple[str, ...]) -> None:
        if module in done:
            return
        assert module not in visiting, " -> ".join((*trail, module))
        visiting.add(module)
        for target in graph[module]:
            visit(target, (*trail, module))
        visiting.discard(module)
        done.add(module)

    for module in graph:
        visit(module, ())


@pytest.mark.parametrize("module", sorted(modules()))
def test_layout_modules_stay_short(module):
    assert len(modules()[module].read_text(encoding="utf-8").splitlines()) <= MAX_LINES
