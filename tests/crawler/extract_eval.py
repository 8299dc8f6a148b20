"""Score the article extractor: on the fixture pages against their written-down expectations, or
(`--real ../shared/realpages`) on the development set of real pages against its truth.jsonl."""

from __future__ import annotations

import argparse
import json
import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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


# --- real pages (../shared/realpages) ------------------------------------------------------------

# The development set of real saved pages; absent on a user's clone.
REAL_PAGES = Path(__file__).resolve().parents[2].parent / "shared" / "realpages"
REAL_FIELDS = ("title", "date", "body_start", "body_end", "no_noise", "body")
# How far into the body the first paragraph may start, and from its end the last (README).
EDGE_WINDOW = 200


def fold(text: str) -> str:
    """A truth or extracted string as the pipeline would show it, whitespace removed.

    normalize_text also folds widths and punctuation; a short string it drops entirely (a noise
    line such as 版权所有) is compared raw.
    """
    return squeeze(normalize_text(text)) or squeeze(text)


@dataclass(frozen=True)
class RealScore:
    """One real page: which fields were right, what came out, and why a field failed."""

    file: str
    tampered: bool
    method: str
    right: dict[str, bool]
    why: dict[str, str]


def _title_right(got: str, want: str) -> bool:
    """Equal, or one holds the other with only a short site/column suffix or prefix around it."""
    got, want = fold(got), fold(want)
    if not got:
        return False
    if got == want:
        return True
    # "(or containment)" in the README: a headline plus a site name, or a headline cut short.
    return (want in got and len(got) - len(want) <= 12) or (
        got in want and len(got) >= 0.8 * len(want)
    )


def score_real_page(root: Path, truth: dict[str, Any]) -> RealScore:
    """Extract one real page (decoded as a crawl would without HTTP headers) and judge it."""
    raw = (root / truth["file"]).read_bytes()
    text = decode_body(raw, "").text
    article = extract_article(text, truth["url"] or f"file:///{truth['file']}")
    published = parse_cn_date(article.date_text, NOW)
    got_date = published.to_iso()[:10] if published else None
    right, why = judge(truth, article.title, got_date, article.text)
    why["date"] = f"got {got_date} from {article.date_text!r:.50} want {truth['published']}"
    return RealScore(truth["file"], bool(truth["tampered"]), article.method, right, why)


def judge(
    truth: dict[str, Any], title: str, date: str | None, text: str
) -> tuple[dict[str, bool], dict[str, str]]:
    """Every field of one page right or not (README rules), and why not; any extractor's output."""
    body = squeeze(normalize_text(text))
    start, end = fold(truth["body_start"]), fold(truth["body_end"])
    noise = [n for n in truth["noise"] if fold(n) and fold(n) in body]
    right = {
        "title": _title_right(title, truth["title"]),
        "date": date == truth["published"],
        "body_start": bool(body) and start in body[: EDGE_WINDOW + len(start)],
        "body_end": bool(body) and end in body[-(EDGE_WINDOW + len(end)) :],
        "no_noise": bool(body) and not noise,
    }
    right["body"] = right["body_start"] and right["body_end"] and right["no_noise"]
    why = {
        "title": f"got {title!r:.60} want {truth['title']!r:.60}",
        "date": f"got {date} want {truth['published']}",
        "body_start": f"body opens {body[:40]!r} want {start[:30]!r}",
        "body_end": f"body ends {body[-40:]!r} want {end[-30:]!r}",
        "no_noise": f"holds {noise[:3]!r:.80}" if body else "empty body",
    }
    return right, why


def real_truth(root: Path) -> list[dict[str, Any]]:
    """Every row of the development set's truth.jsonl."""
    lines = (root / "truth.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def real_accuracy(root: Path) -> tuple[dict[str, float], list[RealScore]]:
    """Per-field share right over the untampered pages (the README's rule), and every page's score
    (tampered mirrors included, for template and encoding checks only)."""
    scores = [score_real_page(root, t) for t in real_truth(root)]
    clean = [s for s in scores if not s.tampered]
    return {f: sum(s.right[f] for s in clean) / len(clean) for f in REAL_FIELDS}, scores


def _print_real(root: Path) -> None:
    per_field, scores = real_accuracy(root)
    for s in scores:
        for f in REAL_FIELDS[:-1]:
            if not s.right[f] and not s.tampered:
                print(f"{s.file:16} {s.method[:24]:24} {f:10} {s.why[f]}")
    clean = [s for s in scores if not s.tampered]
    mirrors = [s for s in scores if s.tampered]
    print(f"untampered pages: {len(clean)}")
    print({k: round(v, 3) for k, v in per_field.items()})
    # Mirrors: title and date only (their body text is tampered; README).
    print(
        f"tampered mirrors ({len(mirrors)}, templates only): "
        f"title {sum(s.right['title'] for s in mirrors)}/{len(mirrors)}, "
        f"date {sum(s.right['date'] for s in mirrors)}/{len(mirrors)}"
    )
    methods: dict[str, int] = {}
    for s in scores:
        key = s.method.split(":")[0] or "(none)"
        methods[key] = methods.get(key, 0) + 1
    print("methods:", methods)


def main(argv: list[str] | None = None) -> None:
    """`--real DIR` scores the development set of real pages; no option scores the fixtures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--real", type=Path, help="a realpages directory (truth.jsonl + pages/)")
    args = parser.parse_args(argv)
    if args.real:
        _print_real(args.real)
        return
    fields, all_scores = accuracy()
    pages = {p["file"]: p for p in expected_pages()}
    for s in all_scores:
        for f in FIELDS:
            if not s.right[f]:
                want = pages[s.file].get(f if f != "body" else "body_starts_with")
                print(f"{s.file:28} {f:13} got {s.got[f]!r:60.60} want {want!r:.50}")
    print({k: round(v, 3) for k, v in fields.items()})


if __name__ == "__main__":
    main()
