"""DESIGN.md's layout and import rules, checked by reading every module's imports."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).parent.parent
# The layers from the ground up; a module may import its own package or a lower layer, never a
# higher one nor a sibling on its own layer. crawler sits above ops because the crawl child reads
# config/ through ops/config_files.py; ops starts the crawl only as a child process, never by
# import (the Twisted reactor cannot be restarted).
LAYERS = {"pipeline": 0, "store": 1, "ops": 2, "crawler": 3,
          "desk": 4, "demo": 4, "scheduler": 4, "cli": 5}  # fmt: skip
PACKAGES = [p for p in LAYERS if p != "scheduler"]
IO_MODULES = {"os", "subprocess", "socket", "sqlite3", "sqlite_utils", "requests", "urllib.request",
              "http", "shutil", "pathlib", "io", "fcntl", "smtplib", "threading", "signal", "tempfile",
              "glob", "logging.handlers"}  # fmt: skip
# (module or class, function) pairs that read the clock.
CLOCK_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("time", "time"),
               ("time", "monotonic"), ("datetime", "today")}  # fmt: skip


def source_files() -> Iterator[Path]:
    """Every module of the product (not tests, benchmarks or generated demo pages)."""
    yield ROOT / "scheduler.py"
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "www" not in path.parts:
                yield path


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every absolute module name a file imports, at any depth (lazy imports count too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # `from store import items` imports the module store.items
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def top(name: str) -> str:
    return name.split(".")[0]


def package_of(path: Path) -> str:
    return top(module_name(path))


def test_every_package_is_a_layer() -> None:
    for path in ROOT.glob("*/__init__.py"):
        if path.parent.name not in {"tests", "bench"}:
            assert path.parent.name in LAYERS, f"{path.parent.name}/ is not in DESIGN.md's layers"


def test_imports_only_run_down_the_layers() -> None:
    for path in source_files():
        own = package_of(path)
        for name in imports_of(path):
            other = top(name)
            if other in LAYERS and other != own:
                assert LAYERS[other] < LAYERS[own], f"{path}: {own} must not import {name}"


def test_nothing_imports_cli() -> None:
    for path in [*source_files(), *ROOT.glob("bench/*.py")]:
        if package_of(path) != "cli":
            assert "cli" not in {top(m) for m in imports_of(path)}, path


def test_ops_and_scheduler_never_import_scrapy_or_twisted() -> None:
    for path in source_files():
        if package_of(path) in {"ops", "scheduler", "store", "pipeline"}:
            assert not {top(m) for m in imports_of(path)} & {"scrapy", "twisted", "crawler"}, path


def test_only_store_imports_sqlite() -> None:
    for path in source_files():
        if package_of(path) != "store":
            assert not {top(m) for m in imports_of(path)} & {"sqlite3", "sqlite_utils"}, path


def test_pipeline_does_no_io_and_never_reads_the_clock() -> None:
    for path in (ROOT / "pipeline").rglob("*.py"):
        assert not imports_of(path) & IO_MODULES, path
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                assert (func.value.id, func.attr) not in CLOCK_CALLS, (
                    f"{path}:{node.lineno} reads the clock"
                )
            if isinstance(func, ast.Name):
                assert func.id != "open", f"{path}:{node.lineno} opens a file"


def test_no_import_circles_between_files() -> None:
    files = {module_name(p): p for p in source_files()}
    graph = {
        name: {m for m in imports_of(path) if m in files and m != name}
        for name, path in files.items()
    }
    # Tarjan's strongly connected components: any component of two or more files is a circle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for name in graph:
        if name not in index:
            visit(name)
    assert not circles, f"import circles: {circles}"


def test_modules_stay_small() -> None:
    for path in source_files():
        if "sites" in path.relative_to(ROOT).parts:
            continue  # the demo-site generator is mostly page templates
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 450, f"{path} has {lines} lines; split it"
