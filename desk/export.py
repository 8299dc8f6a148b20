"""An assembled issue as DOCX (for Word/WPS), standalone HTML (web and email) and Markdown."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape

from desk.export_docx import to_docx
from desk.issue import AssembledIssue

# format -> (file extension, MIME type)
FORMATS: dict[str, tuple[str, str]] = {
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "html": ("html", "text/html; charset=utf-8"),
    "md": ("md", "text/markdown; charset=utf-8"),
}
# Its own environment, so the CLI exports without a Flask app; the desk preview includes the
# same template body.
_ENV = Environment(
    loader=PackageLoader("desk", "templates"), autoescape=select_autoescape(["html"])
)


def to_html(issue: AssembledIssue) -> str:
    """A standalone HTML page with inline styles, fit for the web and for email clients."""
    return _ENV.get_template("export/issue.html").render(issue=issue)


def _md_escape(text: str) -> str:
    """Neutralise Markdown syntax and raw HTML in crawled text."""
    for char in "\\`*_[]<>#|":
        text = text.replace(char, "\\" + char)
    return text


def to_markdown(issue: AssembledIssue) -> str:
    """The issue as Markdown: masthead, 编者的话, 目录 with links, then the sections."""
    lines = [f"# {issue.title}", "", f"**{issue.numbers_line}**", ""]
    if issue.special_title:
        lines += [f"## {_md_escape(issue.special_title)}", ""]
    if issue.subtitle:
        lines += [f"### {_md_escape(issue.subtitle)}", ""]
    lines += [f"{issue.date}　{issue.publisher}", "", "---", ""]
    if issue.editor_note:
        lines += ["## ● 编者的话", ""]
        lines += [line for text in issue.editor_note for line in (_md_escape(text), "")]
    lines += ["## ● 目录", ""]
    lines += [f"- [{_md_escape(a.title)}](#{a.anchor})" for a in issue.articles]
    lines.append("")
    for section in issue.sections:
        lines += [f"## ● {section.name}", ""]
        for article in section.articles:
            lines += [f'<a id="{article.anchor}"></a>', "", f"### {_md_escape(article.title)}", ""]
            meta = "　".join(
                x for x in (article.source and f"来源：{article.source}", article.date) if x
            )
            if meta:
                lines += [f"*{_md_escape(meta)}*", ""]
            lines += [line for text in article.paragraphs for line in (_md_escape(text), "")]
    return "\n".join(lines).rstrip() + "\n"


def export(issue: AssembledIssue, fmt: str) -> bytes:
    """The issue in `fmt` (docx, html or md) as bytes."""
    if fmt == "docx":
        return to_docx(issue)
    if fmt == "html":
        return to_html(issue).encode("utf-8")
    if fmt == "md":
        return to_markdown(issue).encode("utf-8")
    raise ValueError(f"unknown export format '{fmt}' (docx, html, md)")
