"""Every feed in feedparser's own test corpus goes through parse_feed without an exception."""

from __future__ import annotations

import warnings
from pathlib import Path

from crawler.parse import parse_feed

CORPUS = Path(__file__).parent.parent / "fixtures" / "feedparser_corpus"


def test_the_corpus_is_complete() -> None:
    assert len(list(CORPUS.rglob("*.xml"))) >= 2200


def test_every_corpus_feed_parses_without_raising() -> None:
    failures = []
    parsed = bozo = 0
    with warnings.catch_warnings():
        # feedparser warns on some deliberately broken inputs; a warning is not a failure here.
        warnings.simplefilter("ignore")
        for path in sorted(CORPUS.rglob("*")):
            if not path.is_file() or path.suffix not in (".xml", ".z", ".gz"):
                continue
            try:
                result = parse_feed(path.read_bytes(), f"http://corpus.example/{path.name}")
            except Exception as exc:
                failures.append(f"{path.relative_to(CORPUS)}: {exc!r}")
                continue
            parsed += 1
            bozo += result.bozo is not None
    assert failures == []
    assert parsed >= 2200
    # The illformed/ half of the corpus must be reported as bozo, not silently accepted.
    assert bozo >= len(list((CORPUS / "illformed").rglob("*.xml")))
