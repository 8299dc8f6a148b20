"""一键生成初稿: pick a proposed issue from the week's items, place it, summarise it (pure).

The shell (store.issues, desk, cli) gathers the candidates, calls `propose`, and writes the result.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pipeline.config_fields import FieldReader
from pipeline.models import ProposalSettings
from pipeline.rules import SECTOR_IDS

ELLIPSIS = "……"
# A sentence ends at 。！？ (or ! ?), together with any closing quotes or brackets after it.
_SENTENCE = re.compile(r"[^。！？!?]*[。！？!?]+[”’」』）)]*|[^。！？!?]+$")
# Where a sentence too long for the summary may be cut: after a clause mark.
_CLAUSE_MARKS = "，、；：,;:"
# A news dateline before the lead: 本报讯（记者 李明）, 新华社郑州11月5日电（记者 张三）.
# It names the reporters, not the news, so a summary starts after it.
_DATELINE = re.compile(
    r"^(?:本报讯|本报|新华社|中新社|中新网|人民网|新华网|央视网)[^。，（(]{0,20}[（(][^）)]{0,40}[）)]\s*"
)
# A lead paragraph this short is a byline or dateline ("记者 王丽"), not a lead sentence.
MIN_LEAD_PARAGRAPH = 12


@dataclass(frozen=True, slots=True)
class Candidate:
    """An item that may go into the proposed issue."""

    key: str
    sector: str
    rank: float
    title: str
    text: str
    cluster_id: str = ""


@dataclass(frozen=True, slots=True)
class Pick:
    """One proposed item: where it goes and the summary it prints with."""

    key: str
    sector: str
    section: str
    summary: str


@dataclass(frozen=True, slots=True)
class Proposal:
    """The proposed issue: picks in reading order, runners-up per industry, and a 编者的话."""

    picks: tuple[Pick, ...]
    runners_up: Mapping[str, tuple[str, ...]]
    editor_note: str


def sector_rank(sector: str) -> int:
    """A sector's place in the newsletter's 6+3+3 order (unknown sectors last)."""
    return SECTOR_IDS.index(sector) if sector in SECTOR_IDS else len(SECTOR_IDS)


def best_per_cluster(candidates: Sequence[Candidate]) -> list[Candidate]:
    """The candidates by rank, best first, keeping one item per reprint cluster."""
    seen: set[str] = set()
    kept = []
    for c in sorted(candidates, key=lambda c: (-c.rank, c.key)):
        cluster = c.cluster_id or c.key
        if cluster not in seen:
            seen.add(cluster)
            kept.append(c)
    return kept


def select(
    candidates: Sequence[Candidate], settings: ProposalSettings
) -> tuple[list[Candidate], dict[str, list[Candidate]]]:
    """The chosen items and, per industry, the runners-up in rank order.

    Each industry first gets up to `per_sector_min` of its best items (all it has in a thin week),
    then the best remaining items of any industry fill the issue up to `max_items`, no industry
    passing `per_sector_max`.
    """
    by_sector: dict[str, list[Candidate]] = {}
    for c in best_per_cluster([c for c in candidates if c.sector in SECTOR_IDS]):
        by_sector.setdefault(c.sector, []).append(c)
    chosen: list[Candidate] = []
    for sector in SECTOR_IDS:
        chosen += by_sector.get(sector, [])[: settings.per_sector_min]
    chosen = sorted(chosen, key=lambda c: -c.rank)[: settings.max_items]
    taken = {c.key for c in chosen}
    rest = sorted(
        (c for items in by_sector.values() for c in items if c.key not in taken),
        key=lambda c: (-c.rank, c.key),
    )
    for c in rest:
        if len(chosen) >= settings.max_items:
            break
        if sum(1 for x in chosen if x.sector == c.sector) < settings.per_sector_max:
            chosen.append(c)
            taken.add(c.key)
    runners = {
        sector: [c for c in items if c.key not in taken] for sector, items in by_sector.items()
    }
    return chosen, runners


def runner_up(candidates: Sequence[Candidate], sector: str, exclude: set[str]) -> Candidate | None:
    """The best item of `sector` whose key and reprint cluster are not in `exclude`."""
    for c in best_per_cluster([c for c in candidates if c.sector == sector]):
        if c.key not in exclude and (c.cluster_id or c.key) not in exclude:
            return c
    return None


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.findall(text) if s.strip()]


def _lead_paragraphs(text: str) -> list[str]:
    """The body paragraphs, without a leading salutation or byline.

    Skipped at the start only: a line ending in a colon (the 各有关单位： of a notice) and a line
    too short to be a sentence (记者 王丽, a bare date). Both are common in government notices and
    news pages and never make a useful lead.
    """
    paragraphs = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    start = 0
    while start < len(paragraphs) - 1:
        first = paragraphs[start]
        if first.endswith(("：", ":")) or len(first) < MIN_LEAD_PARAGRAPH:
            start += 1
        else:
            break
    lead = paragraphs[start:]
    if lead:
        lead[0] = _DATELINE.sub("", lead[0])
    return [p for p in lead if p]


def lead_summary(text: str, limit: int) -> str:
    """At most `limit` characters of the text's own lead sentences (extractive, nothing added).

    Whole sentences are taken while they fit. When even the first sentence is longer, it is cut
    after its last clause mark within the limit (or at the limit) and ends with "……".
    """
    taken = ""
    for paragraph in _lead_paragraphs(text):
        for sentence in _sentences(paragraph):
            sentence = sentence.strip()
            if len(taken) + len(sentence) > limit:
                if taken:
                    return taken
                room = sentence[: limit - len(ELLIPSIS)]
                cut = max(room.rfind(mark) for mark in _CLAUSE_MARKS)
                return (room[: cut + 1] if cut > limit // 3 else room) + ELLIPSIS
            taken += sentence
    return taken


def section_for(title: str, settings: ProposalSettings, sections: Sequence[str]) -> str:
    """The first section whose words the title holds, else the default section."""
    for section, words in settings.section_words:
        if section in sections and any(w in title for w in words):
            return section
    default = settings.default_section
    return default if default in sections else sections[0]


def propose_note(picks: Sequence[Pick], sector_names: Mapping[str, str], standing: str) -> str:
    """A 编者的话 naming the industries covered (in 6+3+3 order), then the standing note."""
    counts: dict[str, int] = {}
    for p in picks:
        counts[p.sector] = counts.get(p.sector, 0) + 1
    covered = [s for s in SECTOR_IDS if s in counts]
    if not covered:
        return standing
    named = "、".join(f"{sector_names.get(s, s)}（{counts[s]}篇）" for s in covered)
    sections: dict[str, int] = {}
    for p in picks:
        sections[p.section] = sections.get(p.section, 0) + 1
    parts = "，".join(f"{name}{n}篇" for name, n in sections.items())
    lead = (
        f"本期围绕“6+3+3”产业发展新态势，精选近期资讯{len(picks)}篇，涉及{len(covered)}个产业："
        f"{named}。按栏目分，{parts}。"
    )
    return f"{lead}\n{standing}" if standing.strip() else lead


def in_reading_order(picks: Sequence[Pick], sections: Sequence[str]) -> list[Pick]:
    """Picks by section (configured order), then 6+3+3 order, keeping rank order inside each."""
    order = {name: i for i, name in enumerate(sections)}
    indexed = list(enumerate(picks))
    indexed.sort(key=lambda ip: (order.get(ip[1].section, len(order)), sector_rank(ip[1].sector),
                                 ip[0]))  # fmt: skip
    return [p for _, p in indexed]


def arrange(
    chosen: Sequence[Candidate],
    runners: Mapping[str, Sequence[Candidate]],
    texts: Mapping[str, str],
    settings: ProposalSettings,
    sections: Sequence[str],
    sector_names: Mapping[str, str],
    standing_note: str = "",
) -> Proposal:
    """The proposal from chosen items: sections, reading order, summaries from `texts`, note."""
    picks = [
        Pick(c.key, c.sector, section_for(c.title, settings, sections),
             lead_summary(texts.get(c.key, c.text), settings.summary_chars))
        for c in sorted(chosen, key=lambda c: (-c.rank, c.key))
    ]  # fmt: skip
    ordered = in_reading_order(picks, sections)
    return Proposal(
        picks=tuple(ordered),
        runners_up={s: tuple(c.key for c in items) for s, items in runners.items() if items},
        editor_note=propose_note(ordered, sector_names, standing_note),
    )


def propose(
    candidates: Sequence[Candidate],
    settings: ProposalSettings,
    sections: Sequence[str],
    sector_names: Mapping[str, str],
    standing_note: str = "",
) -> Proposal:
    """The proposed issue from candidates that carry their texts."""
    chosen, runners = select(candidates, settings)
    return arrange(chosen, runners, {}, settings, sections, sector_names, standing_note)


def parse_proposal(r: FieldReader, sections: Sequence[str]) -> ProposalSettings:
    """[proposal]: quotas, summary length, and the words that choose each item's section."""
    words: list[tuple[str, tuple[str, ...]]] = []
    table = r.table("section_words")
    if table is not None:
        for name in table.data:
            found = table.texts(name)
            if sections and name not in sections:
                table.fail(
                    name, f"must name a section of newsletter.sections ({', '.join(sections)})"
                )
            words.append((name, found))
        table.finish()
    result = ProposalSettings(
        per_sector_min=r.integer("per_sector_min", 2, 0, 20),
        per_sector_max=r.integer("per_sector_max", 4, 1, 20),
        max_items=r.integer("max_items", 30, 1, 200),
        body=r.text("body", "summary", choices=("summary", "text")),
        summary_chars=r.integer("summary_chars", 200, 40, 2000),
        default_section=r.text("default_section"),
        first_days=r.integer("first_days", 14, 1, 3650),
        section_words=tuple(words),
    )
    if result.per_sector_min > result.per_sector_max:
        r.fail("per_sector_min", f"must be <= per_sector_max ({result.per_sector_max})")
    if result.default_section and sections and result.default_section not in sections:
        r.fail("default_section", f"must be one of {', '.join(sections)}")
    return result
