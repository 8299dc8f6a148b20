"""Sentence fingerprints: the containment index next to the MinHash bands (pure).

MinHash LSH finds pairs by Jaccard similarity, and Jaccard falls with the length ratio: a copy that
keeps half of an article's paragraphs has Jaccard about 0.4 with it, which 32 bands of 4 rows catch
only about 60 % of the time. Containment is what defines such a copy, and a copy contains whole
sentences of its original verbatim (after punctuation and whitespace are dropped): so each item
also stores one hash per sentence, and any stored item sharing a sentence with a new one is a
candidate, whatever the lengths. Candidates are verified exactly (pipeline.dedup), so a shared
boilerplate sentence (a ministry's preamble, a contact line) costs a check, never a wrong merge.

Why not winnowing over character k-grams: it needs many more fingerprints per item for the same
recall; sentences are the unit editors cut and paste. Why not LSH Ensemble: it partitions by set
size and needs a second band layout per partition; sentence hashes are one small table with a
primary-key lookup per sentence, which stays flat as the store grows.
"""

from __future__ import annotations

import hashlib
import re
from typing import Final

__all__ = ["MARK_MIN_CHARS", "MAX_MARKS", "sentence_marks"]

# Sentence ends, full- and half-width (converting CMSs turn 。 into "."), and line breaks;
# a "." between digits is a decimal point. Semicolons split too: editors edit within clauses, and
# smaller units survive an edit elsewhere in the sentence.
SENTENCE_SPLIT_RE: Final = re.compile(r"[。！？；!?;\n]|(?<!\d)\.|\.(?!\d)")
# Shorter sentences (特此通知, 附件：, 责任编辑：张伟) recur across unrelated items: no evidence.
MARK_MIN_CHARS: Final = 12
# A long article's marks are its MAX_MARKS smallest hashes: a consistent sample, so that two
# texts sharing many sentences keep sharing sampled ones, and the table stays bounded.
MAX_MARKS: Final = 64


# shingle_text's rule (drop punctuation and whitespace, lowercase) keeping the sentence breaks, so
# that one pass over the text serves every sentence.
NON_WORD_KEEP_BREAKS_RE: Final = re.compile(r"[^\w\n]+|_")


def sentence_marks(text: str) -> tuple[int, ...]:
    """Signed 64-bit hashes (SQLite INTEGER) of the distinct long sentences of `text`, sorted."""
    cores = NON_WORD_KEEP_BREAKS_RE.sub("", SENTENCE_SPLIT_RE.sub("\n", text)).lower()
    marks = {_mark(core) for core in cores.split("\n") if len(core) >= MARK_MIN_CHARS}
    return tuple(sorted(marks)[:MAX_MARKS])


def _mark(core: str) -> int:
    """A sentence's hash, in a domain of its own (salted apart from the band keys)."""
    digest = hashlib.blake2b(core.encode("utf-8"), digest_size=8, salt=b"sentence").digest()
    return int.from_bytes(digest, "little", signed=True)
