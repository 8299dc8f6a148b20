"""Keyword-rule proposals learnt from editors' corrections (pure: data in, proposals out).

Two kinds of signal:
- 改分类 (an item moved into sector S): terms frequent in the items moved into S and rare in items
  of other sectors become new keywords of S, with a weight from that precision;
- 改分类 away from T and 不用 (reject) in T, against 采用 (accept) in T: a keyword of T that mostly
  placed items wrongly gets an exclusion phrase (the context it was wrong in), a guard word (a
  common word it cuts across) or, when its wrong contexts share nothing, a lower weight.

Candidate terms come from character n-grams (2 to 6 Han characters) with boundary statistics, not
from a segmenter's dictionary: the terms worth learning are exactly the ones a general dictionary
lacks (液压支架, 换流阀, 高温丝). An n-gram counts as a word when its occurrences are preceded and
followed by varied characters (or a run boundary); of nested candidates that cover the same items
the longest wins, and a shorter one covering more items wins over a longer one.

Each proposal carries its evidence (the items); rule_change.impact previews it: how the undecided
items would move between sectors if the change were applied.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ahocorasick  # type: ignore[import-not-found, unused-ignore]  # C extension, no stubs

from pipeline.classify import OFF_TOPIC, Classifier, classify, compile_rules
from pipeline.rule_change import Change, Doc, Evidence
from pipeline.rules import SECTOR_IDS, SectorRules, normalize_term

__all__ = ["Correction", "Proposal", "SuggestSettings", "Verdict", "suggest"]

_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
_MIN_N, _MAX_N = 2, 6
# Only the start of a long text is read: a news item says what it is about early.
_TEXT_CHARS = 1500
# Function characters that never begin or end an industry term (的芯片, 是种业 are not terms).
_EDGE_STOP = frozenset("的了是在和与及或等为对将把被从向也都又就而之其这那个着过吗呢吧啊")
# Unverified evidence counts a quarter: off-topic items holding a candidate term (many are the news
# the rules miss) and items still in a sector that no editor corrected (most are placed right).
_OFF_TOPIC_WEIGHT = 0.25
_UNVERIFIED_WEIGHT = 0.25
# (key, sector, lower-cased title and text) of a background item.
_Text = tuple[str, str, str]
_BOUNDARY = "\x00"
# Occurrences of an n-gram whose neighbours are recorded for the word test (entropy settles fast).
_NEIGHBOUR_SAMPLE = 200  # a run boundary as a neighbour: each one counts as a distinct context


@dataclass(frozen=True, slots=True)
class Correction:
    """An editor's 改分类: the item moved from one sector (or off_topic) to another."""

    doc: Doc
    from_sector: str
    to_sector: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """An editor's 采用 (accepted) or 不用 (rejected) of an item in its sector."""

    doc: Doc
    sector: str
    accepted: bool


@dataclass(frozen=True, slots=True)
class Proposal:
    """A proposed change with the items that support it and those that speak against it."""

    change: Change
    reason: str
    evidence: tuple[Evidence, ...]
    support: int
    against: int


@dataclass(frozen=True, slots=True)
class SuggestSettings:
    """Thresholds of the suggester; the defaults suit a desk with a few dozen corrections."""

    min_support: int = 3  # items a new term or a wrong keyword must be seen in
    min_share: float = 0.3  # of the items moved into a sector that a new term must cover
    min_precision: float = 0.6  # of the items holding a new term, the share in the target sector
    min_wrong_share: float = 0.6  # of a keyword's verified placements, the share that were wrong
    per_sector: int = 3  # new-keyword proposals per sector


# --- n-grams --------------------------------------------------------------------------------


def _runs(doc: Doc) -> list[str]:
    """The Han runs of the title and the start of the text, lower-cased like the classifier."""
    return _HAN_RUN.findall(f"{doc.title}\n{doc.text[:_TEXT_CHARS]}")


@dataclass(slots=True)
class _Stats:
    """Per n-gram: which documents hold it and which characters surround it."""

    docs: dict[str, set[str]]
    left: dict[str, Counter[str]]
    right: dict[str, Counter[str]]


