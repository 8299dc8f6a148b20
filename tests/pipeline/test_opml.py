"""OPML export/import of feed sources, and the `rsshub` route field of feed sources."""

from __future__ import annotations

import shutil
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from ops.config_files import load_config
from pipeline.config import parse_settings, parse_sources, rsshub_url, with_rsshub
from pipeline.errors import ConfigError
from pipeline.models import Source
from pipeline.opml import (
    OpmlFeed,
    export_opml,
    feeds_of,
    import_feeds,
    parse_opml,
    slug_for,
    toml_string,
    unique_id,
)

ROOT = Path(__file__).parent.parent.parent
INSTANCE = "https://rsshub.example.org"
SETTINGS = """
[newsletter]
title = "竞争情报快递"
publisher = "许昌市科学技术情报所"
sections = ["发展态势"]
[rsshub]
instance = "https://rsshub.example.org/"
"""
READER_OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>My subscriptions</title></head>
  <body>
    <outline text="行业协会" title="行业协会">
      <outline type="rss" text="中国汽车工业协会" xmlUrl="http://www.caam.org.cn/rss.xml" htmlUrl="http://www.caam.org.cn/" />
      <outline text="子目录">
        <outline type="rss" title="36Kr 快讯" xmlUrl="https://36kr.com/feed" />
      </outline>
    </outline>
    <outline type="rss" text="工信部政策解读" xmlUrl="https://rsshub.example.org/gov/miit/zcjd" />
    <outline type="rss" text="演示" xmlUrl="http://www.xinwen.example/rss/industry.xml" />
    <outline type="rss" text="食品伙伴网" xmlUrl="https://news.foodmate.net/rss.php" />
    <outline type="rss" text="坏链接" xmlUrl="javascript:alert(1)" />
  </body>
