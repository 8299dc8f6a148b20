"""Text of a downloaded attachment (PDF, DOCX, XLSX, OFD, ZIP; DOC/WPS/ET/XLS via LibreOffice).

Every reader works on bytes already in memory and returns a Reading: the text, or why there is
none. Nothing here raises on bad input: an encrypted, broken, scanned or zip-bomb file is a
reason recorded on the attachment, never a stopped run. Limits bound the work a hostile file can
cause: pages and characters read, members and unpacked bytes of a zip container.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
import tempfile
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

# At most this much text is kept per attachment (a 300-page report is ~600k characters; the
# classifier and the search need its opening, not every annex table).
MAX_TEXT_CHARS = 200_000
MAX_PDF_PAGES = 300
MAX_SHEET_CELLS = 200_000
# Zip containers (zip, docx, xlsx, ofd): refuse before unpacking when the members claim more
# than this, or one member inflates more than MAX_RATIO times (the zip-bomb signature).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_MEMBERS = 2000
# Converting one .doc/.wps/.et with LibreOffice may take this long.
CONVERT_TIMEOUT = 120

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc .xls .wps .et (Compound File Binary)


@dataclass(frozen=True, slots=True)
class Reading:
    """The text read from an attachment, or the reason there is none (for editors, in Chinese)."""

    text: str = ""
    reason: str = ""

    @property
    def ok(self) -> bool:
        """True when text was read."""
        return bool(self.text) and not self.reason


def sniff(data: bytes) -> str:
    """What the bytes are by their magic: pdf, zip, ole, html or '' (unknown)."""
    head = data[:1024].lstrip()
    if data.startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    if data.startswith(OLE_MAGIC):
        return "ole"
    if head[:1] == b"<" and re.search(rb"<(html|!doctype|head|body)", head[:512], re.I):
        return "html"
    return ""


def read_attachment(data: bytes, kind: str, converter: str | None = None) -> Reading:
    """The text of one attachment of type `kind` (its extension)."""
    magic = sniff(data)
    if magic == "html":
        return Reading(reason="网站返回的是网页而不是文件（链接失效或需要登录）")
    try:
        with warnings.catch_warnings():
            # pypdf and openpyxl warn about damaged files; the reason recorded says enough.
            warnings.simplefilter("ignore")
            return _read(data, kind, magic, converter)
    except Exception as exc:  # a reader library choking on a damaged file is bad input
        return Reading(reason=f"文件损坏，无法读取（{type(exc).__name__}: {str(exc)[:120]}）")


def _read(data: bytes, kind: str, magic: str, converter: str | None) -> Reading:
    if magic == "pdf":
        return _pdf(data)
    if magic == "zip":
        problem = zip_problem(data)
        if problem:
            return Reading(reason=problem)
        if kind == "docx" or (kind != "xlsx" and _has_member(data, "word/document.xml")):
            return _docx(data)
        if kind == "xlsx" or _has_member(data, "xl/workbook.xml"):
            return _xlsx(data)
        if kind == "ofd" or _has_member(data, "OFD.xml"):
            return _ofd(data)
        return _zip(data, converter)
    if magic == "ole" or kind in ("doc", "xls", "wps", "et"):
        return _convert(data, kind, converter)
    return Reading(reason=f"无法识别的文件格式（扩展名 {kind or '无'}）")


def _clip(parts: list[str]) -> str:
    text = "\n".join(p.strip() for p in parts if p and p.strip())
    return text[:MAX_TEXT_CHARS]


def _pdf(data: bytes) -> Reading:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        # Many official PDFs carry only an owner password (no printing or copying): an empty user
        # password opens them for reading.
        try:
            opened = reader.decrypt("")
        except Exception:  # an unsupported cipher is one more "cannot open"
            opened = 0
        if not opened:
            return Reading(reason="加密的 PDF，需要密码才能读取")
    parts: list[str] = []
    size = 0
    for number, page in enumerate(reader.pages):
        if number >= MAX_PDF_PAGES or size >= MAX_TEXT_CHARS:
            break
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
    text = _clip(parts)
    if not text:
        return Reading(reason="PDF 中没有文字层（可能是扫描件）")
    return Reading(text)


def _docx(data: bytes) -> Reading:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" ".join(cell.text.strip() for cell in row.cells))
    text = _clip(parts)
    return Reading(text) if text else Reading(reason="Word 文档中没有文字")


def _xlsx(data: bytes) -> Reading:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    parts: list[str] = []
    cells = 0
    try:
        for sheet in book.worksheets:
            parts.append(sheet.title)
            for row in sheet.iter_rows(values_only=True):
                values = [str(v) for v in row if v is not None and str(v).strip()]
                cells += len(row)
                if values:
                    parts.append(" ".join(values))
                if cells >= MAX_SHEET_CELLS:
                    break
    finally:
        book.close()
    text = _clip(parts)
    return Reading(text) if text else Reading(reason="表格中没有文字")


def _ofd(data: bytes) -> Reading:
    # OFD (GB/T 33190) is a zip of XML pages; the text sits in <ofd:TextCode> elements.
    from lxml import etree

    parts: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        pages = sorted(n for n in archive.namelist() if n.endswith("Content.xml"))
        for name in pages:
            root = etree.fromstring(archive.read(name), etree.XMLParser(resolve_entities=False))
            codes = root.iter("{*}TextCode")
            parts.append("".join(code.text or "" for code in codes))
    text = _clip(parts)
    return Reading(text) if text else Reading(reason="OFD 文件中没有文字")


_ZIP_MEMBER_TYPES = ("pdf", "docx", "xlsx", "ofd", "doc", "wps", "et", "txt")


def _zip(data: bytes, converter: str | None) -> Reading:
    """A zip of attachments: read the members newsdesk can read (one level, no nested zips)."""
    parts: list[str] = []
    reasons: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            name = _member_name(info)
            ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
            if info.is_dir() or ext not in _ZIP_MEMBER_TYPES:
                continue
            member = archive.read(info)
            if ext == "txt":
                parts.append(f"【{name}】\n" + member.decode("utf-8", errors="replace"))
                continue
            reading = _read(member, ext, sniff(member), converter)
            if reading.ok:
                parts.append(f"【{name}】\n{reading.text}")
            else:
                reasons.append(f"{name}：{reading.reason}")
    text = _clip(parts)
    if text:
        return Reading(text)
    detail = f"（{'；'.join(reasons[:3])}）" if reasons else ""
    return Reading(reason="压缩包中没有可读取的文件" + detail)


def _member_name(info: zipfile.ZipInfo) -> str:
    """A zip member's name: Chinese zips made on Windows store GBK names without the UTF-8 flag."""
    name = info.filename
    if not info.flag_bits & 0x800:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("gb18030")
    return name.rsplit("/", 1)[-1]


