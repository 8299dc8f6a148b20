"""Make one rule change in the text of sectors.toml, keeping its comments (pure: text in and out).

The file is edited as text, inside the one [[sector]] block the change belongs to, and the result
is checked: it must parse (parse_rules_text) to exactly the rules that `apply_change` gives.
So a change can never leave a file that the pipeline refuses, nor one that means something else.
"""

from __future__ import annotations

import json
import re
import tomllib

from pipeline.errors import ConfigError
from pipeline.rule_change import Change, apply_change
from pipeline.rules import SectorRules, normalize_term, parse_rules

__all__ = ["edit_rules_text", "parse_rules_text"]

_HEADER = re.compile(r"^\s*\[", re.M)


def parse_rules_text(text: str, path: str) -> SectorRules:
    """Parse and validate the text of a sectors.toml (ConfigError on any problem)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    return parse_rules(data, path)


def _quote(term: str) -> str:
    """A TOML basic string (JSON escapes are valid TOML escapes for these characters)."""
    return json.dumps(term, ensure_ascii=False)


def _block(text: str, sector: str) -> tuple[int, int]:
    """Start and end offsets of the [[sector]] block whose id is `sector`."""
    match = re.search(rf'^id\s*=\s*"{re.escape(sector)}"\s*$', text, re.M)
    if match is None:
        raise ConfigError(f"sectors.toml: no [[sector]] with id = {sector!r}")
    start = text.rfind("[[sector]]", 0, match.start())
    following = text.find("\n[[sector]]", match.end())
    return start, len(text) if following == -1 else following + 1


def _keywords_end(block: str) -> int:
    """Where a new keyword line goes: after the last line of the [sector.keywords] table.

    Comment lines right before the next table header belong to that table, so they stay below.
    """
    at = block.find("[sector.keywords]")
    if at == -1:
        raise ConfigError("sectors.toml: the sector has no [sector.keywords] table")
    header = _HEADER.search(block, at + len("[sector.keywords]"))
    end = len(block) if header is None else header.start()
    lines = block[:end].split("\n")
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith("#")):
        lines.pop()
    return len("\n".join(lines)) + 1


def _add_keyword(block: str, change: Change, note: str) -> str:
    at = _keywords_end(block)
    line = f"{_quote(change.term)} = {change.weight:g}"
    return f"{block[:at]}{line:<25} # {note}\n{block[at:]}"


def _set_weight(block: str, change: Change, note: str) -> str:
    start = block.find("[sector.keywords]")
    header = _HEADER.search(block, start + len("[sector.keywords]"))
    end = len(block) if header is None else header.start()
    table = block[start:end]
    pattern = re.compile(r'^("(?:[^"\\]|\\.)*")\s*=\s*[0-9.]+[^\n]*$', re.M)
    folded = normalize_term(change.term)
    for match in pattern.finditer(table):
        if normalize_term(json.loads(match.group(1))) == folded:
            old = match.group(0)
            kept = old.split("#", 1)[1].strip() if "#" in old else ""
            comment = f"{note}; {kept}" if kept else note
            line = f"{match.group(1)} = {change.weight:g}"
            table = table[: match.start()] + f"{line:<25} # {comment}" + table[match.end() :]
            return block[:start] + table + block[end:]
    raise ConfigError(f"sectors.toml: sector {change.sector!r} has no keyword {change.term!r}")


def _add_to_list(block: str, field: str, term: str, note: str) -> str:
    match = re.search(rf"^{field}\s*=\s*\[", block, re.M)
    if match is None:
        # No such list yet: put one right above [sector.keywords], after the sector's fields.
        at = block.find("[sector.keywords]")
        examples = re.search(r"^examples\s*=", block, re.M)
        if examples is not None and examples.start() < at:
            at = examples.start()
        return f"{block[:at]}# {note}\n{field} = [{_quote(term)}]\n{block[at:]}"
    close = block.find("]", match.end())
    while True:  # skip a ']' inside a quoted string
        line_start = block.rfind("\n", 0, close) + 1
        if block[line_start:close].count('"') % 2 == 0:
            break
        close = block.find("]", close + 1)
    inner = block[match.end() : close]
    if "\n" in inner:
        body = inner.rstrip()
        tail = "," if body.strip() and not body.endswith(",") else ""
        return (
            block[: match.end()] + f"{body}{tail}\n  # {note}\n  {_quote(term)},\n" + block[close:]
        )
    body = inner.strip().rstrip(",")
    items = f"{body}, {_quote(term)}" if body else _quote(term)
    line_start = block.rfind("\n", 0, match.start()) + 1
    return f"{block[:line_start]}# {note}\n{block[line_start : match.end()]}{items}{block[close:]}"


def edit_rules_text(text: str, change: Change, note: str, path: str = "config/sectors.toml") -> str:
    """Return `text` with `change` made and `note` as its comment; ConfigError if it cannot be.

    The result is verified to parse to `apply_change(rules of text, change)`.
    """
    if "\n" in note:
        raise ValueError("a note is one line")
    before = parse_rules_text(text, path)
    if change.kind == "add_keyword":
        folded = normalize_term(change.term)
        rule = before.sector(change.sector)
        terms = {normalize_term(k.term) for k in rule.keywords}
        if folded in terms | {normalize_term(c.term) for c in rule.cooccur}:
            raise ConfigError(f"{path}: {change.term!r} is already a term of {change.sector!r}")
    expected = apply_change(before, change)
    start, end = _block(text, change.sector)
    block = text[start:end]
    if change.kind == "add_keyword":
        block = _add_keyword(block, change, note)
    elif change.kind == "set_weight":
        block = _set_weight(block, change, note)
    elif change.kind == "add_exclude":
        block = _add_to_list(block, "exclude", change.term, note)
    else:
        block = _add_to_list(block, "guard_words", change.term, note)
    result = text[:start] + block + text[end:]
    if parse_rules_text(result, path) != expected:
        raise ConfigError(
            f"{path}: the edit for {change.describe()} did not give the rules intended"
        )
    return result
