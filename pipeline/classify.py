"""Keyword classifier: exactly one sector (or off_topic) per item, with an explanation.

How an item is scored, and why:

1. Title and text are folded (NFKC, lower case) and scanned once each by one Aho-Corasick automaton holding every
   keyword, co-occurrence term, partner term and exclusion phrase (PERF.md: 5x faster than a
   regex or a loop of `str.count`).
2. Exclusions: a keyword occurrence lying wholly inside an occurrence of one of its sector's
   exclusion phrases (or a global one) does not count for that sector. This is how 发制品 inside
   研发制品 or 食品 inside 食品药品监督管理局 is masked, without hurting 药品 for biomed.
3. Overlaps: of keyword occurrences that overlap, the longest wins (ties: the leftmost), the others
   are dropped. Chinese compounds carry the meaning: 新能源汽车 is one nev term, not 新能源 (green)
   + 汽车; 智能装备 is not 装备 (equipment); 化纤发 is hair, not 化纤 (textile). Counting the short
   terms too would let every compound vote for its neighbours' sectors.
4. A co-occurrence keyword counts only if one of its partner terms occurs (unmasked) anywhere in
   the item, e.g. 发条 (hair weft, but also a clock spring) only next to 假发 or 发制品.
5. Per term and field: weight x (title_factor for the title) x (1 + log2(min(count, repeat_cap))),
   so the fifth mention adds less than the second, and a long text cannot win on one repeated word.
6. The best sector wins; an exact tie goes to the lower `priority`; below that sector's min_score
   the item is off_topic.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import ahocorasick  # type: ignore[import-not-found]  # C extension without type stubs

from pipeline.rules import SectorRules, normalize_term

__all__ = [
    "OFF_TOPIC",
    "Classification",
    "Classifier",
    "Excluded",
    "Hit",
    "classify",
    "compile_rules",
]

OFF_TOPIC = "off_topic"
# Scores are sums of floats; equal within this are a tie (decided by priority).
_TIE_EPSILON = 1e-9
# Marks a global exclusion (from [classify] exclude) in _Term.masks.
_GLOBAL = -1


@dataclass(frozen=True, slots=True)
class Hit:
    """One keyword of one sector matched in one field."""

    sector: str
    term: str
    field: str  # "title" | "text"
    count: int
    weight: float
    contribution: float
    with_term: str | None = None  # the partner that satisfied a co-occurrence rule


@dataclass(frozen=True, slots=True)
class Excluded:
    """Keyword occurrences of a sector masked by an exclusion phrase."""

    sector: str  # "*" for a global exclusion
    phrase: str
    term: str
    field: str
    count: int


@dataclass(frozen=True, slots=True)
class Classification:
    """The sector of one item and why.

    For off_topic items `score` is 0 and `runner_up` is the best sector, which missed `min_score`.
    """

    sector: str
    score: float
    runner_up: str | None
    runner_up_score: float
    tie_break: str | None
    hits: tuple[Hit, ...]
    excluded: tuple[Excluded, ...] = ()
    min_score: float = 0.0
    scores: tuple[tuple[str, float], ...] = ()

    def explanation(self) -> dict[str, Any]:
        """Return a JSON-serialisable account of the decision for the store and the desk."""
        return {
            "sector": self.sector,
            "score": _round(self.score),
            "min_score": _round(self.min_score),
            "runner_up": self.runner_up,
            "runner_up_score": _round(self.runner_up_score),
            "tie_break": self.tie_break,
            "scores": {sid: _round(s) for sid, s in self.scores},
            "hits": [
                {
                    "sector": h.sector,
                    "term": h.term,
                    "field": h.field,
                    "count": h.count,
                    "weight": h.weight,
                    "contribution": _round(h.contribution),
                    **({"with": h.with_term} if h.with_term else {}),
                }
                for h in self.hits
            ],
            "excluded": [
                {
                    "sector": e.sector,
                    "phrase": e.phrase,
                    "term": e.term,
                    "field": e.field,
                    "count": e.count,
                }
                for e in self.excluded
            ],
        }


@dataclass(frozen=True, slots=True)
class _Entry:
    """A term's role as a keyword of one sector."""

    sector: int
    weight: float
    with_terms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Term:
    """Everything the automaton knows about one (folded) term."""

    text: str
    length: int
    entries: tuple[_Entry, ...]
    masks: tuple[int, ...]  # sectors (or _GLOBAL) for which this is an exclusion phrase
    partner: bool  # some co-occurrence rule waits for this term
    ascii_head: bool  # starts with an ASCII letter/digit: needs a word boundary before
    ascii_tail: bool  # ends with one: needs a boundary after ("ai" must not match in "email")


