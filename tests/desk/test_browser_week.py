"""The editors' week in headless Chromium: the compact queue, walking items, and a proposed
issue trimmed (remove, swap, reorder), given a 编者的话 and exported to Word."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import docx
import pytest
from playwright.sync_api import expect

import store.db
import store.issues
import store.items
from pipeline.proposal import ELLIPSIS
from pipeline.rules import SECTOR_IDS, SECTOR_SPECS
from tests.desk.conftest import ARTIFACTS, LiveServer

pytestmark = pytest.mark.browser
# Screenshots for people to look at; NEWSDESK_SCREENS puts copies somewhere else too.
SCREENS = [ARTIFACTS, *([Path(os.environ["NEWSDESK_SCREENS"])] if "NEWSDESK_SCREENS" in os.environ
                        else [])]  # fmt: skip
SECTOR_NAME = {sid: name for sid, name, _ in SECTOR_SPECS}


def shoot(page: Any, name: str, full_page: bool = False) -> None:
    for folder in SCREENS:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / name), full_page=full_page)


def test_the_compact_queue_shows_a_screenful_and_the_item_view_walks_it(
    page: Any, live_server: LiveServer
) -> None:
    page.goto(live_server.url + "/queue?view=compact")
    rows = page.locator(".queue-main .item")
    expect(rows.first).to_be_visible()
    height = page.viewport_size["height"]
    on_screen = sum(1 for i in range(rows.count()) if rows.nth(i).bounding_box()["y"] + 20 < height)
    assert on_screen >= 15, on_screen
    # One line each; a keyword is marked once per row at most, and only in the title.
    assert all(rows.nth(i).bounding_box()["height"] < 40 for i in range(5))
    shoot(page, "queue-compact.png")
    # The choice is remembered: the plain queue URL stays compact.
    page.goto(live_server.url + "/queue?sector=hair")
    expect(page.locator(".queue-main.compact")).to_have_count(1)
    keys = [rows.nth(i).get_attribute("data-key") for i in range(3)]

    # The item view walks the filtered queue; 采用 goes on to the next item, filters kept.
    rows.nth(0).locator(".item-title a").click()
    page.wait_for_url(f"**/items/{keys[0]}?*sector=hair*")
    expect(page.locator("#prev-item")).to_have_count(0)
    page.click("#next-item")
    page.wait_for_url(f"**/items/{keys[1]}?*")
    page.click("#prev-item")
    page.wait_for_url(f"**/items/{keys[0]}?*")
    page.locator(f"#item-{keys[0]} button.accept").click()
    page.wait_for_url(f"**/items/{keys[1]}?*sector=hair*")
    page.keyboard.press("r")  # 不用 by key, then on to the next again
    page.wait_for_url(f"**/items/{keys[2]}?*sector=hair*")
    db = store.db.open_db(live_server.db_path)
    try:
        got = [store.items.get_item(db, k)["status"] for k in keys]
    finally:
        db.conn.close()
    assert got == ["accepted", "rejected", "pending"]
    # Scores are rounded for people, and the keyword table runs by contribution.
    contributions = page.locator("table.hits tbody tr td:last-child").all_inner_texts()
    values = [float(c) for c in contributions]
    assert values == sorted(values, reverse=True)
    assert all("." not in c or len(c.split(".")[1]) == 1 for c in contributions), contributions


def article_parts(data: bytes) -> list[tuple[str, str, list[str]]]:
    """(section, title, body paragraphs) of every article in an exported issue."""
    document = docx.Document(io.BytesIO(data))
    found: list[tuple[str, str, list[str]]] = []
    section = ""
    for paragraph in document.paragraphs:
        style, text = paragraph.style.name, paragraph.text.strip()
        if style == "NL Marker" and text not in ("● 编者的话", "● 目录"):
            section = text.removeprefix("● ")
        elif style == "NL Article Title":
            found.append((section, text, []))
        elif found and style == "Normal" and text:
            found[-1][2].append(text)
    return found


def test_propose_trim_and_export_an_issue(
    page: Any, live_server: LiveServer, tmp_path: Path
) -> None:
    page.click("text=刊物")
    page.click("#propose-issue")
    expect(page.locator(".flash.ok")).to_contain_text("已生成初稿")
    placed = page.locator("ol.placed li")
    expect(placed.first).to_be_visible()
    shoot(page, "proposed-issue.png")
    shoot(page, "proposed-issue-full.png", full_page=True)
    before = [placed.nth(i).get_attribute("data-key") for i in range(placed.count())]

    # Remove one.
    removed = before[0]
    page.locator(f"li[data-key='{removed}'] button.remove").click()
    expect(page.locator(f"li[data-key='{removed}']")).to_have_count(0)
    # Swap one for the runner-up of its industry.
    swapped = next(k for k in before[1:] if page.locator(f"li[data-key='{k}'] button.swap").count())
    page.locator(f"li[data-key='{swapped}'] button.swap").click()
    expect(page.locator(f"li[data-key='{swapped}']")).to_have_count(0)
    expect(placed).to_have_count(len(before) - 1)
    # Reorder one inside its section.
    section = page.locator("ol.placed").filter(has=page.locator("li:nth-child(2)")).first
    first_two = [section.locator("li").nth(i).get_attribute("data-key") for i in range(2)]
    section.locator("li").nth(0).locator("button.move-down").click()
    expect(section.locator("li").nth(0)).to_have_attribute("data-key", first_two[1])
    shoot(page, "proposed-issue-trimmed.png")

    # Type 编者的话 and export at once: the note is saved before the download starts.
    note = "本期聚焦许昌“6+3+3”产业的最新动态。"
    page.fill("#editor-note", note)
    with page.expect_download() as download:
        page.click("#export-docx")
    target = tmp_path / "proposed.docx"
    download.value.save_as(target)
    expect(page.locator("#save-state")).not_to_contain_text("正在保存")

    db = store.db.open_db(live_server.db_path)
    try:
        issue = store.issues.list_issues(db)[0]
        assert store.issues.get_issue(db, issue["id"])["editor_note"] == note
        rows = {r["key"]: r for r in store.issues.issue_items(db, issue["id"])}
        titles = {(r["title_override"] or r["item_title"]): r for r in rows.values()}
        gone = {store.items.get_item(db, k)["title"] for k in (removed, swapped)}
    finally:
        db.conn.close()
    data = target.read_bytes()
    assert note in [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    articles = article_parts(data)
    assert {title for _, title, _ in articles} == set(titles)
    assert not gone & {title for _, title, _ in articles}
    limit = 200
    reordered = rows[first_two[0]]["section"]
    for section_name in dict.fromkeys(s for s, _, _ in articles):
        keys = [titles[t]["key"] for s, t, _ in articles if s == section_name]
        if section_name == reordered:  # the editor's move-down is the one departure: undo it
            assert keys[:2] == [first_two[1], first_two[0]]
            keys[:2] = first_two
        places = [SECTOR_IDS.index(rows[k]["sector"]) for k in keys]
        assert places == sorted(places), section_name
    for _, title, body in articles:
        assert len(body) == 1, title
        summary = body[0]
        assert len(summary) <= limit, summary
        own = "".join(titles[title]["text"].split())
        parts = "".join(summary.removesuffix(ELLIPSIS).split()).split("。")
        assert all(p in own for p in parts if p), summary
