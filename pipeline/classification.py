"""What the classifier returns: the sector, the hits that decided it and what was masked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def _round(value: float) -> float:
    """Round for display; explanations are read by people, not recomputed."""
    return round(value, 3)


@dataclass(frozen=True, slots=True)
class Hit:
    """One keyword of one sector matched in one field."""

    sector: str
    term: str
    field: str  # "title" | "text" | "attachment"
    count: int
    weight: float
    contribution: float
    with_term: str | None = None  # the partner that satisfied a co-occurrence rule


@dataclass(frozen=True, slots=True)
class Excluded:
    """Keyword occurrences of a sector masked by an exclusion phrase or a `without` veto."""

    sector: str  # "*" for a global exclusion
    phrase: str
    term: str
    field: str
    count: int


@dataclass(frozen=True, slots=True)
class Classification:
    """The sector of one item and why.

    For off_topic items `score` is 0, `runner_up` is the best sector (None without any hit) and
    `off_topic_reason` says which test it failed: "no_hits", "title_veto" (`veto` holds the
    phrase), "min_score" or "min_share".
    """

    sector: str
    score: float
    runner_up: str | None
    runner_up_score: float
    tie_break: str | None
    hits: tuple[Hit, ...]
    excluded: tuple[Excluded, ...] = ()
    min_score: float = 0.0
    scores: tuple[tuple[str, float], ...] = ()
    off_topic_reason: str | None = None
    veto: str | None = None

    def _share(self) -> float:
        """The best sector's part of all scores together (0 without any hit)."""
        total = sum(score for _, score in self.scores)
        return self.scores[0][1] / total if total else 0.0

    def explanation(self) -> dict[str, Any]:
        """Return a JSON-serialisable account of the decision for the store and the desk."""
        return {
            "sector": self.sector,
            "score": _round(self.score),
            "min_score": _round(self.min_score),
            "runner_up": self.runner_up,
            "runner_up_score": _round(self.runner_up_score),
            "tie_break": self.tie_break,
            "off_topic_reason": self.off_topic_reason,
            **({"veto": self.veto} if self.veto else {}),
            "share": _round(self._share()),
            "scores": {sid: _round(s) for sid, s in self.scores},
            "hits": [
                {
                    "sector": h.sector,
                    "term": h.term,
                    "field": h.field,
                    "count": h.count,
                    "weight": h.weight,
                    "contribution": _round(h.contribution),
                    **({"with": h.with_term} if h.with_term else {}),
                }
                for h in self.hits
            ],
            "excluded": [
                {
                    "sector": e.sector,
                    "phrase": e.phrase,
                    "term": e.term,
                    "field": e.field,
                    "count": e.count,
                }
                for e in self.excluded
            ],
        }
