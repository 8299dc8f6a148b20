"""Sector rules for the keyword classifier: frozen models and their validation (no file I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from pipeline.errors import ConfigError
from pipeline.rule_checks import (  # normalize_term re-exported: classify folds terms with it
    Problems,
    is_number,
    normalize_term,
    number_field,
    text_field,
    text_list,
    unknown_fields,
)

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
    | {"lists", "company_weight"}
)
# A sector's `companies` count next to the words of these [classify.lists] lists and none of
# COMPANY_VETOES: a maker's name is industry news next to a project or business word, and trading,
# celebrity or complaint news otherwise.
COMPANY_PARTNERS = ("@industry", "@business")
COMPANY_VETOES = ("@company_veto",)
DEFAULT_COMPANY_WEIGHT = 2.5
_SECTOR_KEYS = frozenset(
    {"id", "name", "group", "priority", "min_score", "keywords", "exclude", "guard_words"}
    | {"cooccur", "companies", "examples", "counter_examples"}
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
    # Named word lists ([classify.lists]): "@industry" in a co-occurrence's `with` or `without`
    # stands for the words of list "industry", so hundreds of product nouns share one list.
    lists: tuple[tuple[str, tuple[str, ...]], ...] = ()
    company_weight: float = DEFAULT_COMPANY_WEIGHT


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


def _parse_settings(p: Problems, data: object) -> ClassifySettings:
    """Validate the [classify] table; every key is optional."""
    where = "[classify]"
    if not isinstance(data, Mapping):
        p.add(where, f"must be a table; got {data!r}")
        return ClassifySettings()
    unknown_fields(p, where, data, _CLASSIFY_KEYS)
    title_factor = number_field(
        p,
        where,
        "title_factor",
        data.get("title_factor", DEFAULT_TITLE_FACTOR),
        minimum=0,
        strict=True,
    )
    min_score = number_field(
        p, where, "min_score", data.get("min_score", DEFAULT_MIN_SCORE), minimum=0, strict=False
    )
    share = data.get("min_share", DEFAULT_MIN_SHARE)
    if not is_number(share) or not 0 <= share <= 1:
        p.add(where, f"field 'min_share' must be a number from 0 to 1; got {share!r}")
        share = DEFAULT_MIN_SHARE
    cap = data.get("repeat_cap", DEFAULT_REPEAT_CAP)
    if not isinstance(cap, int) or isinstance(cap, bool) or cap < 1:
        p.add(where, f"field 'repeat_cap' must be an integer >= 1; got {cap!r}")
        cap = DEFAULT_REPEAT_CAP
    exclude = text_list(p, where, "exclude", data.get("exclude", []))
    title_veto = text_list(p, where, "title_veto", data.get("title_veto", []))
    lists: list[tuple[str, tuple[str, ...]]] = []
    raw_lists = data.get("lists", {})
    if not isinstance(raw_lists, Mapping):
        p.add(where, f"field 'lists' must be a table of name = [words]; got {raw_lists!r}")
        raw_lists = {}
    for name, words in raw_lists.items():
        lists.append((name, text_list(p, f"{where} lists", name, words)))
    company_weight = number_field(
        p,
        where,
        "company_weight",
        data.get("company_weight", DEFAULT_COMPANY_WEIGHT),
        minimum=0,
        strict=True,
    )
    return ClassifySettings(
        title_factor=DEFAULT_TITLE_FACTOR if title_factor is None else title_factor,
        min_score=DEFAULT_MIN_SCORE if min_score is None else min_score,
        repeat_cap=cap,
        min_share=float(share),
        exclude=exclude,
        title_veto=title_veto,
        lists=tuple(lists),
        company_weight=DEFAULT_COMPANY_WEIGHT if company_weight is None else company_weight,
    )


def _parse_keywords(p: Problems, where: str, value: object) -> tuple[Keyword, ...]:
    """Validate the term → weight table of a sector."""
    if not isinstance(value, Mapping) or not value:
        p.add(where, f"field 'keywords' must be a non-empty table of term = weight; got {value!r}")
        return ()
    out: list[Keyword] = []
    seen: set[str] = set()
    for term, weight in value.items():
        field = f"keywords.{term}" if isinstance(term, str) and term.strip() else "keywords"
        text = text_field(p, where, field, term)
        number = number_field(p, where, field, weight, minimum=0, strict=True)
        if text is None or number is None:
            continue
        if normalize_term(text) in seen:
            p.add(where, f"field 'keywords': {text!r} is listed twice (case-insensitively)")
            continue
        seen.add(normalize_term(text))
        out.append(Keyword(text, number))
    return tuple(out)


def _expand(
    p: Problems, at: str, field: str, words: tuple[str, ...], lists: Mapping[str, tuple[str, ...]]
) -> tuple[str, ...]:
    """Replace each "@name" in a `with` or `without` list by the words of [classify.lists] name."""
    out: list[str] = []
    for word in words:
        if not word.startswith("@"):
            out.append(word)
        elif word[1:] in lists:
            out.extend(lists[word[1:]])
        else:
            known = ", ".join(f"@{name}" for name in lists) or "none"
            p.add(at, f"field {field!r}: unknown word list {word!r}; [classify.lists] has {known}")
    return tuple(dict.fromkeys(out))


def _parse_cooccur(
    p: Problems, where: str, value: object, lists: Mapping[str, tuple[str, ...]]
) -> tuple[Cooccur, ...]:
    """Validate the [[sector.cooccur]] entries ("@name" words expanded from `lists`)."""
    if not isinstance(value, list):
        p.add(where, f"field 'cooccur' must be an array of tables; got {value!r}")
        return ()
    out: list[Cooccur] = []
    for n, entry in enumerate(value, start=1):
        at = f"{where}: cooccur #{n}"
        if not isinstance(entry, Mapping):
            p.add(at, f"must be a table with term, with and/or without, weight; got {entry!r}")
            continue
        unknown_fields(p, at, entry, _COOCCUR_KEYS)
        missing = [k for k in ("term", "weight") if k not in entry]
        if missing:
            p.add(at, f"missing field(s) {', '.join(missing)}")
            continue
        term = text_field(p, at, "term", entry["term"])
        with_terms = _expand(p, at, "with", text_list(p, at, "with", entry.get("with", [])), lists)
        without_terms = _expand(
            p, at, "without", text_list(p, at, "without", entry.get("without", [])), lists
        )
        weight = number_field(p, at, "weight", entry["weight"], minimum=0, strict=True)
        if not entry.get("with") and not entry.get("without"):
            p.add(at, "needs a non-empty 'with' (partners) or 'without' (vetoes) list")
            continue
        if term is not None and weight is not None:
            out.append(Cooccur(term, with_terms, weight, without_terms))
    return tuple(out)


def _parse_companies(
    p: Problems, where: str, value: object, settings: ClassifySettings
) -> tuple[Cooccur, ...]:
    """A sector's `companies`: co-occurrence terms with the shared company partners and vetoes."""
    names = text_list(p, where, "companies", value)
    if not names:
        return ()
    lists = dict(settings.lists)
    partners = _expand(p, where, "companies", COMPANY_PARTNERS, lists)
    vetoes = _expand(p, where, "companies", COMPANY_VETOES, lists)
    return tuple(Cooccur(name, partners, settings.company_weight, vetoes) for name in names)


