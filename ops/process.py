"""Drive the pure stages over new items in the store: normalize → dedup → classify → rank.

Items are processed in batches; each batch is one transaction that moves its items out of
`new`. A crash mid-batch rolls the batch back, so the next run finds the same items still `new`:
nothing is lost and nothing is processed twice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import store.attachments
import store.db
import store.items
from pipeline import dedup
from pipeline.classify import OFF_TOPIC, Classifier, classify, compile_rules
from pipeline.config import Config
from pipeline.dates import PublishedAt
from pipeline.normalize import extract_attribution, make_summary, normalize_text
from pipeline.rank import RankInput, rank_item, reprint_points

BATCH_SIZE = 200
# Statuses an editor has decided: processing never overrides them.
DECIDED = ("accepted", "rejected", "used")


@dataclass(frozen=True, slots=True)
class ProcessStats:
    """Counts of one processing pass."""

    processed: int = 0
    pending: int = 0
    duplicate: int = 0
    off_topic: int = 0


def _member(row: dict[str, Any], authority: Mapping[str, str]) -> dedup.ClusterMember:
    published = None
    if row.get("published_at"):
        try:
            published = PublishedAt.from_iso(row["published_at"])
        except ValueError:
            published = None
    return dedup.ClusterMember(
        key=row["key"],
        authority=authority.get(row["source_id"], "media"),
        published_at=published,
        attribution=row.get("attribution"),
        source_name=row.get("source_name") or "",
    )


def _find_cluster(
    db: store.db.Database, item: dedup.DedupCandidate, content_hash: str, bands: tuple[int, ...]
) -> str | None:
    """The cluster this item reprints, if any: exact text first, then verified LSH candidates."""
    exact = store.items.item_by_content_hash(db, content_hash, item.key)
    if exact:
        return str(exact["cluster_id"] or exact["key"])
    signed = [
        (row["key"], dedup.Signature.from_bytes(row["signature"]))
        for row in store.items.lsh_candidates(db, bands, item.key)
        if row["signature"] is not None
    ]
    keys = dedup.shortlist(item.signature, signed)
    candidates = [
        dedup.make_candidate(row["key"], row["text"], row["title"])
        for row in store.items.items_by_keys(db, keys, "key, title, text")
    ]
    found = dedup.find_reprint(item, candidates)
    if found is None:
        return None
    cluster = store.items.get_item(db, found[0].key)["cluster_id"]
    return str(cluster or found[0].key)


def _settle_cluster(db: store.db.Database, cluster_id: str, authority: Mapping[str, str]) -> str:
    """Choose the cluster's canonical item, mark the others duplicate; return the canonical key."""
    rows = store.items.cluster_members(db, cluster_id)
    decided = [r for r in rows if r["status"] in DECIDED]
    # An editor's decision pins the canonical item: a later, "better" reprint must not unseat it.
    pool = decided or [r for r in rows if r["status"] != "new"] or rows
    canonical = dedup.choose_canonical([_member(r, authority) for r in pool]).key
    if canonical != cluster_id:
        store.items.recluster(db, cluster_id, canonical)
    for row in rows:
        if row["key"] != canonical and row["status"] in ("pending", "off_topic", "new"):
            store.items.set_status(db, row["key"], "duplicate")
        elif row["key"] == canonical and row["status"] == "duplicate":
            store.items.set_status(db, row["key"], "pending")
    store.items.rerank_cluster(db, canonical, len(rows) - 1, reprint_points(len(rows) - 1))
    return canonical


def process_item(
    db: store.db.Database,
    row: dict[str, Any],
    classifier: Classifier,
    authority: Mapping[str, str],
    now: datetime,
    attachment_text: str = "",
) -> str:
    """Process one stored `new` item; return its status right after (a later one may change it).

    `attachment_text` (its read attachments) joins the search index and, weighted lower than
    the body, the classifier; it takes no part in reprint detection (a shared form is no reprint).
    """
    raw_text = row["text"]
    text = normalize_text(raw_text)
    title = " ".join(row["title"].split())
    content_hash = dedup.content_hash(text)
    candidate = dedup.make_candidate(row["key"], text, title)
    bands = dedup.band_keys(candidate.signature)
    result = classify(classifier, title, text, attachment_text)
    cluster = _find_cluster(db, candidate, content_hash, bands)
    status = "off_topic" if result.sector == OFF_TOPIC else "pending"
    rank = rank_item(
        RankInput(result.score, authority.get(row["source_id"], "media"), 0, title, text,
                  row["published_at"]),
        now,
    )  # fmt: skip
    store.items.save_processed(
        db,
        row["key"],
        {
            "title": title, "text": text, "summary": make_summary(text),
            "attribution": extract_attribution(raw_text),
            "content_hash": content_hash, "signature": candidate.signature.to_bytes(),
            "cluster_id": cluster or row["key"], "sector": result.sector,
            "score": result.score, "rank": rank, "rank_base": rank, "status": status,
            "explanation": json.dumps(result.explanation(), ensure_ascii=False),
            "attachment_text": attachment_text,
        },
        bands,
    )  # fmt: skip
    if cluster:
        canonical = _settle_cluster(db, cluster, authority)
        if canonical != row["key"]:
            return "duplicate"
    return status


def process_new(db: store.db.Database, config: Config, now: datetime | None = None) -> ProcessStats:
    """Process every `new` item in batches; safe to run again at any time."""
    classifier = compile_rules(config.rules)
    authority = {s.id: s.authority for s in config.sources}
    now = now or datetime.now(UTC)
    keys: list[str] = []
    while True:
        with store.db.transaction(db):
            batch = store.items.items_with_status(db, "new", BATCH_SIZE)
            texts = store.attachments.attachment_texts(db, [row["key"] for row in batch])
            for row in batch:
                process_item(db, row, classifier, authority, now, texts.get(row["key"], ""))
        keys += [row["key"] for row in batch]
        if len(batch) < BATCH_SIZE:
            break
    # Final statuses: a later reprint can make an earlier item of the same pass a duplicate.
    counts = store.items.status_counts_of(db, keys)
    return ProcessStats(
        len(keys), counts.get("pending", 0), counts.get("duplicate", 0), counts.get("off_topic", 0)
    )
