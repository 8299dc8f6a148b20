"""An assembled issue as a Word document in the layout of the printed 竞争情报快递."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from desk.issue import Article, AssembledIssue

if TYPE_CHECKING:
    from docx.document import Document as DocumentObject
    from docx.styles.style import ParagraphStyle
    from docx.text.paragraph import Paragraph

RED = RGBColor(0xC0, 0x00, 0x00)
# Fonts every Chinese Word/WPS install has: 宋体 body, 黑体 headings, 楷体 for the side texts.
BODY_FONT, TITLE_FONT, SIDE_FONT, LATIN_FONT = "宋体", "黑体", "楷体", "Times New Roman"
TEXT_WIDTH_CM = 21.0 - 2 * 2.6
# (style name, base, east-asian font, size pt, bold, red, alignment, space before/after pt)
STYLES = (
    ("NL Masthead", "Normal", TITLE_FONT, 40, True, True, "center", 12, 6),
    ("NL Numbers", "Normal", BODY_FONT, 14, False, False, "center", 0, 6),
    ("NL Special", "Normal", TITLE_FONT, 22, True, True, "center", 6, 0),
    ("NL Subtitle", "Normal", TITLE_FONT, 16, False, False, "center", 4, 6),
    ("NL Dateline", "Normal", SIDE_FONT, 14, False, False, "left", 6, 12),
    ("NL Marker", "Heading 1", TITLE_FONT, 15, True, False, "left", 12, 6),
    ("NL Article Title", "Heading 2", TITLE_FONT, 16, True, False, "center", 12, 4),
    ("NL Meta", "Normal", SIDE_FONT, 10.5, False, False, "center", 0, 6),
    ("NL Note", "Normal", SIDE_FONT, 12, False, False, "justify", 0, 0),
    ("NL TOC", "Normal", BODY_FONT, 12, False, False, "left", 0, 2),
)
ALIGN = {"center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT,
         "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}  # fmt: skip


def _set_fonts(rpr_owner: object, east_asia: str) -> None:
    """Name the Latin and the East Asian font; drop theme fonts, which would override them."""
    rpr = rpr_owner.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for key, value in (("ascii", LATIN_FONT), ("hAnsi", LATIN_FONT), ("eastAsia", east_asia)):
        fonts.set(qn(f"w:{key}"), value)


def _styles(doc: DocumentObject) -> None:
    normal = doc.styles["Normal"]
    normal.font.size = Pt(12)
    _set_fonts(normal.element, BODY_FONT)
    fmt = normal.paragraph_format
    fmt.line_spacing, fmt.space_after, fmt.space_before = 1.5, Pt(0), Pt(0)
    for name, base, font, size, bold, red, align, before, after in STYLES:
        style: ParagraphStyle = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles[base]
        style.font.size, style.font.bold, style.font.italic = Pt(size), bold, False
        style.font.color.rgb = RED if red else RGBColor(0, 0, 0)
        _set_fonts(style.element, font)
        pf = style.paragraph_format
        pf.alignment, pf.space_before, pf.space_after = ALIGN[align], Pt(before), Pt(after)
        pf.line_spacing, pf.first_line_indent = 1.25, Pt(0)
        pf.keep_with_next = name in ("NL Marker", "NL Article Title")


def _field(paragraph: Paragraph, instruction: str, cached: str) -> None:
    """A Word field (PAGE, PAGEREF …) showing `cached` until Word recalculates it."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None),
                       ("text", cached), ("end", None)):  # fmt: skip
        run = paragraph.add_run()
        if kind == "instr":
            node = OxmlElement("w:instrText")
            node.set(qn("xml:space"), "preserve")
            node.text = f" {text} "
            run._r.append(node)
        elif kind == "text":
            run.text = text or ""
        else:
            node = OxmlElement("w:fldChar")
            node.set(qn("w:fldCharType"), kind)
            run._r.append(node)


def _bookmark(paragraph: Paragraph, name: str, number: int) -> None:
    start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
    start.set(qn("w:id"), str(number))
    start.set(qn("w:name"), name)
    end.set(qn("w:id"), str(number))
    paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
    paragraph._p.append(end)


_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"
)  # fmt: skip


