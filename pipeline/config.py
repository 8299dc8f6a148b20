"""Parse and validate config/ once, at the edge, into frozen models.

`parse_*` functions are pure and take mappings (tests feed them dicts); ops/config_files.py is the
thin I/O edge that reads the TOML files and hands them to `parse_config`. Every problem is
collected, then raised as one ConfigError whose lines each name the file, the entry and the field.
"""

from __future__ import annotations

import codecs
import contextlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pipeline.config_fields import FieldReader
from pipeline.config_ops import parse_alerts, parse_logs, parse_maintenance, parse_schedule
from pipeline.errors import ConfigError
from pipeline.models import (
    AUTHORITIES,
    SOURCE_KINDS,
    ApiSpec,
    CrawlSettings,
    DetailSelectors,
    ListSelectors,
    Masthead,
    Pagination,
    Settings,
    Source,
)
from pipeline.proposal import parse_proposal
from pipeline.rules import SectorRules, parse_rules

_ID = r"[a-z0-9][a-z0-9_-]*"
_URL = re.compile(r"^https?://[^\s/]+[^\s]*$")
# Five cron fields of digits, names and the usual operators; the scheduler checks semantics.
_CRON_FIELD = re.compile(r"^[\d*/,\-a-zA-Z?]+$")
_QUIET = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
# An RSSHub route: a path such as /gov/miit/zcjd (query parameters allowed, no scheme or host).
_RSSHUB_ROUTE = re.compile(r"^/[^\s/][^\s]*$")
DEFAULT_RSSHUB = "https://rsshub.app"


@dataclass(frozen=True, slots=True)
class Config:
    """The whole validated configuration."""

    directory: str
    settings: Settings
    sources: tuple[Source, ...]
    rules: SectorRules

    def source(self, source_id: str) -> Source:
        """The source with this id; ConfigError naming the known ids otherwise."""
        for source in self.sources:
            if source.id == source_id:
                return source
        known = ", ".join(s.id for s in self.sources)
        raise ConfigError(f"no source '{source_id}' in {self.directory}/sources/ (known: {known})")


def _urls(reader: FieldReader, key: str, required: bool) -> tuple[str, ...]:
    urls = reader.texts(key, required=required)
    for url in urls:
        if not _URL.match(url):
            reader.fail(key, f"must hold http(s) URLs; got '{url}'")
    return urls


def _parse_list(reader: FieldReader | None) -> ListSelectors | None:
    if reader is None:
        return None
    result = ListSelectors(
        item=reader.selector("item", required=True),
        link=reader.selector("link") or "a::attr(href)",
        title=reader.selector("title"),
        date=reader.selector("date"),
    )
    reader.finish()
    return result


def _parse_pagination(reader: FieldReader | None) -> Pagination | None:
    if reader is None:
        return None
    result = Pagination(
        next=reader.selector("next"),
        pattern=reader.text("pattern"),
        start=reader.integer("start", 1),
        max_pages=reader.integer("max_pages", 3, minimum=1, maximum=500),
    )
    if result.pattern and "{n}" not in result.pattern:
        reader.fail("pattern", f"must contain {{n}} for the page number; got '{result.pattern}'")
    if not result.next and not result.pattern:
        reader.fail("next", "or 'pattern' is required to find further pages")
    reader.finish()
    return result


def _parse_detail(reader: FieldReader | None) -> DetailSelectors:
    if reader is None:
        return DetailSelectors()
    result = DetailSelectors(
        title=reader.selector("title"),
        date=reader.selector("date"),
        body=reader.selector("body"),
        source=reader.selector("source"),
        remove=tuple(reader.selectors("remove")),
    )
    reader.finish()
    return result


def _parse_api(reader: FieldReader | None) -> ApiSpec | None:
    if reader is None:
        return None
    result = ApiSpec(
        method=reader.text("method", "GET", choices=("GET", "POST")),
        params=reader.pairs("params"),
        body=reader.text("body"),
        records=reader.text("records", required=True),
        title=reader.text("title", "title"),
        url=reader.text("url", "url"),
        date=reader.text("date"),
        summary=reader.text("summary"),
        text=reader.text("text"),
        source=reader.text("source"),
        detail_url=reader.text("detail_url"),
        page_param=reader.text("page_param"),
        max_pages=reader.integer("max_pages", 1, minimum=1, maximum=500),
        html=reader.text("html"),
        page_mode=reader.text("page_mode", "page", choices=("page", "offset")),
        page_size=reader.integer("page_size", 10, minimum=1, maximum=1000),
    )
    reader.finish()
    return result


def _optional(delay: float) -> float | None:
    """-1 marks "not set": the global crawl.delay applies."""
    return None if delay < 0 else delay


