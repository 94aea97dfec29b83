"""Text fingerprints: normalised-text SHA-256 and MinHash signatures of character shingles."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

import numpy as np
from datasketch import MinHash

NUM_PERM = 128
SCHEME = "affine32"  # datasketch >= 2; stored signatures must all share one scheme
SHINGLE = 5  # characters; robust to small edits in short posts
MIN_CHARS = 20  # shorter texts are too generic to call anything a copy of them
_NON_WORD = re.compile(r"[^\w]+")


@lru_cache(maxsize=2048)  # several detectors normalise the same post side by side
def normalise_text(text: str) -> str:
    """The project's evasion-undoing normaliser (shared with the built-in model)."""
    from parley.safety.model.normalise import normalise

    return normalise(text)


def canonical_text(text: str) -> str:
    """Normalised text with punctuation dropped: "Kill them!!" and "k1ll them" are one text."""
    normalised = normalise_text(text)
    return _NON_WORD.sub(" ", normalised).strip() or normalised  # an all-emoji text stays


def text_sha256(text: str) -> str:
    """The hash-list key of a text: SHA-256 of its canonical form."""
    return hashlib.sha256(canonical_text(text).encode()).hexdigest()


def shingles(text: str) -> set[str]:
    """Character shingles of the canonical text; empty if the text is too short."""
    canonical = canonical_text(text)
    if len(canonical) < MIN_CHARS:
        return set()
    return {canonical[i : i + SHINGLE] for i in range(len(canonical) - SHINGLE + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@lru_cache(maxsize=1)
def _permutations():
    return MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME).permutations


def minhash(parts: set[str]) -> MinHash:
    signature = MinHash(num_perm=NUM_PERM, permutations=_permutations(), scheme=SCHEME)
    signature.update_batch([p.encode() for p in parts])
    return signature


def to_bytes(signature: MinHash) -> bytes:
    return signature.hashvalues.astype("<u8").tobytes()


def from_bytes(raw: bytes) -> MinHash:
    values = np.frombuffer(bytes(raw), dtype="<u8").astype(np.uint64)
    return MinHash(
        num_perm=NUM_PERM, hashvalues=values, permutations=_permutations(), scheme=SCHEME
    )


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:16]
