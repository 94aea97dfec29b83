"""Mastodon.py manages filters v2 and pins against a live server; the server applies them."""

import pytest
from mastodon.errors import MastodonAPIError, MastodonNotFoundError

from tests.e2e.test_mastodon_py import client_for

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_filters_v2_through_mastodon_py(live_server, make_member):
    make_member("gina"), make_member("hal")
    gina = client_for(live_server, "gina@example.org")
    hal = client_for(live_server, "hal@example.org")
    gina.account_follow(hal.account_verify_credentials().id)

    warn = gina.create_filter_v2(
        "spoilers", ["home"], "warn",
        keywords_attributes=[{"keyword": "finale", "whole_word": True}])
    hide = gina.create_filter_v2("noise", ["home"], "hide", expires_in=3600)
    gina.add_filter_keyword_v2(hide.id, "crypto", whole_word=False)
    assert [f.title for f in gina.filters_v2()] == ["spoilers", "noise"]
    assert [k.keyword for k in gina.filter_keywords_v2(hide.id)] == ["crypto"]
    assert gina.filter_v2(hide.id).expires_at is not None
    assert [f.phrase for f in gina.filters()] == ["finale", "crypto"]  # v1, read-only

    spoiler = hal.status_post("the finale!")
    hal.status_post("buy cryptocurrency now")
    plain = hal.status_post("a quiet day")

    home = gina.timeline_home()
    assert [s.id for s in home] == [plain.id, spoiler.id]
    assert home[1].filtered[0].filter.title == "spoilers"
    assert home[1].filtered[0].keyword_matches == ["finale"]
    assert home[0].filtered == []

    gina.add_filter_status_v2(warn.id, plain.id)
    assert [s.status_id for s in gina.filter_statuses_v2(warn.id)] == [plain.id]
    assert gina.timeline_home()[0].filtered[0].status_matches == [str(plain.id)]

    # Nobody else sees or changes them.
    assert hal.filters_v2() == []
    with pytest.raises(MastodonNotFoundError):
        hal.filter_v2(warn.id)
    with pytest.raises(MastodonNotFoundError):
        hal.delete_filter_v2(warn.id)

    renamed = gina.update_filter_v2(warn.id, title="tv")
    assert renamed.title == "tv"
    gina.delete_filter_v2(hide.id)
    assert len(gina.timeline_home()) == 3


def test_pins_through_mastodon_py(live_server, make_member):
    make_member("ivy"), make_member("jon")
    ivy = client_for(live_server, "ivy@example.org")
    jon = client_for(live_server, "jon@example.org")
    ivy_id = ivy.account_verify_credentials().id
    posts = [ivy.status_post(f"post {n}") for n in range(6)]

    for post in posts[:5]:
        assert ivy.status_pin(post.id).pinned is True
    with pytest.raises(MastodonAPIError):
        ivy.status_pin(posts[5].id)
    pinned = jon.account_statuses(ivy_id, pinned=True)
    assert sorted(s.id for s in pinned) == sorted(p.id for p in posts[:5])
    with pytest.raises(MastodonAPIError):
        jon.status_pin(posts[5].id)

    assert ivy.status_unpin(posts[0].id).pinned is False
    assert posts[0].id not in [s.id for s in jon.account_statuses(ivy_id, pinned=True)]
