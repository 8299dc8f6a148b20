"""Sector rules for the keyword classifier: frozen models and their validation (no file I/O)."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from pipeline.errors import ConfigError

__all__ = [
    "GROUPS", "SECTOR_IDS", "SECTOR_SPECS", "ClassifySettings", "Cooccur", "Keyword", "SectorRule",
    "SectorRules", "normalize_term", "parse_rules",
]  # fmt: skip

# The "6+3+3" industries of Xuchang, in the order the newsletter prints them: (id, 名称, group).
# Fixed in code because the desk, the issue layout and the golden set all depend on exactly these.
SECTOR_SPECS: tuple[tuple[str, str, str], ...] = (
    ("it", "新一代信息技术", "strategic"),
    ("materials", "新材料", "strategic"),
    ("biomed", "生物医药", "strategic"),
    ("smart_equipment", "智能装备", "strategic"),
    ("nev", "新能源汽车", "strategic"),
    ("green", "节能环保", "strategic"),
    ("equipment", "装备制造", "leading"),
    ("food", "食品", "leading"),
    ("hair", "发制品", "leading"),
    ("building", "建材", "traditional"),
    ("chemical", "化工", "traditional"),
    ("textile", "轻纺", "traditional"),
)
SECTOR_IDS: tuple[str, ...] = tuple(spec[0] for spec in SECTOR_SPECS)
GROUPS: tuple[str, ...] = ("strategic", "leading", "traditional")

# Defaults for the optional [classify] keys; a title hit counting 3x a body hit and a count cap of 8
# (so repeats add at most 1 + log2(8) = 4x) were tuned on tests/fixtures/golden.toml.
DEFAULT_TITLE_FACTOR = 3.0
DEFAULT_MIN_SCORE = 3.0
DEFAULT_REPEAT_CAP = 8
# 0 disables the share test; the shipped file sets it (see config/sectors.toml).
DEFAULT_MIN_SHARE = 0.0

_TOP_KEYS = frozenset({"classify", "sector"})
_CLASSIFY_KEYS = frozenset(
    {"title_factor", "min_score", "min_share", "repeat_cap", "exclude", "title_veto"}
    | {"industry_context"}
)
# A `with` entry naming the shared partner list instead of a word: `with = ["@industry", "乳企"]`.
INDUSTRY_PARTNERS = "@industry"
_SECTOR_KEYS = frozenset(
    {"id", "name", "group", "priority", "min_score", "keywords", "exclude", "guard_words"}
    | {"cooccur", "examples", "counter_examples"}
)
_COOCCUR_KEYS = frozenset({"term", "with", "without", "weight"})


@dataclass(frozen=True, slots=True)
class Keyword:
    """One weighted term of a sector."""

    term: str
    weight: float


@dataclass(frozen=True, slots=True)
class Cooccur:
    """A term that counts only next to one of `with_terms` (if any) and none of `without_terms`."""

    term: str
    with_terms: tuple[str, ...]
    weight: float
    without_terms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SectorRule:
    """The keyword rule of one sector."""

    id: str
    name: str
    group: str
    priority: int
    min_score: float
    keywords: tuple[Keyword, ...]
    exclude: tuple[str, ...] = ()
    guard_words: tuple[str, ...] = ()
    cooccur: tuple[Cooccur, ...] = ()
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ClassifySettings:
    """Global knobs of the classifier ([classify] table)."""

    title_factor: float = DEFAULT_TITLE_FACTOR
    min_score: float = DEFAULT_MIN_SCORE
    repeat_cap: int = DEFAULT_REPEAT_CAP
    min_share: float = DEFAULT_MIN_SHARE
    exclude: tuple[str, ...] = ()
    # A title containing one of these is not industry news whatever its keywords (notices, advice).
    title_veto: tuple[str, ...] = ()
    # Words that make an item industry news (产业, 投产, 年产 ...): what "@industry" in a
    # co-occurrence's `with` list stands for, so hundreds of product nouns share one list.
    industry_context: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SectorRules:
    """All sector rules, in newsletter order."""

    settings: ClassifySettings
    sectors: tuple[SectorRule, ...]

    def sector(self, sector_id: str) -> SectorRule:
        """Return the rule of `sector_id` (KeyError if unknown)."""
        for rule in self.sectors:
            if rule.id == sector_id:
                return rule
        raise KeyError(sector_id)


def normalize_term(term: str) -> str:
    """Fold a configured term: NFKC (full-width ５Ｇ becomes 5G) and lower case."""
    return unicodedata.normalize("NFKC", term).lower()


class _Problems:
    """Collects problems so that ops see every mistake of an edit at once."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.lines: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.lines.append(f"{self.path}: {where}: {message}")


