"""The pager of a list page: how automatic detection reaches the next page (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from lxml import etree
from lxml import html as lxml_html

from pipeline.models import Pagination

NEXT_WORDS = re.compile(r"^(?:下一页|下页|后页|下一頁|next|›|»|>|>>)\W*$", re.I)
# TRS pagers: createPageHTML(7, 0, "index", "shtml") with numbers or variables (var countPage =
# 7), and the newer createPageHTML('page_div', 23, 1, 'index', 'html', 229) whose current page
# counts from 1.
TRS_CALL = re.compile(r"createPageHTML\(([^()]*)\)")
_SPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class Paging:
    """The next list page: a URL now, and the rule that finds it on later pages."""

    next_url: str = ""
    pattern: str = ""
    start: int = 1
    pages: int | None = None
    next_selector: str = ""
    how: str = ""

    def proposal(self, max_pages: int = 3) -> Pagination | None:
        """`[source.pagination]` for this pager (a pattern is steadier than a link)."""
        if self.pattern:
            return Pagination(pattern=self.pattern, start=self.start, max_pages=max_pages)
        if self.next_selector:
            return Pagination(next=self.next_selector, max_pages=max_pages)
        return None


def find_paging(html: str, url: str, root: etree._Element | None = None, base: str = "") -> Paging:
    """The next list page: TRS createPageHTML, a 下一页 link, or numbered page links."""
    if trs := trs_pager(html):
        pages, current, stem, ext = trs
        pattern = f"{stem}_{{n}}.{ext}"
        nxt = urljoin(url, pattern.replace("{n}", str(current + 1))) if current + 1 < pages else ""
        return Paging(
            nxt, pattern, 1, pages, how=f"TRS createPageHTML: page {current + 1} of {pages}"
        )
    if root is None:
        root = lxml_html.document_fromstring(html or "<html/>")
    base = base or url
    numbered: dict[int, str] = {}
    next_link = word = ""
    for a in root.iter("a"):
        text = _SPACE.sub("", a.text_content())
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#")):
            continue
        if NEXT_WORDS.match(text) and not next_link:
            next_link = urljoin(base, href)
            word = text.strip("»›>")
        elif re.fullmatch(r"\[?\d{1,3}\]?", text):
            numbered.setdefault(int(text.strip("[]")), urljoin(base, href))
    pattern, start = _numbered_pattern(numbered, url)
    if pattern:
        return Paging(next_link or urljoin(url, pattern.replace("{n}", str(start))), pattern,
                      start, max(numbered), how=f"numbered page links ({pattern})")  # fmt: skip
    if next_link:
        sel = f'xpath://a[starts-with(normalize-space(.), "{word}")]/@href' if word else ""
        return Paging(next_link, next_selector=sel, how=f"a '{word}' link")
    return Paging(how="no pager found")


def trs_pager(html: str) -> tuple[int, int, str, str] | None:
    """(page count, 0-based current page, file stem, extension) of a TRS pager call."""
    match = TRS_CALL.search(html)
    if match is None:
        return None
    args = [a.strip().strip("'\"") for a in match[1].split(",")]
    values: list[int | None] = []
    for arg in args:
        if arg.isdigit():
            values.append(int(arg))
        elif (
            found := re.search(rf"\b{re.escape(arg)}\s*=\s*(\d+)", html)
            if arg.isidentifier()
            else None
        ):
            values.append(int(found[1]))
        else:
            values.append(None)
    if len(args) >= 5 and values[0] is None and values[1] is not None and values[2] is not None:
        return values[1], values[2] - 1, args[3], args[4]  # ('page_div', count, current, ...)
    if len(args) >= 4 and values[0] is not None and values[1] is not None:
        return values[0], values[1], args[2], args[3]
    return None


def _numbered_pattern(numbered: dict[int, str], url: str) -> tuple[str, int]:
    """`index_{n}.html` from the links of pages 2 and 3: the number that moves is the page."""
    if 2 not in numbered:
        return "", 0
    two, three = numbered[2], numbered.get(3, "")
    for match in reversed(list(_DIGITS.finditer(two))):
        value = int(match[0])
        if value not in (1, 2):
            continue
        template = two[: match.start()] + "{n}" + two[match.end() :]
        if three and template.replace("{n}", str(value + 1)) != three:
            continue
        relative = template[len(url.rsplit("/", 1)[0]) + 1 :] if template.startswith(
            url.rsplit("/", 1)[0] + "/") else template  # fmt: skip
        return relative, value
    return "", 0
