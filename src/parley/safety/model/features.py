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


_MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the top bits of h * _MIX pick a slot


class HashedVocabulary:
    """Ids of 64-bit n-gram hashes, found with one vectorised probe of an open table.

    The table has two to four slots per key, so most hashes settle at their own slot (a hit,
    or an empty slot: not in the vocabulary); keys that lost their slot to another key sit in
    a small sorted overflow array that only the few unsettled hashes are searched in. It
    replaced a binary search of the sorted keys, which took about 1.5 times as long.
    """

    def __init__(self, keys: np.ndarray, ids: np.ndarray) -> None:
        self._shift = np.uint64(64 - max(4, (2 * len(keys)).bit_length()))
        size = 1 << (64 - int(self._shift))
        slots = self._slots(keys)
        _, first = np.unique(slots, return_index=True)
        self._keys = np.zeros(size, dtype=np.uint64)
        self._ids = np.full(size, -1, dtype=np.int32)
        self._used = np.zeros(size, dtype=bool)
        self._keys[slots[first]], self._ids[slots[first]] = keys[first], ids[first]
        self._used[slots[first]] = True
        rest = np.setdiff1d(np.arange(len(keys)), first)
        order = np.argsort(keys[rest], kind="stable")
        self._overflow_keys, self._overflow_ids = keys[rest][order], ids[rest][order]

    def _slots(self, hashes: np.ndarray) -> np.ndarray:
        return ((hashes * _MIX) >> self._shift).astype(np.intp)

    def lookup(self, hashes: np.ndarray) -> np.ndarray:
        """Ids of the hashes that are in the vocabulary (direct hits first, then overflow)."""
        slots = self._slots(hashes)
        hit = self._keys.take(slots) == hashes
        found = self._ids.take(slots[hit])
        unsettled = hashes[~hit & self._used.take(slots)]
        if not len(unsettled) or not len(self._overflow_keys):
            return found
        position = np.minimum(np.searchsorted(self._overflow_keys, unsettled),
                              len(self._overflow_keys) - 1)
        matched = self._overflow_keys[position] == unsettled
        return np.concatenate([found, self._overflow_ids[position[matched]]])


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
        ids = np.fromiter(chars.values(), dtype=np.int64, count=len(chars))
        self._chars = HashedVocabulary(hashes, ids)
        self._word_cache: dict[str, np.ndarray] = {}

    def _char_indices(self, padded: str) -> np.ndarray:
        return self._chars.lookup(char_ngram_hashes(_codes(padded)))

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