def _red_rule(paragraph: Paragraph) -> None:
    """The red double line under the masthead (a paragraph border)."""
    ppr = paragraph._p.get_or_add_pPr()
    border, bottom = OxmlElement("w:pBdr"), OxmlElement("w:bottom")
    for key, value in (("val", "double"), ("sz", "12"), ("space", "4"), ("color", "C00000")):
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    # pPr children have a fixed order (ECMA-376 CT_PPrBase): the border precedes the tab stops.
    ppr.insert_element_before(border, *_AFTER_PBDR)


# Word rejects a settings.xml whose children are out of schema order: updateFields goes before
# the first of these (CT_Settings sequence, ECMA-376 part 1, 17.15.1.78).
_AFTER_UPDATE_FIELDS = frozenset((
    "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr",
    "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown",
    "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol",
    "listSeparator"
))  # fmt: skip


def _update_fields_on_open(doc: DocumentObject) -> None:
    """Ask Word to recompute the 目录 page numbers when the file is opened."""
    node = OxmlElement("w:updateFields")
    node.set(qn("w:val"), "true")
    settings = doc.settings.element
    later = [c for c in settings if c.tag.split("}")[-1] in _AFTER_UPDATE_FIELDS]
    if later:
        later[0].addprevious(node)
    else:
        settings.append(node)


def _page_setup(doc: DocumentObject, issue: AssembledIssue) -> None:
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.3)
    section.left_margin = section.right_margin = Cm(2.6)
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.text = f"{issue.title}　{issue.numbers_line}"
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("— ")
    _field(footer, "PAGE", "1")
    footer.add_run(" —")


def _masthead(doc: DocumentObject, issue: AssembledIssue) -> None:
    doc.add_paragraph(issue.title, "NL Masthead")
    doc.add_paragraph(issue.numbers_line, "NL Numbers")
    if issue.special_title:
        doc.add_paragraph(issue.special_title, "NL Special")
    if issue.subtitle:
        doc.add_paragraph(issue.subtitle, "NL Subtitle")
    dateline = doc.add_paragraph(style="NL Dateline")
    dateline.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)
    dateline.add_run(f"{issue.publisher}\t{issue.date}")
    _red_rule(dateline)


def _contents(doc: DocumentObject, issue: AssembledIssue) -> None:
    if issue.editor_note:
        doc.add_paragraph("● 编者的话", "NL Marker")
        for text in issue.editor_note:
            doc.add_paragraph(text, "NL Note").paragraph_format.first_line_indent = Pt(24)
    doc.add_paragraph("● 目录", "NL Marker")
    for article in issue.articles:
        entry = doc.add_paragraph(style="NL TOC")
        entry.paragraph_format.tab_stops.add_tab_stop(
            Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
        )
        entry.add_run(f"{article.title}\t")
        _field(entry, f"PAGEREF _Toc_{article.anchor} \\h", str(article.page))


def _article(doc: DocumentObject, article: Article, number: int) -> None:
    title = doc.add_paragraph(article.title, "NL Article Title")
    _bookmark(title, f"_Toc_{article.anchor}", number)
    meta = "　".join(
        x for x in (f"来源：{article.source}" if article.source else "", article.date) if x
    )
    if meta:
        doc.add_paragraph(meta, "NL Meta")
    for text in article.paragraphs:
        doc.add_paragraph(text).paragraph_format.first_line_indent = Pt(24)
    if article.attachments:
        doc.add_paragraph("附件：" + "；".join(article.attachments), "NL Meta")


def to_docx(issue: AssembledIssue) -> bytes:
    """The issue as .docx bytes: masthead, 编者的话, 目录 with page numbers, then the sections."""
    doc = Document()
    _styles(doc)
    _page_setup(doc, issue)
    core = doc.core_properties
    core.title, core.author = f"{issue.title} {issue.numbers_line}", issue.publisher
    _masthead(doc, issue)
    _contents(doc, issue)
    number = 0
    for index, section in enumerate(issue.sections):
        marker = doc.add_paragraph(f"● {section.name}", "NL Marker")
        if index == 0:
            marker.paragraph_format.page_break_before = True
        for article in section.articles:
            number += 1
            _article(doc, article, number)
    if not issue.sections:
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _update_fields_on_open(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
