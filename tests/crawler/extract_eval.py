"""Score the article extractor on the fixture pages against their written-down expectations."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from crawler.extract import extract_article
from crawler.parse import decode_body
from pipeline.dates import parse_cn_date
from pipeline.normalize import normalize_text

PAGES = Path(__file__).parent.parent / "fixtures" / "pages"
RAW = False
FIELDS = ("title", "published_at", "body", "source_name", "attachments")
# Pages were "fetched" before this moment; later dates are implausible.
NOW = datetime(2026, 11, 24, tzinfo=UTC)


def squeeze(text: str) -> str:
    """Whitespace removed, as expected.toml compares bodies."""
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class PageScore:
    """Which fields of one page were right, and what came out when they were not."""

    file: str
    right: dict[str, bool]
    got: dict[str, str]


def score_page(page: dict[str, object]) -> PageScore:
    """Extract one fixture page and compare every field."""
    file = str(page["file"])
    raw = (PAGES / file).read_bytes()
    text = decode_body(raw, "text/html").text
    article = extract_article(text, str(page["url"]))
    published = parse_cn_date(article.date_text, NOW)
    # Bodies are judged as the desk shows them: after the pipeline's boilerplate removal.
    body = squeeze(article.text if RAW else normalize_text(article.text))
    junk = [squeeze(str(j)) for j in page.get("body_must_not_contain", [])]  # type: ignore[attr-defined]
    body_ok = (
        body.startswith(squeeze(str(page["body_starts_with"])))
        and body.endswith(squeeze(str(page["body_ends_with"])))
        and len(body) >= int(page["body_min_chars"])  # type: ignore[call-overload]
        and not any(j in body for j in junk)
    )
    names = sorted(a.rsplit("/", 1)[-1] for a in article.attachments)
    got = {
        "title": article.title,
        "published_at": published.to_iso() if published else "",
        "body": f"{body[:20]}…{body[-20:]} ({len(body)})",
        "source_name": article.source_name,
        "attachments": ",".join(names),
    }
    right = {
        "title": squeeze(article.title) == squeeze(str(page["title"])),
        "published_at": got["published_at"] == page["published_at"],
        "body": body_ok,
        "source_name": article.source_name == page["source_name"],
        "attachments": names == sorted(page.get("attachments", [])),  # type: ignore[call-overload]
    }
    return PageScore(file, right, got)


def expected_pages() -> list[dict[str, object]]:
    """Every [[page]] of expected.toml."""
    return tomllib.loads((PAGES / "expected.toml").read_text(encoding="utf-8"))["page"]  # type: ignore[no-any-return]


def accuracy() -> tuple[dict[str, float], list[PageScore]]:
    """Per-field accuracy over all pages, and every page's score."""
    scores = [score_page(p) for p in expected_pages()]
    per_field = {f: sum(s.right[f] for s in scores) / len(scores) for f in FIELDS}
    return per_field, scores


if __name__ == "__main__":
    fields, all_scores = accuracy()
    pages = {p["file"]: p for p in expected_pages()}
    for s in all_scores:
        for f in FIELDS:
            if not s.right[f]:
                want = pages[s.file].get(f if f != "body" else "body_starts_with")
                print(f"{s.file:28} {f:13} got {s.got[f]!r:60.60} want {want!r:.50}")
    print({k: round(v, 3) for k, v in fields.items()})
