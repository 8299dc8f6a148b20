"""Text statistics of every element, computed bottom-up in one pass, and the choices made on them:
the densest prose block, whether a known container is plausible, and which blocks inside a body
are link lists, teasers or comment areas rather than article text.

Failure class "density step re-renders every element's text" (58 ms a page): each element's
counts are the sum of its children's, so one walk of the tree answers every question below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

# Elements whose text a reader never sees as article prose. Hidden <textarea>/<template> blocks
# hold image galleries and templates (failure class "hidden blocks counted as prose").
# <form> is not one: ASP.NET WebForms sites (many government ones) wrap the whole page in a form.
INVISIBLE_TAGS = frozenset(
    {"script", "style", "noscript", "iframe", "button", "select", "input", "textarea",
     "template", "head", "title"}
)  # fmt: skip
# Sentence punctuation marks prose; navigation and link lists have almost none.
# Blocks named for what is not the article: comments, related/recommended lists, share bars.
# General words that CMS templates of every vendor use, not one site's class names.
# Matched as lowercase substrings (a regex alternation cost more than the rest of the walk).
_NOT_ARTICLE = (
    "comment", "relate", "recommend", "share", "hotnews", "hot-news", "tuijian", "xgxw", "xgwz",
    "pinglun", "footer", "copyright", "sidebar", "crumb", "toolbar", "prevnext", "prev-next",
    "nextprev", "next-prev",
)  # fmt: skip
_BLOCKS = ("div", "td", "article", "section", "main")
_PRUNABLE = frozenset({"div", "ul", "ol", "dl", "table", "section", "aside", "nav", "p", "span"})
_NAMED_BLOCKS = _PRUNABLE | set(_BLOCKS)
# Elements that start a new visible line.
LINE_TAGS = frozenset(
    {"p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "table",
     "section", "ul", "ol", "dl", "dd", "dt", "article", "header", "footer", "body"}
)  # fmt: skip
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5"})
_SPACES = re.compile(r"[ \t\u3000\xa0]+")


@dataclass(slots=True)
class Counts:
    """Visible characters, characters inside links, prose punctuation, sentence stops, and the
    sentence stops outside links (a headline list's ？ and ！ are inside its links)."""

    chars: int = 0
    link: int = 0
    punct: int = 0
    stops: int = 0
    free_stops: int = 0

    @property
    def link_share(self) -> float:
        return min(self.link / self.chars, 1.0) if self.chars else 0.0

    @property
    def score(self) -> float:
        return self.punct * (1.0 - self.link_share) ** 2


# Counting by deleting characters (str.translate) is one C call, several times faster than a regex.
_NO_PUNCT = str.maketrans(dict.fromkeys("。！？；，、：“”"))
_NO_STOPS = str.maketrans(dict.fromkeys("。！？"))


def _count(text: str) -> tuple[int, int, int]:
    """Size (without edge spaces), prose punctuation and sentence stops of one text node."""
    size = len(text.strip())
    if not size or text.isascii():
        return size, 0, 0
    whole = len(text)
    return size, whole - len(text.translate(_NO_PUNCT)), whole - len(text.translate(_NO_STOPS))


@dataclass(slots=True)
class Measured:
    """Counts of every visible element, and the first element of each class and id (".x", "#x")
    in document order, so known containers are found without running CSS selectors."""

    table: dict[etree._Element, Counts]
    names: dict[str, etree._Element]
    # Blocks named as comments, related lists, share bars or footers, and everything inside them.
    chrome: set[etree._Element]
    under_chrome: set[etree._Element]
    # The page's visible lines in document order, each with whether it is mostly link text
    # (where the headline and its date line are looked for).
    lines: list[tuple[str, bool]]
    # The index in `lines` where each element begins.
    first_line: dict[etree._Element, int]
    # Headline-like elements in document order: h1-h5 and elements whose class holds "tit" or
    # whose id holds "title" (one XPath for them cost more than this whole walk's share).
    headings: list[etree._Element]


_ZERO = Counts()


def measure(root: etree._Element) -> Measured:
    """Counts of every visible element (children before parents), its names and the page's
    lines, in one walk (the hottest loop of extraction: written for speed, not for beauty)."""
    table: dict[etree._Element, Counts] = {}
    names: dict[str, etree._Element] = {}
    chrome: set[etree._Element] = set()
    under_chrome: set[etree._Element] = set()
    lines: list[tuple[str, bool]] = []
    first_line: dict[etree._Element, int] = {}
    headings: list[etree._Element] = []
    parts: list[str] = []
    line = [0, 0]  # link characters and all characters of the line being built

    def flush() -> None:
        if line[1]:  # most pending parts are the whitespace between tags
            text = _SPACES.sub(" ", "".join(parts)).strip()
            lines.append((text, 2 * line[0] > len(text)))
        parts.clear()
        line[0] = line[1] = 0

    def walk(el: etree._Element, in_link: bool, under: bool) -> Counts | None:
        tag = el.tag
        if not isinstance(tag, str) or tag in INVISIBLE_TAGS:
            return None
        classes, ident = el.get("class"), el.get("id")
        if classes or ident:
            for name in classes.split() if classes else ():
                names.setdefault("." + name, el)
            if ident:
                names.setdefault("#" + ident, el)
            if tag in _NAMED_BLOCKS and _is_chrome(el):
                chrome.add(el)
                under = True
        if under:
            under_chrome.add(el)
        if tag in _HEADING_TAGS or (
            ((classes and "tit" in classes) or (ident and "title" in ident))
            and tag not in ("html", "body")
        ):
            headings.append(el)
        breaks = tag in LINE_TAGS
        if breaks and parts:
            flush()
        first_line[el] = len(lines)
        in_link = in_link or tag == "a"
        chars = link = punct = stops = free = 0
        if text := el.text:
            parts.append(text)
            if not text.isspace():
                size, punct, stops = _count(text)
                chars = size
                line[1] += size
                if in_link:
                    link = size
                    line[0] += size
                else:
                    free = stops
        for child in el:
            inner = walk(child, in_link, under)
            if inner is not None:
                chars += inner.chars
                link += inner.link
                punct += inner.punct
                stops += inner.stops
                free += inner.free_stops
            if tail := child.tail:
                parts.append(tail)
                # Most tails are the whitespace between tags: kept for spacing, not counted.
                if not tail.isspace():
                    size, more_punct, more_stops = _count(tail)
                    chars += size
                    punct += more_punct
                    stops += more_stops
                    line[1] += size
                    if in_link:
                        link += size
                        line[0] += size
                    else:
                        free += more_stops
        if breaks and parts:
            flush()
        # Empty elements (images, line breaks, icons) share one read-only zero.
        counts = table[el] = Counts(chars, link, punct, stops, free) if chars else _ZERO
        return counts

    walk(root, False, False)
    if parts:
        flush()
    return Measured(table, names, chrome, under_chrome, lines, first_line, headings)


def densest_block(root: etree._Element, measured: Measured) -> etree._Element | None:
    """The tightest block holding most of the page's prose (for pages of unknown CMSs)."""
    best, best_score = None, 0.0
    # Nothing inside a block named as comments or recommendations: a recommended article is
    # prose too, often longer than the article itself.
    table, chrome = measured.table, measured.under_chrome
    for element in root.iter(*_BLOCKS):
        counts = table.get(element)
        if counts is not None and counts.score >= best_score and element not in chrome:
            best, best_score = element, counts.score  # on a tie the deeper element wins
    if best is None or best_score < 5:
        return None
    while True:
        children = [c for c in best if c in table and c not in chrome]
        inner = max(children, key=lambda c: table[c].score, default=None)
        if inner is None or table[inner].score < 0.85 * best_score:
            return best
        # Failure class "a lead paragraph beside the main text block" (摘要/chapo paragraphs,
        # a first paragraph outside the body div): stay when a sibling is prose too.
        if any(_is_prose_block(c, table) for c in children if c is not inner):
            return best
        best, best_score = inner, table[inner].score


def _leaves_prose(whole: Counts, part: Counts) -> bool:
    """True when the body minus `part` still holds an article (a wrapper named "share-content"
    may hold the article itself)."""
    return whole.chars - part.chars >= 100 and whole.free_stops - part.free_stops >= 2


def _is_prose_block(element: etree._Element, table: dict[etree._Element, Counts]) -> bool:
    counts = table[element]
    return (
        counts.free_stops >= 2
        and counts.chars >= 40
        and counts.link_share < 0.2
        and not _is_chrome(element)
    )


def _is_chrome(element: etree._Element) -> bool:
    """A block whose class or id says it is comments, related links, a footer or a share bar."""
    names = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    return any(word in names for word in _NOT_ARTICLE)


def better_than_container(
    container: etree._Element, block: etree._Element | None, table: dict[etree._Element, Counts]
) -> bool:
    """Failure class "a known container that is wrong or too wide": True when the densest prose
    block should replace it: the container holds the block plus much more non-prose, or lies
    elsewhere on the page with far less prose (a comments box, a footer)."""
    if block is None or block is container:
        return False
    outer, inner = table.get(container), table.get(block)
    if outer is None or inner is None:
        return False
    if _is_chrome(container):
        return inner.score > outer.score
    inside = any(a is container for a in block.iterancestors())
    return inside and outer.chars > 2 * inner.chars and inner.score >= 0.7 * outer.score


def prune(body: etree._Element, measured: Measured, keep: set[etree._Element]) -> None:
    """Failure class "link lists and teasers left inside the body container": remove child blocks
    that are mostly link text and hold no sentence ending, and blocks named as comments, related
    links or share bars. Blocks in `keep` (those holding attachment links) stay."""
    table = measured.table
    doomed: set[etree._Element] = set()
    for element in body.iterdescendants(*_PRUNABLE):
        counts = table.get(element)
        if counts is None or element in keep or not counts.chars:
            continue
        links = counts.link_share > 0.6 and counts.free_stops == 0 and counts.link >= 8
        if (
            links
            or _is_document_metadata(element, counts)
            or (element in measured.chrome and _leaves_prose(table[body], counts))
        ):
            doomed.add(element)
    for element in list(doomed):
        if any(a in doomed for a in element.iterancestors()):
            continue
        parent = element.getparent()
        if parent is not None:
            remove_keep_tail(element, parent)


# Failure class "信息公开 metadata table inside the body container": 索引号/分类/发布机构/成文日期
# cells of open-government pages (TRS, Hanweb and others print them above the document).
_METADATA_START = re.compile(r"^(?:索引号|信息索引|主题分类|发文机关)")


def _is_document_metadata(element: etree._Element, counts: Counts) -> bool:
    if element.tag not in ("table", "div", "ul", "dl") or counts.free_stops or counts.chars > 400:
        return False
    return bool(_METADATA_START.match("".join("".join(element.itertext()).split())[:20]))


def remove_keep_tail(element: etree._Element, parent: etree._Element) -> None:
    """Remove an element from its parent but keep the text that follows it."""
    tail = element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)
