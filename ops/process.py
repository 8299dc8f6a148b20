"""Drive the pure stages over new items in the store: normalize → dedup → classify → rank.

The editor never waits for this pass. It reads a batch of new items, computes everything (the
pure stages and the read-only dedup lookups) outside any write transaction, and writes the
results WRITE_CHUNK items at a time, each chunk one short transaction that re-reads what may have
changed meanwhile: an item no longer `new` is skipped, and a cluster's statuses are read inside
the transaction, so an editor's decision made during the computation always wins.

A crash mid-chunk rolls that chunk back, so the next run finds its items still `new`: nothing is
lost and nothing is processed twice.

A large backlog is computed by worker processes (one per other core) while this process looks up
reprints and writes, in order: the pure stages cost about half of an item's CPU time, the writes
(the trigram index above all) the other half, and only one process may write to SQLite.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import store.accounts
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
# Items per write transaction. A click waits at most for one such transaction (each item costs
# its trigram index, band and mark inserts); fewer items wait less but commit more often
# (bench/pipeline.py prints the editor's click latency during processing).
WRITE_CHUNK = 2
# Statuses an editor has decided: processing never overrides them.
DECIDED = ("accepted", "rejected", "used")
# The actor of audit events the pass records (a cluster merge is a rule's action, not an editor's).
ACTOR = "pipeline"
# A backlog below this is computed in this process: starting workers (a fresh interpreter each,
# importing numpy and compiling the rules) costs about a second, which a cycle's few dozen new
# items would not win back.
POOL_MIN_ITEMS = 400
# How much lower the workers' CPU priority is than the desk's (see _init_worker).
WORKER_NICENESS = 10
# Trigram index pages merged after each item written (migration 12 turned FTS5's automatic merge
# off): 25 keeps the segment count flat on real news text (bench/pipeline.py), each step ~10 ms.
MERGE_PAGES_PER_ITEM = 25
# The pause between two write transactions when workers feed the writer (see process_new).
WRITER_GAP_S = 0.002
# Rows a worker takes at a time (fewer round trips; small enough that writing starts early).
POOL_CHUNK = 8


@dataclass(frozen=True, slots=True)
class ProcessStats:
    """Counts of one processing pass."""

    processed: int = 0
    pending: int = 0
    duplicate: int = 0
    off_topic: int = 0


@dataclass(slots=True)
class Prepared:
    """One new item with everything computed, ready to be written."""

    key: str
    fields: dict[str, Any]
    bands: tuple[int, ...]
    marks: tuple[int, ...]
    candidate: dedup.DedupCandidate
    matches: list[str] = field(default_factory=list)  # keys of verified reprint partners


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


def prepare(
    row: dict[str, Any],
    classifier: Classifier,
    authority: Mapping[str, str],
    now: datetime,
    attachment_text: str = "",
) -> Prepared:
    """The pure stages over one stored `new` item (no database access).

    `attachment_text` (its read attachments) joins the search index and, weighted lower than
    the body, the classifier; it takes no part in reprint detection (a shared form is no reprint).
    """
    raw_text = row["text"]
    text = normalize_text(raw_text)
    title = " ".join(row["title"].split())
    candidate = dedup.make_candidate(row["key"], text, title)
    result = classify(classifier, title, text, attachment_text)
    rank = rank_item(
        RankInput(result.score, authority.get(row["source_id"], "media"), 0, title, text,
                  row["published_at"]),
        now,
    )  # fmt: skip
    fields = {
        "title": title, "text": text, "summary": make_summary(text),
        "attribution": extract_attribution(raw_text),
        "content_hash": dedup.content_hash(text), "signature": candidate.signature.to_bytes(),
        "cluster_id": row["key"], "sector": result.sector,
        "score": result.score, "rank": rank, "rank_base": rank,
        "status": "off_topic" if result.sector == OFF_TOPIC else "pending",
        "explanation": json.dumps(result.explanation(), ensure_ascii=False),
        "attachment_text": attachment_text,
    }  # fmt: skip
    bands = dedup.band_keys(candidate.signature)
    return Prepared(row["key"], fields, bands, dedup.sentence_marks(text), candidate)


def find_matches(db: store.db.Database, item: Prepared, earlier: Sequence[Prepared]) -> list[str]:
    """Keys of the items `item` reprints: stored ones (read only) and `earlier` unwritten ones.

    One verified member per cluster is enough (it joins the whole cluster); every cluster it
    verifies against is kept, so that clusters a new item proves to be one article merge.
    """
    content_hash = item.fields["content_hash"]
    for other in earlier:
        if other.fields["content_hash"] == content_hash:
            return [other.key]
    exact = store.items.item_by_content_hash(db, content_hash, item.key)
    if exact:
        return [str(exact["key"])]
    rows = store.items.dedup_candidates(db, item.bands, item.marks, item.key)
    cluster = {r["key"]: str(r["cluster_id"] or r["key"]) for r in rows}
    signed = [
        (r["key"], dedup.Signature.from_bytes(r["signature"]))
        for r in rows
        if r["signature"] is not None
    ]
    bands, marks = set(item.bands), set(item.marks)
    local = {
        other.key: other
        for other in earlier
        if bands.intersection(other.bands) or marks.intersection(other.marks)
    }
    signed += [(key, other.candidate.signature) for key, other in local.items()]
    keys = dedup.shortlist(item.candidate.signature, signed)
    stored = store.items.items_by_keys(db, [k for k in keys if k not in local], "key, title, text")
    loaded = {r["key"]: dedup.make_candidate(r["key"], r["text"], r["title"]) for r in stored}
    loaded |= {key: other.candidate for key, other in local.items()}
    ordered = [(loaded[k], cluster.get(k, k)) for k in keys if k in loaded]
    return [found.key for found, _ in dedup.match_clusters(item.candidate, ordered).values()]


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


def write_item(db: store.db.Database, item: Prepared, authority: Mapping[str, str]) -> bool:
    """Write one prepared item and join (merge) its clusters; False when it is no longer new."""
    if store.items.status_of(db, item.key) != "new":
        return False
    store.items.save_processed(db, item.key, item.fields, item.bands, item.marks)
    clusters = store.items.clusters_of(db, item.matches)
    if not clusters:
        return True
    target = min(clusters)
    store.items.merge_clusters(db, [*clusters, item.key], target)
    canonical = _settle_cluster(db, target, authority)
    if len(clusters) > 1:
        # Two groups proved to be one article: say so where editors see the item's history.
        store.accounts.record_event(
            db, ACTOR, "merge", canonical, {"clusters": sorted(clusters)},
            {"cluster": canonical, "by": item.key},
        )  # fmt: skip
    return True


def backfill_marks(db: store.db.Database) -> int:
    """Sentence marks for items processed before the table existed; how many items were read.

    Runs when the table is empty (once after migration 5), in short transactions, so that cut
    copies of articles stored earlier are found too.
    """
    if store.items.has_sentence_marks(db):
        return 0
    after, done = "", 0
    while rows := store.items.processed_texts_after(db, after, BATCH_SIZE):
        marks = [(mark, key) for key, text in rows for mark in dedup.sentence_marks(text)]
        with store.db.transaction(db):
            store.items.save_sentence_marks(db, marks)
        after, done = rows[-1][0], done + len(rows)
    return done


def default_workers() -> int:
    """Worker processes for a large backlog: one per core but the writer's, none on one core.

    On 2 cores, 1 worker computes as fast as 2 (the writer is the bottleneck) and leaves the
    desk a core: 2 workers made editors' clicks wait 3 times longer at the 99th percentile.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return cores - 1 if cores and cores > 1 else 0


