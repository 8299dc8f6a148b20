"""Keyword classifier: exactly one sector (or off_topic) per item, with an explanation.

How an item is scored, and why:

1. Title and text are lower-cased, their quotation marks removed (一缕“假”发 holds 假发, “睫”径
   睫毛; an apostrophe inside a Latin word stays: AI's), and each is scanned once by one
   Aho-Corasick automaton holding every keyword and exclusion phrase, ASCII terms in both half
   and full width (PERF.md: 5x faster than a regex or a loop of `str.count`). ASCII terms match
   whole words only: "ai" is not in "email", "5g" not in "15g", "ios" not in "ios11"; but a year
   glued in front of a name leaves the name a word (2025CMEF holds cmef).
2. Exclusions: a keyword occurrence lying wholly inside an occurrence of one of its sector's
   exclusion phrases (or a global one) does not count for that sector. This is how 发制品 inside
   研发制品 or 食品 inside 食品药品监督管理局 is masked, without hurting 药品 for biomed.
   Guard words: a keyword occurrence that cuts across one of its sector's guard words (starts or
   ends inside it) is a match across a word boundary and does not count either: 化纤|发展 holds
   no 化纤发, 对接|发展 no 接发, 国家|具有 no 家具. One guard word (发展) covers every such
   phrase, where exclusions would have to list them all.
3. Overlaps: of keyword occurrences that overlap, the longest wins (ties: the leftmost), the others
   are dropped. Chinese compounds carry the meaning: 新能源汽车 is one nev term, not 新能源 (green)
   + 汽车; 智能装备 is not 装备 (equipment); 化纤发 is hair, not 化纤 (textile). Counting the short
   terms too would let every compound vote for its neighbours' sectors.
4. A co-occurrence keyword counts only if one of its `with` terms occurs (unmasked) anywhere in
   the item and none of its `without` terms does: 发条 (hair weft, but also a clock spring) only
   next to 假发 or 发制品; bare 食品 not in a market regulator's inspection news.
5. Per term and field: weight x (title_factor for the title) x (1 + log2(min(count, repeat_cap))),
   so the fifth mention adds less than the second, and a long text cannot win on one repeated word.
6. A title holding a [classify] title_veto phrase (a tender notice, a price-adjustment letter,
   consumer advice) is off_topic whatever its keywords: such items name products and industries
   without being news about them. A [classify] exclude phrase masks a veto inside it (大盘点).
7. The best sector wins; an exact tie goes to the lower `priority`. The item is off_topic when the
   best score is below that sector's min_score, or below min_share of all sectors' scores together:
   news that lists four industries ("涉及新材料、生物医药、装备制造等领域") is about none of them.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ahocorasick  # type: ignore[import-not-found, unused-ignore]  # C extension, no stubs

from pipeline.classification import Classification, Excluded, Hit
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
class _Entry:
    """A term's role as a keyword of one sector."""

    sector: int
    weight: float
    with_terms: tuple[str, ...] = ()
    without_terms: tuple[str, ...] = ()


# eq=False: terms are looked up by identity millions of times; hashing their fields would dominate.
@dataclass(frozen=True, slots=True, eq=False)
class _Term:
    """Everything the automaton knows about one (folded) term."""

    index: int
    text: str
    length: int
    entries: tuple[_Entry, ...]
    masks: tuple[int, ...]  # sectors (or _GLOBAL) for which this is an exclusion phrase
    guards: tuple[int, ...]  # sectors for which this is a guard word
    # Class of the first / last character (_LETTER, _DIGIT or 0). A Latin term needs a word
    # boundary after it ("ai" not in "aim"; iOS11, PTA2011 are versions and codes, not the word),
    # and before it against the same class only ("ai" not in "email", "5g" not in "15g"): a year
    # glued in front of a name is a separate word (2025CMEF).
    head_class: int
    tail_class: int


@dataclass(frozen=True, slots=True, eq=False)
class Classifier:
    """Compiled rules: build once with compile_rules, reuse for every item."""

    rules: SectorRules
    automaton: Any
    terms: tuple[_Term, ...]
    sector_ids: tuple[str, ...]
    title_veto: tuple[str, ...] = ()  # folded [classify] title_veto phrases