def _is_number(value: object) -> bool:
    # bool is an int subclass, but `weight = true` is always a typo.
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _number(
    p: _Problems, where: str, field: str, value: object, *, minimum: float, strict: bool
) -> float | None:
    """Validate a number >= minimum (or > minimum when strict)."""
    ok = _is_number(value) and (value > minimum if strict else value >= minimum)  # type: ignore[operator]
    if not ok:
        op = ">" if strict else ">="
        p.add(where, f"field {field!r} must be a number {op} {minimum:g}; got {value!r}")
        return None
    return float(value)  # type: ignore[arg-type]


def _text(p: _Problems, where: str, field: str, value: object) -> str | None:
    """Validate one non-empty term or phrase without surrounding whitespace."""
    if not isinstance(value, str) or not value.strip():
        p.add(where, f"field {field!r} must be a non-empty string; got {value!r}")
        return None
    if value != value.strip():
        p.add(where, f"field {field!r}: {value!r} has leading or trailing whitespace; remove it")
        return None
    return value


def _text_list(p: _Problems, where: str, field: str, value: object) -> tuple[str, ...]:
    """Validate a list of distinct non-empty strings."""
    if not isinstance(value, list):
        p.add(where, f"field {field!r} must be a list of strings; got {value!r}")
        return ()
    out: list[str] = []
    for item in value:
        text = _text(p, where, field, item)
        if text is None:
            continue
        if normalize_term(text) in {normalize_term(t) for t in out}:
            p.add(where, f"field {field!r}: {text!r} is listed twice; keep one")
            continue
        out.append(text)
    return tuple(out)


def _unknown(p: _Problems, where: str, data: Mapping[str, Any], allowed: frozenset[str]) -> None:
    """Report keys outside `allowed` (typos would otherwise be silently ignored)."""
    for key in data:
        if key not in allowed:
            hint = ", ".join(sorted(allowed))
            p.add(where, f"unknown field {key!r}; allowed: {hint}")


def _parse_settings(p: _Problems, data: object) -> ClassifySettings:
    """Validate the [classify] table; every key is optional."""
    where = "[classify]"
    if not isinstance(data, Mapping):
        p.add(where, f"must be a table; got {data!r}")
        return ClassifySettings()
    _unknown(p, where, data, _CLASSIFY_KEYS)
    title_factor = _number(
        p,
        where,
        "title_factor",
        data.get("title_factor", DEFAULT_TITLE_FACTOR),
        minimum=0,
        strict=True,
    )
    min_score = _number(
        p, where, "min_score", data.get("min_score", DEFAULT_MIN_SCORE), minimum=0, strict=False
    )
    share = data.get("min_share", DEFAULT_MIN_SHARE)
    if not _is_number(share) or not 0 <= share <= 1:
        p.add(where, f"field 'min_share' must be a number from 0 to 1; got {share!r}")
        share = DEFAULT_MIN_SHARE
    cap = data.get("repeat_cap", DEFAULT_REPEAT_CAP)
    if not isinstance(cap, int) or isinstance(cap, bool) or cap < 1:
        p.add(where, f"field 'repeat_cap' must be an integer >= 1; got {cap!r}")
        cap = DEFAULT_REPEAT_CAP
    exclude = _text_list(p, where, "exclude", data.get("exclude", []))
    title_veto = _text_list(p, where, "title_veto", data.get("title_veto", []))
    context = _text_list(p, where, "industry_context", data.get("industry_context", []))
    return ClassifySettings(
        title_factor=DEFAULT_TITLE_FACTOR if title_factor is None else title_factor,
        min_score=DEFAULT_MIN_SCORE if min_score is None else min_score,
        repeat_cap=cap,
        min_share=float(share),
        exclude=exclude,
        title_veto=title_veto,
        industry_context=context,
    )


