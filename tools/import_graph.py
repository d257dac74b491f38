"""The import graph of wrapper/parallel_taskgroup, and the layering rules it must keep.

Usage: python tools/import_graph.py [--dot]

Every ``import``/``from ... import`` of the package's own modules is an edge, wherever it
appears (module level, inside ``if TYPE_CHECKING:``, or inside a function). The rules:

1. no cycle among the package's modules;
2. no import of the package's own modules inside a function;
3. nothing outside ``cli/`` imports ``cli/``;
4. ``cli/`` reaches the library only through the top-level package (``parallel_taskgroup``).

Prints the edges (or Graphviz with ``--dot``) and every violation; exits 1 if there is any.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent / "wrapper"
PACKAGE = "parallel_taskgroup"
CLI = f"{PACKAGE}.cli"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(current: str, is_package: bool, level: int, target: Optional[str]) -> str:
    base = current.split(".") if is_package else current.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, target] if target else base)


class _Imports(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool, known: set[str]) -> None:
        self.module = module
        self.is_package = is_package
        self.known = known
        self.edges: list[tuple[str, str, int, bool]] = []  # (from, to, line, inside a function)
        self._depth = 0

    def _own(self, name: str) -> Optional[str]:
        # The longest known module that `name` is or lies in.
        while name:
            if name in self.known:
                return name
            name = name.rpartition(".")[0]
        return None

    def _add(self, target: str, line: int) -> None:
        own = self._own(target)
        if own is not None and own != self.module:
            self.edges.append((self.module, own, line, self._depth > 0))

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._depth += 1
        self.generic_visit(node)
        self._depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.split(".")[0] == PACKAGE:
                self._add(alias.name, node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = _resolve(self.module, self.is_package, node.level, node.module)
        elif node.module and node.module.split(".")[0] == PACKAGE:
            base = node.module
        else:
            return
        for alias in node.names:
            full = f"{base}.{alias.name}"
            # `from . import errors` imports a module; `from .x import Name` imports from x.
            self._add(full if full in self.known else base, node.lineno)


def _lazy_exports(tree: ast.Module, module: str) -> list[str]:
    """Modules named in the top-level package's lazy export table (string targets)."""
    targets = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value.startswith(".")
            and node.value[1:2].isalpha()
        ):
            targets.append(_resolve(module, True, 1, node.value[1:]))
    return targets


def build_graph() -> tuple[set[str], list[tuple[str, str, int, bool]]]:
    files = sorted((ROOT / PACKAGE).rglob("*.py"))
    known = {module_name(f) for f in files}
    edges: list[tuple[str, str, int, bool]] = []
    for path in files:
        module = module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        visitor = _Imports(module, path.name == "__init__.py", known)
        visitor.visit(tree)
        edges += visitor.edges
        if module == PACKAGE:
            edges += [(module, t, 0, False) for t in _lazy_exports(tree, module) if t in known]
    return known, edges


def _cycles(nodes: set[str], edges: list[tuple[str, str, int, bool]]) -> list[list[str]]:
    graph: dict[str, set[str]] = {n: set() for n in nodes}
    for a, b, _, _ in edges:
        graph[a].add(b)
    # A module's own package __init__ runs before it; an edge from a module to its ancestor
    # package is therefore an import of that package's facade, which is a cycle too.
    found: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph[n]):
            if state.get(m) == 1:
                found.append([*stack[stack.index(m) :], m])
            elif m not in state:
                visit(m)
        stack.pop()
        state[n] = 2

    for n in sorted(nodes):
        if n not in state:
            visit(n)
    return found


def violations() -> list[str]:
    """Every broken rule, one line each."""
    nodes, edges = build_graph()
    problems = [" -> ".join(c) for c in _cycles(nodes, edges)]
    problems = [f"import cycle: {p}" for p in problems]
    for a, b, line, in_function in edges:
        where = f"{a} (line {line})"
        if in_function:
            problems.append(f"function-level import of {b} in {where}")
        a_cli = a == CLI or a.startswith(CLI + ".")
        b_cli = b == CLI or b.startswith(CLI + ".")
        if b_cli and not a_cli:
            problems.append(f"upward import of {b} from the library module {where}")
        if a_cli and not b_cli and b != PACKAGE:
            problems.append(f"{where} imports {b}; the CLI may use only {PACKAGE}'s public names")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dot", action="store_true", help="print the graph as Graphviz")
    args = parser.parse_args()
    _, edges = build_graph()
    pairs = sorted({(a, b) for a, b, _, _ in edges})
    if args.dot:
        print("digraph imports {")
        for a, b in pairs:
            print(f'  "{a}" -> "{b}";')
        print("}")
    else:
        for a, b in pairs:
            print(f"{a} -> {b}")
    problems = violations()
    for p in problems:
        print(f"VIOLATION: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