def _ngram_stats(docs: Iterable[Doc], wanted: set[str] | None = None) -> _Stats:
    """Document sets and neighbour counts of every n-gram (or only of `wanted` ones).

    With `wanted`, one Aho-Corasick pass per document finds them all, so a background of thousands
    of items costs one scan each, not every n-gram of every document.
    """
    stats = _Stats(defaultdict(set), defaultdict(Counter), defaultdict(Counter))
    boundary = 0

    def add(gram: str, key: str, run: str, i: int) -> None:
        nonlocal boundary
        boundary += 1
        end = i + len(gram)
        stats.docs[gram].add(key)
        stats.left[gram][run[i - 1] if i else f"{_BOUNDARY}{boundary}"] += 1
        stats.right[gram][run[end] if end < len(run) else f"{_BOUNDARY}{boundary}"] += 1

    automaton = None
    if wanted:
        automaton = ahocorasick.Automaton()
        for gram in wanted:
            automaton.add_word(gram, gram)
        automaton.make_automaton()
    seen: Counter[str] = Counter()
    for doc in docs:
        for run in _runs(doc):
            if automaton is not None:
                for end, gram in automaton.iter(run):
                    # Enough neighbours for the word test; after that only who holds the n-gram.
                    if seen[gram] < _NEIGHBOUR_SAMPLE:
                        seen[gram] += 1
                        add(gram, doc.key, run, end - len(gram) + 1)
                    else:
                        stats.docs[gram].add(doc.key)
            elif wanted is None:
                for n in range(_MIN_N, min(_MAX_N, len(run)) + 1):
                    for i in range(len(run) - n + 1):
                        add(run[i : i + n], doc.key, run, i)
    return stats


def _entropy(counts: Counter[str]) -> float:
    total = sum(counts.values())
    return -sum(c / total * math.log2(c / total) for c in counts.values() if c)


def _is_word(gram: str, stats: _Stats) -> bool:
    """Varied neighbours on both sides: the n-gram is a unit, not a piece of a longer word."""
    return all(
        len(side[gram]) >= 2 and _entropy(side[gram]) >= 0.9 for side in (stats.left, stats.right)
    )


# --- new keywords ---------------------------------------------------------------------------


def _known_terms(rules: SectorRules) -> dict[str, set[str]]:
    """Every folded keyword, co-occurrence term, exclusion and guard word, by sector."""
    known: dict[str, set[str]] = defaultdict(set)
    for rule in rules.sectors:
        for term in (
            *(k.term for k in rule.keywords),
            *(c.term for c in rule.cooccur),
            *rule.exclude,
            *rule.guard_words,
        ):
            known[rule.id].add(normalize_term(term))
    return known


def _weight_for(precision: float) -> float:
    """3 for a term that (almost) only occurs in the sector, 2 for a strong one, 1 otherwise."""
    if precision >= 0.9:
        return 3.0
    return 2.0 if precision >= 0.75 else 1.0