@dataclass(frozen=True, slots=True, eq=False)
class Classifier:
    """Compiled rules: build once with compile_rules, reuse for every item."""

    rules: SectorRules
    automaton: Any
    terms: tuple[_Term, ...]
    sector_ids: tuple[str, ...] = field(default=())


# (start, end inclusive, term) of one occurrence in one field.
_Occ = tuple[int, int, _Term]
# (sector index or _GLOBAL, exclusion phrase, masked term, field) of masked occurrences.
_MaskKey = tuple[int, str, str, str]


def _round(value: float) -> float:
    """Round for display; explanations are read by people, not recomputed."""
    return round(value, 3)


def _is_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def compile_rules(rules: SectorRules) -> Classifier:
    """Build the automaton and lookup tables for `rules` (do it once, not per item)."""
    entries: dict[str, list[_Entry]] = {}
    masks: dict[str, list[int]] = {}
    partners: set[str] = set()
    for n, rule in enumerate(rules.sectors):
        for kw in rule.keywords:
            entries.setdefault(normalize_term(kw.term), []).append(_Entry(n, kw.weight))
        for co in rule.cooccur:
            with_terms = tuple(normalize_term(w) for w in co.with_terms)
            entries.setdefault(normalize_term(co.term), []).append(_Entry(n, co.weight, with_terms))
            partners.update(with_terms)
        for phrase in rule.exclude:
            masks.setdefault(normalize_term(phrase), []).append(n)
    for phrase in rules.settings.exclude:
        masks.setdefault(normalize_term(phrase), []).append(_GLOBAL)
    automaton = ahocorasick.Automaton()
    terms: list[_Term] = []
    for text in sorted(set(entries) | set(masks) | partners):
        terms.append(
            _Term(
                text=text,
                length=len(text),
                entries=tuple(entries.get(text, ())),
                masks=tuple(masks.get(text, ())),
                partner=text in partners,
                ascii_head=_is_word(text[0]),
                ascii_tail=_is_word(text[-1]),
            )
        )
        automaton.add_word(text, len(terms) - 1)
    automaton.make_automaton()
    sector_ids = tuple(r.id for r in rules.sectors)
    return Classifier(rules=rules, automaton=automaton, terms=tuple(terms), sector_ids=sector_ids)


def _scan(clf: Classifier, s: str) -> tuple[list[_Occ], list[_Occ], list[_Occ]]:
    """Return keyword, exclusion and partner occurrences in `s`."""
    keywords: list[_Occ] = []
    excludes: list[_Occ] = []
    partners: list[_Occ] = []
    terms = clf.terms
    last = len(s) - 1
    for end, index in clf.automaton.iter(s):
        term = terms[index]
        start = end - term.length + 1
        if term.ascii_head and start > 0 and _is_word(s[start - 1]):
            continue
        if term.ascii_tail and end < last and _is_word(s[end + 1]):
            continue
        occ = (start, end, term)
        if term.entries:
            keywords.append(occ)
        if term.masks:
            excludes.append(occ)
        if term.partner:
            partners.append(occ)
    return keywords, excludes, partners


def _mask(start: int, end: int, sector: int, excludes: list[_Occ]) -> str | None:
    """Return the exclusion phrase covering [start, end] for `sector`, if any."""
    for x_start, x_end, x_term in excludes:
        if (
            x_start <= start
            and end <= x_end
            and (sector in x_term.masks or _GLOBAL in x_term.masks)
        ):
            return x_term.text
    return None


