"""Home and list timelines are paged through windows of ids (posts.selectors.paginate):
a member whose follows post rarely still gets every page right, in both directions."""

import pytest

from parley.accounts import services as accounts
from parley.posts import selectors
from parley.timelines import services as timelines


@pytest.fixture
def sparse(member, make_member, publish, monkeypatch):
    """alice follows carol, who posted 5 times among 60 posts by dave (not followed)."""
    monkeypatch.setattr(selectors, "WINDOW_IDS_PER_POST", 1)  # windows of a few ids only
    carol, dave = make_member("carol"), make_member("dave")
    accounts.follow(member, carol)
    carols = []
    for i in range(60):
        publish(dave, f"dave says {i}")
        if i % 12 == 5:
            carols.append(publish(carol, f"carol says {i}"))
    return carol, carols


def _texts(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [s["content"] for s in response.json()]


def _p(text: str) -> str:
    return f"<p>{text}</p>"


@pytest.mark.django_db
def test_newest_first_pages_reach_posts_far_apart(sparse, member, api_for):
    _, carols = sparse
    api = api_for(member)
    first = api.get("/api/v1/timelines/home?limit=2")
    assert _texts(first) == [_p("carol says 53"), _p("carol says 41")]
    second = api.get(f"/api/v1/timelines/home?limit=2&max_id={carols[-2].pk}")
    assert _texts(second) == [_p("carol says 29"), _p("carol says 17")]
    last = api.get(f"/api/v1/timelines/home?limit=2&max_id={carols[1].pk}")
    assert _texts(last) == [_p("carol says 5")]
    assert _texts(api.get(f"/api/v1/timelines/home?max_id={carols[0].pk}")) == []


@pytest.mark.django_db
def test_since_id_and_min_id_page_towards_newer_posts(sparse, member, api_for):
    _, carols = sparse
    api = api_for(member)
    newer = api.get(f"/api/v1/timelines/home?limit=2&min_id={carols[0].pk}")
    assert _texts(newer) == [_p("carol says 29"), _p("carol says 17")]
    newest = api.get(f"/api/v1/timelines/home?limit=2&since_id={carols[0].pk}")
    assert _texts(newest) == [_p("carol says 53"), _p("carol says 41")]
    between = api.get(
        f"/api/v1/timelines/home?min_id={carols[1].pk}&max_id={carols[4].pk}")
    assert _texts(between) == [_p("carol says 41"), _p("carol says 29")]


@pytest.mark.django_db
def test_a_list_of_a_rare_poster_pages_the_same_way(sparse, member, api_for):
    carol, _ = sparse
    a_list = timelines.create_list(member, "Carol")
    timelines.add_to_list(a_list, [carol.pk])
    api = api_for(member)
    page = api.get(f"/api/v1/timelines/list/{a_list.pk}?limit=3")
    assert _texts(page) == [_p("carol says 53"), _p("carol says 41"), _p("carol says 29")]
