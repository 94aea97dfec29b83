"""Features Parley does not have yet are refused with a clear 422, not silently ignored."""

from __future__ import annotations

import pytest

from parley.posts.models import Post

pytestmark = pytest.mark.django_db


def test_unlocked_stays_fine(member, api_for):
    response = api_for(member).patch(
        "/api/v1/accounts/update_credentials", {"locked": False, "display_name": "Al"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["locked"] is False


def test_scheduling_an_edit_is_refused_and_the_post_kept(member, api_for):
    client = api_for(member)
    post = client.post("/api/v1/statuses", {"status": "plain"}).json()
    body = {"status": "later", "scheduled_at": "2030-01-01T00:00:00Z"}
    edit = client.put(f"/api/v1/statuses/{post['id']}", body, format="json")
    assert edit.status_code == 422
    assert "scheduled_at" in edit.json()["error"]
    assert Post.objects.get().text == "plain"
