"""Character n-gram shingles, a numpy MinHash signature and LSH band keys (pure)."""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = [
    "BANDS",
    "NUM_PERM",
    "ROWS",
    "SHINGLE",
    "Signature",
    "band_keys",
    "shingle_hashes",
    "shingle_sequence",
    "shingle_text",
    "signature",
    "similarity",
]

# Chinese has no spaces, so words cannot be shingles. Measured on tests/fixtures/reprints:
# unrelated articles share up to 52 % (2-grams), 34 % (3-grams), 26 % (4-grams) of the shorter
# one's shingles, while reprints keep 0.86 / 0.86 / 0.85 of theirs. 3-grams pack into 63 bits
# without collisions, and pipeline.dedup verifies every candidate anyway: 3-grams.
SHINGLE: Final = 3
NUM_PERM: Final = 128
# 32 bands of 4 rows: a pair with Jaccard 0.4 becomes a candidate with probability 0.57, 0.6 with
# 0.98. Reprints with a cut tail and added chrome have Jaccard 0.35-0.6, and pipeline.dedup
# verifies candidates, so recall matters more here than candidate count. Cluster recall measured
# on the fixtures: 16 × 8 0.72-0.75, 32 × 4 0.978-0.994, 64 × 2 1.0 with 2.2× the candidates and
# twice the band rows to store.
BANDS: Final = 32
ROWS: Final = NUM_PERM // BANDS

# Punctuation and whitespace say nothing about content and differ between reprints.
NON_WORD_RE: Final = re.compile(r"[\W_]+")

# Bump when shingling, hashing or banding changes: stored signatures then fail to load loudly,
# and stored band keys must be rebuilt.
SCHEME_VERSION: Final = 1
_HEADER = struct.Struct("<4sBBHI")  # magic, version, shingle size, permutations, shingle count
_MAGIC: Final = b"NDMH"

_MASK64: Final = (1 << 64) - 1


def _splitmix64(state: int) -> tuple[int, int]:
    """One step of splitmix64 in pure Python, so the permutations never depend on numpy's RNG."""
    state = (state + 0x9E3779B97F4A7C15) & _MASK64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return state, z ^ (z >> 31)


def _permutations(seed: int, count: int) -> tuple[NDArray[np.uint64], NDArray[np.uint64]]:
    """Odd multipliers and offsets of the multiply-shift hash family, fixed forever by `seed`."""
    state, mult, add = seed, [], []
    for _ in range(count):
        state, a = _splitmix64(state)
        state, b = _splitmix64(state)
        mult.append(a | 1)
        add.append(b)
    return np.array(mult, dtype=np.uint64), np.array(add, dtype=np.uint64)


_MULT, _ADD = _permutations(0x6E657773, NUM_PERM)  # "news"
_EMPTY: Final = np.empty(0, dtype=np.uint64)
_BLOCK: Final = 512  # shingles per block: a 512 KB product buffer


def shingle_text(text: str) -> str:
    """The text MinHash sees: lowercase, without punctuation and whitespace."""
    return NON_WORD_RE.sub("", text).lower()


def shingle_hashes(text: str) -> NDArray[np.uint64]:
    """Sorted distinct 64-bit hashes of the character SHINGLE-grams of shingle_text(text)."""
    return np.unique(shingle_sequence(text))


