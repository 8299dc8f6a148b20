"""Reprint detection: content hash, candidates, verification, clusters and the canonical member.

The store looks up candidates by band_keys(signature) (similar texts) and by sentence_marks(text)
(a text containing sentences of another: cut copies); shortlist ranks them by their stored MinHash
signatures, and match_clusters verifies them on the exact shingle sets, so that a shared ministry
preamble or a monthly template with other figures does not merge two different articles.

Clusters are the connected components of the verified "is a reprint of" relation: a new item
joins every cluster it verifies against, which merges them. The relation is symmetric and the
candidate lookup is symmetric (a shared band or sentence), so the partition does not depend on
the order items arrive in; joining only the best match's cluster did.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import time
from typing import Final, Literal

import numpy as np

# Imported at run time, not under TYPE_CHECKING: typing.get_type_hints on the dataclasses below
# must resolve their field types.
from numpy.typing import NDArray

from pipeline.dates import PublishedAt
from pipeline.fingerprints import sentence_marks
from pipeline.minhash import (
    Signature,
    band_keys,
    shingle_hashes,
    shingle_sequence,
    shingle_text,
    signature,
    signature_of_hashes,
    similarity,
)

__all__ = [
    "AUTHORITY_RANK",
    "Authority",
    "ClusterMember",
    "DedupCandidate",
    "PairEvidence",
    "Signature",
    "band_keys",
    "choose_canonical",
    "compare",
    "content_hash",
    "estimated_containment",
    "find_reprint",
    "is_reprint",
    "make_candidate",
    "match_clusters",
    "normalize_title",
    "prose_view",
    "sentence_marks",
    "shortlist",
    "signature",
    "similarity",
]

# Thresholds measured on tests/fixtures/reprints (test_dedup_quality prints the figures).
# A clause of the shorter text counts as found in the longer when this share of its shingles is
# there: an edited clause keeps most of them, while a different clause on the same topic matches
# only scattered common trigrams (的企业, 发展的), which inflate a plain shingle containment.
CLAUSE_FOUND: Final = 0.7
# Share of the shorter text (in shingles) lying in found clauses. On the fixtures and on 8 other
# generator seeds, all but 4 of ~4,200 reprint pairs (cut tail, chrome, edits on both sides)
# reached 0.75; notices sharing a ministry's preamble and closing, and reports reusing a press
# release's background paragraph, stayed ≤ 0.68. Precision first: a wrong merge hides an article.
CONTAINMENT_MIN: Final = 0.75
# Share of the shorter text's distinct figures found in the longer: monthly releases built on one
# template differ here and almost nowhere else (measured ≤ 0.31; reprints ≥ 0.875).
NUMBERS_MIN: Final = 0.7
# Below this many distinct numbers the number check has no evidence and does not vote.
NUMBERS_EVIDENCE: Final = 3
# Candidates whose containment, estimated from the two signatures and sizes, is below this share
# too little to be the same article. The estimate's error is about ±0.1 at the Jaccard of a
# half-length copy (128 permutations), well inside the gap to CONTAINMENT_MIN. The estimate
# depends on the pair only, so it keeps the partition independent of the arrival order.
SHORTLIST_MIN: Final = 0.4
# Verification stops at the first verified member of a cluster (one edge joins it) and tries at
# most PER_CLUSTER members of a cluster and SHORTLIST_MAX clusters, best first: a bound on the
# exact checks a template-heavy item (a ministry's hundredth notice) can cost.
PER_CLUSTER: Final = 3
SHORTLIST_MAX: Final = 24
# Lines of the shorter text that cannot be prose are left out of its containment: a line with
# no sentence end of at most this many characters is a title, a menu, a slogan or a signature
# (WeChat's 点击蓝字关注我们, 阅读原文, the titles under 往期推荐, a ministry's contact line). A
# copy adds such lines of its own, which are not in the original, and two notices share such
# lines of their issuer, which are no evidence of one article.
NON_PROSE_LINE: Final = 40
PROSE_END: Final = "。！？!?…"
CLOSERS: Final = " ”’\"'」』）)"
# Texts shorter than this many shingles (an RSS teaser) also need the same title to merge.
SHORT_TEXT: Final = 40

# Clause ends; a "." between digits is a decimal point, elsewhere a converted 。.
CLAUSE_SPLIT_RE: Final = re.compile(r"[，。！？；：,;:!?\n]|(?<!\d)\.|\.(?!\d)")
# Figures that identify a release: decimals and integers of 3+ digits. Small integers (months,
# days, ranks) and years recur everywhere and arrive with reprint chrome (dates in headers).
NUMBER_RE: Final = re.compile(r"(?<![\d.])(?:\d+\.\d+|\d{3,})(?![\d.])")
YEAR_RE: Final = re.compile(r"(?:19|20)\d\d")
# Reprint markers that sites put in front of a title, and site names after it.
TITLE_PREFIX_RE: Final = re.compile(r"^(?:【[^】]{1,6}】|\[[^\]]{1,6}\]|转载[:：]|转[:：])\s*")
TITLE_SUFFIX_RE: Final = re.compile(r"\s*[-_|｜—]+\s*[^-_|｜—]{2,20}$")

Authority = Literal["national", "provincial", "municipal", "association", "media"]
# Government first (the level that issued it), then associations, then media.
AUTHORITY_RANK: Final = {
    "national": 0,
    "provincial": 1,
    "municipal": 2,
    "association": 3,
    "media": 4,
}

# Suffixes that differ between an attribution and a configured source name for the same body.
PUBLISHER_NOISE_RE: Final = re.compile(r"(?:官方网站|门户网站|官网|网站|客户端|微信公众号|公众号)$")
PUBLISHER_SPLIT_RE: Final = re.compile(r"[-—_/|｜、，,\s]+")


def content_hash(normalized_text: str) -> str:
    """BLAKE2b-128 hex of the text without punctuation and whitespace: exact-duplicate key."""
    return hashlib.blake2b(
        shingle_text(normalized_text).encode("utf-8"), digest_size=16
    ).hexdigest()


@dataclass(frozen=True, slots=True)
class DedupCandidate:
    """What dedup needs of an item: its key, normalized text, title and signature."""

    key: str
    text: str
    signature: Signature
    title: str = ""
    shingles: NDArray[np.uint64] | None = field(default=None, compare=False, repr=False)


def make_candidate(key: str, text: str, title: str = "") -> DedupCandidate:
    """A candidate for a freshly normalized item, keeping its shingles for verification."""
    hashes = shingle_hashes(text)
    return DedupCandidate(key, text, signature_of_hashes(hashes), title, hashes)


@dataclass(frozen=True, slots=True)
class PairEvidence:
    """Why two items are or are not reprints of each other (kept for the explanation)."""

    jaccard: float
    containment: float  # share of the shorter text in clauses found in the longer
    numbers: float | None  # share of the shorter text's numbers in the longer; None = too few
    same_text: bool
    reprint: bool


def compare(a: DedupCandidate, b: DedupCandidate) -> PairEvidence:
    """Verify a candidate pair on exact shingle sets and numbers."""
    sa, sb = _shingles(a), _shingles(b)
    if np.array_equal(sa, sb) and len(sa) and content_hash(a.text) == content_hash(b.text):
        return PairEvidence(1.0, 1.0, 1.0, True, True)
    if len(sa) == 0 or len(sb) == 0:
        return PairEvidence(0.0, 0.0, None, False, False)
    common = len(np.intersect1d(sa, sb, assume_unique=True))
    jaccard = common / (len(sa) + len(sb) - common)
    # The shorter side is measured on its prose: a short copy's own chrome (calls to follow,
    # 往期推荐 titles) can make its whole text longer than the original it cut.
    prose_a, prose_b = prose_view(a.text), prose_view(b.text)
    if len(shingle_text(prose_a)) <= len(shingle_text(prose_b)):
        prose, long_set, long = prose_a, sb, b
    else:
        prose, long_set, long = prose_b, sa, a
    containment = _clause_containment(prose, long_set)
    numbers = _number_share(prose, long.text)
    reprint = containment >= CONTAINMENT_MIN and (numbers is None or numbers >= NUMBERS_MIN)
    if reprint and min(len(sa), len(sb)) < SHORT_TEXT:
        reprint = normalize_title(a.title) == normalize_title(b.title) != ""
    return PairEvidence(jaccard, containment, numbers, False, reprint)


def is_reprint(a: DedupCandidate, b: DedupCandidate) -> bool:
    """True when `a` and `b` carry the same article (reprint, cut or lightly edited copy)."""
    return compare(a, b).reprint


def prose_view(text: str) -> str:
    """The lines of `text` that can be prose (see NON_PROSE_LINE); all of it when none can."""
    lines = [
        line
        for line in text.split("\n")
        if len(line) > NON_PROSE_LINE or line.rstrip(CLOSERS)[-1:] in PROSE_END
    ]
    return "\n".join(lines) if lines else text


def estimated_containment(a: Signature, b: Signature) -> float:
    """Share of the smaller shingle set in the larger, estimated from MinHash and the set sizes.

    |A ∩ B| = J / (1 + J) · (|A| + |B|) for Jaccard J; divided by the smaller size.
    """
    if a.size == 0 or b.size == 0:
        return 0.0
    jaccard = similarity(a, b)
    return min(1.0, jaccard / (1 + jaccard) * (a.size + b.size) / min(a.size, b.size))


def shortlist(item: Signature, candidates: Sequence[tuple[str, Signature]]) -> list[str]:
    """The candidates worth an exact check, most contained first (by estimated containment).

    A band or sentence collision alone is cheap to come by in template-heavy news (shared ministry
    preambles, data releases): verifying every colliding item re-shingles its whole text. The
    stored signatures rank them in one vectorised pass first.
    """
    usable = [(key, sig) for key, sig in candidates if sig.size]
    if not usable or not item.size:
        return []
    matrix = np.stack([sig.array for _, sig in usable])
    jaccard = (matrix == item.array).mean(axis=1)
    sizes = np.array([sig.size for _, sig in usable], dtype=np.float64)
    scores = np.minimum(
        1.0, jaccard / (1 + jaccard) * (sizes + item.size) / np.minimum(sizes, item.size)
    )
    order = np.argsort(-scores, kind="stable")
    return [usable[i][0] for i in order if scores[i] >= SHORTLIST_MIN]


def match_clusters(
    item: DedupCandidate, candidates: Sequence[tuple[DedupCandidate, str]]
) -> dict[str, tuple[DedupCandidate, PairEvidence]]:
    """Every cluster `item` verifies against: cluster id → (the member it matched, evidence).

    :param candidates: (candidate, its cluster id), best first (the order of shortlist).
    """
    found: dict[str, tuple[DedupCandidate, PairEvidence]] = {}
    tried: dict[str, int] = {}
    for candidate, cluster in candidates:
        if candidate.key == item.key or cluster in found or tried.get(cluster, 0) >= PER_CLUSTER:
            continue
        if cluster not in tried and len(tried) >= SHORTLIST_MAX:
            continue
        tried[cluster] = tried.get(cluster, 0) + 1
        evidence = compare(item, candidate)
        if evidence.reprint:
            found[cluster] = (candidate, evidence)
    return found


def find_reprint(
    item: DedupCandidate, candidates: Sequence[DedupCandidate]
) -> tuple[DedupCandidate, PairEvidence] | None:
    """The candidate `item` reprints (highest containment, then Jaccard), or None.

    :param candidates: items sharing at least one band key with `item` (the LSH lookup).
    """
    best: tuple[DedupCandidate, PairEvidence] | None = None
    for candidate in candidates:
        if candidate.key == item.key:
            continue
        evidence = compare(item, candidate)
        if not evidence.reprint:
            continue
        if best is None or (evidence.containment, evidence.jaccard) > (
            best[1].containment,
            best[1].jaccard,
        ):
            best = (candidate, evidence)
    return best


def normalize_title(title: str) -> str:
    """A title without reprint markers (【转载】, 转：) and site-name suffixes, for comparison."""
    title = TITLE_PREFIX_RE.sub("", title.strip())
    return shingle_text(TITLE_SUFFIX_RE.sub("", title))


def _shingles(candidate: DedupCandidate) -> NDArray[np.uint64]:
    """The candidate's shingle hashes, computed now when the store did not carry them."""
    if candidate.shingles is not None:
        return candidate.shingles
    return shingle_hashes(candidate.text)