# (start, end inclusive, term) of one occurrence in one field.
_Occ = tuple[int, int, _Term]
# Exclusion and guard spans of one field by sector index (or _GLOBAL):
# (start, end inclusive, phrase, is_guard).
_Spans = dict[int, list[tuple[int, int, str, bool]]]
# (sector index or _GLOBAL, exclusion phrase, masked term, field) of masked occurrences.
_MaskKey = tuple[int, str, str, str]

# Full-width forms of printable ASCII (５Ｇ, （套）). Terms are added in both widths at compile time
# because NFKC-normalising every text here would cost more than the whole scan.
_FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


# Quotation marks (CJK and ASCII) set off one character or a pun and split the word they sit in.
# Every field and every configured term is matched without them, so exclusions, guard words,
# co-occurrence partners and vetoes see the same text as keywords. A mark between two Latin
# letters or digits is an apostrophe (AI's, don't): removing it would glue two words together.
_QUOTES = "\u201c\u201d\u2018\u2019\u300c\u300d\u300e\u300f\uff02\uff07\"'"
_WORD = "0-9a-z\uff10-\uff19\uff41-\uff5a"  # _char_class after lower()
_QUOTE_RE = re.compile(f"(?<![{_WORD}])[{_QUOTES}]|[{_QUOTES}](?![{_WORD}])")


def _fold(text: str) -> str:
    """Lower-case `text` and remove its quotation marks (the view every match is made on)."""
    return _QUOTE_RE.sub("", text.lower())


def _term(term: str) -> str:
    """A configured term folded like the text it is matched on."""
    return _QUOTE_RE.sub("", normalize_term(term))


def _round(value: float) -> float:
    """Round for display; explanations are read by people, not recomputed."""
    return round(value, 3)


_LETTER = 1
_DIGIT = 2


def _char_class(ch: str) -> int:
    """_DIGIT or _LETTER for ASCII and full-width digits and letters (Latin words), else 0."""
    if not ch.isalnum() or not (ch.isascii() or "\uff10" <= ch <= "\uff5a"):
        return 0
    return _DIGIT if ch.isdigit() else _LETTER


def compile_rules(rules: SectorRules) -> Classifier:
    """Build the automaton and lookup tables for `rules` (do it once, not per item)."""
    entries: dict[str, list[_Entry]] = {}
    masks: dict[str, list[int]] = {}
    guards: dict[str, list[int]] = {}
    for n, rule in enumerate(rules.sectors):
        for kw in rule.keywords:
            entries.setdefault(_term(kw.term), []).append(_Entry(n, kw.weight))
        for co in rule.cooccur:
            entry = _Entry(
                n,
                co.weight,
                tuple(_term(w) for w in co.with_terms),
                tuple(_term(w) for w in co.without_terms),
            )
            entries.setdefault(_term(co.term), []).append(entry)
        for phrase in rule.exclude:
            masks.setdefault(_term(phrase), []).append(n)
        for word in rule.guard_words:
            guards.setdefault(_term(word), []).append(n)
    for phrase in rules.settings.exclude:
        masks.setdefault(_term(phrase), []).append(_GLOBAL)
    automaton = ahocorasick.Automaton()
    terms: list[_Term] = []
    for text in sorted(set(entries) | set(masks) | set(guards)):
        term = _Term(
            index=len(terms),
            text=text,
            length=len(text),
            entries=tuple(entries.get(text, ())),
            masks=tuple(masks.get(text, ())),
            guards=tuple(guards.get(text, ())),
            head_class=_char_class(text[0]),
            tail_class=_char_class(text[-1]),
        )
        terms.append(term)
        for variant in {text, text.translate(_FULL_WIDTH)}:
            automaton.add_word(variant, term)
    automaton.make_automaton()
    sector_ids = tuple(r.id for r in rules.sectors)
    # Both widths, like the terms: a veto "怎么样?" (NFKC folds ？ to ?) must match a title's ？.
    folded = [_term(v) for v in rules.settings.title_veto]
    veto = tuple(dict.fromkeys([*folded, *(v.translate(_FULL_WIDTH) for v in folded)]))
    return Classifier(
        rules=rules, automaton=automaton, terms=tuple(terms), sector_ids=sector_ids, title_veto=veto
    )


