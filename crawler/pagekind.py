"""What a page is when it is not a list (pure): for `sources add`, so ops learn what was seen and
what to try instead of a bare "no items"."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from lxml import html as lxml_html

from crawler.autolist import Detection
from crawler.extract import extract_article

# A page whose visible text is shorter than this, yet carries scripts, is a JavaScript shell.
SHELL_TEXT = 300
# An article: this much body text from the extractor, and detection found no list.
ARTICLE_TEXT = 300
_CRUMB = re.compile(r"crumb|position|location|weizhi|dqwz|当前位置|您的位置", re.I)
_LOGIN = re.compile(r"登录|登陆|login|sign in|统一身份认证", re.I)


def describe_non_list(html: str, url: str, detection: Detection) -> str:
    """What was seen on a page without a plausible list, and what ops can try."""
    root = lxml_html.document_fromstring(html or "<html/>")
    title = (root.findtext(".//title") or "").strip()
    scripts = len(root.xpath("//script"))
    for node in root.xpath("//script|//style|//noscript"):
        node.drop_tree()
    text = re.sub(r"\s+", "", root.text_content())
    links = len(root.xpath("//a[@href]"))
    seen = f"'{title}': {len(text)} characters of text, {links} links, {scripts} scripts"
    if root.xpath('//input[@type="password"]') or (_LOGIN.search(title) and len(text) < 2000):
        return (
            f"this is a login page ({seen}); newsdesk does not log in. Ask the site for a public "
            "column, or use an RSS feed or an RSSHub route. / 需要登录，请改用公开栏目或订阅源。"
        )
    if len(text) < SHELL_TEXT and scripts:
        return (
            f"the list is filled by JavaScript ({seen}); open the browser's developer tools → "
            "Network → Fetch/XHR, reload, find the request that returns the list and add it as "
            'kind = "json" with [source.api]; or use an RSSHub route. / '
            "列表由 JavaScript 加载，请改抓其 JSON 接口或 RSSHub 路由。"
        )
    article = extract_article(html, url)
    if len(article.text) >= ARTICLE_TEXT and (not detection.plausible or looks_like_article(
        html, url, detection
    )):  # fmt: skip
        column = _column_link(root, url)
        hint = f" (its breadcrumb points to {column})" if column else ""
        return (
            f"this is a single article ('{article.title}', {len(article.text)} characters of "
            f"text; {seen}); give the URL of the column list it belongs to{hint}. / 这是文章页，"
            "请给出其所属栏目的列表页地址。"
        )
    return (
        f"no list of headline links was found ({seen}; {detection.explanation[0]}). Try a "
        "column page (通知公告, 工作动态) rather than a home page, a JSON API "
        '(kind = "json") or an RSSHub route. / 未找到文章列表，请换用栏目列表页。'
    )


def looks_like_article(html: str, url: str, detection: Detection) -> bool:
    """An article page whose sidebar or 相关阅读 list detection found: much prose that is not
    the list's own text (a list with summaries is prose too, but its titles are in it), a short
    list and no pager."""
    if detection.paging.next_url or len(detection.items) >= 10:
        return False
    text = extract_article(html, url).text
    if len(text) < ARTICLE_TEXT:
        return False
    inside = sum(1 for item in detection.items if item.title[:10] in text)
    return inside * 2 < len(detection.items)


def _column_link(root: lxml_html.HtmlElement, url: str) -> str:
    """The last link of the page's breadcrumb (当前位置：首页 > 通知公告), made absolute."""
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        marks = f"{node.get('class') or ''} {node.get('id') or ''}"
        own = (node.text or "")[:12]
        if _CRUMB.search(marks) or _CRUMB.search(own):
            hrefs = [a.get("href") for a in node.iter("a") if a.get("href")]
            if hrefs:
                return urljoin(url, str(hrefs[-1]))
    return ""