def _resolve(
    s: str, keywords: list[_Occ], excludes: list[_Occ], field_name: str, masked: Counter[_MaskKey]
) -> Counter[tuple[_Term, int]]:
    """Apply exclusions, then longest-match-wins; count surviving (term, entry index) pairs."""
    live: list[tuple[int, int, _Term, tuple[int, ...]]] = []
    for start, end, term in keywords:
        keep: list[int] = []
        for k, entry in enumerate(term.entries):
            phrase = _mask(start, end, entry.sector, excludes) if excludes else None
            if phrase is None:
                keep.append(k)
            else:
                masked[(entry.sector, phrase, term.text, field_name)] += 1
        if keep:
            live.append((start, end, term, tuple(keep)))
    counts: Counter[tuple[_Term, int]] = Counter()
    # Longest first, then leftmost; an occurrence overlapping an already kept one is dropped.
    live.sort(key=lambda occ: (occ[0] - occ[1], occ[0]))
    taken = bytearray(len(s))
    for start, end, term, alive in live:
        if taken.find(1, start, end + 1) != -1:
            continue
        taken[start : end + 1] = b"\x01" * (end - start + 1)
        for k in alive:
            counts[(term, k)] += 1
    return counts


def _partner(entry: _Entry, occurrences: list[tuple[list[_Occ], list[_Occ]]]) -> str | None:
    """Return the first partner of a co-occurrence entry that occurs unmasked in the item."""
    for wanted in entry.with_terms:
        for partners, excludes in occurrences:
            for start, end, term in partners:
                if term.text == wanted and _mask(start, end, entry.sector, excludes) is None:
                    return wanted
    return None


def classify(classifier: Classifier, title: str, text: str) -> Classification:
    """Classify one item into exactly one sector id, or OFF_TOPIC."""
    settings = classifier.rules.settings
    sectors = classifier.rules.sectors
    ids = classifier.sector_ids
    masked: Counter[_MaskKey] = Counter()
    hits: list[Hit] = []
    scores = [0.0] * len(sectors)
    fields: list[tuple[str, str, list[_Occ], list[_Occ], list[_Occ]]] = []
    for field_name, raw in (("title", title), ("text", text)):
        s = normalize_term(raw)
        keywords, excludes, partners = _scan(classifier, s)
        fields.append((field_name, s, keywords, excludes, partners))
    partner_occ = [(f[4], f[3]) for f in fields]
    for field_name, s, keywords, excludes, _ in fields:
        factor = settings.title_factor if field_name == "title" else 1.0
        for (term, k), count in _resolve(s, keywords, excludes, field_name, masked).items():
            entry = term.entries[k]
            partner = _partner(entry, partner_occ) if entry.with_terms else None
            if entry.with_terms and partner is None:
                continue
            repeat = 1.0 + math.log2(min(count, settings.repeat_cap))
            contribution = entry.weight * factor * repeat
            scores[entry.sector] += contribution
            hits.append(
                Hit(
                    ids[entry.sector],
                    term.text,
                    field_name,
                    count,
                    entry.weight,
                    contribution,
                    partner,
                )
            )
    hits.sort(key=lambda h: (ids.index(h.sector), h.field != "title", -h.contribution, h.term))
    excluded = tuple(
        Excluded("*" if sector == _GLOBAL else ids[sector], phrase, term, field_name, count)
        for (sector, phrase, term, field_name), count in sorted(masked.items())
    )
    order = sorted(range(len(sectors)), key=lambda n: (-scores[n], sectors[n].priority))
    best, second = order[0], order[1]
    score_table = tuple((ids[n], scores[n]) for n in order if scores[n] > 0)
    if scores[best] <= 0 or scores[best] < sectors[best].min_score:
        return Classification(
            sector=OFF_TOPIC,
            score=0.0,
            runner_up=ids[best] if scores[best] > 0 else None,
            runner_up_score=scores[best],
            tie_break=None,
            hits=tuple(hits),
            excluded=excluded,
            min_score=sectors[best].min_score,
            scores=score_table,
        )
    tied = scores[second] > 0 and scores[best] - scores[second] < _TIE_EPSILON
    return Classification(
        sector=ids[best],
        score=scores[best],
        runner_up=ids[second] if scores[second] > 0 else None,
        runner_up_score=scores[second],
        tie_break="priority" if tied else None,
        hits=tuple(hits),
        excluded=excluded,
        min_score=sectors[best].min_score,
        scores=score_table,
    )