def _parse_keywords(p: _Problems, where: str, value: object) -> tuple[Keyword, ...]:
    """Validate the term → weight table of a sector."""
    if not isinstance(value, Mapping) or not value:
        p.add(where, f"field 'keywords' must be a non-empty table of term = weight; got {value!r}")
        return ()
    out: list[Keyword] = []
    seen: set[str] = set()
    for term, weight in value.items():
        field = f"keywords.{term}" if isinstance(term, str) and term.strip() else "keywords"
        text = _text(p, where, field, term)
        number = _number(p, where, field, weight, minimum=0, strict=True)
        if text is None or number is None:
            continue
        if normalize_term(text) in seen:
            p.add(where, f"field 'keywords': {text!r} is listed twice (case-insensitively)")
            continue
        seen.add(normalize_term(text))
        out.append(Keyword(text, number))
    return tuple(out)


def _expand_partners(
    p: _Problems, at: str, partners: tuple[str, ...], context: tuple[str, ...]
) -> tuple[str, ...]:
    """Replace "@industry" in a `with` list by the [classify] industry_context words."""
    out: list[str] = []
    for word in partners:
        if not word.startswith("@"):
            out.append(word)
        elif word != INDUSTRY_PARTNERS:
            p.add(at, f"field 'with': unknown partner list {word!r}; the one list is '@industry'")
        elif not context:
            p.add(at, "field 'with' names '@industry' but [classify] industry_context is empty")
        else:
            out.extend(context)
    return tuple(dict.fromkeys(out))


def _parse_cooccur(
    p: _Problems, where: str, value: object, context: tuple[str, ...] = ()
) -> tuple[Cooccur, ...]:
    """Validate the [[sector.cooccur]] entries ("@industry" partners expanded from `context`)."""
    if not isinstance(value, list):
        p.add(where, f"field 'cooccur' must be an array of tables; got {value!r}")
        return ()
    out: list[Cooccur] = []
    for n, entry in enumerate(value, start=1):
        at = f"{where}: cooccur #{n}"
        if not isinstance(entry, Mapping):
            p.add(at, f"must be a table with term, with and/or without, weight; got {entry!r}")
            continue
        _unknown(p, at, entry, _COOCCUR_KEYS)
        missing = [k for k in ("term", "weight") if k not in entry]
        if missing:
            p.add(at, f"missing field(s) {', '.join(missing)}")
            continue
        term = _text(p, at, "term", entry["term"])
        with_terms = _expand_partners(
            p, at, _text_list(p, at, "with", entry.get("with", [])), context
        )
        without_terms = _text_list(p, at, "without", entry.get("without", []))
        weight = _number(p, at, "weight", entry["weight"], minimum=0, strict=True)
        if not entry.get("with") and not entry.get("without"):
            p.add(at, "needs a non-empty 'with' (partners) or 'without' (vetoes) list")
            continue
        if term is not None and weight is not None:
            out.append(Cooccur(term, with_terms, weight, without_terms))
    return tuple(out)


