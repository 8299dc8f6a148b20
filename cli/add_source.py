"""`newsdesk sources add URL`: find the list on a page, dry-run its articles, and write a proposed
`[[source]]` with explicit selectors that ops can read and edit."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from cli.context import Env, friendly_errors, pass_env
from cli.extract import hit_rates
from cli.sources import sources
from ops.config_files import load_config
from ops.report import table
from pipeline.errors import ConfigError

# Host labels that say nothing about the publisher.
_GENERIC_LABELS = {"www", "gov", "cn", "com", "org", "net", "edu", "ac", "example", "news"}


@sources.command("add")
@click.argument("url")
@click.option("--id", "source_id", default="", help="Source id (default: made from the URL).")
@click.option("--file", "file_name", default="added.toml", show_default=True,
              help="File under config/sources/ to append the source to.")  # fmt: skip
@click.option("--name", default="", help="Publisher name (default: from the page title).")
@click.option("--limit", default=5, show_default=True, help="Detail pages to dry-run.")
@click.option("--yes", is_flag=True, help="Write without asking (for scripts).")
@pass_env
@friendly_errors
def add(
    env: Env, url: str, source_id: str, file_name: str, name: str, limit: int, yes: bool
) -> None:
    """Add a list page as a source: detect its list, dry-run a few articles, write the entry.

    Example:

        newsdesk sources add https://kjt.henan.gov.cn/tzgg/ --id henan-kjt-tzgg --file henan.toml
    """
    from crawler.autolist import detect_list
    from crawler.pagekind import describe_non_list, looks_like_article
    from crawler.parse import decode_body

    config = env.config
    with tempfile.TemporaryDirectory() as tmp:
        body, final_url, content_type = _fetch(url, config.directory, Path(tmp) / "page")
    html = decode_body(body, content_type).text
    detection = detect_list(html, final_url)
    if not detection.plausible or looks_like_article(html, final_url, detection):
        raise click.ClickException(f"{final_url}: {describe_non_list(html, final_url, detection)}")
    click.echo("\n".join(detection.explanation))
    rows = [[i.date or "-", i.title[:40], i.url] for i in detection.items[:10]]
    click.echo("\n" + table(["list date", "title", "url"], rows))
    click.echo(f"({len(detection.items)} items on the page)")
    taken = {s.id for s in config.sources}
    sid = source_id or suggest_id(final_url, taken)
    if sid in taken:
        raise click.ClickException(f"a source '{sid}' exists already; choose another --id")
    entry = source_toml(sid, name or name_from_title(html) or sid, url, detection)
    items = _dry_run(config.directory, sid, entry, limit)
    rates = hit_rates(items)
    found = ", ".join(f"{k} {v:.0%}" for k, v in rates.items()) if rates else "none extracted"
    click.echo(f"\ndry run of {len(items)} articles: {found}")
    click.echo(f"\nproposed entry:\n\n{entry}")
    target = Path(config.directory) / "sources" / file_name
    if not yes and not click.confirm(f"Append it to {target}?", default=False):
        click.echo("not written")
        return
    _append_checked(target, entry, config.directory)
    click.echo(f"written to {target}; next: newsdesk sources test {sid}")


def _fetch(url: str, config_dir: str, out: Path) -> tuple[bytes, str, str]:
    """The page through Scrapy (robots.txt, host map), or a ClickException saying why not."""
    cmd = [sys.executable, "-m", "crawler.fetch", url, str(out), "--config", config_dir]
    subprocess.run(cmd, capture_output=True, check=False, env=dict(os.environ))
    meta_file = out.with_suffix(".json")
    if not meta_file.exists():
        raise click.ClickException(f"{url}: the fetch failed")
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    if "error" in meta:
        raise click.ClickException(f"{url}: {meta['error']}")
    if meta["status"] != 200:
        raise click.ClickException(f"{url}: HTTP {meta['status']}")
    return out.read_bytes(), str(meta["url"]), str(meta["content_type"])


def suggest_id(url: str, taken: set[str]) -> str:
    """`most-tztg` from https://www.most.gov.cn/tztg/: host words, then the column folder."""
    parts = urlsplit(url)
    words = [w for w in (parts.hostname or "").split(".") if w not in _GENERIC_LABELS]
    folders = [f for f in parts.path.split("/") if f and "." not in f and not f.isdigit()]
    base = "-".join([*words[:2], *folders[-1:]]).lower()
    base = re.sub(r"[^a-z0-9_-]+", "-", base).strip("-") or "source"
    sid, n = base, 2
    while sid in taken:
        sid, n = f"{base}-{n}", n + 1
    return sid


