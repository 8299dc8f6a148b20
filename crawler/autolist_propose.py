"""Explicit `[source.list]` selectors for a list automatic detection found (pure): what
`sources add` writes and the selector alert proposes, checked on the page they came from."""

from __future__ import annotations

import re
from collections import Counter

from cssselect import SelectorError
from lxml import etree
from parsel import Selector

from crawler.parse import select_all
from pipeline.models import ListSelectors

# Dates as lists print them: 2026-11-18, 2026/11/18, 2026.11.18, 2026年11月18日, [11-18].
DATE_RE = re.compile(
    r"(?<!\d)(?:(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    r"|\d{1,2}\s*[-/月]\s*\d{1,2}\s*日?(?=\s*[\]）)]|\s*$))(?!\d)"
)


def node_css(node: etree._Element) -> str:
    """`tag#id`, else `tag.class1.class2`: one step of a readable CSS path."""
    if node.get("id") and re.fullmatch(r"[A-Za-z][\w-]*", node.get("id") or ""):
        return f"{node.tag}#{node.get('id')}"
    classes = [
        c for c in (node.get("class") or "").split() if re.fullmatch(r"-?[A-Za-z_][\w-]*", c)
    ]
    return str(node.tag) + "".join(f".{c}" for c in classes[:2])


def propose(
    records: list[etree._Element], mains: list[tuple[etree._Element, etree._Element, bool]],
    root: etree._Element, datastore: bool,
) -> tuple[ListSelectors | None, str]:  # fmt: skip
    """Explicit selectors that pick the same records and links, checked on the page itself.

    :param mains: (record, main link element, whether it has a title attribute) per headline.
    """
    container = records[0].getparent()
    assert container is not None
    record_tag = records[0].tag
    chain = [node_css(container)]
    for ancestor in list(container.iterancestors())[:3]:
        if ancestor.tag in ("body", "html"):
            break
        chain.insert(0, node_css(ancestor))
        if "#" in chain[0] or "." in chain[0]:
            break
    shared = set.intersection(*({*(r.get("class") or "").split()} for r in records))
    named = sorted(c for c in shared if re.fullmatch(r"-?[A-Za-z_][\w-]*", c))
    item = " > ".join([*chain, record_tag + (f".{named[0]}" if named else "")])
    if datastore:
        return None, f"{item} (inside a script datastore: only detection reads it)"
    doc = Selector(root=root)
    wanted = {id(r) for r in records}

    def picks_the_records(spec: str) -> bool:
        # Matches without a link (separator <li class="line">) are harmless: they yield no item.
        try:
            found = select_all(doc, spec)
        except (SelectorError, ValueError, etree.XPathError):
            # Odd tags (<business:frag1>) make selectors that do not compile: such a page gets
            # no proposal; detection still reads it.
            return False
        linked = {id(n.root) for n in found
                  if n.root.tag == "a" or n.root.find(".//a") is not None}  # fmt: skip
        return linked == wanted

    if not picks_the_records(item):
        path = root.getroottree().getpath(container)
        item = "xpath:" + re.sub(r"\[\d+\]$", "", path) + "/" + record_tag
    if not picks_the_records(item):
        return None, item
    if record_tag == "a":
        # A bare run of links: each link is the item; its date is the text right after it.
        date = "xpath:following-sibling::text()[1]"
        return ListSelectors(
            item=item, link="xpath:@href", title="xpath:string(.)", date=date
        ), item
    link_css, title = _link_path(mains)
    date = _date_path(records)
    return ListSelectors(item=item, link=f"{link_css}::attr(href)", title=title, date=date), item


def _link_path(mains: list[tuple[etree._Element, etree._Element, bool]]) -> tuple[str, str]:
    firsts = all(next(r.iter("a"), None) is a for r, a, _ in mains)
    main = mains[0][1]
    css = "a"
    if not firsts:
        parent = main.getparent()
        classes = (main.get("class") or "").split()
        if classes and re.fullmatch(r"-?[A-Za-z_][\w-]*", classes[0]):
            css = f"a.{classes[0]}"
        elif parent is not None and parent.tag not in ("li", "tr", "div", "dd", "td"):
            css = f"{parent.tag} > a"
    with_attr = all(has_title for _, _, has_title in mains)
    return css, f"{css}::attr(title)" if with_attr else css


def _date_path(records: list[etree._Element]) -> str:
    paths: Counter[str] = Counter()
    for record in records:
        for node in record.iter():
            if not isinstance(node.tag, str) or node is record or node.tag == "a":
                continue
            own = "".join(node.xpath("text()"))
            if DATE_RE.search(own):
                classes = (node.get("class") or "").split()
                ok = classes and re.fullmatch(r"-?[A-Za-z_][\w-]*", classes[0])
                paths[f"{node.tag}.{classes[0]}" if ok else node.tag] += 1
                break
        else:
            if DATE_RE.search("".join(record.xpath("text()"))):
                paths["xpath:text()"] += 1
    if not paths:
        return ""
    path, count = paths.most_common(1)[0]
    if count < len(records) * 0.6:
        return ""
    return path if path.startswith("xpath:") else f"{path}::text"
