"""WeChat official accounts: the article page read by crawler/wechat.py, a bridge feed crawled end
to end, and a repost of a government article clustered with the original."""

from __future__ import annotations

import html
import shutil
import tomllib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import store.db
from crawler.extract import extract_article
from crawler.wechat import parse_wechat
from demo.fixture_server import DEMO_ROOT
from ops.config_files import load_config
from ops.process import process_new
from pipeline.dates import parse_cn_date
from tests.crawler.conftest import Crawl

ROOT = Path(__file__).parent.parent.parent
SITES = ROOT / "tests" / "fixtures" / "sites"
PAGES = SITES / "mp.weixin.qq.com" / "s"
ARTICLES = tomllib.loads((ROOT / "demo" / "sites" / "articles.toml").read_text("utf-8"))
NOW = datetime(2026, 11, 25, tzinfo=UTC)
BOILERPLATE = ("关注我们", "二维码", "编辑｜", "END", "阅读原文")


def replica(token: str) -> str:
    return (PAGES / token).read_text(encoding="utf-8")


def test_an_original_post_gives_title_account_time_and_a_clean_body() -> None:
    page = replica("1ef4eb70887d42014754c6")
    article = parse_wechat(page, "https://mp.weixin.qq.com/s/1ef4eb70887d42014754c6")
    assert article is not None
    assert article.title == "我市新增12家省级工程技术研究中心"
    assert article.account == "许昌科技" and article.original
    when = parse_cn_date(article.epoch, NOW)
    assert when is not None and when.to_iso() == "2026-11-17T17:20:00+08:00"
    assert article.text.startswith("近日，河南省科学技术厅公布")
    assert not any(word in article.text for word in BOILERPLATE)
    # Lazy images get their address; the kept HTML says whose post it is.
    assert article.images == ("https://mmbiz.qpic.cn/mmbiz_jpg/1ef4eb70887d/640?wx_fmt=jpeg",)
    assert 'src="https://mmbiz.qpic.cn/' in article.html
    assert article.html.startswith("<p>公众号：许昌科技 · 原创</p>")
    assert "二维码" not in article.html and article.source_url == ""


def test_a_repost_keeps_its_source_line_and_read_the_original_link() -> None:
    url = "https://mp.weixin.qq.com/s/9f0C13Cee6fe1a380f6ae3"
    article = parse_wechat(replica("9f0C13Cee6fe1a380f6ae3"), url)
    assert article is not None and not article.original
    assert article.source_url == "https://kjt.henan.gov.cn/2026/11-15/3120001.html"
    assert article.text.endswith("来源：河南省科学技术厅")
    assert article.html.endswith(
        '<p><a href="https://kjt.henan.gov.cn/2026/11-15/3120001.html">阅读原文</a></p>'
    )
    # Through the extractor chain: the same result, the account as the source name.
    extracted = extract_article(replica("9f0C13Cee6fe1a380f6ae3"), url)
    # The repost's publisher is its source, as on every page; the account stays in the HTML.
    assert (extracted.method, extracted.source_name) == ("wechat", "河南省科学技术厅")
    assert article.account == "许昌科技" and article.publisher == "河南省科学技术厅"
    assert extracted.title == "转发｜关于组织申报2027年度河南省重点研发专项的通知"


def test_the_title_falls_back_to_msg_title_and_the_account_to_nickname() -> None:
    page = wechat_page("T1", '标题：在脚本里 "引号"', "许昌发布", 1_794_700_000, ["正文" * 30])
    page = page.replace('<meta property="og:title"', '<meta property="og:x"')
    page = page.replace('id="activity-name"', 'id="x-name"').replace('id="js_name"', 'id="x"')
    # A copy of the page on another host (a bridge's cache) is recognised by its shape only
    # when it still has the account holder; here only mp.weixin.qq.com itself qualifies.
    assert parse_wechat(page, "http://bridge.internal/cache/T1.html") is None
    article = parse_wechat(page, "https://mp.weixin.qq.com/s/T1")
    assert article is not None
    assert (article.title, article.account) == ('标题：在脚本里 "引号"', "许昌发布")


def test_other_pages_are_left_to_the_general_chain() -> None:
    page = (
        "<html><body><div id='content'><p>"
        + "许昌市政府网站正文。" * 10
        + "</p></div></body></html>"
    )
    assert parse_wechat(page, "http://www.xuchang.gov.cn/a.html") is None
    assert extract_article(page, "http://www.xuchang.gov.cn/a.html").method != "wechat"


