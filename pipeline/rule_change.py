"""Rule changes and their preview: what a change does to the rules and to the undecided items.

Pure: `apply_change` gives the rules a change makes (what the edited sectors.toml must parse to),
`impact` is a reprocess dry run of one change (who would move from which sector to which).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from pipeline.classify import classify, compile_rules
from pipeline.rules import Keyword, SectorRules, normalize_term

__all__ = ["KINDS", "Change", "Doc", "Evidence", "Impact", "apply_change", "impact", "impacts"]

KINDS = ("add_keyword", "set_weight", "add_exclude", "add_guard")


@dataclass(frozen=True, slots=True)
class Doc:
    """An item as the suggester sees it: its words and its current sector."""

    key: str
    title: str
    text: str
    sector: str  # a sector id, OFF_TOPIC or ""


@dataclass(frozen=True, slots=True)
class Change:
    """One edit of the rules: a new keyword, a new weight, an exclusion phrase or a guard word."""

    kind: str  # one of KINDS
    sector: str
    term: str
    weight: float = 0.0  # add_keyword, set_weight: the new weight
    old_weight: float = 0.0  # set_weight: the weight it replaces

    def describe(self) -> str:
        """A one-line account for editors and ops (Simplified Chinese)."""
        if self.kind == "add_keyword":
            return f"新增关键词「{self.term}」（{self.sector}，权重 {self.weight:g}）"
        if self.kind == "set_weight":
            return (
                f"调整关键词「{self.term}」权重（{self.sector}，{self.old_weight:g} → "
                f"{self.weight:g}）"
            )
        if self.kind == "add_exclude":
            return f"新增排除短语「{self.term}」（{self.sector}）"
        return f"新增边界词「{self.term}」（{self.sector}）"


@dataclass(frozen=True, slots=True)
class Evidence:
    """An item behind a proposal."""

    key: str
    title: str


@dataclass(frozen=True, slots=True)
class Impact:
    """A dry run of a change over the undecided items: who moves from where to where."""

    examined: int
    moves: tuple[tuple[str, str, int], ...]  # (from, to, how many), most first
    samples: tuple[tuple[str, str, tuple[Evidence, ...]], ...]  # (from, to, a few items)

    @property
    def moved(self) -> int:
        """How many items change sector."""
        return sum(n for _, _, n in self.moves)


def apply_change(rules: SectorRules, change: Change) -> SectorRules:
    """The rules with `change` made (what the edited sectors.toml must parse to)."""
    if change.kind not in KINDS:
        raise ValueError(f"unknown change kind {change.kind!r}")
    rule = rules.sector(change.sector)
    if change.kind == "add_keyword":
        rule = replace(rule, keywords=(*rule.keywords, Keyword(change.term, change.weight)))
    elif change.kind == "set_weight":
        folded = normalize_term(change.term)
        rule = replace(
            rule,
            keywords=tuple(
                Keyword(k.term, change.weight) if normalize_term(k.term) == folded else k
                for k in rule.keywords
            ),
        )
    elif change.kind == "add_exclude":
        rule = replace(rule, exclude=(*rule.exclude, change.term))
    else:
        rule = replace(rule, guard_words=(*rule.guard_words, change.term))
    sectors = tuple(rule if r.id == rule.id else r for r in rules.sectors)
    return replace(rules, sectors=sectors)


def impact(
    rules: SectorRules, change: Change, undecided: Sequence[Doc], samples: int = 3
) -> Impact:
    """How the undecided items would move if `change` were applied (a reprocess dry run)."""
    return impacts(rules, (change,), undecided, samples)[0]


def impacts(
    rules: SectorRules, changes: Sequence[Change], undecided: Sequence[Doc], samples: int = 3
) -> tuple[Impact, ...]:
    """The impact of each change on its own; items are classified under today's rules once."""
    before = compile_rules(rules)
    lowered = [(doc, f"{doc.title}\n{doc.text}".lower()) for doc in undecided]
    current: dict[str, str] = {}
    out = []
    for change in changes:
        after = compile_rules(apply_change(rules, change))
        moves: Counter[tuple[str, str]] = Counter()
        examples: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
        # Only an item holding the changed term (or phrase, or guard word) can change its sector.
        needle = normalize_term(change.term)
        for doc, text in lowered:
            if needle not in text:
                continue
            # Both sides under the rules, so the matrix shows this change alone (not earlier edits
            # that were never reprocessed).
            if doc.key not in current:
                current[doc.key] = classify(before, doc.title, doc.text).sector
            old = current[doc.key]
            new = classify(after, doc.title, doc.text).sector
            if new == old:
                continue
            moves[(old, new)] += 1
            if len(examples[(old, new)]) < samples:
                examples[(old, new)].append(Evidence(doc.key, doc.title))
        order = sorted(moves, key=lambda m: (-moves[m], m))
        out.append(
            Impact(
                examined=len(undecided),
                moves=tuple((a, b, moves[(a, b)]) for a, b in order),
                samples=tuple((a, b, tuple(examples[(a, b)])) for a, b in order),
            )
        )
    return tuple(out)
