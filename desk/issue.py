"""Assemble a 竞争情报快递 issue from stored rows: numbering, sections, articles, 目录 (pure)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from desk.text import cn_date, paragraphs
from pipeline.models import Masthead

# Page model of the DOCX layout (A4, 2.6 cm side margins, 12 pt 宋体 at 1.5 lines): used only to
# print a first guess of each 目录 page number; Word replaces it when it updates the fields.
CHARS_PER_LINE = 36
LINES_PER_PAGE = 34
FIRST_ARTICLE_PAGE = 2  # page 1 holds the masthead, 编者的话 and the 目录, as in the reference


@dataclass(frozen=True, slots=True)
class IssueNumbers:
    """第`number`期 of `year` and 总第`total_number`期."""

    year: int
    number: int
    total_number: int


@dataclass(frozen=True, slots=True)
class Article:
    """One article as printed: title, source line, date and body paragraphs."""

    key: str
    title: str
    source: str
    date: str
    paragraphs: tuple[str, ...]
    url: str
    anchor: str
    page: int
    body: str  # text | summary
    # Names of the item's kept attachments (the DOCX lists them as 附件：…).
    attachments: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Section:
    """A "● 发展态势"-style section and its articles in order."""

    name: str
    articles: tuple[Article, ...]


@dataclass(frozen=True, slots=True)
class AssembledIssue:
    """Everything an export needs, in print order."""

    id: int
    title: str
    publisher: str
    year: int
    number: int
    total_number: int
    special_title: str
    subtitle: str
    date: str
    editor_note: tuple[str, ...]
    sections: tuple[Section, ...]
    status: str

    @property
    def articles(self) -> tuple[Article, ...]:
        """Every article in print order."""
        return tuple(a for s in self.sections for a in s.articles)

    @property
    def numbers_line(self) -> str:
        """第12期 总第204期."""
        return f"第{self.number}期 总第{self.total_number}期"

    @property
    def file_stem(self) -> str:
        """A file name for exports: 竞争情报快递-2026-第1期-总第205期."""
        return f"{self.title}-{self.year}-第{self.number}期-总第{self.total_number}期"


def suggest_numbers(last: dict[str, Any] | None, today: date, masthead: Masthead) -> IssueNumbers:
    """The next issue's numbers: 第N期 restarts each year, 总第M期 never does."""
    if last is None:
        return IssueNumbers(today.year, masthead.first_number, masthead.first_total)
    number = int(last["number"]) + 1 if int(last["year"]) == today.year else 1
    return IssueNumbers(today.year, number, int(last["total_number"]) + 1)


def section_order(masthead: Masthead, used: Sequence[str]) -> list[str]:
    """The configured sections, then any other section an issue still uses."""
    extra = [s for s in dict.fromkeys(used) if s not in masthead.sections]
    return [*masthead.sections, *extra]


def _lines(text: str, indent: int = 2) -> int:
    return max(1, math.ceil((len(text) + indent) / CHARS_PER_LINE))


def article_lines(title: str, body: Sequence[str]) -> int:
    """How many printed lines an article takes in the page model."""
    return 2 * _lines(title, 0) + 2 + sum(_lines(p) for p in body)


def _article(row: dict[str, Any], anchor: str, page: int) -> Article:
    body = row.get("body") or "text"
    if body == "summary":
        texts = paragraphs(row.get("summary_override") or row.get("item_summary") or "")
    else:
        texts = paragraphs(row.get("text") or "")
    return Article(
        key=row["key"],
        title=row.get("title_override") or row.get("item_title") or "",
        source=row.get("attribution") or row.get("source_name") or "",
        date=cn_date(row.get("published_at")),
        paragraphs=tuple(texts),
        url=row.get("url") or "",
        anchor=anchor,
        page=page,
        body=body,
        attachments=_names(row.get("attachment_names")),
    )


def _names(raw: str | None) -> tuple[str, ...]:
    """A JSON array of attachment names as a tuple ('' and broken values give none)."""
    try:
        value = json.loads(raw or "[]")
    except ValueError:
        return ()
    return tuple(str(v) for v in value if v) if isinstance(value, list) else ()


def assemble(
    issue: dict[str, Any], rows: Sequence[dict[str, Any]], masthead: Masthead
) -> AssembledIssue:
    """Build the printable issue from an `issues` row and its `issue_items` rows."""
    by_section: dict[str, list[dict[str, Any]]] = {}
    for row in sorted(rows, key=lambda r: (r["section"], r["position"])):
        by_section.setdefault(row["section"], []).append(row)
    sections: list[Section] = []
    line = (FIRST_ARTICLE_PAGE - 1) * LINES_PER_PAGE
    count = 0
    for name in section_order(masthead, list(by_section)):
        if name not in by_section:
            continue
        line += 2  # the section marker
        articles = []
        for row in by_section[name]:
            count += 1
            draft = _article(row, f"a{count}", 1 + line // LINES_PER_PAGE)
            articles.append(draft)
            line += article_lines(draft.title, draft.paragraphs)
        sections.append(Section(name, tuple(articles)))
    return AssembledIssue(
        id=int(issue["id"]),
        title=masthead.title,
        publisher=masthead.publisher,
        year=int(issue["year"]),
        number=int(issue["number"]),
        total_number=int(issue["total_number"]),
        special_title=issue.get("special_title") or "",
        subtitle=issue.get("subtitle") or "",
        date=cn_date(issue.get("issue_date")),
        editor_note=tuple(paragraphs(issue.get("editor_note") or "")),
        sections=tuple(sections),
        status=issue.get("status") or "draft",
    )


def placement_of(rows: Sequence[dict[str, Any]], masthead: Masthead) -> list[tuple[str, str]]:
    """(section, key) pairs in reading order: sections in masthead order, then by position."""
    order = section_order(masthead, [r["section"] for r in rows])
    ranked = sorted(rows, key=lambda r: (order.index(r["section"]), r["position"]))
    return [(r["section"], r["key"]) for r in ranked]


def move_item(
    placement: Sequence[tuple[str, str]],
    key: str,
    step: int = 0,
    section: str = "",
    sector_rank: Mapping[str, int] | None = None,
) -> list[tuple[str, str]]:
    """Move `key` one place up (-1) or down (+1) inside its section, or into `section`.

    Moved into another section, it goes after the last item of its own or an earlier 6+3+3
    industry there (`sector_rank`: key → place in that order), else to the section's end.
    """
    pairs = list(placement)
    index = next((i for i, (_, k) in enumerate(pairs) if k == key), None)
    if index is None:
        return pairs
    current = pairs[index][0]
    if section and section != current:
        del pairs[index]
        ranks = sector_rank or {}
        mine = ranks.get(key, 0)
        there = [i for i, (s, _) in enumerate(pairs) if s == section]
        later = [i for i in there if sector_rank is not None and ranks.get(pairs[i][1], 0) > mine]
        if later:
            pairs.insert(later[0], (section, key))
        else:
            last = max(there, default=len(pairs) - 1)
            pairs.insert(last + 1, (section, key))
        return pairs
    other = index + step
    if step and 0 <= other < len(pairs) and pairs[other][0] == current:
        pairs[index], pairs[other] = pairs[other], pairs[index]
    return pairs


def parse_order(text: str) -> list[tuple[str, str]]:
    """The drag-and-drop order the page posts: one 'section<TAB>key' line per item."""
    pairs = []
    for line in text.splitlines():
        section, _, key = line.partition("\t")
        if section.strip() and key.strip():
            pairs.append((section.strip(), key.strip()))
    return pairs
