"""Read config/ from disk: the thin file-reading edge over pipeline.config's pure parsers."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pipeline.config import Config, TomlDocument, parse_config


def _read_toml(path: Path, label: str, problems: list[str]) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        problems.append(f"{label}: file not found")
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{label}: not valid TOML ({exc})")
    except UnicodeDecodeError as exc:
        problems.append(f"{label}: not UTF-8 text ({exc})")
    return {}


def load_config(directory: str | Path) -> Config:
    """Read and validate settings.toml, sectors.toml and sources/*.toml under `directory`."""
    root = Path(directory)
    problems: list[str] = []

    def document(p: Path) -> TomlDocument:
        label = str(root.name / p.relative_to(root)) if root.name else str(p)
        return label, _read_toml(p, label, problems)

    settings = document(root / "settings.toml")
    sectors = document(root / "sectors.toml")
    files = sorted((root / "sources").glob("*.toml"))
    if not files:
        sources_label = str(root.name / Path("sources")) if root.name else str(root / "sources")
        problems.append(f"{sources_label}: no *.toml source files found")
    return parse_config(str(root), settings, sectors, [document(f) for f in files], problems)