# The worker's state, set once by _init_worker (each worker compiles the rules itself).
_WORKER: dict[str, Any] = {}


def _init_worker(config: Config, now: datetime) -> None:
    # Below the desk and the writer: a click must not queue behind background computation for
    # a core (the writer stays at normal priority, as it holds the write lock the click needs).
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)
    _WORKER["classifier"] = compile_rules(config.rules)
    _WORKER["authority"] = {s.id: s.authority for s in config.sources}
    _WORKER["now"] = now


def _prepare_in_worker(row: dict[str, Any], attachment_text: str) -> Prepared:
    return prepare(row, _WORKER["classifier"], _WORKER["authority"], _WORKER["now"],
                   attachment_text)  # fmt: skip


def _prepared_batches(
    db: store.db.Database, config: Config, now: datetime, pool: ProcessPoolExecutor | None
) -> Iterator[Iterator[Prepared]]:
    """Batches of `new` items, each computed lazily, in order (by the pool when there is one)."""
    classifier = compile_rules(config.rules) if pool is None else None
    authority = {s.id: s.authority for s in config.sources}
    while True:
        batch = store.items.items_with_status(db, "new", BATCH_SIZE)
        texts = store.attachments.attachment_texts(db, [row["key"] for row in batch])
        attached = [texts.get(row["key"], "") for row in batch]
        if pool is not None:
            yield pool.map(_prepare_in_worker, batch, attached, chunksize=POOL_CHUNK)
        else:
            assert classifier is not None
            yield (
                prepare(r, classifier, authority, now, a)
                for r, a in zip(batch, attached, strict=True)
            )
        if len(batch) < BATCH_SIZE:
            return