def _parse_source(
    data: Any, path: str, index: int, problems: list[str], asked: set[str] | None = None
) -> Source | None:
    if not isinstance(data, dict):
        problems.append(f"{path}: source #{index + 1} must be a table")
        return None
    sid = data.get("id")
    label = f"source '{sid}'" if isinstance(sid, str) and sid else f"source #{index + 1}"
    r = FieldReader(data, f"{path}: {label}", problems, asked=asked)
    kind = r.text("kind", required=True, choices=SOURCE_KINDS)
    encoding = r.text("encoding")
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            r.fail("encoding", f"is not an encoding Python knows; got '{encoding}'")
    rsshub = r.text("rsshub")
    if rsshub and kind and kind != "feed":
        r.fail("rsshub", f"is only for kind = \"feed\"; this source is '{kind}'")
    elif rsshub and not _RSSHUB_ROUTE.match(rsshub):
        r.fail("rsshub", f"must be a route like '/gov/miit/zcjd' (starting with /); got '{rsshub}'")
    # A feed needs `urls` or an RSSHub route (or both); every other kind needs `urls`.
    urls = _urls(r, "urls", required=kind != "feed")
    if kind == "feed" and not urls and not rsshub:
        r.fail("urls", "is required: a feed needs 'urls' or an 'rsshub' route")
    link_pattern = r.text("link_pattern")
    if link_pattern:
        try:
            re.compile(link_pattern)
        except re.error as exc:
            r.fail("link_pattern", f"is not a valid regular expression ({exc})")
    source = Source(
        id=r.text("id", required=True, pattern=_ID),
        name=r.text("name", required=True),
        kind=kind,  # type: ignore[arg-type]  # checked against SOURCE_KINDS above
        urls=urls,
        file=path,
        enabled=r.flag("enabled", True),
        authority=r.text("authority", "media", choices=AUTHORITIES),  # type: ignore[arg-type]
        sector_hint=r.text("sector_hint"),
        every=r.duration("every"),
        cron=r.text("cron"),
        encoding=encoding,
        obey_robots=r.flag("obey_robots", True),
        fulltext=r.flag("fulltext", False),
        max_items=r.integer("max_items", 0),
        delay=_optional(r.number("delay", -1.0)),
        headers=r.pairs("headers"),
        cookies=r.pairs("cookies"),
        link_pattern=link_pattern,
        # A listing source without [source.list] is read by automatic list detection.
        listing=_parse_list(r.table("list")),
        pagination=_parse_pagination(r.table("pagination")),
        detail=_parse_detail(r.table("detail")),
        api=_parse_api(r.table("api", required=kind == "json")),
        notes=r.text("notes"),
        rsshub=rsshub,
        prime=(_urls(r, "prime", required=False) or ("",))[0],
    )
    if source.api is not None and source.api.html and source.listing is None:
        r.fail("list", "is required when 'api.html' names HTML to read list items from")
    if source.cron:
        fields = source.cron.split()
        if len(fields) != 5 or not all(_CRON_FIELD.match(f) for f in fields):
            r.fail("cron", f"must have 5 fields like '0 7 * * *'; got '{source.cron}'")
    if source.every and source.cron:
        r.fail("cron", "cannot be combined with 'every'; choose one")
    r.finish()
    return source


def parse_sources(data: Mapping[str, Any], path: str) -> tuple[Source, ...]:
    """Validate one `sources/*.toml` mapping into Sources (ConfigError on any problem)."""
    problems: list[str] = []
    sources = _parse_sources(data, path, problems)
    if problems:
        raise ConfigError("\n".join(problems), tuple(problems))
    return sources


def _parse_sources(data: Mapping[str, Any], path: str, problems: list[str]) -> tuple[Source, ...]:
    for key in data:
        if key != "source":
            problems.append(f"{path}: unknown top-level key '{key}' (write [[source]] tables)")
    entries = data.get("source", [])
    if not isinstance(entries, list):
        problems.append(f"{path}: 'source' must be an array of tables ([[source]])")
        return ()
    parsed = (_parse_source(entry, path, i, problems) for i, entry in enumerate(entries))
    return tuple(s for s in parsed if s is not None)


