"""Field checks shared by the sector-rules parser: each problem names the file, entry and field."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from typing import Any


def normalize_term(term: str) -> str:
    """Fold a configured term: NFKC (full-width ５Ｇ becomes 5G) and lower case."""
    return unicodedata.normalize("NFKC", term).lower()


class Problems:
    """Collects problems so that ops see every mistake of an edit at once."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.lines: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.lines.append(f"{self.path}: {where}: {message}")


def is_number(value: object) -> bool:
    # bool is an int subclass, but `weight = true` is always a typo.
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def number_field(
    p: Problems, where: str, field: str, value: object, *, minimum: float, strict: bool
) -> float | None:
    """Validate a number >= minimum (or > minimum when strict)."""
    ok = is_number(value) and (value > minimum if strict else value >= minimum)  # type: ignore[operator]
    if not ok:
        op = ">" if strict else ">="
        p.add(where, f"field {field!r} must be a number {op} {minimum:g}; got {value!r}")
        return None
    return float(value)  # type: ignore[arg-type]


def text_field(p: Problems, where: str, field: str, value: object) -> str | None:
    """Validate one non-empty term or phrase without surrounding whitespace."""
    if not isinstance(value, str) or not value.strip():
        p.add(where, f"field {field!r} must be a non-empty string; got {value!r}")
        return None
    if value != value.strip():
        p.add(where, f"field {field!r}: {value!r} has leading or trailing whitespace; remove it")
        return None
    return value


def text_list(p: Problems, where: str, field: str, value: object) -> tuple[str, ...]:
    """Validate a list of distinct non-empty strings."""
    if not isinstance(value, list):
        p.add(where, f"field {field!r} must be a list of strings; got {value!r}")
        return ()
    out: list[str] = []
    seen: set[str] = set()
    for item in value:
        text = text_field(p, where, field, item)
        if text is None:
            continue
        if normalize_term(text) in seen:
            p.add(where, f"field {field!r}: {text!r} is listed twice; keep one")
            continue
        seen.add(normalize_term(text))
        out.append(text)
    return tuple(out)


def unknown_fields(
    p: Problems, where: str, data: Mapping[str, Any], allowed: frozenset[str]
) -> None:
    """Report keys outside `allowed` (typos would otherwise be silently ignored)."""
    for key in data:
        if key not in allowed:
            hint = ", ".join(sorted(allowed))
            p.add(where, f"unknown field {key!r}; allowed: {hint}")