def _scan(clf: Classifier, s: str) -> tuple[list[_Occ], _Spans]:
    """Return the keyword occurrences and the exclusion and guard spans in `s`."""
    keywords: list[_Occ] = []
    spans: _Spans = {}
    last = len(s) - 1
    for end, term in clf.automaton.iter(s):
        start = end - term.length + 1
        if term.head_class and start > 0 and _char_class(s[start - 1]) == term.head_class:
            continue
        if term.tail_class and end < last and _char_class(s[end + 1]):
            continue
        if term.entries:
            keywords.append((start, end, term))
        for sector in term.masks:
            spans.setdefault(sector, []).append((start, end, term.text, False))
        for sector in term.guards:
            spans.setdefault(sector, []).append((start, end, term.text, True))
    return keywords, spans


def _masked_by(start: int, end: int, sector: int, spans: _Spans) -> tuple[int, str] | None:
    """Return (owner, phrase) of an exclusion covering, or a guard word cut by, [start, end]."""
    for owner in (sector, _GLOBAL):
        for x_start, x_end, phrase, is_guard in spans.get(owner, ()):
            if x_start <= start and end <= x_end:
                return owner, phrase
            if (
                is_guard
                and x_start <= end
                and start <= x_end
                and not start <= x_start <= x_end <= end
            ):
                return owner, phrase
    return None


# A co-occurrence entry's verdict for the whole item: (partner found or None, veto found or None).
_Pairing = tuple[str | None, str | None]


def _pairing(entry: _Entry, fields: list[tuple[str, _Spans]]) -> _Pairing:
    """The partner (if the entry needs one) and the veto word (if any) of `entry` in the item."""
    partner = _partner(entry, fields) if entry.with_terms else None
    veto = next((v for v in entry.without_terms for f, _ in fields if v in f), None)
    return partner, veto


def _resolve(
    s: str,
    keywords: list[_Occ],
    spans: _Spans,
    field_name: str,
    masked: Counter[_MaskKey],
    pairing: Callable[[_Term, int], _Pairing],
) -> Counter[tuple[int, int]]:
    """Apply exclusions and co-occurrence conditions, then longest-match-wins; count surviving
    (term index, entry index).

    A co-occurrence term without its partner is no match at all, so it is dropped before overlaps
    are settled: otherwise 宝山药谷 would be read as 山药 (a food term that needs a processing
    word) and lose 药谷 (a biomed park) to it as the leftmost of two. A term with a veto word is a
    match in a context that is not industry news: it still covers the shorter terms inside it
    (a vetoed 石膏板 in a ceiling-fitting question does not leave 石膏 to count).
    """
    live: list[tuple[int, int, _Term, tuple[int, ...], tuple[_MaskKey, ...]]] = []
    for start, end, term in keywords:
        alive: list[int] = []
        vetoed: list[_MaskKey] = []
        for k, entry in enumerate(term.entries):
            covered = entry.sector in spans or _GLOBAL in spans
            mask = _masked_by(start, end, entry.sector, spans) if covered else None
            if mask is not None:
                masked[(mask[0], mask[1], term.text, field_name)] += 1
                continue
            if entry.with_terms or entry.without_terms:
                partner, veto = pairing(term, k)
                if veto is not None:
                    vetoed.append((entry.sector, veto, term.text, field_name))
                    continue
                if entry.with_terms and partner is None:
                    continue
            alive.append(k)
        if alive or vetoed:
            live.append((start, end, term, tuple(alive), tuple(vetoed)))
    counts: Counter[tuple[int, int]] = Counter()
    # Longest first, then leftmost; an occurrence overlapping an already kept one is dropped.
    live.sort(key=lambda occ: (occ[0] - occ[1], occ[0]))
    taken = bytearray(len(s))
    for start, end, term, alive_entries, vetoes in live:
        if taken.find(1, start, end + 1) != -1:
            continue
        taken[start : end + 1] = b"\x01" * (end - start + 1)
        for k in alive_entries:
            counts[(term.index, k)] += 1
        for key in vetoes:
            masked[key] += 1
    return counts