def _parse_sector(
    p: _Problems, n: int, data: object, context: tuple[str, ...] = ()
) -> SectorRule | None:
    """Validate one [[sector]] table; returns None when it is unusable."""
    if not isinstance(data, Mapping):
        p.add(f"sector #{n}", f"must be a table; got {data!r}")
        return None
    sid = data.get("id")
    if not isinstance(sid, str) or sid not in SECTOR_IDS:
        p.add(f"sector #{n}", f"field 'id' must be one of {', '.join(SECTOR_IDS)}; got {sid!r}")
        return None
    where = f"sector {sid!r}"
    _, want_name, want_group = SECTOR_SPECS[SECTOR_IDS.index(sid)]
    _unknown(p, where, data, _SECTOR_KEYS)
    for key in ("name", "group", "priority", "keywords"):
        if key not in data:
            p.add(where, f"missing field {key!r}")
    name = data.get("name", want_name)
    if name != want_name:
        p.add(where, f"field 'name' must be {want_name!r} (the newsletter's name); got {name!r}")
    group = data.get("group", want_group)
    if group != want_group:
        p.add(where, f"field 'group' must be {want_group!r} for this sector; got {group!r}")
    priority = data.get("priority", 0)
    if not isinstance(priority, int) or isinstance(priority, bool):
        p.add(where, f"field 'priority' must be an integer (lower wins a tie); got {priority!r}")
        priority = 0
    min_score: float | None = None
    if "min_score" in data:
        min_score = _number(p, where, "min_score", data["min_score"], minimum=0, strict=False)
    keywords = _parse_keywords(p, where, data["keywords"]) if "keywords" in data else ()
    exclude = _text_list(p, where, "exclude", data.get("exclude", []))
    cooccur = _parse_cooccur(p, where, data.get("cooccur", []), context)
    seen = {normalize_term(k.term) for k in keywords}
    for entry in cooccur:
        if normalize_term(entry.term) in seen:
            p.add(where, f"co-occurrence term {entry.term!r} is also a keyword; keep one")
        seen.add(normalize_term(entry.term))
    for phrase in exclude:
        if not any(t in normalize_term(phrase) for t in seen):
            p.add(
                where,
                f"exclude phrase {phrase!r} contains no keyword of this sector; it masks nothing",
            )
    guard_words = _text_list(p, where, "guard_words", data.get("guard_words", []))
    for word in guard_words:
        if not any(set(normalize_term(word)) & set(t) for t in seen):
            p.add(
                where, f"guard word {word!r} shares no character with a keyword; it guards nothing"
            )
    return SectorRule(
        id=sid,
        name=want_name,
        group=want_group,
        priority=priority,
        min_score=-1.0 if min_score is None else min_score,  # -1: filled from [classify] below
        keywords=keywords,
        exclude=exclude,
        guard_words=guard_words,
        cooccur=cooccur,
        examples=_text_list(p, where, "examples", data.get("examples", [])),
        counter_examples=_text_list(p, where, "counter_examples", data.get("counter_examples", [])),
    )


def _check_set(p: _Problems, rules: list[SectorRule]) -> None:
    """Check that the 12 sectors appear once each, in order, with distinct priorities."""
    ids = [r.id for r in rules]
    for sid in SECTOR_IDS:
        if sid not in ids:
            p.add(
                f"sector {sid!r}", "missing; every one of the 12 sectors needs a [[sector]] table"
            )
    for sid in sorted({s for s in ids if ids.count(s) > 1}, key=SECTOR_IDS.index):
        p.add(f"sector {sid!r}", f"duplicate id: defined {ids.count(sid)} times; keep one")
    unique = list(dict.fromkeys(ids))
    expected = [s for s in SECTOR_IDS if s in unique]
    if unique != expected:
        p.add(
            "sectors",
            f"must appear in this order: {', '.join(SECTOR_IDS)}; got {', '.join(unique)}",
        )
    owner: dict[int, str] = {}
    for rule in rules:
        if rule.priority in owner and owner[rule.priority] != rule.id:
            p.add(
                f"sector {rule.id!r}",
                f"field 'priority' {rule.priority} is already used by sector "
                f"{owner[rule.priority]!r}; priorities must be unique",
            )
        owner.setdefault(rule.priority, rule.id)


def parse_rules(data: Mapping[str, Any], path: str = "config/sectors.toml") -> SectorRules:
    """Validate a parsed sectors.toml mapping into SectorRules.

    :raises ConfigError: listing every problem, each naming the file, the sector and the field.
    """
    p = _Problems(path)
    _unknown(p, "top level", data, _TOP_KEYS)
    settings = _parse_settings(p, data.get("classify", {}))
    raw = data.get("sector")
    rules: list[SectorRule] = []
    if not isinstance(raw, list):
        p.add("sector", f"needs [[sector]] tables for the 12 sectors; got {raw!r}")
    else:
        for n, entry in enumerate(raw, start=1):
            rule = _parse_sector(p, n, entry, settings.industry_context)
            if rule is not None:
                rules.append(rule)
        _check_set(p, rules)
    all_terms = {normalize_term(k.term) for r in rules for k in r.keywords}
    all_terms |= {normalize_term(c.term) for r in rules for c in r.cooccur}
    for phrase in settings.exclude:
        if not any(t in normalize_term(phrase) for t in all_terms):
            p.add("[classify]", f"exclude phrase {phrase!r} contains no keyword; it masks nothing")
    if p.lines:
        raise ConfigError("\n".join(p.lines), problems=tuple(p.lines))
    filled = tuple(
        r if r.min_score >= 0 else replace(r, min_score=settings.min_score) for r in rules
    )
    return SectorRules(settings=settings, sectors=filled)
