"""`accounts.follow_many`, the bulk door for a graph that already exists (the load bench's
community): the follows it makes show in the API like any other, with the counts right,
under the same rules as `follow`, and without a notification each."""

from __future__ import annotations

import pytest

from parley.accounts import services as accounts

pytestmark = pytest.mark.django_db


def test_bulk_follows_show_in_the_api_with_the_counts_right(make_member, api_for, publish):
    star, quiet = make_member("star"), make_member("quiet")
    fans = [make_member(f"fan{i}") for i in range(5)]
    accounts.follow(fans[0], star)  # already following: not made twice
    pairs = [(fan.pk, star.pk) for fan in fans] + [(fans[0].pk, quiet.pk),
                                                  (star.pk, star.pk)]  # no self-follow

    made = accounts.follow_many(pairs, batch_size=3)

    assert made == 5  # four new followers of star, one of quiet
    reader = api_for(fans[3])
    account = reader.get(f"/api/v1/accounts/{star.pk}").json()
    assert account["followers_count"] == 5 and account["following_count"] == 0
    followers = reader.get(f"/api/v1/accounts/{star.pk}/followers").json()
    assert sorted(a["username"] for a in followers) == [f"fan{i}" for i in range(5)]
    assert reader.get(f"/api/v1/accounts/{fans[0].pk}").json()["following_count"] == 2
    relation = reader.get(f"/api/v1/accounts/relationships?id[]={star.pk}").json()[0]
    assert relation["following"] is True
    publish(star, "hello to my new followers")
    home = reader.get("/api/v1/timelines/home").json()
    assert [s["content"] for s in home] == ["<p>hello to my new followers</p>"]
    # one "followed you" for the follow made through `follow`, none for the bulk ones
    kinds = [n["type"] for n in api_for(star).get("/api/v1/notifications").json()]
    assert kinds == ["follow"]


def test_bulk_follows_keep_the_rules_of_follow(make_member, api_for):
    locked = make_member("locked", locked=True)
    blocker, fan = make_member("blocker"), make_member("fan")
    accounts.block(blocker, fan)

    made = accounts.follow_many([(fan.pk, locked.pk), (fan.pk, blocker.pk),
                                 (blocker.pk, fan.pk)])

    assert made == 0
    for account in (locked, blocker, fan):
        assert api_for(fan).get(f"/api/v1/accounts/{account.pk}").json()[
            "followers_count"] == 0
