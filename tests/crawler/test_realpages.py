"""Floors on the development set of real pages (../shared/realpages, issue 12).

The set is for development, not for pinning pages: these floors only catch a regression of the
per-field shares. Raising a floor is a deliberate edit; lowering one needs a reason in the commit.
"""

from __future__ import annotations

import pytest

from tests.crawler.extract_eval import REAL_FIELDS, REAL_PAGES, RealScore, real_accuracy

# Shares of the 96 untampered pages (README of realpages: tampered mirrors are not text truth).
FLOORS = {
    "title": 0.97,
    "date": 0.96,
    "body_start": 0.95,
    "body_end": 0.96,
    "no_noise": 0.95,
    "body": 0.92,
}
# The 27 tampered mirrors still carry real government templates: their titles and dates.
MIRROR_FLOORS = {"title": 0.96, "date": 0.96}


@pytest.fixture(scope="module")
def scores() -> tuple[dict[str, float], list[RealScore]]:
    if not (REAL_PAGES / "truth.jsonl").is_file():
        pytest.skip(
            f"{REAL_PAGES} is absent: the real-page development set exists only beside the lead's checkout"
        )
    return real_accuracy(REAL_PAGES)


def test_real_page_scores_stay_above_the_floors(
    scores: tuple[dict[str, float], list[RealScore]],
) -> None:
    per_field, _ = scores
    print({field: round(value, 3) for field, value in per_field.items()})
    assert {f: per_field[f] >= FLOORS[f] for f in REAL_FIELDS} == dict.fromkeys(REAL_FIELDS, True)


def test_mirror_templates_keep_their_titles_and_dates(
    scores: tuple[dict[str, float], list[RealScore]],
) -> None:
    mirrors = [s for s in scores[1] if s.tampered]
    shares = {f: sum(s.right[f] for s in mirrors) / len(mirrors) for f in MIRROR_FLOORS}
    assert {f: shares[f] >= MIRROR_FLOORS[f] for f in MIRROR_FLOORS} == dict.fromkeys(
        MIRROR_FLOORS, True
    ), shares
