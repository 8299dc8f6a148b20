"""DESIGN.md's import rules, checked by reading every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parent.parent
OUR_PACKAGES = {"pipeline", "crawler", "desk", "scheduler"}
# Shell modules inside pipeline/: the database owner, the batch driver, the cycle runner (a child
# process), and config.py, whose thin load_config reads the TOML files (STYLE.md rule 2).
PIPELINE_SHELL = {"store", "run", "cycle", "config"}
# Shell modules of unattended operation: store_ops (the second database module: backup and
# restore), lock (the scheduler lock file), logs (rotating log files), alerts (SMTP and webhook
# delivery) and maintenance (backup rotation, pruning files, the nightly clock).
PIPELINE_SHELL |= {"store_ops", "lock", "logs", "alerts", "maintenance"}
# The database modules: only these may import sqlite3/sqlite_utils (store_ops for the backup API).
DATABASE_MODULES = {ROOT / "pipeline" / "store.py", ROOT / "pipeline" / "store_ops.py"}
IO_MODULES = {"os", "subprocess", "socket", "sqlite3", "sqlite_utils", "requests", "urllib.request",
              "http", "shutil", "tomllib", "pathlib", "io"}  # fmt: skip
# (module or class, function) pairs that read the clock.
CLOCK_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("time", "time"),
               ("time", "monotonic"), ("datetime", "today")}  # fmt: skip


def imports_of(path: Path) -> set[str]:
    """Every module name a file imports (absolute, dotted)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def top(name: str) -> str:
    return name.split(".")[0]


def test_pipeline_depends_on_no_other_package_of_ours() -> None:
    for path in modules("pipeline"):
        assert not {top(m) for m in imports_of(path)} & (OUR_PACKAGES - {"pipeline"}), path


def test_nothing_depends_on_desk() -> None:
    for package in ("pipeline", "crawler"):
        for path in modules(package):
            assert "desk" not in {top(m) for m in imports_of(path)}, path
    assert "desk" not in {top(m) for m in imports_of(ROOT / "scheduler.py")}


def test_scheduler_never_imports_scrapy_or_twisted() -> None:
    assert not {top(m) for m in imports_of(ROOT / "scheduler.py")} & {
        "scrapy",
        "twisted",
        "crawler",
    }


def test_only_store_imports_sqlite() -> None:
    for package in ("pipeline", "crawler", "desk"):
        for path in modules(package):
            if path in DATABASE_MODULES:
                continue
            assert not {top(m) for m in imports_of(path)} & {"sqlite3", "sqlite_utils"}, path


def test_pure_pipeline_modules_do_no_io_and_never_read_the_clock() -> None:
    for path in modules("pipeline"):
        if path.stem in PIPELINE_SHELL:
            continue
        assert not imports_of(path) & IO_MODULES, path
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
            ):
                call = (node.func.value.id, node.func.attr)
                assert call not in CLOCK_CALLS, f"{path}:{node.lineno} reads the clock"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id != "open", f"{path}:{node.lineno} opens a file"


def test_modules_stay_small() -> None:
    for package in ("pipeline", "crawler", "desk"):
        for path in modules(package):
            if "demo_site" in path.parts:
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            assert lines <= 450, f"{path} has {lines} lines; split it"