</opml>
"""


def feed(sid: str, **extra: object) -> Source:
    fields: dict[str, object] = {"id": sid, "name": sid, "kind": "feed", "urls": ()}
    fields.update(extra)
    return Source(**fields)  # type: ignore[arg-type]


# --- the rsshub field -------------------------------------------------------------------------


def test_a_feed_needs_urls_or_an_rsshub_route() -> None:
    data = {"source": [{"id": "empty", "name": "x", "kind": "feed"}]}
    with pytest.raises(ConfigError) as err:
        parse_sources(data, "config/sources/x.toml")
    assert err.value.problems == (
        "config/sources/x.toml: source 'empty': field 'urls' is required: a feed needs 'urls' "
        "or an 'rsshub' route",
    )
    ok = parse_sources(
        {"source": [{"id": "r", "name": "x", "kind": "feed", "rsshub": "/gov/miit/zcjd"}]}, "x"
    )
    assert ok[0].rsshub == "/gov/miit/zcjd" and ok[0].urls == ()


def test_rsshub_is_checked_and_only_for_feeds() -> None:
    data = {
        "source": [
            {"id": "a", "name": "a", "kind": "feed", "rsshub": "gov/miit"},
            {"id": "b", "name": "b", "kind": "listing", "urls": ["http://b.example/"],
             "list": {"item": "li"}, "rsshub": "/gov/x"},
            {"id": "c", "name": "c", "kind": "json", "rsshub": "/gov/x", "api": {"records": "d"}},
        ]
    }  # fmt: skip
    with pytest.raises(ConfigError) as err:
        parse_sources(data, "f.toml")
    assert err.value.problems == (
        "f.toml: source 'a': field 'rsshub' must be a route like '/gov/miit/zcjd' (starting with /); "
        "got 'gov/miit'",
        "f.toml: source 'b': field 'rsshub' is only for kind = \"feed\"; this source is 'listing'",
        "f.toml: source 'c': field 'rsshub' is only for kind = \"feed\"; this source is 'json'",
        "f.toml: source 'c': field 'urls' is required",
    )


def test_the_rsshub_instance_is_a_setting_and_routes_resolve_against_it() -> None:
    settings = parse_settings(tomllib.loads(SETTINGS))
    assert settings.rsshub_instance == INSTANCE
    bad = SETTINGS.replace('"https://rsshub.example.org/"', '"rsshub.local"')
    with pytest.raises(ConfigError) as err:
        parse_settings(tomllib.loads(bad), "config/settings.toml")
    assert err.value.problems == (
        "config/settings.toml: field 'rsshub.instance' must be an http(s) URL like "
        "https://rsshub.app; got 'rsshub.local'",
    )
    assert rsshub_url(INSTANCE + "/", "/gov/miit/zcjd") == f"{INSTANCE}/gov/miit/zcjd"
    both = with_rsshub(feed("x", urls=("https://a.example/rss",), rsshub="/x/y"), INSTANCE)
    assert both.urls == ("https://a.example/rss", f"{INSTANCE}/x/y")
    assert with_rsshub(both, INSTANCE) == both


def test_load_config_adds_the_rsshub_url_of_shipped_sources() -> None:
    config = load_config(ROOT / "config")
    miit = config.source("miit-zcjd")
    assert miit.urls == (rsshub_url(config.settings.rsshub_instance, "/gov/miit/zcjd"),)


# --- export --------------------------------------------------------------------------------


def test_export_writes_every_feed_source_with_routes_resolved() -> None:
    sources = [
        feed("hyxh", name="行业协会", urls=("http://www.hyxh.example/atom.xml",),
             authority="association"),
        feed("miit", name="工信部 & 政策解读", urls=(f"{INSTANCE}/gov/miit/zcjd",),
             rsshub="/gov/miit/zcjd", authority="national"),
        Source("list", "列表", "listing", ("http://x.example/",)),
    ]  # fmt: skip
    text = export_opml(feeds_of(sources), "newsdesk", "Tue, 24 Nov 2026 08:00:00 GMT")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    assert "工信部 &amp; 政策解读" in text
    parsed = parse_opml(text)
    assert parsed == [
        OpmlFeed(
            "行业协会", "http://www.hyxh.example/atom.xml", "http://www.hyxh.example/", "行业协会"
        ),
        OpmlFeed("工信部 & 政策解读", f"{INSTANCE}/gov/miit/zcjd", "", "中央部委"),
    ]


def test_parse_reads_nested_outlines_and_rejects_non_opml() -> None:
    feeds = parse_opml(READER_OPML)
    assert [(f.title, f.category) for f in feeds[:2]] == [
        ("中国汽车工业协会", "行业协会"),
        ("36Kr 快讯", "子目录"),
    ]
    assert len(feeds) == 6
    with pytest.raises(ValueError, match="not an OPML document"):
        parse_opml("<rss><channel/></rss>")
    with pytest.raises(ValueError, match="not valid XML"):
        parse_opml("<opml><body>")


# --- import --------------------------------------------------------------------------------


def test_import_derives_ids_skips_known_feeds_and_keeps_routes() -> None:
    existing = [
        feed("caam", urls=("http://elsewhere.example/rss",)),
        feed("demo-xinwen", urls=("http://www.xinwen.example/rss/industry.xml",)),
    ]
    result = import_feeds(parse_opml(READER_OPML), existing, INSTANCE, "reader.opml")
    assert [a[0] for a in result.added] == ["caam-2", "36kr", "rsshub-gov-miit-zcjd", "foodmate"]
    assert result.added[2] == ("rsshub-gov-miit-zcjd", "工信部政策解读", "/gov/miit/zcjd")
    assert [(s[0], s[2]) for s in result.skipped] == [
        ("演示", "already configured"),
        ("坏链接", "not an http(s) URL"),
    ]
    sources = parse_sources(tomllib.loads(result.toml), "imported.toml")
    by_id = {s.id: s for s in sources}
    assert by_id["caam-2"].authority == "association"
    assert by_id["caam-2"].urls == ("http://www.caam.org.cn/rss.xml",)
    assert by_id["rsshub-gov-miit-zcjd"].rsshub == "/gov/miit/zcjd"
    assert by_id["rsshub-gov-miit-zcjd"].urls == ()
    assert all(s.kind == "feed" and "reader.opml" in s.notes for s in sources)


def test_ids_are_slugs_and_never_collide() -> None:
    assert slug_for(OpmlFeed("Solidot 奇客", "https://www.solidot.org/index.rss")) == "solidot"
    assert slug_for(OpmlFeed("中化新网", "http://www.ccin.com.cn/rss")) == "ccin"
    assert slug_for(OpmlFeed("中文", "http://www.gov.cn/rss")) == "feed"
    assert unique_id("ccin", {"ccin", "ccin-2"}) == "ccin-3"
    assert unique_id("-x", set()) == "feed--x"


# --- the commands ----------------------------------------------------------------------------


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    return config


def test_export_and_import_commands_round_trip(config_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    opml = tmp_path / "out.opml"
    result = runner.invoke(
        cli, ["--config", str(config_dir), "sources", "export", "--opml", "-o", str(opml)]
    )
    assert result.exit_code == 0, result.output
    exported = parse_opml(opml.read_text(encoding="utf-8"))
    assert "https://rsshub.app/gov/miit/zcjd" in {f.xml_url for f in exported}
    # Everything exported is configured already: importing it back adds nothing.
    again = runner.invoke(
        cli, ["--config", str(config_dir), "sources", "import", "--opml", str(opml)]
    )
    assert again.exit_code == 0, again.output
    assert "nothing to add" in again.output
    assert not (config_dir / "sources" / "imported.toml").exists()

    reader = tmp_path / "reader.opml"
    reader.write_text(READER_OPML, encoding="utf-8")
    added = runner.invoke(
        cli, ["--config", str(config_dir), "sources", "import", "--opml", str(reader)]
    )
    assert added.exit_code == 0, added.output
    assert "added 4 feed sources" in added.output
    text = (config_dir / "sources" / "imported.toml").read_text(encoding="utf-8")
    ids = [s["id"] for s in tomllib.loads(text)["source"]]
    # caam-hyyw exists but not "caam"; the shipped instance is rsshub.app, so that feed is a URL.
    assert ids == ["caam", "36kr", "rsshub-example", "foodmate"]
    assert text.startswith("# Feed sources imported from OPML")
    check = runner.invoke(cli, ["--config", str(config_dir), "sources", "check"])
    assert check.exit_code == 0, check.output
    # A second import of the same file adds nothing and leaves the file as it was.
    twice = runner.invoke(
        cli, ["--config", str(config_dir), "sources", "import", "--opml", str(reader)]
    )
    assert "nothing to add" in twice.output
    assert (config_dir / "sources" / "imported.toml").read_text(encoding="utf-8") == text


def test_export_needs_a_format_and_import_a_real_opml(config_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    no_format = runner.invoke(cli, ["--config", str(config_dir), "sources", "export"])
    assert no_format.exit_code == 2
    assert "--opml" in no_format.output
    bad = tmp_path / "bad.opml"
    bad.write_text("<html></html>", encoding="utf-8")
    result = runner.invoke(
        cli, ["--config", str(config_dir), "sources", "import", "--opml", str(bad)]
    )
    assert result.exit_code == 1
    assert "not an OPML document" in result.output


# --- defects of real readers' files (issue 16) --------------------------------------------------


def test_thousands_of_nested_folders_parse_without_recursion() -> None:
    depth = 3000
    text = (
        "<opml><body>"
        + '<outline text="层">' * depth
        + '<outline type="rss" text="深处" xmlUrl="http://deep.example/rss"/>'
        + "</outline>" * depth
        + '<outline type="rss" text="浅处" xmlUrl="http://shallow.example/rss"/>'
        + "</body></opml>"
    )
    feeds = parse_opml(text)
    assert [(f.title, f.category) for f in feeds] == [("深处", "层"), ("浅处", "")]


def test_a_bad_outline_is_skipped_with_a_reason_and_the_rest_imported() -> None:
    opml = """<opml version="2.0"><body>
      <outline type="rss" text="有空格" xmlUrl="http://a.example/my feed.xml"/>
      <outline type="rss" text="坏\x7f标题" xmlUrl="http://b.example/rss"/>
      <outline type="rss" text="C1\x85" xmlUrl="http://c.example/rss"/>
      <outline type="rss" text="C0\x01" xmlUrl="http://d.example/rss"/>
      <outline type="rss" text="正常" xmlUrl="http://ok.example/rss"/>
    </body></opml>"""
    result = import_feeds(parse_opml(opml.encode("utf-8")), [], INSTANCE)
    assert [a[2] for a in result.added] == ["http://ok.example/rss"]
    reasons = {url: reason for _title, url, reason in result.skipped}
    assert reasons == {
        "http://a.example/my feed.xml": "the address contains a space or other whitespace",
        "http://b.example/rss": "the title contains a control character (U+007F)",
        "http://c.example/rss": "the title contains a control character (U+0085)",
        # A raw C0 control is not XML at all: read as U+FFFD and skipped, not a refused file.
        "http://d.example/rss": "the title contains a control character (U+FFFD)",
    }


def test_a_gbk_opml_is_read_in_the_encoding_its_declaration_names() -> None:
    text = """<?xml version="1.0" encoding="GBK"?>
