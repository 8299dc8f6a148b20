"""An editor's week in headless Chromium over the real demo crawl: review, build, export."""

from __future__ import annotations

import io
from typing import Any

import docx
import pytest
from playwright.sync_api import expect

import store.db
import store.items
from tests.desk.conftest import ARTIFACTS, LiveServer
from tests.desk.test_web_security import add_evil_item

pytestmark = pytest.mark.browser


def status(server: LiveServer, key: str) -> tuple[str, str]:
    db = store.db.open_db(server.db_path)
    try:
        item = store.items.get_item(db, key)
        return item["status"], item["sector"]
    finally:
        db.conn.close()


def row(page: Any, key: str) -> Any:
    return page.locator(f"#item-{key}")


def test_review_the_queue_with_the_mouse_and_the_keyboard(
    page: Any, live_server: LiveServer
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    expect(page.locator(".group-head").first).to_contain_text("新一代信息技术")
    page.screenshot(path=str(ARTIFACTS / "queue.png"))
    keys = [page.locator(".queue-main .item").nth(i).get_attribute("data-key") for i in range(7)]

    # The mouse: accept, reject, move to another sector.
    row(page, keys[0]).locator("button.accept").click()
    expect(row(page, keys[0]).locator(".badge")).to_have_text("已采用")
    row(page, keys[1]).locator("button.reject").click()
    expect(row(page, keys[1]).locator(".badge")).to_have_text("不用")
    row(page, keys[2]).locator("select.resector").select_option("hair")
    expect(row(page, keys[2]).locator(".sector-tag")).to_have_text("发制品")

    # The keyboard: j moves on, a accepts, r rejects, 9 is the ninth sector (发制品), u undoes.
    page.keyboard.press("j")
    expect(row(page, keys[3])).to_have_class("item status-pending current")
    page.keyboard.press("a")
    expect(row(page, keys[3]).locator(".badge")).to_have_text("已采用")
    expect(row(page, keys[4])).to_contain_class("current")
    page.keyboard.press("r")
    expect(row(page, keys[4]).locator(".badge")).to_have_text("不用")
    expect(row(page, keys[5])).to_contain_class("current")
    page.keyboard.press("9")
    expect(row(page, keys[5]).locator(".sector-tag")).to_have_text("发制品")
    page.keyboard.press("k")
    page.keyboard.press("k")
    expect(row(page, keys[4])).to_contain_class("current")
    page.keyboard.press("u")
    expect(row(page, keys[4]).locator(".badge")).to_have_text("待审")

    assert [status(live_server, k) for k in keys[:6]] == [
        ("accepted", status(live_server, keys[0])[1]), ("rejected", status(live_server, keys[1])[1]),
        ("pending", "hair"), ("accepted", status(live_server, keys[3])[1]),
        ("pending", status(live_server, keys[4])[1]), ("pending", "hair"),
    ]  # fmt: skip

    # Search: the hits come back with the term highlighted.
    page.keyboard.press("/")
    page.keyboard.type("发制品")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=*")
    expect(page.locator(".queue-main .item mark", has_text="发制品").first).to_be_visible()
    assert page.locator(".queue-main .item").count() >= 1

    # The audit page counts the re-sectors.
    page.goto(live_server.url + "/audit")
    expect(page.locator(".resectors table")).to_contain_text("发制品")


def drag(page: Any, source: Any, target: Any) -> None:
    """Drag with real mouse moves (Sortable's fallback mode listens to them)."""
    start, end = source.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    # Paced like a hand: Sortable's fallback mode reacts to moves on animation frames, and a
    # loaded machine can drop moves that arrive all at once.
    for step in range(1, 11):
        y = start["y"] + (end["y"] + end["height"] * 0.75 - start["y"]) * step / 10
        page.mouse.move(start["x"] + start["width"] / 2, y)
        page.wait_for_timeout(30)
    page.wait_for_timeout(150)
    page.mouse.up()


def test_build_an_issue_in_three_sections_and_export_it(
    page: Any, live_server: LiveServer, tmp_path: Any
) -> None:
    # Accept seven items at once.
    boxes = page.locator(".queue-main input.pick")
    for i in range(7):
        boxes.nth(i).check()
    page.click("button[name=action][value=accept]")
    expect(page.locator(".flash.ok")).to_contain_text("已采用 7 条")

    page.click("text=刊物")
    page.click("#new-issue")
    assert page.input_value("input[name=total_number]") == "205"
    assert page.input_value("input[name=number]") == "1"
    page.fill("input[name=subtitle]", "新一代信息技术产业专刊")
    page.click("button:has-text('创建草稿')")
    expect(page.locator("h1")).to_contain_text("总第205期")

    titles: list[str] = []
    for section, count in (("发展态势", 3), ("政策动向", 2), ("产业动态", 2)):
        picks = page.locator("#add-form input[name=key]")
        for i in range(count):
            titles.append(page.locator("#add-form label.avail span").nth(i).inner_text())
            picks.nth(i).check()
        page.select_option("#add-section", section)
        page.click("#add-items")
        expect(page.locator(".flash.ok")).to_contain_text(f"已加入 {count} 条")

    first = page.locator("ol[data-section='发展态势'] li")
    expect(first).to_have_count(3)
    order = [first.nth(i).get_attribute("data-key") for i in range(3)]
    first.nth(0).locator("button.move-down").click()  # by button
    expect(first.nth(0)).to_have_attribute("data-key", order[1])
    expect(page.locator("#sections[data-sortable-ready]")).to_have_count(1)
    drag(page, first.nth(2).locator(".handle"), first.nth(0))  # by drag: the last goes first
    expect(first.nth(0)).to_have_attribute("data-key", order[2])
    expect(first.nth(2)).to_have_attribute("data-key", order[0])

    page.fill("#editor-note", "本期聚焦新一代信息技术与新材料。\n欢迎提出意见和建议。")
    page.click("#save-meta")
    expect(page.locator("#save-state")).to_contain_text("已保存")

    page.click("#preview")
    expect(page.locator(".newsletter .nl-title")).to_have_text("竞争情报快递")
    page.screenshot(path=str(ARTIFACTS / "issue-preview.png"))
    page.screenshot(path=str(ARTIFACTS / "issue-preview-full.png"), full_page=True)
    page.go_back()

    with page.expect_download() as download:
        page.click("#export-docx")
    target = tmp_path / "issue.docx"
    download.value.save_as(target)
    assert download.value.suggested_filename == "竞争情报快递-2026-第1期-总第205期.docx"
    check_docx(target.read_bytes(), titles, page)

    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#finalize")
    expect(page.locator(".badge-final")).to_have_text("已定稿")
    db = store.db.open_db(live_server.db_path)
    used = db.execute("SELECT count(*) FROM items WHERE status = 'used'").fetchone()[0]
    assert used == 7


def check_docx(data: bytes, titles: list[str], page: Any) -> None:
    """The exported Word file: masthead, numbering, 目录 in reading order, sections in order."""
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs if p.text.strip()]
    assert texts[:5] == ["竞争情报快递", "第1期 总第205期", "633发展新态势", "新一代信息技术产业专刊",
                         texts[4]]  # fmt: skip
    assert texts[4].startswith("许昌市科学技术情报所\t") and texts[4].endswith("日")
    assert texts[5:8] == ["● 编者的话", "本期聚焦新一代信息技术与新材料。", "欢迎提出意见和建议。"]
    shown = page.locator("ol.placed li .placed-title")
    in_order = [shown.nth(i).inner_text() for i in range(shown.count())]
    assert sorted(in_order) == sorted(titles)
    toc = texts[texts.index("● 目录") + 1 : texts.index("● 目录") + 8]
    assert [t.split("\t")[0] for t in toc] == in_order
    assert all(t.split("\t")[1].isdigit() for t in toc)
    markers = [t for t in texts if t.startswith("● ")][2:]
    assert markers == ["● 发展态势", "● 政策动向", "● 产业动态"]
    assert texts.index(in_order[0]) > texts.index("● 发展态势")


def test_a_malicious_item_stays_inert_in_the_browser(page: Any, live_server: LiveServer) -> None:
    db = store.db.open_db(live_server.db_path)
    key = add_evil_item(db)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for url in ("/queue?sector=it", f"/items/{key}", "/queue?q=恶意标题"):
        page.goto(live_server.url + url)
        expect(page.locator(f"#item-{key} .item-title")).to_contain_text("<script>window.__pwned=1")
        page.locator("details.original summary").first.click() if "items" in url else None
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.locator(".page img, .page iframe, .page script").count() == 0
        assert page.locator("a[href^='javascript']").count() == 0
    assert dialogs == []
