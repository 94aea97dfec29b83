"""Background backends: an OpenAI-format moderation service (a local fake server)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from parley.safety.model.backends import ModerationApiDetector, background_detectors
from tests.safety.model.conftest import FLAGGED, QUIET

CATEGORIES = [
    "harassment", "harassment/threatening", "hate", "hate/threatening", "illicit",
    "illicit/violent", "self-harm", "self-harm/intent", "self-harm/instructions", "sexual",
    "sexual/minors", "violence", "violence/graphic",
]


def _moderate(text: str) -> dict:
    """A fake classifier: 'kill' is violent, 'hate' hateful; OpenAI's response shape."""
    scores = dict.fromkeys(CATEGORIES, 0.001)
    if "kill" in text:
        scores["violence"] = 0.97
        scores["harassment/threatening"] = 0.80
    if "hate" in text:
        scores["hate"] = 0.91
    flags = {name: score >= 0.5 for name, score in scores.items()}
    return {"flagged": any(flags.values()), "categories": flags, "category_scores": scores}


class _Handler(BaseHTTPRequestHandler):
    requests: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Handler.requests.append({"body": body, "auth": self.headers.get("Authorization")})
        if self.headers.get("Authorization") != "Bearer sk-test":
            self.send_response(401)
            self.end_headers()
            return
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        payload = {"id": "modr-1", "model": body.get("model", "omni-moderation-latest"),
                   "results": [_moderate(t) for t in inputs]}
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def moderation_url():
    server = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Handler.requests.clear()
    yield f"http://127.0.0.1:{server.server_port}/v1/moderations"
    server.shutdown()
    server.server_close()


def test_moderation_api_scores_map_onto_policy_categories(moderation_url):
    detector = ModerationApiDetector(moderation_url, api_key="sk-test", model="omni-test")
    threat, hateful, calm = detector.score_batch(
        ["i will kill you", "i hate those people", "what a nice day"]
    )
    assert threat.scores["violence"] == pytest.approx(0.97)
    assert threat.evidence["violence"] == [
        "moderation-api: violence 0.97", "moderation-api: harassment/threatening 0.80"
    ]
    assert hateful.scores["illegal_or_harmful_speech"] == pytest.approx(0.91)
    assert max(calm.scores.values()) < 0.01 and calm.evidence == {}
    assert detector.tier == "background"
    sent = _Handler.requests[0]
    assert sent["body"] == {"input": ["i will kill you", "i hate those people", "what a nice day"],
                            "model": "omni-test"}
    assert sent["auth"] == "Bearer sk-test"


def test_moderation_api_errors_are_raised_for_the_pipeline_to_handle(moderation_url):
    detector = ModerationApiDetector(moderation_url, api_key="wrong")
    with pytest.raises(OSError):
        detector.score("i will kill you")


def test_background_backends_are_off_by_default_and_enabled_by_settings(settings, moderation_url):
    settings.PARLEY_MODERATION_API_URL = ""
    assert background_detectors() == []
    settings.PARLEY_MODERATION_API_URL = moderation_url
    settings.PARLEY_MODERATION_API_KEY = "sk-test"
    (detector,) = background_detectors()
    assert detector.score("kill").scores["violence"] > 0.9


@pytest.mark.django_db
def test_a_configured_moderation_api_opens_cases_after_distribution(
    settings, moderation_url, publish_flagged_and_quiet
):
    from parley.posts.models import PostState
    from parley.safety.cases.models import Case

    settings.PARLEY_MODERATION_API_URL = moderation_url
    settings.PARLEY_MODERATION_API_KEY = "sk-test"
    flagged, quiet = publish_flagged_and_quiet()

    assert flagged.state == PostState.PUBLISHED  # background detectors never hold
    [case] = Case.objects.filter(post=flagged)
    assert case.screening[-1]["tier"] == "background"
    assert case.screening[-1]["evidence"]["moderation-api"]["violence"] == [
        "moderation-api: violence 0.97", "moderation-api: harassment/threatening 0.80"]
    assert not Case.objects.filter(post=quiet).exists()
    assert [r["body"]["input"] for r in _Handler.requests][-2:] == [[FLAGGED], [QUIET]]
