"""Config validation: every mistake names the file, the entry and the field."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.main import cli
from ops.config_files import load_config
from pipeline.config import parse_settings, parse_sources
from pipeline.errors import ConfigError

CONFIG = Path(__file__).parent.parent.parent / "config"
GOOD: dict[str, Any] = {
    "id": "henan-kjt",
    "name": "河南省科学技术厅",
    "kind": "listing",
    "urls": ["http://kjt.henan.gov.cn/tzgg/"],
    "list": {"item": ".list_u1 li", "date": "span::text"},
}


def problems_of(**changes: Any) -> list[str]:
    """The problems parse_sources reports for GOOD with `changes` applied (None deletes)."""
    entry = {**GOOD, **changes}
    entry = {k: v for k, v in entry.items() if v is not None}
    try:
        parse_sources({"source": [entry]}, "config/sources/henan.toml")
    except ConfigError as exc:
        return list(exc.problems)
    return []


def test_a_good_source_parses_into_a_frozen_model() -> None:
    (source,) = parse_sources({"source": [GOOD]}, "config/sources/henan.toml")
    assert (source.id, source.kind, source.urls) == (
        "henan-kjt",
        "listing",
        ("http://kjt.henan.gov.cn/tzgg/",),
    )
    assert source.listing is not None and source.listing.item == ".list_u1 li"
    with pytest.raises(AttributeError):
        source.id = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"kind": "lisitng"},
            "config/sources/henan.toml: source 'henan-kjt': field 'kind' must be one of feed, "
            "listing, json; got 'lisitng' (did you mean 'listing'?)",
        ),
        ({"kind": None}, "config/sources/henan.toml: source 'henan-kjt': field 'kind' is required"),
        (
            {"urls": ["kjt.henan.gov.cn/tzgg/"]},
            "config/sources/henan.toml: source 'henan-kjt': field 'urls' must hold http(s) URLs; "
            "got 'kjt.henan.gov.cn/tzgg/'",
        ),
        (
            {"urls": []},
            "config/sources/henan.toml: source 'henan-kjt': field 'urls' must list at least one value",
        ),
        (
            {"nmae": "x"},
            "config/sources/henan.toml: source 'henan-kjt': unknown field 'nmae' (did you mean 'name'?)",
        ),
        (
            {"authority": "city"},
            "config/sources/henan.toml: source 'henan-kjt': field 'authority' must be one of "
            "national, provincial, municipal, association, media; got 'city'",
        ),
        (
            {"max_items": -5},
            "config/sources/henan.toml: source 'henan-kjt': field 'max_items' must be >= 0; got -5",
        ),
        (
            {"enabled": "yes"},
            "config/sources/henan.toml: source 'henan-kjt': field 'enabled' must be true or false; "
            "got 'yes'",
        ),
        (
            {"encoding": "gbk2"},
            "config/sources/henan.toml: source 'henan-kjt': field 'encoding' is not an encoding "
            "Python knows; got 'gbk2'",
        ),
        (
            {"every": "6 hours"},
            "config/sources/henan.toml: source 'henan-kjt': field 'every' must be a duration like "
            "30m, 6h or 1d; got '6 hours'",
        ),
        (
            {"cron": "0 7 * *"},
            "config/sources/henan.toml: source 'henan-kjt': field 'cron' must have 5 fields like "
            "'0 7 * * *'; got '0 7 * *'",
        ),
        (
            # [source.list] may be left out (automatic detection), but a given one needs its item.
            {"list": {"date": "span::text"}},
            "config/sources/henan.toml: source 'henan-kjt': field 'list.item' is required",
        ),
        (
            {"id": "Henan KJT"},
            "config/sources/henan.toml: source 'Henan KJT': field 'id' must match "
            "[a-z0-9][a-z0-9_-]*; got 'Henan KJT'",
        ),
        (
            {"link_pattern": "(unclosed"},
            "config/sources/henan.toml: source 'henan-kjt': field 'link_pattern' is not a valid "
            "regular expression (missing ), unterminated subpattern at position 0)",
        ),
        (
            {"headers": {"Referer": True}},
            "config/sources/henan.toml: source 'henan-kjt': field 'headers' must be a table of "
            "name = \"value\"; got {'Referer': True}",
        ),
    ],
)
def test_each_source_mistake_names_file_entry_and_field(
    changes: dict[str, Any], expected: str
) -> None:
    assert problems_of(**changes) == [expected]


def test_a_broken_selector_is_caught_before_any_crawl() -> None:
    problems = problems_of(list={"item": "ul..list li"})
    assert len(problems) == 1
    assert problems[0].startswith(
        "config/sources/henan.toml: source 'henan-kjt': field 'list.item' is not a valid selector"
    )


def test_unknown_keys_inside_sub_tables_are_errors() -> None:
    assert problems_of(list={"item": "li", "tilte": "a"}) == [
        "config/sources/henan.toml: source 'henan-kjt': unknown field 'list.tilte' "
        "(did you mean 'list.title'?)"
    ]


def test_pagination_needs_a_next_selector_or_a_pattern_with_a_page_number() -> None:
    assert problems_of(pagination={"pattern": "index.html"}) == [
        "config/sources/henan.toml: source 'henan-kjt': field 'pagination.pattern' must contain "
        "{n} for the page number; got 'index.html'"
    ]


def test_a_json_source_needs_its_api_table() -> None:
    assert problems_of(kind="json", list=None) == [
        "config/sources/henan.toml: source 'henan-kjt': field 'api' is required"
    ]


def test_all_problems_are_reported_at_once() -> None:
    assert len(problems_of(kind="rss", authority="x", max_items="many")) == 3


def test_settings_mistakes_name_the_field() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings({"crawl": {"delay": "fast"}, "newsletter": {"title": "x"}}, "s.toml")
    assert caught.value.problems == (
        "s.toml: field 'crawl.delay' must be a number; got 'fast'",
        "s.toml: field 'newsletter.publisher' is required",
        "s.toml: field 'newsletter.sections' is required",
    )


def copy_config(tmp_path: Path) -> Path:
    """A writable copy of the shipped config."""
    target = tmp_path / "config"
    shutil.copytree(CONFIG, target)
    return target


def test_duplicate_ids_across_files_are_errors(tmp_path: Path) -> None:
    config = copy_config(tmp_path)
    text = (config / "sources" / "demo.toml").read_text(encoding="utf-8")
    (config / "sources" / "copy.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert (
        "config/sources/demo.toml: source 'demo-xc-kjj': field 'id' duplicates the source in "
        "config/sources/copy.toml"
    ) in caught.value.problems


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    config = copy_config(tmp_path)
    (config / "sources" / "broken.toml").write_text("[[source]\nid = 'x'\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert caught.value.problems[0].startswith("config/sources/broken.toml: not valid TOML")


def test_sources_check_prints_file_entry_field_and_exits_non_zero(tmp_path: Path) -> None:
    config = copy_config(tmp_path)
    demo = config / "sources" / "demo.toml"
    demo.write_text(
        demo.read_text(encoding="utf-8").replace('kind = "feed"', 'kind = "fead"', 1),
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["--config", str(config), "sources", "check"])
    assert result.exit_code == 1
    assert (
        "config/sources/demo.toml: source 'demo-xinwen': field 'kind' must be one of feed, "
        "listing, json; got 'fead' (did you mean 'feed'?)"
    ) in result.output
    assert "Traceback" not in result.output


def test_sources_check_passes_on_the_shipped_config() -> None:
    result = CliRunner().invoke(cli, ["--config", str(CONFIG), "sources", "check"])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output
