"""Detectors that need no model: server rules, hash lists, near-duplicates of removed posts.

Each reads a per-process snapshot of its table (see ``snapshots``); ``score`` itself never
touches the database, so it can run in a worker thread under a time budget."""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field

from datasketch import MinHash, MinHashLSH

from parley.safety.policy import POLICY
from parley.safety.screening import config, fingerprints, snapshots
from parley.safety.screening.base import DetectorResult, Tier
from parley.safety.screening.models import (
    HashEntry,
    HashKind,
    RemovedFingerprint,
    RuleField,
    ScreeningAction,
    ScreeningRule,
)

ACTION_RANK = {"case": 1, "hold": 2, "reject": 3}
FIELD_LABEL = dict(RuleField.choices)
DEFAULT_NEAR_DUPLICATE_THRESHOLD = 0.75


def _demand(result: DetectorResult, category: str, action: str, score: float, why: str) -> None:
    """Record that ``category`` needs ``action``, keeping the strongest action per category."""
    if ACTION_RANK[action] > ACTION_RANK.get(result.actions.get(category, ""), 0):
        result.actions[category] = action
    result.scores[category] = max(result.scores.get(category, 0.0), score)
    result.evidence.setdefault(category, []).append(why)


def hash_match_action(category: str, action: str) -> str:
    """Some categories (protection of minors) reject any hash match whatever the list says."""
    policy = POLICY.get(category)
    return ScreeningAction.REJECT if policy and policy.reject_on_hash_match else action


# -- rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompiledRule:
    id: int
    pattern: str
    action: str
    category: str
    fields: frozenset[str]
    on_normalised: re.Pattern[str]
    on_raw: re.Pattern[str]
    # A phrase can only match a text that has all its words; checking that first is cheap.
    needs_normalised: frozenset[str] = frozenset()
    needs_raw: frozenset[str] = frozenset()

    def search(self, normalised: str, normalised_words: set[str], raw: str,
               raw_words: set[str]) -> re.Match[str] | None:
        found = None
        if self.needs_normalised <= normalised_words:
            found = self.on_normalised.search(normalised)
        if found is None and self.needs_raw <= raw_words:
            found = self.on_raw.search(raw)
        return found


