"""Reads of screening data: rules, hash lists, image matches and near-duplicate posts."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.db.models.functions import Length

from parley.posts.models import Post
from parley.safety.screening import config, fingerprints
from parley.safety.screening.base import DetectorResult
from parley.safety.screening.models import HashEntry, HashKind, ScreeningRule

NEAR_DUPLICATE_WINDOW_DAYS = 30
NEAR_DUPLICATE_MAX_CANDIDATES = 20_000


def list_rules(*, enabled: bool | None = None) -> QuerySet[ScreeningRule]:
    rules = ScreeningRule.objects.all()
    return rules if enabled is None else rules.filter(enabled=enabled)


def list_hashes(*, kind: str | None = None, source: str | None = None) -> QuerySet[HashEntry]:
    entries = HashEntry.objects.all()
    if kind:
        entries = entries.filter(kind=kind)
    if source:
        entries = entries.filter(source=source)
    return entries


def image_hash_matches(sha256s: list[str]) -> DetectorResult | None:
    """A ``hashes`` result for the listed images among ``sha256s``, or None."""
    from parley.safety.screening.detectors import _demand, hash_match_action

    wanted = [h.lower() for h in sha256s if h]
    if not wanted:
        return None
    entries = list(HashEntry.objects.filter(kind=HashKind.IMAGE, hash__in=wanted))
    if not entries:
        return None
    result = DetectorResult("hashes")
    for entry in entries:
        why = f"image SHA-256 {entry.hash[:16]}… is on list {entry.source or '-'} (#{entry.pk})"
        _demand(result, entry.category, hash_match_action(entry.category, entry.action), 1.0, why)
    return result


def near_duplicates_of(post: Post, threshold: float = 0.8) -> list[Post]:
    """Posts in any state whose text is a near copy of ``post`` (Jaccard of shingles).

    Looks at removed posts (the near-duplicate index) and at every post written within
    NEAR_DUPLICATE_WINDOW_DAYS of it: copies of a wave come in a wave."""
    target = fingerprints.shingles(post.text)
    if not target:
        return []
    window = timedelta(days=config.setting("PARLEY_NEAR_DUPLICATE_WINDOW_DAYS",
                                           NEAR_DUPLICATE_WINDOW_DAYS))
    size = len(post.text)
    nearby = (
        Post.objects.filter(reblog_of__isnull=True,
                            created_at__range=(post.created_at - window, post.created_at + window))
        .annotate(chars=Length("text"))
        .filter(chars__gte=int(size * threshold / 2), chars__lte=int(size * 2 / threshold) + 1)
        .exclude(pk=post.pk)
        .order_by("-id")
        .values_list("id", "text")[:NEAR_DUPLICATE_MAX_CANDIDATES]
    )
    candidates = dict(nearby)
    candidates.update(Post.objects.filter(pk__in=_removed_candidates(target, threshold))
                      .exclude(pk=post.pk).values_list("id", "text"))
    copies = [pk for pk, text in candidates.items()
              if fingerprints.jaccard(target, fingerprints.shingles(text)) >= threshold]
    return list(Post.objects.filter(pk__in=copies).select_related("author").order_by("id"))


def _removed_candidates(target: set[str], threshold: float) -> list[int]:
    from parley.safety.screening.detectors import REMOVED_SNAPSHOT

    index = REMOVED_SNAPSHOT.get()
    if not index.signatures:
        return []
    margin = 0.1  # the MinHash estimate is noisy; the exact Jaccard decides afterwards
    return [pk for pk, similarity, _ in index.query(fingerprints.minhash(target))
            if similarity >= threshold - margin]
