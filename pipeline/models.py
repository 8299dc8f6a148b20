"""Frozen values that flow between config, crawler, pipeline, store and desk."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SourceKind = Literal["feed", "listing", "json"]
SOURCE_KINDS: tuple[str, ...] = ("feed", "listing", "json")

Authority = Literal["national", "provincial", "municipal", "association", "media"]
# Order matters: rank.py and dedup's canonical choice read it as "more authoritative first".
AUTHORITIES: tuple[str, ...] = ("national", "provincial", "municipal", "association", "media")

# Item lifecycle (DESIGN.md): new → pending → accepted | rejected → used;
# duplicate and off_topic are side exits an editor can undo.
ITEM_STATUSES: tuple[str, ...] = (
    "new",
    "pending",
    "accepted",
    "rejected",
    "used",
    "duplicate",
    "off_topic",
)


@dataclass(frozen=True, slots=True)
class ListSelectors:
    """Where a listing page keeps its items; CSS by default, `xpath:` prefix for XPath."""

    item: str
    link: str = "a::attr(href)"
    title: str = ""
    date: str = ""


@dataclass(frozen=True, slots=True)
class Pagination:
    """How to reach the next list page: a next-link selector or a URL pattern with `{n}`."""

    next: str = ""
    pattern: str = ""
    start: int = 1
    max_pages: int = 3


@dataclass(frozen=True, slots=True)
class DetailSelectors:
    """Per-source selectors for the detail page; empty means "let the extractor chain decide"."""

    title: str = ""
    date: str = ""
    body: str = ""
    source: str = ""
    remove: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ApiSpec:
    """A JSON list API: request shape and dotted paths to records and their fields."""

    method: str = "GET"
    params: tuple[tuple[str, str], ...] = ()
    body: str = ""
    records: str = ""
    title: str = "title"
    url: str = "url"
    date: str = ""
    summary: str = ""
    text: str = ""
    source: str = ""
    detail_url: str = ""
    page_param: str = ""
    max_pages: int = 1
    html: str = ""
    # "page": page_param carries 1, 2, 3…; "offset": it carries 0, page_size, 2*page_size…
    # (Baidu-style `pn=0,10,20`). `{page}` and `{offset}` in `body` are replaced likewise.
    page_mode: str = "page"
    page_size: int = 10

    def page_value(self, page: int) -> int:
        """What the API expects for the 1-based page number `page`."""
        return (page - 1) * self.page_size if self.page_mode == "offset" else page


# Most detail pages one source fetches per run when its `max_items` is 0 (not set): one feed
# once added 50,000 items in a cycle.
DEFAULT_MAX_ITEMS = 200


@dataclass(frozen=True, slots=True)
class Source:
    """One configured source (the definition; its state lives in the `sources` table)."""

    id: str
    name: str
    kind: SourceKind
    urls: tuple[str, ...]
    file: str = ""
    enabled: bool = True
    authority: Authority = "media"
    sector_hint: str = ""
    every: str = ""
    cron: str = ""
    encoding: str = ""
    obey_robots: bool = True
    fulltext: bool = False
    max_items: int = 0
    delay: float | None = None
    headers: tuple[tuple[str, str], ...] = ()
    cookies: tuple[tuple[str, str], ...] = ()
    link_pattern: str = ""
    listing: ListSelectors | None = None
    pagination: Pagination | None = None
    detail: DetailSelectors = field(default_factory=DetailSelectors)
    api: ApiSpec | None = None
    notes: str = ""
    prime: str = ""
    # A route on an RSSHub instance (`/gov/miit/zcjd`); load_config adds its URL to `urls`.
    rsshub: str = ""


@dataclass(frozen=True, slots=True)
class Masthead:
    """The fixed texts of the newsletter masthead (config/settings.toml [newsletter])."""

    title: str
    publisher: str
    editor_note: str
    sections: tuple[str, ...]
    special_title: str = ""
    subtitle: str = ""
    # Numbers of the first issue the desk makes (on an empty database); later issues count on.
    first_number: int = 1
    first_total: int = 1


@dataclass(frozen=True, slots=True)
class ProposalSettings:
    """How 一键生成初稿 picks and prints a proposed issue (config/settings.toml [proposal])."""

    per_sector_min: int = 2  # taken from each industry first, when it has that many
    per_sector_max: int = 4
    max_items: int = 30  # the whole issue; fewer when the week is thin
    body: str = "summary"  # summary | text: how each proposed item prints
    summary_chars: int = 200
    default_section: str = ""  # "" = the first of newsletter.sections
    first_days: int = 14  # with no finalized issue yet, look back this many days
    # (section, title words): the first section one of whose words the title holds.
    section_words: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class CrawlSettings:
    """Politeness and limits applied to every source unless a source overrides them."""

    user_agent: str
    delay: float
    concurrency_per_domain: int
    timeout: float
    retries: int
    max_response_bytes: int
    cycle_timeout: float
    # Attachments (pdf, docx, xlsx, ...) larger than this are recorded, not downloaded.
    attachment_max_bytes: int = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ScheduleSettings:
    """When the unattended scheduler runs cycles."""

    every: str
    quiet_hours: str
    jitter_seconds: int
    quarantine_after: int
    # A failing source waits interval * 2^(failures-1) between tries, at most this long.
    backoff_max: str = "1d"
    # Consecutive failures before ops are alerted (quarantine_after quarantines it later).
    alert_after: int = 3
    # "Gone quiet": no new item for longer than this many times the source's usual gap.
    gone_quiet_factor: float = 3.0
    # A run that could not start on time still runs if at most this late (then coalesced).
    misfire_grace_seconds: int = 3600
    # On SIGTERM the running cycle may finish for this long before its crawl is killed.
    stop_grace_seconds: int = 120


@dataclass(frozen=True, slots=True)
class AlertSettings:
    """Where alerts go besides data/logs/alerts.log and the events table: email, a webhook."""

    repeat_hours: float = 24.0
    webhook_url: str = ""
    email_to: tuple[str, ...] = ()
    email_from: str = "newsdesk@localhost"
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    # The password is read from this environment variable, never from the config file.
    smtp_password_env: str = "NEWSDESK_SMTP_PASSWORD"
    smtp_starttls: bool = False
    timeout: float = 10.0


@dataclass(frozen=True, slots=True)
class MaintenanceSettings:
    """The nightly jobs: online backup, optimize/vacuum, pruning of snapshots."""

    at: str = "03:30"
    backup_dir: str = ""  # "" = backups/ beside the database
    backup_keep: int = 7
    snapshot_days: int = 30


@dataclass(frozen=True, slots=True)
class LogSettings:
    """Rotating log files (one line per event, with run and source ids)."""

    dir: str = ""  # "" = logs/ beside the database
    level: str = "INFO"
    max_mb: int = 10
    keep: int = 5


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything in config/settings.toml."""

    database: str
    crawl: CrawlSettings
    schedule: ScheduleSettings
    newsletter: Masthead
    # The RSSHub instance that `rsshub` routes of feed sources resolve against.
    rsshub_instance: str = "https://rsshub.app"
    alerts: AlertSettings = field(default_factory=AlertSettings)
    maintenance: MaintenanceSettings = field(default_factory=MaintenanceSettings)
    logs: LogSettings = field(default_factory=LogSettings)
    proposal: ProposalSettings = field(default_factory=ProposalSettings)


@dataclass(frozen=True, slots=True)
class RawItem:
    """An article as the crawler saw it, before the pipeline stages run."""

    url: str
    source_id: str
    title: str
    text: str
    fetched_at: str
    published_at: str = ""
    html: str = ""
    summary: str = ""
    source_name: str = ""
    attachments: tuple[str, ...] = ()
    list_title: str = ""
    # "detection" for an item whose list link automatic detection found, else "".
    found_by: str = ""


@dataclass(frozen=True, slots=True)
class SourceRunRecord:
    """What one source did in one cycle (a `source_runs` row)."""

    run_id: int
    source_id: str
    started_at: str
    finished_at: str
    requests: int = 0
    pages: int = 0
    items_seen: int = 0
    new: int = 0
    duplicate: int = 0
    failed: int = 0
    error_kind: str | None = None
    error: str | None = None
    errors: dict[str, int] = field(default_factory=dict)
    duration: float = 0.0
    # A healthy run that ops should look at: "selectors of X broke on …; detection found N".
    flag: str | None = None