def _new_keywords(
    rules: SectorRules,
    sector: str,
    targets: list[Doc],
    background: list[Doc],
    settings: SuggestSettings,
) -> list[Proposal]:
    """Terms frequent in the items moved into `sector` and rare in items of other sectors."""
    target_keys = {d.key for d in targets}
    others = [d for d in background if d.key not in target_keys]
    in_target = _ngram_stats(targets)
    need = max(settings.min_support, math.ceil(settings.min_share * len(targets)))
    known = _known_terms(rules)
    all_known = set().union(*known.values()) if known else set()
    strong_own = {normalize_term(k.term) for k in rules.sector(sector).keywords if k.weight >= 1}
    # A term holding another sector's keyword (深化工 holds 化工) is that keyword misleading: the
    # second half of `suggest` deals with it.
    foreign = {normalize_term(k.term) for r in rules.sectors if r.id != sector for k in r.keywords}
    foreign |= {normalize_term(c.term) for r in rules.sectors if r.id != sector for c in r.cooccur}
    # The cheap tests first: only the survivors are looked up in the background.
    frequent = {
        g
        for g, keys in in_target.docs.items()
        if len(keys) >= need
        and g not in all_known
        and g[0] not in _EDGE_STOP
        and g[-1] not in _EDGE_STOP
        and not any(term in g for term in strong_own)
        and not any(term in g for term in foreign)
    }
    if not frequent:
        return []
    everywhere = _ngram_stats([*targets, *others], frequent)
    sector_of = {d.key: d.sector for d in others}
    scored: list[tuple[float, str, float, int, int]] = []
    for gram in frequent:
        if not _is_word(gram, everywhere):
            continue
        holders = everywhere.docs[gram] - target_keys
        inside = sum(1 for k in holders if sector_of.get(k) == sector)
        unplaced = sum(1 for k in holders if sector_of.get(k) in (OFF_TOPIC, ""))
        outside = len(holders) - inside - unplaced
        hits = len(in_target.docs[gram])
        # Items of other sectors speak against the term. Off-topic items count a quarter: many
        # of them are the same kind of news the rules miss (the ones the change should move),
        # but a word common in off-topic news (会议, 安全生产) must still lose.
        against = outside + _OFF_TOPIC_WEIGHT * unplaced
        precision = (hits + inside) / (hits + inside + against)
        if precision < settings.min_precision:
            continue
        scored.append((hits * precision, gram, precision, hits, outside))
    # Most items covered first; among equals the longer (more specific) term.
    scored.sort(key=lambda s: (-s[0], -len(s[1]), s[1]))
    chosen: list[tuple[str, float, int, int]] = []
    for _, gram, precision, hits, outside in scored:
        docs = in_target.docs[gram]
        # A nested term covering the same items adds nothing: 液压支架 after 液压 (or vice versa).
        if any((gram in g or g in gram) and docs <= in_target.docs[g] for g, *_ in chosen):
            continue
        chosen.append((gram, precision, hits, outside))
        if len(chosen) == settings.per_sector:
            break
    titles = {d.key: d.title for d in targets}
    proposals = []
    for gram, precision, hits, outside in chosen:
        keys = sorted(in_target.docs[gram])
        proposals.append(
            Proposal(
                change=Change("add_keyword", sector, gram, _weight_for(precision)),
                reason=(
                    f"编辑把 {hits} 条含「{gram}」的条目改入该行业；其他行业的条目中出现 "
                    f"{outside} 次（准确率 {precision:.0%}）"
                ),
                evidence=tuple(Evidence(k, titles[k]) for k in keys),
                support=hits,
                against=outside,
            )
        )
    return proposals


# --- keywords that misled -------------------------------------------------------------------


def _hit_terms(clf: Classifier, doc: Doc, sector: str) -> set[str]:
    """The (folded) terms of `sector` that fire on `doc` under the current rules."""
    return {h.term for h in classify(clf, doc.title, doc.text).hits if h.sector == sector}


def _contexts(doc: Doc, term: str) -> set[str]:
    """Phrases of one or two characters around each occurrence of `term` (Han runs only)."""
    out: set[str] = set()
    for run in _runs(doc):
        at = run.find(term)
        while at != -1:
            end = at + len(term)
            for k in (1, 2):
                if at - k >= 0:
                    out.add(run[at - k : end])
                if end + k <= len(run):
                    out.add(run[at : end + k])
            at = run.find(term, at + 1)
    return out


def _remedy(
    rules: SectorRules,
    sector: str,
    term: str,
    wrong: list[Doc],
    right: list[Doc],
    texts: list[_Text],
    settings: SuggestSettings,
) -> Change | None:
    """An exclusion phrase or guard word that covers the wrong contexts, else a lower weight."""
    right_text = [f"{d.title}\n{d.text}".lower() for d in right]
    in_sector = [t for _, sid, t in texts if sid == sector]
    counts: Counter[str] = Counter()
    for doc in wrong:
        counts.update(_contexts(doc, term))
    # The phrase must explain most of the wrong placements, else lowering the weight is honest.
    need = max(2, math.ceil(0.6 * len(wrong)))
    phrases = [
        p
        for p, n in counts.items()
        if n >= need and not any(p in t for t in right_text) and sum(p in t for t in in_sector) <= 1
    ]
    phrases.sort(key=lambda p: (-counts[p], len(p), p))
    if phrases:
        phrase = phrases[0]
        # The part outside the term plus the term's edge character: 深化|工 -> 深化. When that
        # two-character word is common on its own, a guard word fixes every such boundary at once.
        guard = phrase[:2] if phrase.endswith(term) else phrase[-2:]
        if len(phrase) == len(term) + 1 and guard not in term:
            holders = sum(guard in t and term not in t for _, _, t in texts)
            if holders >= settings.min_support:
                return Change("add_guard", sector, guard)
        return Change("add_exclude", sector, phrase)
    keyword = next(
        (k for k in rules.sector(sector).keywords if normalize_term(k.term) == term), None
    )
    if keyword is None or keyword.weight <= 0.5:
        return None  # a co-occurrence rule has no plain weight to lower; ops judge it themselves
    # Low enough that one title hit no longer decides alone (weight x title_factor < min_score):
    # the keyword stays as a hint that needs company.
    alone = rules.sector(sector).min_score / rules.settings.title_factor
    lower = math.ceil(alone * 2 - 1) / 2 if keyword.weight >= alone else keyword.weight / 2
    lower = max(0.25, min(lower, keyword.weight / 2))
    return Change("set_weight", sector, keyword.term, lower, keyword.weight)