def _chunks(items: Iterator[Prepared], size: int) -> Iterator[list[Prepared]]:
    chunk: list[Prepared] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def process_new(
    db: store.db.Database,
    config: Config,
    now: datetime | None = None,
    workers: int | None = None,
) -> ProcessStats:
    """Process every `new` item in batches; safe to run again at any time.

    `workers`: processes computing the pure stages (None: one per core when the backlog is at
    least POOL_MIN_ITEMS; 0: none, everything in this process).
    """
    backfill_marks(db)
    authority = {s.id: s.authority for s in config.sources}
    now = now or datetime.now(UTC)
    large = store.items.count_new(db, POOL_MIN_ITEMS) >= POOL_MIN_ITEMS
    if workers is None:
        workers = default_workers() if large else 0
    keys: list[str] = []
    with contextlib.ExitStack() as stack:
        pool = None
        if workers:
            # spawn, not fork: the scheduler calls this from a thread, and a forked child of a
            # threaded process can inherit a lock held by another thread.
            context = multiprocessing.get_context("spawn")
            pool = stack.enter_context(
                ProcessPoolExecutor(workers, context, _init_worker, (config, now))
            )
        if large:
            stack.enter_context(store.db.background_checkpoints(db))
        for prepared in _prepared_batches(db, config, now, pool):
            for chunk in _chunks(prepared, WRITE_CHUNK):
                for i, item in enumerate(chunk):
                    item.matches = find_matches(db, item, chunk[:i])
                with store.db.transaction(db):
                    # An item no longer new (another pass, a reset) is skipped; it left the queue.
                    keys += [item.key for item in chunk if write_item(db, item, authority)]
                with store.db.transaction(db):
                    # In its own short transaction: the index's merge work, a bounded step per
                    # item instead of an unbounded automatic merge inside some item's commit.
                    store.items.merge_search_index(db, MERGE_PAGES_PER_ITEM * len(chunk))
                if pool is not None:
                    # Fed by the workers, the writer would take the lock again at once; a
                    # waiting click (polling every millisecond) needs a gap to get in.
                    time.sleep(WRITER_GAP_S)
    # Final statuses: a later reprint can make an earlier item of the same pass a duplicate.
    counts = store.items.status_counts_of(db, keys)
    return ProcessStats(
        len(keys), counts.get("pending", 0), counts.get("duplicate", 0), counts.get("off_topic", 0)
    )
