"""Sparse features of the inline model: word 1-2 grams, char 3-5 grams, threat patterns.

One function, :func:`text_features`, is used both by training (as a scikit-learn
analyzer) and by scoring, so the shipped vocabulary always matches.
"""

from __future__ import annotations

import re

import numpy as np

from parley.safety.model.patterns import find_threat_patterns

WORD = re.compile(r"[a-z0-9@#']+|[!?]")
CHAR_MIN, CHAR_MAX = 3, 5
MAX_CHARS = 1000  # posts are short; very long texts are truncated for speed


def text_features(normalised: str) -> list[str]:
    """Feature names of one normalised text (duplicates count as term frequency)."""
    text = normalised[:MAX_CHARS]
    words = WORD.findall(text)
    out = ["w:" + w for w in words]
    out += [f"b:{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    padded = f" {' '.join(w for w in words if w not in '!?')} "
    n = len(padded)
    for size in range(CHAR_MIN, CHAR_MAX + 1):
        out += ["c:" + padded[i : i + size] for i in range(n - size + 1)]
    for hit in find_threat_patterns(text):
        out.append(f"p:{hit.name}{'_negated' if hit.negated else ''}")
    return out


_PRIME = np.uint64(1099511628211)


def char_ngram_hashes(codes: np.ndarray, sizes: range = range(CHAR_MIN, CHAR_MAX + 1)
                      ) -> np.ndarray:
    """64-bit polynomial hashes of every n-gram of ``codes`` for each n in ``sizes``.

    Each size extends the previous one's hashes by one character (h[n+1] = h[n] * P + c),
    so all sizes cost a few array operations. Codes are never 0, so sizes do not collide.
    """
    parts = []
    hashes = codes.copy()
    for size in range(1, sizes.stop):
        if size > 1:
            hashes = hashes[:-1] * _PRIME + codes[size - 1 :]
        if size in sizes:
            parts.append(hashes)
        if not len(hashes):
            break
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8).astype(np.uint64)


class FeatureIndexer:
    """Run-time twin of :func:`text_features`: vocabulary indices without building names.

    Character n-grams (most of a post's ~1,000 features) are hashed and looked up with
    numpy instead of one Python string and dictionary look-up each; words, word pairs and
    patterns use dictionaries. The result equals looking up :func:`text_features`.
    """

    def __init__(self, vocabulary: list[str]) -> None:
        self.kinds: dict[str, dict[str, int]] = {"w": {}, "b": {}, "c": {}, "p": {}}
        for index, name in enumerate(vocabulary):
            kind, _, value = name.partition(":")
            self.kinds[kind][value] = index
        chars = self.kinds["c"]
        hashes = np.array(
            [char_ngram_hashes(_codes(gram), range(len(gram), len(gram) + 1))[0]
             for gram in chars],
            dtype=np.uint64,
        )
        order = np.argsort(hashes, kind="stable")
        self._char_keys = hashes[order]
        self._char_ids = np.fromiter(chars.values(), dtype=np.int64, count=len(chars))[order]
        self._word_cache: dict[str, np.ndarray] = {}

    def _char_indices(self, padded: str) -> np.ndarray:
        if not len(self._char_keys):
            return np.zeros(0, dtype=np.int64)
        hashes = char_ngram_hashes(_codes(padded))
        position = np.minimum(np.searchsorted(self._char_keys, hashes), len(self._char_keys) - 1)
        return self._char_ids[position[self._char_keys[position] == hashes]]

    def word_feature_ids(self, word: str) -> np.ndarray:
        """Ids of a word's own features: the word and the character n-grams inside " word "."""
        found = self._word_cache.get(word)
        if found is None:
            found = self._char_indices(f" {word} ")
            own = self.kinds["w"].get(word)
            if own is not None:
                found = np.concatenate([[own], found])
            if len(self._word_cache) < 50_000:  # bounded; a benign race only recomputes
                self._word_cache[word] = found
        return found

    def indices(self, normalised: str) -> np.ndarray:
        text = normalised[:MAX_CHARS]
        words = WORD.findall(text)
        get_w, get_b = self.kinds["w"].get, self.kinds["b"].get
        found = [get_w(w) for w in words]
        found += [get_b(f"{a} {b}") for a, b in zip(words, words[1:], strict=False)]
        patterns = self.kinds["p"]
        for hit in find_threat_patterns(text):
            found.append(patterns.get(f"{hit.name}{'_negated' if hit.negated else ''}"))
        padded = f" {' '.join(w for w in words if w not in '!?')} "
        listed = np.array([i for i in found if i is not None], dtype=np.int64)
        return np.concatenate([listed, self._char_indices(padded)])