def _misleading(
    rules: SectorRules,
    clf: Classifier,
    corrections: Sequence[Correction],
    verdicts: Sequence[Verdict],
    texts: list[_Text],
    settings: SuggestSettings,
) -> list[Proposal]:
    """Keywords whose placements were mostly wrong, with a remedy each.

    Wrong: moved away (改分类) or rejected (不用). Right: accepted (采用), and a quarter for each
    item still in the sector with the term that no editor touched (most of those are right).
    """
    wrong: dict[tuple[str, str], list[Doc]] = defaultdict(list)
    right: dict[tuple[str, str], list[Doc]] = defaultdict(list)
    for c in corrections:
        if c.from_sector in SECTOR_IDS:
            for term in _hit_terms(clf, c.doc, c.from_sector):
                wrong[(c.from_sector, term)].append(c.doc)
    for v in verdicts:
        if v.sector in SECTOR_IDS:
            for term in _hit_terms(clf, v.doc, v.sector):
                (right if v.accepted else wrong)[(v.sector, term)].append(v.doc)
    keyword_terms = {(r.id, normalize_term(k.term)) for r in rules.sectors for k in r.keywords}
    touched = {c.doc.key for c in corrections} | {v.doc.key for v in verdicts}
    proposals = []
    for (sector, term), bad in sorted(wrong.items()):
        good = right.get((sector, term), [])
        if len(bad) < settings.min_support:
            continue
        untouched = sum(
            1 for k, sid, t in texts if sid == sector and k not in touched and term in t
        )
        if (
            len(bad) / (len(bad) + len(good) + _UNVERIFIED_WEIGHT * untouched)
            < settings.min_wrong_share
        ):
            continue
        if (sector, term) not in keyword_terms and not any(
            normalize_term(c.term) == term for c in rules.sector(sector).cooccur
        ):
            continue
        change = _remedy(rules, sector, term, bad, good, texts, settings)
        if change is None:
            continue
        proposals.append(
            Proposal(
                change=change,
                reason=(
                    f"关键词「{term}」把 {len(bad)} 条条目错误地归入该行业（被改分类或不用），"
                    f"被采用 {len(good)} 条，未经处理的 {untouched} 条"
                ),
                evidence=tuple(Evidence(d.key, d.title) for d in sorted(bad, key=lambda d: d.key)),
                support=len(bad),
                against=len(good),
            )
        )
    return proposals


def suggest(
    rules: SectorRules,
    corrections: Sequence[Correction],
    verdicts: Sequence[Verdict],
    background: Sequence[Doc],
    settings: SuggestSettings = SuggestSettings(),
) -> tuple[Proposal, ...]:
    """Every proposal the corrections support: new keywords first, then misleading keywords.

    `background` is a sample of stored items with their current sectors; it tells which terms are
    rare outside a sector. The order is stable for the same inputs, so ops can apply "number N".
    """
    docs = list(background)
    moved_in: dict[str, list[Doc]] = defaultdict(list)
    for c in corrections:
        if c.to_sector in SECTOR_IDS:
            moved_in[c.to_sector].append(c.doc)
    proposals: list[Proposal] = []
    for sector in SECTOR_IDS:
        targets = list({d.key: d for d in moved_in.get(sector, [])}.values())
        if len(targets) >= settings.min_support:
            proposals += _new_keywords(rules, sector, targets, docs, settings)
    clf = compile_rules(rules)
    texts = [(d.key, d.sector, f"{d.title}\n{d.text}".lower()) for d in docs]
    proposals += _misleading(rules, clf, corrections, verdicts, texts, settings)
    return tuple(proposals)