def _parse_sector(
    p: Problems, n: int, data: object, settings: ClassifySettings
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
    unknown_fields(p, where, data, _SECTOR_KEYS)
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
        min_score = number_field(p, where, "min_score", data["min_score"], minimum=0, strict=False)
    keywords = _parse_keywords(p, where, data["keywords"]) if "keywords" in data else ()
    exclude = text_list(p, where, "exclude", data.get("exclude", []))
    cooccur = _parse_cooccur(p, where, data.get("cooccur", []), dict(settings.lists))
    cooccur += _parse_companies(p, where, data.get("companies", []), settings)
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
    guard_words = text_list(p, where, "guard_words", data.get("guard_words", []))
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
        examples=text_list(p, where, "examples", data.get("examples", [])),
        counter_examples=text_list(p, where, "counter_examples", data.get("counter_examples", [])),
    )


def _check_set(p: Problems, rules: list[SectorRule]) -> None:
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
    p = Problems(path)
    unknown_fields(p, "top level", data, _TOP_KEYS)
    settings = _parse_settings(p, data.get("classify", {}))
    raw = data.get("sector")
    rules: list[SectorRule] = []
    if not isinstance(raw, list):
        p.add("sector", f"needs [[sector]] tables for the 12 sectors; got {raw!r}")
    else:
        for n, entry in enumerate(raw, start=1):
            rule = _parse_sector(p, n, entry, settings)
            if rule is not None:
                rules.append(rule)
        _check_set(p, rules)
    all_terms = {normalize_term(k.term) for r in rules for k in r.keywords}
    all_terms |= {normalize_term(c.term) for r in rules for c in r.cooccur}
    all_terms |= {normalize_term(v) for v in settings.title_veto}
    for phrase in settings.exclude:
        if not any(t in normalize_term(phrase) for t in all_terms):
            p.add(
                "[classify]",
                f"exclude phrase {phrase!r} contains no keyword or title_veto; it masks nothing",
            )
    if p.lines:
        raise ConfigError("\n".join(p.lines), problems=tuple(p.lines))
    filled = tuple(
        r if r.min_score >= 0 else replace(r, min_score=settings.min_score) for r in rules
    )
    return SectorRules(settings=settings, sectors=filled)