def _partner(entry: _Entry, fields: list[tuple[str, _Spans]]) -> str | None:
    """Return the first partner term of a co-occurrence rule found unmasked in the item.

    Partners are plain substrings (no word boundaries): they are common words such as 假发 or 产业,
    and looking them up only when a co-occurrence keyword matched keeps them out of the scan.
    """
    for wanted in entry.with_terms:
        for s, spans in fields:
            if _occurs_unmasked(wanted, s, entry.sector, spans):
                return wanted
    return None


def _occurs_unmasked(word: str, s: str, sector: int, spans: _Spans) -> bool:
    """Whether `word` occurs in `s` once or more outside the exclusions of `sector` (and global)."""
    at = s.find(word)
    while at != -1:
        if _masked_by(at, at + len(word) - 1, sector, spans) is None:
            return True
        at = s.find(word, at + 1)
    return False


def _title_veto(vetoes: tuple[str, ...], title: str, spans: _Spans) -> str | None:
    """Return the first veto phrase found in `title` outside every [classify] exclude phrase.

    Vetoes are plain substrings, so a short one sits inside other words (the trading word 大盘 in
    年度大盘点, a round-up); a global exclude phrase masks it there as it masks keywords.
    """
    return next((v for v in vetoes if _occurs_unmasked(v, title, _GLOBAL, spans)), None)


# Attachment text (申报指南.pdf, 名单.xlsx) counts at this fraction of body text: it is long and
# often generic (forms, tables of every district), so it should tip an item, not decide it.
ATTACHMENT_FACTOR = 0.3


def classify(
    classifier: Classifier, title: str, text: str, attachments: str = ""
) -> Classification:
    """Classify one item into exactly one sector id, or OFF_TOPIC (attachments weigh less)."""
    settings = classifier.rules.settings
    sectors = classifier.rules.sectors
    ids = classifier.sector_ids
    terms = classifier.terms
    masked: Counter[_MaskKey] = Counter()
    scanned = []
    for field_name, raw in (("title", title), ("text", text), ("attachment", attachments)):
        if not raw and field_name == "attachment":
            continue
        s = _fold(raw)
        keywords, spans = _scan(classifier, s)
        scanned.append((field_name, s, keywords, spans))
    fields = [(s, spans) for _, s, _, spans in scanned]
    pairings: dict[tuple[int, int], _Pairing] = {}

    def pairing(term: _Term, k: int) -> _Pairing:
        key = (term.index, k)
        if key not in pairings:
            pairings[key] = _pairing(term.entries[k], fields)
        return pairings[key]

    hits: list[Hit] = []
    scores = [0.0] * len(sectors)
    for field_name, s, keywords, spans in scanned:
        factors = {"title": settings.title_factor, "attachment": ATTACHMENT_FACTOR}
        factor = factors.get(field_name, 1.0)
        for (index, k), count in _resolve(s, keywords, spans, field_name, masked, pairing).items():
            term = terms[index]
            entry = term.entries[k]
            partner = pairings[(index, k)][0] if (index, k) in pairings else None
            repeat = 1.0 + math.log2(min(count, settings.repeat_cap))
            contribution = entry.weight * factor * repeat
            scores[entry.sector] += contribution
            sid = ids[entry.sector]
            hits.append(Hit(sid, term.text, field_name, count, entry.weight, contribution, partner))
    rank = {sid: n for n, sid in enumerate(ids)}
    hits.sort(key=lambda h: (rank[h.sector], h.field != "title", -h.contribution, h.term))
    excluded = tuple(
        Excluded("*" if sector == _GLOBAL else ids[sector], phrase, term_text, field_name, count)
        for (sector, phrase, term_text, field_name), count in sorted(masked.items())
    )
    order = sorted(range(len(sectors)), key=lambda n: (-scores[n], sectors[n].priority))
    best, second = order[0], order[1]
    score_table = tuple((ids[n], scores[n]) for n in order if scores[n] > 0)
    total = sum(scores)
    reason = None
    veto = None
    if scores[best] > 0:
        veto = _title_veto(classifier.title_veto, scanned[0][1], scanned[0][3])
    if scores[best] <= 0:
        reason = "no_hits"
    elif veto is not None:
        reason = "title_veto"
    elif scores[best] < sectors[best].min_score:
        reason = "min_score"
    elif scores[best] < settings.min_share * total:
        reason = "min_share"
    if reason is not None:
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
            off_topic_reason=reason,
            veto=veto,
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