def compile_rule_pattern(pattern: str, is_regex: bool) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Regexes for the normalised and the raw text; raises re.error for a bad regex."""
    if is_regex:
        compiled = re.compile(pattern, re.IGNORECASE)
        return compiled, compiled

    def phrase(text: str) -> re.Pattern[str]:
        words = [re.escape(w) for w in text.split()]
        return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)

    return phrase(fingerprints.normalise_text(pattern)), phrase(_fold(pattern))


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _load_rules(_previous) -> list[CompiledRule]:
    compiled = []
    for rule in ScreeningRule.objects.filter(enabled=True):
        try:
            on_normalised, on_raw = compile_rule_pattern(rule.pattern, rule.is_regex)
        except re.error:  # validated on save; a hand-edited row must not break screening
            continue
        needs = {} if rule.is_regex else {
            "needs_normalised": _words(fingerprints.normalise_text(rule.pattern)),
            "needs_raw": _words(_fold(rule.pattern)),
        }
        compiled.append(
            CompiledRule(rule.pk, rule.pattern, rule.action, rule.category,
                         frozenset(rule.applies_to), on_normalised, on_raw, **needs)
        )
    return compiled


_WORD = re.compile(r"\w+")


def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text))


RULES_SNAPSHOT: snapshots.Snapshot[list[CompiledRule]] = snapshots.Snapshot(
    snapshots.RULES, _load_rules
)


@dataclass
class RulesDetector:
    """Operator rules for one field of the content (post text, content warning, ...)."""

    rules: list[CompiledRule]
    field: str = RuleField.TEXT
    name: str = "rules"
    tier: Tier = "inline"

    def score(self, text: str) -> DetectorResult:
        result = DetectorResult(self.name)
        applicable = [r for r in self.rules if self.field in r.fields]
        if not applicable or not text.strip():
            return result
        normalised, raw = fingerprints.normalise_text(text), _fold(text)
        normalised_words, raw_words = set(_words(normalised)), set(_words(raw))
        for rule in applicable:
            match = rule.search(normalised, normalised_words, raw, raw_words)
            if match:
                why = (f"{FIELD_LABEL[self.field]}: rule #{rule.id} {rule.pattern!r} "
                       f"matched {match.group(0)[:80]!r}")
                _demand(result, rule.category, rule.action, 1.0, why)
        return result

    def score_batch(self, texts: list[str]) -> list[DetectorResult]:
        return [self.score(t) for t in texts]


def rules_detector(field_name: str, token: str | None = None) -> RulesDetector:
    return RulesDetector(RULES_SNAPSHOT.get(token), field=field_name)


# -- hash lists ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ListedHash:
    id: int
    category: str
    action: str
    source: str


def _load_text_hashes(_previous) -> dict[str, ListedHash]:
    rows = HashEntry.objects.filter(kind=HashKind.TEXT).values_list(
        "hash", "id", "category", "action", "source"
    )
    return {h: ListedHash(pk, cat, hash_match_action(cat, act), src)
            for h, pk, cat, act, src in rows}


HASHES_SNAPSHOT: snapshots.Snapshot[dict[str, ListedHash]] = snapshots.Snapshot(
    snapshots.HASHES, _load_text_hashes
)


@dataclass
class HashesDetector:
    """Exact matches of the normalised post text against hash lists of known content."""

    listed: dict[str, ListedHash]
    field: str = RuleField.TEXT
    name: str = "hashes"
    tier: Tier = "inline"

    def score(self, text: str) -> DetectorResult:
        result = DetectorResult(self.name)
        if not self.listed or not text.strip():
            return result
        digest = fingerprints.text_sha256(text)
        entry = self.listed.get(digest)
        if entry is not None:
            why = f"text SHA-256 {digest[:16]}… is on list {entry.source or '-'} (#{entry.id})"
            _demand(result, entry.category, entry.action, 1.0, why)
        return result

    def score_batch(self, texts: list[str]) -> list[DetectorResult]:
        return [self.score(t) for t in texts]


def hashes_detector(token: str | None = None) -> HashesDetector:
    return HashesDetector(HASHES_SNAPSHOT.get(token))


# -- near-duplicates of removed posts --------------------------------------------------------


def near_duplicate_threshold() -> float:
    return config.setting("PARLEY_NEAR_DUPLICATE_THRESHOLD", DEFAULT_NEAR_DUPLICATE_THRESHOLD)


@dataclass
class RemovedIndex:
    """MinHash LSH over removed posts; refreshed in place from the fingerprint table."""

    lsh: MinHashLSH
    signatures: dict[int, MinHash] = field(default_factory=dict)
    categories: dict[int, str] = field(default_factory=dict)
    digests: dict[int, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def query(self, signature: MinHash) -> list[tuple[int, float, str]]:
        with self.lock:
            found = [(pid, signature.jaccard(self.signatures[pid]), self.categories[pid])
                     for pid in self.lsh.query(signature)]
        return sorted(found, key=lambda item: -item[1])

    def refresh(self) -> None:
        rows = {pid: (cat, dig) for pid, cat, dig in
                RemovedFingerprint.objects.values_list("post_id", "category", "digest")}
        stale = [pid for pid, dig in self.digests.items()
                 if pid not in rows or rows[pid][1] != dig]
        fresh = [pid for pid, (_, dig) in rows.items() if self.digests.get(pid) != dig]
        loaded = dict(RemovedFingerprint.objects.filter(post_id__in=fresh)
                      .values_list("post_id", "signature")) if fresh else {}
        with self.lock:
            for pid in stale:
                self.lsh.remove(pid)
                del self.signatures[pid], self.digests[pid]
            for pid, raw in loaded.items():
                signature = fingerprints.from_bytes(raw)
                self.lsh.insert(pid, signature)
                self.signatures[pid], self.digests[pid] = signature, rows[pid][1]
            self.categories = {pid: cat for pid, (cat, _) in rows.items()}


def _load_removed(previous: RemovedIndex | None) -> RemovedIndex:
    index = previous
    if index is None:
        # Candidates are gathered below the threshold; the exact estimate decides.
        lsh_threshold = max(0.3, near_duplicate_threshold() - 0.15)
        index = RemovedIndex(MinHashLSH(threshold=lsh_threshold, num_perm=fingerprints.NUM_PERM))
    index.refresh()
    return index


REMOVED_SNAPSHOT: snapshots.Snapshot[RemovedIndex] = snapshots.Snapshot(
    snapshots.REMOVED, _load_removed
)


@dataclass
class NearDuplicatesDetector:
    """A new post that copies removed content gets the removal's outcome: hold."""

    index: RemovedIndex
    threshold: float
    field: str = RuleField.TEXT
    name: str = "near_duplicates"
    tier: Tier = "inline"

    def score(self, text: str) -> DetectorResult:
        result = DetectorResult(self.name)
        if not self.index.signatures:
            return result
        parts = fingerprints.shingles(text)
        if not parts:
            return result
        matches = [m for m in self.index.query(fingerprints.minhash(parts))
                   if m[1] >= self.threshold]
        for post_id, similarity, category in matches[:5]:
            why = f"copies removed post #{post_id} (similarity {similarity:.2f})"
            _demand(result, category, ScreeningAction.HOLD, similarity, why)
        return result

    def score_batch(self, texts: list[str]) -> list[DetectorResult]:
        return [self.score(t) for t in texts]


def near_duplicates_detector(token: str | None = None) -> NearDuplicatesDetector:
    return NearDuplicatesDetector(REMOVED_SNAPSHOT.get(token), near_duplicate_threshold())