def parse_settings(
    data: Mapping[str, Any], path: str = "config/settings.toml", asked: set[str] | None = None
) -> Settings:
    """Validate settings.toml into Settings (ConfigError on any problem)."""
    problems: list[str] = []
    root = FieldReader(data, path, problems, asked=asked)

    def section(name: str, required: bool = False) -> FieldReader:
        found = root.table(name, required=required)
        return found or FieldReader({}, path, problems, f"{name}.", root.asked)

    db, crawl, sched = section("database"), section("crawl"), section("schedule")
    rss = section("rsshub")
    alerts, maint, logs = section("alerts"), section("maintenance"), section("logs")
    news = section("newsletter", required=True)
    proposal = section("proposal")
    settings = Settings(
        database=db.text("path", "data/newsdesk.db"),
        crawl=CrawlSettings(
            user_agent=crawl.text(
                "user_agent", "Mozilla/5.0 (compatible; newsdesk/0.1; +https://example.invalid)"
            ),
            delay=crawl.number("delay", 1.0),
            concurrency_per_domain=crawl.integer("concurrency_per_domain", 2, 1, 8),
            timeout=crawl.number("timeout", 30.0, minimum=1.0),
            retries=crawl.integer("retries", 2, 0, 10),
            max_response_bytes=crawl.integer("max_response_mb", 10, 1, 200) * 1024 * 1024,
            cycle_timeout=crawl.number("cycle_timeout", 3600.0, minimum=10.0),
            attachment_max_bytes=crawl.integer("attachment_max_mb", 20, 1, 500) * 1024 * 1024,
        ),
        schedule=parse_schedule(sched),
        newsletter=Masthead(
            title=news.text("title", required=True),
            publisher=news.text("publisher", required=True),
            editor_note=news.text("editor_note"),
            sections=(sections := news.texts("sections", required=True)),
            special_title=news.text("special_title"),
            subtitle=news.text("subtitle"),
            first_number=news.integer("first_number", 1, 1, 1000),
            first_total=news.integer("first_total", 1, 1, 100000),
        ),
        alerts=parse_alerts(alerts),
        maintenance=parse_maintenance(maint),
        logs=parse_logs(logs),
        proposal=parse_proposal(proposal, sections),
    )
    instance = rss.text("instance", DEFAULT_RSSHUB)
    if _URL.match(instance):
        settings = replace(settings, rsshub_instance=instance.rstrip("/"))
    else:
        rss.fail("instance", f"must be an http(s) URL like {DEFAULT_RSSHUB}; got '{instance}'")
    if settings.schedule.quiet_hours and not _QUIET.match(settings.schedule.quiet_hours):
        sched.fail(
            "quiet_hours", f"must look like 23:00-06:00; got '{settings.schedule.quiet_hours}'"
        )
    for reader in (db, crawl, sched, news, rss, alerts, maint, logs, proposal, root):
        reader.finish()
    if problems:
        raise ConfigError("\n".join(problems), tuple(problems))
    return settings


def documented_fields() -> dict[str, set[str]]:
    """Every field the parsers accept, by file kind (config/README.md must describe each)."""
    source_fields: set[str] = set()
    tables = {"list": {"item": "li"}, "pagination": {"next": "a"}, "detail": {}, "api": {}}
    _parse_source({"kind": "listing", **tables}, "x", 0, [], source_fields)
    settings_fields: set[str] = set()
    sections: dict[str, dict[str, Any]] = {"database": {}, "crawl": {}, "schedule": {}}
    sections["rsshub"] = {}
    sections |= {"alerts": {}, "maintenance": {}, "logs": {}}
    sections["newsletter"] = {}
    sections["proposal"] = {"section_words": {}}
    # The empty newsletter table is incomplete on purpose: only the field names matter here.
    with contextlib.suppress(ConfigError):
        parse_settings(sections, "x", settings_fields)
    return {"sources": source_fields, "settings": settings_fields}


def rsshub_url(instance: str, route: str) -> str:
    """The feed URL of an RSSHub route on an instance: ('https://rsshub.app', '/gov/x') → URL."""
    return instance.rstrip("/") + "/" + route.lstrip("/")


def with_rsshub(source: Source, instance: str) -> Source:
    """A feed source with its RSSHub route's URL added after its own `urls`."""
    if not source.rsshub:
        return source
    url = rsshub_url(instance, source.rsshub)
    return source if url in source.urls else replace(source, urls=(*source.urls, url))


def check_cross_refs(sources: tuple[Source, ...], rules: SectorRules) -> list[str]:
    """Problems between files: duplicate source ids, unknown sector hints."""
    problems: list[str] = []
    first_seen: dict[str, str] = {}
    sector_ids = tuple(s.id for s in rules.sectors)
    for source in sources:
        where = f"{source.file}: source '{source.id}'"
        if source.id in first_seen:
            problems.append(f"{where}: field 'id' duplicates the source in {first_seen[source.id]}")
        first_seen.setdefault(source.id, source.file)
        if source.sector_hint and source.sector_hint not in sector_ids:
            problems.append(
                f"{where}: field 'sector_hint' must be one of {', '.join(sector_ids)}; "
                f"got '{source.sector_hint}'"
            )
    return problems


TomlDocument = tuple[str, Mapping[str, Any] | None]


def parse_config(
    root: str,
    settings_doc: TomlDocument,
    sectors_doc: TomlDocument,
    source_docs: Sequence[TomlDocument],
    problems: list[str],
) -> Config:
    """Validate already-read TOML documents, each a (label, data or None when unreadable) pair.

    `problems` holds what the reader found already (missing files, TOML syntax); every problem of
    the whole config is collected before one ConfigError names them all.
    """
    settings = rules = None
    settings_label, settings_data = settings_doc
    if settings_data:
        try:
            settings = parse_settings(settings_data, settings_label)
        except ConfigError as exc:
            problems.extend(exc.problems)
    rules_label, rules_data = sectors_doc
    if rules_data:
        try:
            rules = parse_rules(rules_data, rules_label)
        except ConfigError as exc:
            problems.extend(exc.problems)
    sources: list[Source] = []
    for label, data in source_docs:
        sources.extend(_parse_sources(data or {}, label, problems))
    if rules is not None:
        problems.extend(check_cross_refs(tuple(sources), rules))
    if problems or settings is None or rules is None:
        raise ConfigError("\n".join(problems), tuple(problems))
    resolved = tuple(with_rsshub(s, settings.rsshub_instance) for s in sources)
    return Config(root, settings, resolved, rules)