def wechat_page(token: str, title: str, account: str, epoch: int, paragraphs: list[str],
                source: str = "") -> str:  # fmt: skip
    """A WeChat article page in the shape mp.weixin.qq.com serves."""
    body = "\n".join(f"<p><span>{html.escape(p)}</span></p>" for p in paragraphs)
    js_title = title.replace("\\", "\\\\").replace("'", "\\x27").replace('"', "\\x22")
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<meta property="og:title" content="{html.escape(title)}" /><title>{html.escape(title)}</title></head>
<body id="activity-detail"><div id="js_article" class="rich_media">
<h1 class="rich_media_title" id="activity-name">{html.escape(title)}</h1>
<div id="meta_content"><span class="rich_media_meta rich_media_meta_nickname" id="profileBt">
<a href="javascript:void(0);" id="js_name">{html.escape(account)}</a></span></div>
<div class="rich_media_content" id="js_content" style="visibility: hidden;">
<section><span>点击蓝字 关注我们</span></section>
<section><img data-src="https://mmbiz.qpic.cn/mmbiz_jpg/{token}/640" data-type="jpeg"></section>
{body}
{f"<p>来源：{html.escape(source)}</p>" if source else ""}
<p>编辑｜李华 审核｜赵强</p><section><span>— END —</span></section>
</div></div>
<script>
var msg_title = '{js_title}'.html(false);
var nickname = htmlDecode("{html.escape(account)}");
var ct = "{epoch}";
</script></body></html>"""


def build_sites(root: Path) -> tuple[str, str]:
    """The demo sites, a bridge feed and a WeChat repost of a demo government article."""
    for host in DEMO_ROOT.iterdir():
        if host.is_dir():
            shutil.copytree(host, root / host.name)
    for host in ("wechat-bridge.internal", "mp.weixin.qq.com"):
        shutil.copytree(SITES / host, root / host)
    original = next(a for a in ARTICLES["article"] if a["id"] == "kjj-xuji-uhv-center")
    title = "许继牵头建设的省特高压输变电装备技术创新中心通过验收"
    page = wechat_page("RePost01", title, "许昌科技", 1_795_200_000, original["paragraphs"],
                       source=original["source_name"])  # fmt: skip
    (root / "mp.weixin.qq.com" / "s" / "RePost01").write_text(page, encoding="utf-8")
    feed = root / "wechat-bridge.internal" / "feeds" / "wechat-xuchang-kjj.atom"
    text = feed.read_text(encoding="utf-8").replace(
        "    <entry>",
        f"""    <entry>
        <title type="html"><![CDATA[{title}]]></title>
        <id>RePost01</id>
        <link href="https://mp.weixin.qq.com/s/RePost01"/>
        <updated>2026-11-21T02:00:00.000Z</updated>
    </entry>
    <entry>""",
        1,
    )
    feed.write_text(text, encoding="utf-8")
    return original["title"], title


def test_a_bridge_feed_is_crawled_and_a_repost_joins_the_original_cluster(
    crawl: Callable[..., Crawl], tmp_path: Path
) -> None:
    original_title, repost_title = build_sites(tmp_path / "www")
    demo = (ROOT / "config" / "sources" / "demo.toml").read_text(encoding="utf-8")
    wechat = (ROOT / "config" / "sources" / "wechat.toml").read_text(encoding="utf-8")
    # The shipped WeChat source, enabled, without the politeness delay (a local server).
    table = wechat.split('id = "wechat-xuchang-kjj"')[1].split("[[source]]")[0]
    table = table.replace("enabled = false", "enabled = true").replace("delay = 5", "")
    result = crawl(demo + '\n[[source]]\nid = "wechat-xuchang-kjj"' + table, root=tmp_path / "www")
    assert result.returncode == 0, result.stderr[-2000:]
    (run,) = result.rows("SELECT * FROM source_runs WHERE source_id = 'wechat-xuchang-kjj'")
    assert run["error_kind"] is None and run["new"] == 3
    items = {
        r["title"]: r
        for r in result.rows("SELECT * FROM items WHERE source_id = 'wechat-xuchang-kjj'")
    }
    post = items["我市新增12家省级工程技术研究中心"]
    assert post["published_at"] == "2026-11-17T17:20:00+08:00"
    assert post["source_name"] == "许昌科技"
    assert post["url"] == "https://mp.weixin.qq.com/s/1ef4eb70887d42014754c6"
    assert not any(word in post["text"] for word in BOILERPLATE)

    db = store.db.open_db(result.db)
    process_new(db, load_config(tmp_path / "config"))
    (gov,) = result.rows("SELECT * FROM items WHERE title = ? AND source_id = 'demo-xc-kjj'",
                         (original_title,))  # fmt: skip
    (repost,) = result.rows("SELECT * FROM items WHERE title = ?", (repost_title,))
    assert repost["cluster_id"] == gov["cluster_id"] == gov["key"]
    assert repost["status"] == "duplicate" and gov["status"] == "pending"
    assert repost["attribution"] == "许昌市科学技术局"
