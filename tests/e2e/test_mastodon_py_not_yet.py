"""Mastodon.py sees a clear error for what Parley does not do yet (issue 10)."""

from datetime import UTC, datetime, timedelta

import pytest
from mastodon.errors import MastodonAPIError

from parley.posts.models import Post
from tests.e2e.test_mastodon_py import client_for

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_scheduled_posts_raise_through_mastodon_py(live_server, make_member):
    make_member("erin")
    api = client_for(live_server, "erin@example.org")
    later = datetime.now(UTC) + timedelta(days=1)
    with pytest.raises(MastodonAPIError, match="Scheduled statuses are not supported"):
        api.status_post("tomorrow", scheduled_at=later)
    assert not Post.objects.exists()
    assert api.account_update_credentials(locked=False).locked is False