def name_from_title(html: str) -> str:
    """'科学技术部·通知通告' from '<title>通知通告_科学技术部</title>'."""
    match = re.search(r"<title[^>]*>(.*?)</title>", html, re.S | re.I)
    parts = [p.strip() for p in re.split(r"[_|\-–—]+", match[1] if match else "") if p.strip()]
    return f"{parts[-1]}·{parts[0]}" if len(parts) >= 2 else (parts[0] if parts else "")


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def source_toml(sid: str, name: str, url: str, detection: Any) -> str:
    """The proposed [[source]] with explicit selectors (TOML text)."""
    today = datetime.now(UTC).date().isoformat()
    lines = [
        "[[source]]", f"id = {_quote(sid)}", f"name = {_quote(name)}", 'kind = "listing"',
        f"urls = [{_quote(url)}]",
    ]  # fmt: skip
    note = f"Added by newsdesk sources add on {today}; {detection.explanation[0]}"
    lines.append(f"notes = {_quote(note)}")
    sel = detection.selectors
    if sel is not None:
        lines += ["[source.list]", f"item = {_quote(sel.item)}", f"link = {_quote(sel.link)}"]
        lines += [f"{k} = {_quote(v)}" for k, v in (("title", sel.title), ("date", sel.date)) if v]
    pagination = detection.paging.proposal()
    if pagination is not None:
        lines.append("[source.pagination]")
        if pagination.pattern:
            lines += [f"pattern = {_quote(pagination.pattern)}", f"start = {pagination.start}"]
        else:
            lines.append(f"next = {_quote(pagination.next)}")
        lines.append(f"max_pages = {pagination.max_pages}")
    return "\n".join(lines) + "\n"


def _dry_run(config_dir: str, sid: str, entry: str, limit: int) -> list[dict[str, Any]]:
    """Items of a dry run of the proposed source alone (nothing is written)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "config"
        (folder / "sources").mkdir(parents=True)
        for name in ("settings.toml", "sectors.toml"):
            shutil.copy(Path(config_dir) / name, folder / name)
        (folder / "sources" / "proposed.toml").write_text(entry, encoding="utf-8")
        report = Path(tmp) / "report.json"
        cmd = [sys.executable, "-m", "crawler", "--config", str(folder), "--dry-run",
               "--report", str(report), "--max-items", str(limit), sid]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace", check=False)
        if not report.exists():
            raise click.ClickException(f"the dry run failed:\n{proc.stderr[-2000:]}")
        data = json.loads(report.read_text(encoding="utf-8"))
    items: list[dict[str, Any]] = data["items"]
    return items


def _append_checked(target: Path, entry: str, config_dir: str) -> None:
    """Append the entry, then validate the whole config; undo the append when it fails."""
    before = target.read_text(encoding="utf-8") if target.exists() else None
    text = (before.rstrip("\n") + "\n\n" if before else "") + entry
    target.write_text(text, encoding="utf-8")
    try:
        load_config(config_dir)
    except ConfigError as exc:
        if before is None:
            target.unlink()
        else:
            target.write_text(before, encoding="utf-8")
        raise click.ClickException(f"the entry did not pass sources check: {exc}") from exc
