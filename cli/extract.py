"""`newsdesk sources test ID` and `newsdesk extract`: dry runs for ops adding or fixing a source."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from cli.context import Env, friendly_errors, pass_env
from cli.sources import sources
from demo.fixture_server import DEMO_ROOT, serve
from demo.run import DEMO_FILE, DEMO_HOSTS
from ops.report import table
from pipeline.models import Source
from pipeline.normalize import normalize_text


def _host_map_env(stack: ExitStack, source: Source | None) -> dict[str, str]:
    """Route demo sources to the bundled demo sites; real sources go to the real sites."""
    if source is None or Path(source.file).name != DEMO_FILE:
        return {}
    server = stack.enter_context(serve(DEMO_ROOT))
    return {"NEWSDESK_HOST_MAP": f"{DEMO_HOSTS}={server.proxy}"}


def hit_rates(items: list[dict[str, Any]]) -> dict[str, float]:
    """Share of items with each field filled: a low rate points at a selector to fix."""
    if not items:
        return {}
    checks = {
        "title": lambda i: bool(i["title"]),
        "date": lambda i: bool(i["published_at"]),
        "body>=100": lambda i: len(i["text"]) >= 100,
        "source": lambda i: bool(i["source_name"]),
        "list title": lambda i: bool(i["list_title"]),
    }
    return {name: sum(map(check, items)) / len(items) for name, check in checks.items()}


@sources.command("test")
@click.argument("source_id")
@click.option("--limit", default=10, show_default=True, help="Most detail pages to fetch.")
@pass_env
@friendly_errors
def test_source(env: Env, source_id: str, limit: int) -> None:
    """Dry-run one source: fetch it now and show what would be extracted; writes nothing.

    Example:

        newsdesk sources test henan-kjt --limit 5
    """
    source = env.config.source(source_id)
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        cmd = [sys.executable, "-m", "crawler", "--config", env.config.directory, "--dry-run",
               "--report", str(report), "--max-items", str(limit), source_id]  # fmt: skip
        environ = {**os.environ, **_host_map_env(stack, source)}
        proc = subprocess.run(cmd, env=environ, capture_output=True, text=True, errors="replace")
        if not report.exists():
            raise click.ClickException(f"the crawl failed:\n{proc.stderr[-2000:]}")
        data = json.loads(report.read_text(encoding="utf-8"))
    items = data["items"]
    rows = [
        [i["published_at"][:16] or "-", len(i["text"]), i["title"][:40], i["url"]] for i in items
    ]
    click.echo(table(["date", "body", "title", "url"], rows) if rows else "no items extracted")
    tally = data["sources"].get(source_id, {})
    click.echo(
        f"\nrequests {tally.get('requests', 0)}, pages {tally.get('pages', 0)}, "
        f"entries seen {tally.get('items_seen', 0)}, extracted {len(items)}, "
        f"failed {tally.get('failed', 0)} {tally.get('errors') or ''}"
    )
    if rates := hit_rates(items):
        click.echo("hit rate: " + ", ".join(f"{k} {v:.0%}" for k, v in rates.items()))
    if tally.get("notes"):
        click.echo("\nlist page / 列表识别:\n" + "\n".join(tally["notes"]))
    if tally.get("flag"):
        click.echo(f"\nFLAG: {tally['flag']}")
    if tally.get("error_kind"):
        raise click.ClickException(f"{source_id}: {tally['error_kind']}: {tally['error']}")


@click.command()
@click.argument("inputs", metavar="FILE_OR_URL...", nargs=-1, required=True)
@click.option("--url", "page_url", default="", help="The page's URL when one FILE is given.")
@click.option("--source", "source_id", default="", help="Use this source's selectors and encoding.")
@pass_env
@friendly_errors
def extract(env: Env, inputs: tuple[str, ...], page_url: str, source_id: str) -> None:
    """Extract article pages and print them as JSON (title, date, text, source, attachments).

    One page prints one indented JSON object. Several pages (or `-`, which reads a list of paths
    or URLs from stdin, one a line) print one JSON line per page, in one process, so a folder of
    saved pages can be scored at once; a page that fails prints {"input": …, "error": …} and the
    command exits 1 at the end.

    Example:

        newsdesk extract saved.html --url https://kjt.henan.gov.cn/2026/11-18/3100240.html

        ls pages/*.html | newsdesk extract -
    """
    paths = [line.strip() for line in sys.stdin if line.strip()] if inputs == ("-",) else inputs
    if len(paths) != 1 or inputs == ("-",):
        if page_url:
            raise click.UsageError("--url applies to a single FILE only")
        failed = False
        for path in paths:
            try:
                result = _extract_one(env, path, "", source_id)
            except (OSError, click.ClickException, ValueError) as exc:
                message = exc.format_message() if isinstance(exc, click.ClickException) else exc
                result, failed = {"input": path, "error": str(message)}, True
            click.echo(json.dumps(result, ensure_ascii=False))
        if failed:
            raise SystemExit(1)
        return
    click.echo(
        json.dumps(_extract_one(env, paths[0], page_url, source_id), ensure_ascii=False, indent=2)
    )


def _extract_one(env: Env, file_or_url: str, page_url: str, source_id: str) -> dict[str, Any]:
    """Fetch (a URL) or read (a file) one page and extract it."""
    from crawler.extract import extract_article
    from crawler.parse import decode_body
    from pipeline.dates import parse_cn_date

    source = env.config.source(source_id) if source_id else None
    content_type = ""
    with ExitStack() as stack:
        if file_or_url.startswith(("http://", "https://")):
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "page"
            environ = {**os.environ, **_host_map_env(stack, source)}
            cmd = [sys.executable, "-m", "crawler.fetch", file_or_url, str(tmp),
                   "--config", env.config.directory]  # fmt: skip
            subprocess.run(cmd, env=environ, capture_output=True, check=False)
            meta = json.loads(tmp.with_suffix(".json").read_text(encoding="utf-8"))
            if "error" in meta:
                raise click.ClickException(f"{file_or_url}: {meta['error']}")
            body, page_url, content_type = tmp.read_bytes(), meta["url"], meta["content_type"]
        else:
            body = Path(file_or_url).read_bytes()
            page_url = page_url or Path(file_or_url).resolve().as_uri()
    decoded = decode_body(body, content_type, source.encoding if source else "")
    article = extract_article(decoded.text, page_url, source.detail if source else None)
    now = datetime.now(UTC)
    published = parse_cn_date(article.date_text, now)
    # The date machines are told (meta, JSON-LD, script) beside the one shown: they may disagree.
    meta_published = parse_cn_date(article.meta_date_text, now)
    return {
        "input": file_or_url,
        "url": page_url,
        "title": article.title,
        "published_at": published.to_iso() if published else None,
        "meta_published_at": meta_published.to_iso() if meta_published else None,
        "source_name": article.source_name,
        "text": normalize_text(article.text),
        "attachments": list(article.attachments),
        "encoding": decoded.encoding,
        "mojibake": decoded.bad,
        "method": article.method,
    }