def _clause_containment(short: str, long_set: NDArray[np.uint64]) -> float:
    """Share of the shingles of `short` lying in clauses found (CLAUSE_FOUND) in `long_set`."""
    sequence = shingle_sequence(short)
    if len(sequence) == 0 or len(long_set) == 0:
        return 0.0
    # long_set is sorted and unique: a binary search is 5× faster than np.isin.
    at = np.minimum(np.searchsorted(long_set, sequence), len(long_set) - 1)
    hits = np.concatenate(([0], np.cumsum(long_set[at] == sequence)))
    lengths = [len(shingle_text(clause)) for clause in CLAUSE_SPLIT_RE.split(short)]
    ends = np.minimum(np.cumsum(lengths), len(sequence))
    starts = np.concatenate(([0], ends[:-1]))
    spans = ends - starts
    found = (spans > 0) & (hits[ends] - hits[starts] >= CLAUSE_FOUND * spans)
    return float(spans[found].sum()) / len(sequence)


def _number_share(short: str, long: str) -> float | None:
    """Share of the distinct numbers of `short` that also occur in `long`."""
    numbers = _figures(short)
    if len(numbers) < NUMBERS_EVIDENCE:
        return None
    return len(numbers & _figures(long)) / len(numbers)


def _figures(text: str) -> set[str]:
    """The distinct identifying figures of a text (see NUMBER_RE), years excluded."""
    return {n for n in NUMBER_RE.findall(text) if not YEAR_RE.fullmatch(n)}


