"""The API documents itself: JSON at /api/openapi.json, readable offline at /api/docs."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_openapi_document_is_json_with_mastodon_paths_and_errors():
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    # OpenAPI's registered JSON media type
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    document = json.loads(response.content)
    post = document["paths"]["/api/v1/statuses"]["post"]
    assert set(post["responses"]) >= {"200", "400", "401", "403", "413", "422", "429"}
    body = post["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert {"status", "media_ids", "in_reply_to_id", "visibility"} <= set(body)
    followers = document["paths"]["/api/v1/accounts/{account_id}/followers"]["get"]
    assert {"limit", "max_id"} <= {p["name"] for p in followers["parameters"]}
    assert followers["responses"]["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert document["paths"]["/api/v1/timelines/home"]["get"]["security"] == [
        {"oauth2": ["read:statuses"]}
    ]


def test_the_docs_page_loads_nothing_from_other_hosts():
    client = Client()
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "googleapis" not in html and "cdn" not in html.lower()
    assert not re.search(r"""(src|href)=["']https?://""", html)
    script = re.search(r'<script src="([^"]+)"', html).group(1)
    assert script.startswith("/static/")
    served = client.get(script)
    assert served.status_code == 200
    assert b"Redoc" in b"".join(served.streaming_content)