<opml version="1.0"><head><title>订阅</title></head><body>
  <outline text="河南省" title="河南省">
    <outline type="rss" text="河南省科学技术厅" xmlUrl="http://kjt.henan.example/rss.xml"/>
  </outline>
</body></opml>"""
    feeds = parse_opml(text.encode("gbk"))
    assert feeds == [OpmlFeed("河南省科学技术厅", "http://kjt.henan.example/rss.xml", "", "河南省")]
    gb2312 = text.replace('"GBK"', '"gb2312"').encode("gb2312")
    assert parse_opml(gb2312) == feeds
    with pytest.raises(ValueError, match="unknown encoding 'x-nothing'"):
        parse_opml(text.replace('"GBK"', '"x-nothing"').encode("utf-8"))


def test_imported_sources_are_disabled_and_names_escaped_as_toml() -> None:
    tricky = 'A "quoted" \\ back\tslash / 斜杠 \u2028'
    feeds = [OpmlFeed(tricky, "http://tricky.example/rss", "", "行业媒体")]
    result = import_feeds(feeds, [], INSTANCE, "r.opml")
    assert 'name = "A \\"quoted\\" \\\\ back\\tslash / 斜杠 \u2028"' in result.toml
    (source,) = parse_sources(tomllib.loads(result.toml), "imported.toml")
    assert source.name == tricky
    assert source.enabled is False
    assert "enabled = true" in source.notes
    assert toml_string("a\x7fb\x00") == '"a\\u007Fb\\u0000"'
    raw = "a\x7fb\x00"
    assert tomllib.loads("x = " + toml_string(raw))["x"] == raw


def test_export_marks_disabled_feeds_and_writes_valid_xml() -> None:
    sources = [
        feed("on", name="正常\x01源", urls=("http://on.example/rss",)),
        feed("off", name="停用源", urls=("http://off.example/rss",), enabled=False),
    ]
    text = export_opml(feeds_of(sources), "newsdesk\x0b")
    assert "\x01" not in text and "\x0b" not in text
    ET.fromstring(text.encode("utf-8"))  # a strict XML parser accepts the whole file
    assert text.count('newsdeskEnabled="false"') == 1
    parsed = parse_opml(text)
    assert [(f.title, f.enabled) for f in parsed] == [("正常源", True), ("停用源", False)]