def zip_problem(data: bytes) -> str:
    """Why a zip container must not be unpacked (a zip bomb, too many members), or ''."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        return f"压缩文件损坏（{exc}）"
    if len(infos) > MAX_MEMBERS:
        return f"压缩文件内文件过多（{len(infos)} 个），疑似压缩炸弹，未解压"
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED_BYTES:
        return f"解压后共 {total // (1024 * 1024)} MB，超过上限，疑似压缩炸弹，未解压"
    for info in infos:
        ratio = info.file_size // max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and ratio > MAX_RATIO:
            return f"压缩比异常（{ratio} 倍），疑似压缩炸弹，未解压"
    return ""


def _has_member(data: bytes, name: str) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return name in archive.namelist()


def find_converter() -> str | None:
    """LibreOffice's soffice when installed (reads .doc/.wps/.et/.xls), else None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _convert(data: bytes, kind: str, converter: str | None) -> Reading:
    """Old binary Office/WPS formats: only LibreOffice reads them well; without it, kept unread."""
    if converter is None:
        return Reading(reason=f"已保存，未读取：.{kind} 需要 LibreOffice 转换（服务器未安装）")
    target = "csv" if kind in ("xls", "et") else "txt:Text"
    with tempfile.TemporaryDirectory(prefix="newsdesk-convert-") as folder:
        source = Path(folder) / f"in.{kind}"
        source.write_bytes(data)
        try:
            subprocess.run(
                [converter, "--headless", "--convert-to", target, "--outdir", folder, str(source)],
                capture_output=True, timeout=CONVERT_TIMEOUT, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return Reading(reason=f"LibreOffice 转换超时（{CONVERT_TIMEOUT} 秒）")
        out = next((p for p in Path(folder).iterdir() if p.stem == "in" and p != source), None)
        if out is None:
            return Reading(reason=f"LibreOffice 无法转换此 .{kind} 文件")
        text = out.read_bytes().decode("utf-8", errors="replace")[:MAX_TEXT_CHARS].strip()
    return Reading(text) if text else Reading(reason=f".{kind} 文件中没有文字")
