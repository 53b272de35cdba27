"""The package's layout shows the pipeline: no import cycles, and each stage imports only what comes before it.

Every ``import`` of ``nps_xlsx`` counts, wherever it is written: at the top of a module, inside a function
(a lazy import), or under ``if TYPE_CHECKING:``. A cycle of type-only imports is still a cycle for the
reader of the code.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "nps_xlsx"
STAGES = ("template", "read", "validate", "collect", "feedback", "mail")
# What each subpackage may import, besides itself and the top-level modules listed in FOUNDATION.
MAY_IMPORT = {
    "template": set(),
    "read": set(),
    "validate": {"read"},
    "collect": {"read", "validate"},
    "feedback": {"read", "validate", "collect"},
    "mail": {"read", "validate", "collect"},
}
# Top-level modules every stage may use; they import no stage.
FOUNDATION = {"a1", "columns", "councils", "csv_table", "errors", "layout", "respondents", "rubric", "style", "text"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> Iterator[str]:
    """Every ``nps_xlsx`` module ``path`` imports (``from . import x`` counts as importing ``x``)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name.startswith("nps_xlsx"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if not target.startswith("nps_xlsx"):
                continue
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                yield candidate if candidate in MODULES else target


MODULES = {module_name(path) for path in PACKAGE.rglob("*.py")}
GRAPH = {module_name(path): set(imports_of(path)) - {module_name(path)} for path in PACKAGE.rglob("*.py")}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph``, as the modules along it, or ``None``."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt] if nxt in path else [node, nxt]
            if nxt not in state and (found := visit(nxt, [*path, nxt])):
                return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def stage_of(module: str) -> str | None:
    """The subpackage a module belongs to, ``None`` for a top-level module."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in STAGES) else None


def test_the_graph_is_read() -> None:
    assert "nps_xlsx.validate.check" in GRAPH["nps_xlsx.validate"]
    assert "nps_xlsx.read.raw" in GRAPH["nps_xlsx.read.xlsx"]


def test_find_cycle_finds_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle() -> None:
    assert find_cycle(GRAPH) is None


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if stage_of(m)))
def test_a_stage_imports_only_what_comes_before_it(module: str) -> None:
    stage = stage_of(module)
    assert stage is not None
    allowed = {stage, *MAY_IMPORT[stage]}
    wrong = sorted(t for t in GRAPH[module] if stage_of(t) not in (None, *allowed))
    assert not wrong, f"{module} imports {wrong}; {stage}/ may import only {sorted(allowed)} and the top level"


@pytest.mark.parametrize("module", sorted(FOUNDATION))
def test_the_foundation_imports_no_stage(module: str) -> None:
    imported = GRAPH[f"nps_xlsx.{module}"] - {"nps_xlsx"}
    wrong = sorted(t for t in imported if stage_of(t) or t.removeprefix("nps_xlsx.") not in FOUNDATION)
    assert not wrong, f"nps_xlsx.{module} imports {wrong}"


@pytest.mark.parametrize("stage", STAGES)
def test_every_stage_says_what_it_owns_and_may_import(stage: str) -> None:
    doc = importlib.import_module(f"nps_xlsx.{stage}").__doc__ or ""
    assert "May import" in doc or "may import" in doc, doc


def test_the_public_api_stays_where_scripts_find_it() -> None:
    from nps_xlsx.report import validate_paths
    from nps_xlsx.validate import read_return
    from nps_xlsx.validate.check import read_return as moved
    from nps_xlsx.validate.report import validate_paths as moved_paths

    assert read_return is moved and validate_paths is moved_paths