def shingle_sequence(text: str) -> NDArray[np.uint64]:
    """The 64-bit hashes of the SHINGLE-grams of shingle_text(text), in text order."""
    chars = shingle_text(text)
    if not chars:
        return _EMPTY
    codes = np.frombuffer(chars.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    width = min(SHINGLE, len(codes))  # a text shorter than a shingle is one shingle
    count = len(codes) - width + 1
    # 21 bits hold any code point, so three of them pack into 63 bits without collisions.
    packed = codes[:count].copy()
    for i in range(1, width):
        packed = (packed << np.uint64(21)) | codes[i : i + count]
    return _mix(packed)


def _mix(x: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """splitmix64's finalizer, vectorised: packed code points → well-spread 64-bit hashes."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


@dataclass(frozen=True, slots=True)
class Signature:
    """A MinHash of NUM_PERM 32-bit values plus the number of distinct shingles it summarises."""

    values: bytes  # NUM_PERM little-endian uint32
    size: int

    def __post_init__(self) -> None:
        """Reject values of another length: they would compare and band silently wrong."""
        if len(self.values) != 4 * NUM_PERM:
            raise ValueError(f"signature of {len(self.values)} bytes, expected {4 * NUM_PERM}")

    @property
    def array(self) -> NDArray[np.uint32]:
        """The minhash values as a read-only numpy array."""
        return np.frombuffer(self.values, dtype="<u4")

    def to_bytes(self) -> bytes:
        """A self-describing blob for the items table (header + values)."""
        return _HEADER.pack(_MAGIC, SCHEME_VERSION, SHINGLE, NUM_PERM, self.size) + self.values

    @classmethod
    def from_bytes(cls, blob: bytes) -> Signature:
        """Inverse of to_bytes; raises ValueError for a blob of another scheme (re-sign items)."""
        if len(blob) != _HEADER.size + 4 * NUM_PERM:
            raise ValueError(f"signature blob of {len(blob)} bytes, expected a MinHash-{NUM_PERM}")
        magic, version, shingle, perms, size = _HEADER.unpack_from(blob)
        if (magic, version, shingle, perms) != (_MAGIC, SCHEME_VERSION, SHINGLE, NUM_PERM):
            raise ValueError(f"signature scheme {magic!r} v{version} k={shingle} n={perms}")
        return cls(blob[_HEADER.size :], size)


def signature(normalized_text: str) -> Signature:
    """The MinHash signature of normalize_text output (about 0.6 ms for 2,000 characters)."""
    return signature_of_hashes(shingle_hashes(normalized_text))


def signature_of_hashes(hashes: NDArray[np.uint64]) -> Signature:
    """MinHash over precomputed shingle hashes (lets dedup reuse the set it verifies with)."""
    if len(hashes) == 0:
        return Signature(b"\xff" * (4 * NUM_PERM), 0)
    mins = np.full(NUM_PERM, np.iinfo(np.uint64).max, dtype=np.uint64)
    # Blocks of (shingles × permutations) written into one reused buffer: fresh multi-megabyte
    # temporaries cost page faults that made this 6× slower. A right shift is monotone, so it is
    # applied once to the minima instead of to every product.
    buffer = np.empty((min(_BLOCK, len(hashes)), NUM_PERM), dtype=np.uint64)
    for start in range(0, len(hashes), _BLOCK):
        block = hashes[start : start + _BLOCK, None]
        products = buffer[: len(block)]
        np.multiply(block, _MULT, out=products)
        np.add(products, _ADD, out=products)
        np.minimum(mins, products.min(axis=0), out=mins)
    mins >>= np.uint64(32)
    return Signature(mins.astype("<u4").tobytes(), len(hashes))


def band_keys(sig: Signature) -> tuple[int, ...]:
    """BANDS signed 64-bit keys (SQLite INTEGER), one per band, with the band index mixed in.

    An empty text has no keys, so empty items never become each other's candidates.
    """
    if sig.size == 0:
        return ()
    width = 4 * ROWS
    return tuple(
        int.from_bytes(
            hashlib.blake2b(
                sig.values[i * width : (i + 1) * width],
                digest_size=8,
                salt=i.to_bytes(16, "little"),
            ).digest(),
            "little",
            signed=True,
        )
        for i in range(BANDS)
    )


def similarity(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity of the two shingle sets (0.0 when either text is empty)."""
    if a.size == 0 or b.size == 0:
        return 0.0
    return float(np.count_nonzero(a.array == b.array)) / NUM_PERM
