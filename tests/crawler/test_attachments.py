"""Attachments of a notice: downloaded within the crawl, kept by hash, read, searched, classified.

The files are made here with the libraries that read them (pypdf, python-docx, openpyxl); the
200 MB file is the fixture server's generated stream, never a file in the repository.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import openpyxl
import pytest
from flask.testing import FlaskClient
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

import store.accounts
import store.db
from crawler.attachment_text import MAX_UNPACKED_BYTES, read_attachment, sniff
from crawler.attachments import attachment_type, keep_file, link_names
from desk.auth import hash_password
from desk.web import create_app
from ops.config_files import load_config
from ops.process import process_new
from tests.crawler.conftest import Crawl

HOST = "kjj.attach.example"
# Words that appear in exactly one file each: finding the item by one proves that file was read.
PDF_WORD = "Hydrogen corridor pilot"
DOCX_WORD = "许昌氢能走廊申报书"
XLSX_WORD = "瑞祥锂能科技有限公司"
NOTICE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>关于开展2026年度市级科技计划项目申报的通知</title></head><body>
<div class="article"><h1>关于开展2026年度市级科技计划项目申报的通知</h1>
<div class="info">发布时间：2026-11-20 来源：许昌市科学技术局</div>
<div class="content"><p>各县（市、区）科技主管部门、各有关单位：为加快建设创新型城市，推动氢能、锂电新能源、
智能电网等产业科技创新，现组织开展2026年度市级科技计划项目申报工作。申报单位须为在许昌市注册的
企业、高校和科研院所，具体要求见申报指南。请于12月20日前完成网上申报，并报送纸质材料。</p>
<p>联系人：张科长，电话：0374-1234567。</p></div>
<div class="attachments"><p>附件：</p>
<a href="/files/guide.pdf">1. 2026年度申报指南.pdf</a>
<a href="/files/form.docx">2. 项目申报书.docx</a>
<a href="/files/list.xlsx">3. 拟立项企业名单.xlsx</a>
<a href="/files/secret.pdf">4. 内部评审细则.pdf</a>
<a href="http://faults.example/stream/200/bundle.zip">5. 全部材料打包.zip</a>
</div></div></body></html>"""
FEED = f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<title>许昌市科技局通知公告</title><link>http://{HOST}/</link>
<item><title>关于开展2026年度市级科技计划项目申报的通知</title>
<link>http://{HOST}/tzgg/notice.html</link><pubDate>Fri, 20 Nov 2026 08:00:00 +0800</pubDate>
<description>科技计划项目申报</description></item></channel></rss>"""
SOURCE = f"""
[[source]]
id = "kjj-attach"
name = "许昌市科学技术局"
kind = "feed"
urls = ["http://{HOST}/tzgg/rss.xml"]
authority = "municipal"
"""


def text_pdf(text: str, password: str = "") -> bytes:
    """A one-page PDF whose text layer says `text` (Helvetica, so ASCII)."""
    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"),
    })  # fmt: skip
    fonts = DictionaryObject({NameObject("/F1"): writer._add_object(font)})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    content = DecodedStreamObject()
    content.set_data(f"BT /F1 14 Tf 72 700 Td ({text}) Tj ET".encode("ascii"))
    page[NameObject("/Contents")] = writer._add_object(content)
    if password:
        writer.encrypt(user_password=password, owner_password=password + "-owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def word_docx(*paragraphs: str) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def sheet_xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "拟立项名单"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def build_site(root: Path) -> None:
    site = root / HOST
    (site / "tzgg").mkdir(parents=True)
    (site / "files").mkdir()
    (site / "tzgg" / "rss.xml").write_text(FEED, encoding="utf-8")
    (site / "tzgg" / "notice.html").write_text(NOTICE, encoding="utf-8")
    (site / "files" / "guide.pdf").write_bytes(text_pdf(f"{PDF_WORD} application guide 2026"))
    (site / "files" / "form.docx").write_bytes(word_docx(DOCX_WORD, "项目名称：氢燃料电池"))
    (site / "files" / "list.xlsx").write_bytes(
        sheet_xlsx([["序号", "单位", "项目"], [1, XLSX_WORD, "固态电池中试"]])
    )
    (site / "files" / "secret.pdf").write_bytes(text_pdf("internal rules", password="xc2026"))


@pytest.mark.slow
def test_a_notice_keeps_reads_and_searches_its_attachments(
    crawl: Callable[..., Crawl], tmp_path: Path
) -> None:
    build_site(tmp_path / "www")
    result = crawl(SOURCE, root=tmp_path / "www")
    assert result.returncode == 0, result.stderr[-2000:]
    run = result.rows("SELECT * FROM source_runs WHERE source_id = 'kjj-attach'")[0]
    assert run["error_kind"] is None and run["new"] == 1  # the run is healthy
    rows = {r["name"]: r for r in result.rows("SELECT * FROM attachments ORDER BY rowid")}
    assert set(rows) == {
        "1. 2026年度申报指南.pdf", "2. 项目申报书.docx", "3. 拟立项企业名单.xlsx",
        "4. 内部评审细则.pdf", "5. 全部材料打包.zip",
    }  # fmt: skip
    read = [rows[n] for n in ("1. 2026年度申报指南.pdf", "2. 项目申报书.docx",
                              "3. 拟立项企业名单.xlsx")]  # fmt: skip
    assert [r["status"] for r in read] == ["read", "read", "read"]
    assert PDF_WORD in read[0]["text"] and DOCX_WORD in read[1]["text"]
    assert XLSX_WORD in read[2]["text"]
    for row in read:  # each kept once, by content hash, under the data folder
        kept = tmp_path / "attachments" / row["sha256"][:2] / f"{row['sha256']}.{row['type']}"
        assert kept.stat().st_size == row["size"] > 0
    secret = rows["4. 内部评审细则.pdf"]
    assert (secret["status"], secret["reason"]) == ("kept", "加密的 PDF，需要密码才能读取")
    big = rows["5. 全部材料打包.zip"]
    assert big["status"] == "failed" and big["size"] is None and big["sha256"] is None
    assert "超过 20 MB 上限" in big["reason"]
    assert not list((tmp_path / "attachments").rglob("*.zip"))

    # Processing: attachment text joins the index and the classifier (at a lower weight).
    config = load_config(tmp_path / "config")
    db = store.db.open_db(result.db)
    process_new(db, config)
    item = db.execute("SELECT key, attachment_text, explanation FROM items").fetchone()
    assert XLSX_WORD in item[1] and "【附件：3. 拟立项企业名单.xlsx】" in item[1]

    # The desk: a word only in the XLSX finds the item; the item page lists every attachment.
    store.accounts.add_user(db, "wangli", hash_password("xuchang-2026"), "王丽")
    app = create_app(str(result.db), str(tmp_path / "config"), secret_key="test")
    app.config["TESTING"] = True
    client = app.test_client()
    login(client)
    queue = client.get("/queue", query_string={"q": XLSX_WORD, "status": ""}).text
    assert "关于开展2026年度市级科技计划项目申报的通知" in queue
    assert (
        client.get("/queue", query_string={"q": "不存在的公司名", "status": ""}).text.count(
            "关于开展2026年度市级科技计划项目申报的通知"
        )
        == 0
    )
    page = client.get(f"/items/{item[0]}", query_string={"q": XLSX_WORD}).text
    for name in rows:
        assert name in page
    assert f"<mark>{XLSX_WORD}</mark>" in page  # the hit inside the attachment is highlighted
    assert "加密的 PDF，需要密码才能读取" in page and "20 MB" in page
    link = re.search(r'href="(/attachments/[0-9a-f]{64}\.xlsx)"', page)
    assert link, page
    copy = client.get(link[1])
    data = copy.data
    copy.close()  # send_file streams from an open file
    assert copy.status_code == 200
    assert data == (tmp_path / "www" / HOST / "files" / "list.xlsx").read_bytes()
    assert client.get("/attachments/" + "0" * 64 + ".pdf").status_code == 404
    assert client.get("/attachments/../../etc/passwd").status_code == 404


def login(client: FlaskClient) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    response = client.post(
        "/login", data={"name": "wangli", "password": "xuchang-2026", "csrf_token": token[1]}
    )
    assert response.status_code == 302


# --- readers on their own: every bad file is a reason, never an exception ---------------------


def test_readers_give_text_or_a_reason() -> None:
    assert read_attachment(text_pdf("Xuchang wig exports"), "pdf").text.startswith("Xuchang wig")
    assert (
        read_attachment(text_pdf("x", password="p"), "pdf").reason == "加密的 PDF，需要密码才能读取"
    )
    assert "文件损坏" in read_attachment(b"%PDF-1.7\n garbage", "pdf").reason
    assert "文件损坏" in read_attachment(b"PK\x03\x04 not really a zip", "docx").reason
    page = b"<!DOCTYPE html><html><body>404</body></html>"
    assert read_attachment(page, "pdf").reason.startswith("网站返回的是网页")
    assert "LibreOffice" in read_attachment(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
                                            "wps", converter=None).reason  # fmt: skip
    assert sniff(word_docx("x")) == "zip"


def test_a_zip_of_documents_is_read_and_a_zip_bomb_is_refused() -> None:
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("附件1.docx", word_docx("许继集团智能电网项目"))
        archive.writestr("附件2.xlsx", sheet_xlsx([["瑞贝卡发制品"]]))
    text = read_attachment(bundle.getvalue(), "zip").text
    assert "许继集团智能电网项目" in text and "瑞贝卡发制品" in text
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.txt", b"\0" * (MAX_UNPACKED_BYTES // 4))
    assert len(bomb.getvalue()) < 1024 * 1024  # small on the wire
    reading = read_attachment(bomb.getvalue(), "zip")
    assert "疑似压缩炸弹" in reading.reason and not reading.text


def test_types_names_and_the_kept_copy(tmp_path: Path) -> None:
    assert attachment_type("http://a.example/f/%E5%90%8D%E5%8D%95.XLSX?x=1") == "xlsx"
    assert attachment_type("http://a.example/f/slides.pptx") == ""
    html = '<p><a href="../f/a.pdf"> 附件1：申报指南 </a><a href="b.doc" title="表格"></a></p>'
    assert link_names(html, "http://a.example/x/y.html") == {
        "http://a.example/f/a.pdf": "附件1：申报指南",
        "http://a.example/x/b.doc": "表格",
    }
    sha = keep_file(tmp_path, b"%PDF-1.4 same", "pdf")
    assert keep_file(tmp_path, b"%PDF-1.4 same", "pdf") == sha
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [f"{sha}.pdf"]
