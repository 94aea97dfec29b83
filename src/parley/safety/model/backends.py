"""Optional heavier detectors run in the background (off by default).

:class:`ModerationApiDetector` asks any HTTP service speaking OpenAI's moderation API
(``POST {"input": [...], "model": ...}`` -> ``{"results": [{"category_scores": ...}]}``);
it is enabled by ``PARLEY_MODERATION_API_URL`` (+ ``PARLEY_MODERATION_API_KEY``,
``PARLEY_MODERATION_API_MODEL``, ``PARLEY_MODERATION_API_TIMEOUT``).
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterable

from django.conf import settings

from parley.safety.screening.base import DetectorResult

# OpenAI moderation categories -> Parley policy categories (max of the mapped scores).
OPENAI_CATEGORIES: dict[str, tuple[str, ...]] = {
    "violence": ("violence", "hate/threatening", "harassment/threatening", "illicit/violent"),
    "illegal_or_harmful_speech": ("hate", "hate/threatening"),
    "self_harm": ("self-harm", "self-harm/intent", "self-harm/instructions"),
    "non_consensual_behaviour": ("harassment", "harassment/threatening"),
    "protection_of_minors": ("sexual/minors",),
}

def _policy_scores(raw: dict[str, float], mapping: dict[str, Iterable[str]]) -> dict[str, float]:
    scores = {}
    for category, names in mapping.items():
        found = [float(raw[n]) for n in names if n in raw]
        if found:
            scores[category] = max(found)
    return scores


class ModerationApiDetector:
    """Scores text with a remote moderation service in OpenAI's request/response format."""

    name = "moderation-api"
    tier = "background"

    def __init__(self, url: str, api_key: str = "", model: str = "", timeout: float = 10.0):
        self.url, self.api_key, self.model, self.timeout = url, api_key, model, timeout

    def score(self, text: str) -> DetectorResult:
        return self.score_batch([text])[0]

    def score_batch(self, texts: list[str]) -> list[DetectorResult]:
        body: dict = {"input": texts}
        if self.model:
            body["model"] = self.model
        request = urllib.request.Request(
            self.url,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json",
                     **({"Authorization": f"Bearer {self.api_key}"} if self.api_key else {})},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            payload = json.loads(response.read().decode())
        results = payload["results"]
        if len(results) != len(texts):
            raise ValueError(f"moderation API returned {len(results)} results for {len(texts)}")
        return [self._result(r) for r in results]

    def _result(self, result: dict) -> DetectorResult:
        raw = result.get("category_scores", {})
        scores = _policy_scores(raw, OPENAI_CATEGORIES)
        flagged = [name for name, hit in result.get("categories", {}).items() if hit]
        evidence = {
            category: [f"{self.name}: {n} {raw[n]:.2f}" for n in names if n in flagged]
            for category, names in OPENAI_CATEGORIES.items()
        }
        return DetectorResult(self.name, scores, {c: e for c, e in evidence.items() if e})


def background_detectors() -> list:
    """The configured background detectors (none unless their settings are set)."""
    found = []
    url = getattr(settings, "PARLEY_MODERATION_API_URL", "")
    if url:
        found.append(ModerationApiDetector(
            url,
            getattr(settings, "PARLEY_MODERATION_API_KEY", ""),
            getattr(settings, "PARLEY_MODERATION_API_MODEL", ""),
            float(getattr(settings, "PARLEY_MODERATION_API_TIMEOUT", 10.0)),
        ))
    return found
