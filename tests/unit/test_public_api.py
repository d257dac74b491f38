"""The shape of the package: its public surface, its error tree, its layers, its dependencies."""

from __future__ import annotations

import ast
import inspect
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

import parallel_taskgroup as ptg
import pytest
from parallel_taskgroup import errors
from public_members import package_members

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import import_graph  # noqa: E402


def _public_callables() -> list[tuple[str, Callable[..., Any]]]:
    """Every public function, class constructor and public method reachable from __all__."""
    found: list[tuple[str, Callable[..., Any]]] = []
    for name in ptg.__all__:
        value = getattr(ptg, name)
        if inspect.isclass(value):
            if issubclass(value, BaseException):
                continue
            if not getattr(value, "_is_protocol", False):  # protocols cannot be instantiated
                found.append((f"{name}()", value))
            for attr, member in package_members(value).items():
                if attr.startswith("_") or not callable(member):
                    continue
                found.append((f"{name}.{attr}", member))
        elif inspect.isfunction(value):
            found.append((name, value))
    from parallel_taskgroup.cli import main

    found.append(("cli.main", main))
    return found


@pytest.mark.parametrize(
    ("name", "func"), [pytest.param(n, f, id=n) for n, f in _public_callables()]
)
def test_no_public_callable_takes_arbitrary_keyword_arguments(
    name: str, func: Callable[..., Any]
) -> None:
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        pytest.skip(f"{name} has no introspectable signature")
    kinds = {p.kind for p in signature.parameters.values()}
    assert inspect.Parameter.VAR_KEYWORD not in kinds, f"{name}{signature}"


def test_every_public_name_resolves() -> None:
    for name in ptg.__all__:
        assert getattr(ptg, name) is not None, name
    assert ptg.__version__ == metadata.version("parallel-taskgroup")


def test_every_error_class_is_a_parallel_error_importable_from_the_top_level() -> None:
    classes = [
        v for v in vars(errors).values() if inspect.isclass(v) and v.__module__ == errors.__name__
    ]
    assert len(classes) > 20
    for cls in classes:
        assert issubclass(cls, errors.ParallelError), cls
        assert getattr(ptg, cls.__name__) is cls, cls


def test_the_error_tree_in_the_docstring_names_every_error_class() -> None:
    classes = {
        v.__name__
        for v in vars(errors).values()
        if inspect.isclass(v) and v.__module__ == errors.__name__
    }
    drawn = set(re.findall(r"[├└]── (\w+)", errors.__doc__ or "")) | {"ParallelError"}
    assert drawn == classes


def test_import_graph_has_no_cycle_no_function_level_import_and_no_upward_arrow() -> None:
    assert import_graph.violations() == []


def test_the_command_line_uses_only_the_public_package() -> None:
    def in_cli(module: str) -> bool:
        return module == "parallel_taskgroup.cli" or module.startswith("parallel_taskgroup.cli.")

    _, edges = import_graph.build_graph()
    for source, target, _, _ in edges:
        if in_cli(source):
            assert target == "parallel_taskgroup" or in_cli(target), (source, target)


def test_importing_the_package_loads_no_http_or_models() -> None:
    code = (
        "import sys, parallel_taskgroup, parallel_taskgroup.cli; "
        "print(sorted(m for m in ('httpx', 'attrs', 'parallel_taskgroup_api') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_usage_error_of_run_loads_no_http_or_models() -> None:
    code = (
        "import sys, io; from parallel_taskgroup.cli import main; "
        "sys.stderr = io.StringIO(); "
        "code = main(['run', 'nonexistent.jsonl', '--out', 'x.jsonl']); "
        "print(code, sorted(m for m in ('httpx', 'parallel_taskgroup.jobs') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "2 []"


def _third_party_imports() -> set[str]:
    names: set[str] = set()
    for package in ("wrapper/parallel_taskgroup", "generated_client/parallel_taskgroup_api"):
        for path in (ROOT / package).rglob("*.py"):
            if "/cli/" in str(path):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names |= {a.name.split(".")[0] for a in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names.add(node.module.split(".")[0])
    stdlib = set(sys.stdlib_module_names) if hasattr(sys, "stdlib_module_names") else set()
    own = {"parallel_taskgroup", "parallel_taskgroup_api", "__future__"}
    return {n for n in names if n not in own and (not stdlib or n not in stdlib)}


@pytest.mark.skipif(sys.version_info < (3, 10), reason="needs sys.stdlib_module_names")
def test_runtime_dependencies_are_exactly_what_is_imported() -> None:
    import_to_distribution = {"typing_extensions": "typing-extensions"}
    imported = {import_to_distribution.get(n, n) for n in _third_party_imports()}
    declared = {
        re.split(r"[<>=!~ ;\[]", r, maxsplit=1)[0].lower()
        for r in metadata.requires("parallel-taskgroup") or []
        if "extra ==" not in r
    }
    assert declared == imported


def test_the_library_prints_nothing_to_stderr_without_logging_configured() -> None:
    code = (
        "import logging, parallel_taskgroup; "
        "logging.getLogger('parallel_taskgroup.streaming').warning('a stray line')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stderr == ""