# --- canonical member -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClusterMember:
    """One item of a reprint cluster, with what choosing the canonical one needs."""

    key: str
    authority: str  # an Authority; unknown values rank last
    published_at: PublishedAt | None
    attribution: str | None  # extract_attribution of the raw text
    source_name: str


def choose_canonical(members: Sequence[ClusterMember]) -> ClusterMember:
    """The original among reprints: named by the others' 来源, then government, earliest, key."""
    if not members:
        raise ValueError("choose_canonical needs at least one member")
    return min(members, key=lambda m: _canonical_key(m, members))


def _canonical_key(
    member: ClusterMember, members: Sequence[ClusterMember]
) -> tuple[int, int, tuple[int, time], str]:
    """Sort key: most often credited first, best authority, earliest day, key."""
    credited = sum(
        1
        for other in members
        if other.key != member.key and _names_publisher(other.attribution, member.source_name)
    )
    rank = AUTHORITY_RANK.get(member.authority, len(AUTHORITY_RANK))
    when = member.published_at
    # A date-only value is not evidence of being earlier than a timed one on the same day.
    earliest = (when.day.toordinal(), _clock_key(when.clock)) if when else (10**9, _clock_key(None))
    return (-credited, rank, earliest, member.key)


def _clock_key(clock: time | None) -> time:
    """Unknown times of day sort last within their day."""
    return clock if clock is not None else time.max


def _names_publisher(attribution: str | None, source_name: str) -> bool:
    """True when an attribution (人民网-人民日报, 许昌市人民政府网站) names `source_name`."""
    if not attribution or not source_name:
        return False
    name = _publisher(source_name)
    parts = [_publisher(p) for p in PUBLISHER_SPLIT_RE.split(attribution) if p]
    return any(
        p == name or (min(len(p), len(name)) >= 4 and (p in name or name in p)) for p in parts
    )


def _publisher(name: str) -> str:
    """A publisher name without decorations and website suffixes."""
    return PUBLISHER_NOISE_RE.sub("", name.strip(" 《》“”\"'"))
