"""A corpus for the pipeline benchmark whose text varies as real news does.

Titles and leads come from the real headlines of ../shared/realheadlines; bodies are recombined
from the real article bodies of ../shared/realpages (cut out of each page between the annotated
body_start and body_end). Clauses, not sentences or paragraphs, are recombined: 123 bodies hold
a few thousand sentences, and reusing whole sentences across 100k items would make every sentence
a boilerplate line shared by hundreds of items, which real news does not do. 10 % of the items
are reprints made with the noise of tests/fixtures/reprints/make_variants.py (half copies,
editor's notes, ad lines, re-splits, WeChat reposts). Without ../shared, `load` returns None and
the benchmark says so and falls back to its synthetic text.
"""

from __future__ import annotations

import importlib.util
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import lxml.html

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CLAUSE_RE = re.compile(r"[^，。！？；]+[，。！？；]?")
NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "tr", "section", "article", "td"}


@dataclass(frozen=True, slots=True)
class RealText:
    """What the generator draws from: real headlines, real bodies, their clauses."""

    headlines: list[str]
    bodies: list[str]
    clauses: list[str]


def load(shared: Path = SHARED) -> RealText | None:
    """The real material, or None where ../shared is absent (a user's clone)."""
    headlines_file = shared / "realheadlines" / "headlines.jsonl"
    truth_file = shared / "realpages" / "truth.jsonl"
    if not headlines_file.exists() or not truth_file.exists():
        return None
    with headlines_file.open(encoding="utf-8") as lines:
        headlines = [json.loads(line)["title"] for line in lines if line.strip()]
    bodies = []
    with truth_file.open(encoding="utf-8") as lines:
        for line in lines:
            truth = json.loads(line)
            if truth["tampered"]:
                continue  # SEO mirrors carry injected spam, not news prose
            body = page_body(shared / "realpages" / truth["file"], truth)
            if body and len(body) >= 200:
                bodies.append(body)
    clauses = [c for b in bodies for c in CLAUSE_RE.findall(b.replace("\n", "")) if len(c) >= 6]
    return RealText(headlines, bodies, clauses)


def page_body(path: Path, truth: dict[str, Any]) -> str | None:
    """The article body of one saved page, between its annotated first and last words."""
    raw = path.read_bytes()
    encoding = {"utf-16le": "utf-16"}.get(truth["encoding"], truth["encoding"])
    html = raw.decode(encoding, errors="replace")
    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    parts: list[str] = []
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag in BLOCKS:
            parts.append("\n")
        if el.text and isinstance(el.tag, str):
            parts.append(el.text)
        if el.tail:
            parts.append(el.tail)
    text = re.sub(r"[ \t\u3000\xa0]+", " ", "".join(parts))
    start, end = text.find(truth["body_start"]), text.rfind(truth["body_end"])
    if start < 0 or end < start:
        return None
    body = text[start : end + len(truth["body_end"])]
    return "\n".join(line.strip() for line in body.split("\n") if line.strip())


def load_noise() -> ModuleType:
    """tests/fixtures/reprints/make_variants.py: the reprint noise the quality gate uses."""
    path = ROOT / "tests" / "fixtures" / "reprints" / "make_variants.py"
    spec = importlib.util.spec_from_file_location("make_variants", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def article(rng: random.Random, real: RealText, title: str) -> str:
    """A new article: a lead naming its headline, then paragraphs of recombined real clauses."""
    target = rng.randint(400, 2500)
    lead = f"{title}。" if title[-1:] not in "。！？!?" else title
    paragraphs, size = [lead], len(lead)
    while size < target:
        # Sentences of 2-4 real clauses each: a sentence of this corpus is as rare elsewhere as a
        # real one (whole reused clauses ending in 。 would be shared by hundreds of items).
        sentences = [
            "，".join(
                rng.choice(real.clauses).rstrip("，。！？；") for _ in range(rng.randint(2, 4))
            )
            for _ in range(rng.randint(1, 4))
        ]
        para = "。".join(sentences) + "。"
        para = NUMBER_RE.sub(lambda m: _number(rng, m[0]), para)
        paragraphs.append(para)
        size += len(para)
    return "\n".join(paragraphs)


def _number(rng: random.Random, old: str) -> str:
    """Another figure of the same shape, so that figures differ between items as in real news."""
    if "." in old:
        return f"{rng.uniform(0, 100):.{len(old.split('.')[1])}f}"
    return str(rng.randint(10 ** (len(old) - 1) if len(old) > 1 else 0, 10 ** len(old) - 1))


def items(n: int, real: RealText, seed: int = 14) -> list[tuple[str, str, str | None]]:
    """N (title, text, original title or None) items; 10 % reprints of recent ones with noise."""
    rng = random.Random(seed)
    noise = load_noise()
    titles = real.headlines[:]
    rng.shuffle(titles)
    out: list[tuple[str, str, str | None]] = []
    originals: list[dict[str, Any]] = []
    for i in range(n):
        if originals and rng.random() < 0.10:
            base = rng.choice(originals[-2000:])
            variant = noise.hard_reprint(base, 1, rng, titles[:1000], wechat=rng.random() < 0.5)
            if rng.random() < 0.5:
                variant = noise.reprint(base, 1, rng, titles[:1000])
            out.append((variant["title"], variant["text"], base["title"]))
            continue
        title = titles[i % len(titles)]
        text = article(rng, real, title)
        originals.append({"id": str(i), "title": title, "text": text, "source": "许昌日报"})
        out.append((title, text, None))
    return out
