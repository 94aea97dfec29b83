"""The issue-14 member pages through Django's test client: who may open them, what they
show, and that forms keep what was typed. The browser tests click through the same pages
(tests/web/test_browser_issue14.py)."""

import pytest
from django.test import Client

from parley.accounts import services as account_services
from parley.filters.models import Filter
from parley.posts.models import Poll, PollVote, Post
from parley.posts.polls import PollSpec
from parley.timelines import services as timeline_services
from parley.timelines.models import List

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("path", ["/conversations", "/conversations/1", "/bookmarks", "/lists",
                                  "/lists/1", "/polls/1/vote",
                                  "/filters"])
def test_pages_ask_to_log_in(path):
    response = Client().get(path)
    assert response.status_code == 302 and response["Location"].startswith("/login")


# -- direct messages ------------------------------------------------------------------------


def test_conversations_newest_first_with_unread_marked(member, other_member, make_member,
                                                       publish):
    carol = make_member("carol")
    older = publish(other_member, "@alice lunch on Monday?", visibility="direct")
    publish(carol, "@alice the keys are under the mat", visibility="direct")
    page = logged_in(member).get("/conversations").content.decode()
    assert page.index("keys are under the mat") < page.index("lunch on Monday")
    assert page.count("Unread") == 2

    thread = logged_in(member).get(f"/conversations/{older.pk}").content.decode()
    assert "lunch on Monday" in thread and "Direct" in thread
    assert 'name="visibility" value="direct"' in thread and "@bob " in thread
    page = logged_in(member).get("/conversations").content.decode()
    assert page.count("Unread") == 1


def test_reply_from_the_conversation_stays_direct(member, other_member, publish):
    dm = publish(other_member, "@alice lunch on Monday?", visibility="direct")
    client = logged_in(member)
    response = client.post("/compose", {"text": "@bob yes, noon", "visibility": "direct",
                                        "in_reply_to": dm.pk,
                                        "next": f"/conversations/{dm.pk}"})
    assert response["Location"] == f"/conversations/{dm.pk}"
    reply = Post.objects.get(author=member)
    assert reply.visibility == "direct" and reply.in_reply_to_id == dm.pk
    assert "yes, noon" in client.get(f"/conversations/{dm.pk}").content.decode()


def test_a_refused_reply_keeps_the_text(member, other_member, publish, settings):
    settings.PARLEY_MAX_POST_CHARS = 20
    dm = publish(other_member, "@alice hi", visibility="direct")
    client = logged_in(member)
    client.post("/compose", {"text": "@bob " + "long " * 10, "visibility": "direct",
                             "in_reply_to": dm.pk, "next": f"/conversations/{dm.pk}"})
    page = client.get(f"/conversations/{dm.pk}").content.decode()
    assert "Your post is too long" in page and "long long long" in page


def test_another_members_conversation_is_a_404(member, other_member, make_member, publish):
    make_member("carol")
    dm = publish(other_member, "@carol our secret", visibility="direct")
    client = logged_in(member)
    assert client.get(f"/conversations/{dm.pk}").status_code == 404
    assert client.post(f"/conversations/{dm.pk}/remove").status_code == 404
    assert "our secret" not in client.get("/conversations").content.decode()


def test_remove_a_conversation_from_the_list(member, other_member, publish):
    dm = publish(other_member, "@alice old news", visibility="direct")
    client = logged_in(member)
    assert client.post(f"/conversations/{dm.pk}/remove").status_code == 302
    assert "old news" not in client.get("/conversations").content.decode()


# -- bookmarks and pins ---------------------------------------------------------------------


def test_bookmark_from_a_post_and_find_it_on_bookmarks(member, other_member, publish):
    post = publish(other_member, "a recipe for plum cake")
    client = logged_in(member)
    assert "a recipe for plum cake" not in client.get("/bookmarks").content.decode()
    response = client.post(f"/posts/{post.pk}/bookmark", {"next": "/public"})
    assert response["Location"] == "/public"
    page = client.get("/bookmarks").content.decode()
    assert "a recipe for plum cake" in page and ">Bookmarked</button>" in page
    # Only the member's own bookmarks.
    assert "plum cake" not in logged_in(other_member).get("/bookmarks").content.decode()
    client.post(f"/posts/{post.pk}/unbookmark")
    assert "plum cake" not in client.get("/bookmarks").content.decode()


def test_pin_your_own_post_shows_it_first_on_the_profile(member, publish):
    pinned = publish(member, "read this first")
    for n in range(3):
        publish(member, f"later post {n}")
    client = logged_in(member)
    client.post(f"/posts/{pinned.pk}/pin", {"next": "/@alice"})
    page = Client().get("/@alice").content.decode()
    assert 'aria-label="Pinned posts"' in page
    assert page.index("read this first") < page.index("later post 2")
    client.post(f"/posts/{pinned.pk}/unpin")
    assert 'aria-label="Pinned posts"' not in Client().get("/@alice").content.decode()


def test_pin_refusals_are_plain_words(member, other_member, publish):
    theirs = publish(other_member, "not mine")
    direct = publish(member, "@bob just us", visibility="direct")
    client = logged_in(member)
    page = client.post(f"/posts/{theirs.pk}/pin", {"next": "/"}, follow=True).content.decode()
    assert "Only your own posts can be pinned." in page
    page = client.post(f"/posts/{direct.pk}/pin", {"next": "/"}, follow=True).content.decode()
    assert "Only public and unlisted posts can be pinned." in page
    assert "Validation failed" not in page


# -- lists ---------------------------------------------------------------------------------


def test_create_fill_rename_and_delete_a_list(member, other_member, make_member, publish):
    carol = make_member("carol")
    account_services.follow(member, other_member)
    account_services.follow(member, carol)
    publish(other_member, "bob's garden update")
    publish(carol, "carol's hot take")
    client = logged_in(member)
    response = client.post("/lists", {"title": "  Gardeners "})
    a_list = List.objects.get(owner=member)
    assert a_list.title == "Gardeners" and response["Location"] == f"/lists/{a_list.pk}"
    client.post(f"/lists/{a_list.pk}/members", {"username": "bob"})
    page = client.get(f"/lists/{a_list.pk}").content.decode()
    assert "bob's garden update" in page and "carol's hot take" not in page
    assert 'aria-label="Remove @bob"' in page and '<option value="carol">' in page

    client.post(f"/lists/{a_list.pk}/rename", {"title": "Green thumbs"})
    assert "Green thumbs" in client.get("/lists").content.decode()
    client.post(f"/lists/{a_list.pk}/members", {"username": "bob", "remove": "1"})
    assert "bob's garden update" not in client.get(f"/lists/{a_list.pk}").content.decode()
    assert client.post(f"/lists/{a_list.pk}/delete")["Location"] == "/lists"
    assert not List.objects.filter(owner=member).exists()


def test_list_forms_keep_input_and_say_what_is_wrong(member, other_member):
    client = logged_in(member)
    response = client.post("/lists", {"title": "   "})
    assert response.status_code == 400
    assert "Title can&#x27;t be blank." in response.content.decode()
    a_list = timeline_services.create_list(member, "Friends")
    response = client.post(f"/lists/{a_list.pk}/rename", {"title": ""})
    assert response.status_code == 400 and "Title can&#x27;t be blank." in response.content.decode()
    # Adding someone you do not follow is refused in plain words.
    page = client.post(f"/lists/{a_list.pk}/members", {"username": "bob"},
                       follow=True).content.decode()
    assert "You must be following this account first." in page


def test_add_to_a_list_from_the_profile(member, other_member):
    account_services.follow(member, other_member)
    a_list = timeline_services.create_list(member, "Close friends")
    client = logged_in(member)
    assert "Add to Close friends" in client.get("/@bob").content.decode()
    response = client.post(f"/lists/{a_list.pk}/members", {"username": "bob", "next": "/@bob"})
    assert response["Location"] == "/@bob"
    assert "Remove from Close friends" in client.get("/@bob").content.decode()


def test_another_members_list_is_a_404(member, other_member):
    theirs = timeline_services.create_list(other_member, "Bob's secret list")
    client = logged_in(member)
    assert client.get(f"/lists/{theirs.pk}").status_code == 404
    for action in ("rename", "delete", "members"):
        assert client.post(f"/lists/{theirs.pk}/{action}", {"title": "mine",
                                                             "username": "bob"}).status_code == 404
    assert List.objects.get(pk=theirs.pk).title == "Bob's secret list"
    assert "Bob's secret list" not in client.get("/lists").content.decode()


# -- polls ---------------------------------------------------------------------------------


def test_compose_a_poll(member):
    client = logged_in(member)
    client.post("/compose", {"text": "Which day?", "poll_option": ["Monday", "Friday", "", ""],
                             "poll_expires_in": "3600", "poll_multiple": "on"})
    poll = Poll.objects.get(post__author=member)
    assert poll.options == ["Monday", "Friday"] and poll.multiple and not poll.hide_totals
    assert 3500 < (poll.expires_at - poll.post.created_at).total_seconds() <= 3600
    page = client.get("/").content.decode()
    assert 'aria-label="Poll"' in page and 'type="checkbox" name="choice"' in page


def test_a_refused_poll_keeps_what_was_typed(member):
    client = logged_in(member)
    client.post("/compose", {"text": "Which day?", "poll_option": ["Monday", "", "", ""],
                             "poll_expires_in": "3600", "poll_hide_totals": "on"})
    assert not Poll.objects.exists()
    page = client.get("/").content.decode()
    assert "A poll has 2 to 4 options." in page
    assert 'value="Monday"' in page and "Which day?" in page
    assert 'id="id_poll_hide_totals" name="poll_hide_totals" checked' in page
    assert '<option value="3600" selected>' in page


def test_vote_and_see_results(member, other_member, make_member, publish):
    post = publish(other_member, "Tea or coffee?",
                   poll=PollSpec(["Tea", "Coffee"], expires_in=3600))
    client = logged_in(member)
    response = client.post(f"/polls/{post.poll.pk}/vote", {"choice": "1", "next": "/public"})
    assert response["Location"] == "/public"
    assert list(PollVote.objects.filter(user=member).values_list("choice", flat=True)) == [1]
    page = client.get(f"/@bob/{post.pk}").content.decode()
    assert "100% · 1 vote" in page and "your choice" in page and "1 voter" in page
    again = client.post(f"/polls/{post.poll.pk}/vote", {"choice": "0"}, follow=True)
    assert "You have already voted on this poll." in again.content.decode()
    nothing = logged_in(make_member("carol")).post(f"/polls/{post.poll.pk}/vote", {},
                                                   follow=True)
    assert "Choose an option before voting." in nothing.content.decode()


def test_hidden_totals_show_only_to_the_author_until_the_end(member, other_member, publish):
    post = publish(other_member, "Secret ballot",
                   poll=PollSpec(["Yes", "No"], expires_in=3600, hide_totals=True))
    client = logged_in(member)
    client.post(f"/polls/{post.poll.pk}/vote", {"choice": "0"})
    page = client.get(f"/@bob/{post.pk}").content.decode()
    assert "Results show when the poll ends" in page and "% · " not in page
    author_page = logged_in(other_member).get(f"/@bob/{post.pk}").content.decode()
    assert "100% · 1 vote" in author_page


def test_a_poll_you_may_not_see_cannot_be_voted_on(member, other_member, publish):
    post = publish(other_member, "@carol private question", visibility="direct",
                   poll=PollSpec(["A", "B"], expires_in=3600))
    response = logged_in(member).post(f"/polls/{post.poll.pk}/vote", {"choice": "0"})
    assert response.status_code == 404 and not PollVote.objects.exists()


# -- live updates on home -------------------------------------------------------------------


def test_home_polls_for_new_posts_and_loads_them(member, other_member, publish):
    account_services.follow(member, other_member)
    first = publish(other_member, "first news")
    client = logged_in(member)
    home = client.get("/").content.decode()
    assert f'hx-get="/home/new?since_id={first.pk}"' in home and 'hx-trigger="every 20s"' in home
    assert "new post" not in client.get(f"/home/new?since_id={first.pk}").content.decode()
    publish(other_member, "second news")
    publish(other_member, "third news")
    fragment = client.get(f"/home/new?since_id={first.pk}").content.decode()
    assert "2 new posts" in fragment and "second news" not in fragment
    shown = client.get(f"/home/new?since_id={first.pk}&show=1").content.decode()
    assert shown.index("third news") < shown.index("second news")
    assert "first news" not in shown
    newest = Post.objects.get(text="third news").pk
    assert f'hx-get="/home/new?since_id={newest}"' in shown


def test_live_updates_need_a_login_and_a_post_id(member):
    assert Client().get("/home/new?since_id=1").status_code == 286  # htmx stops polling
    assert logged_in(member).get("/home/new?since_id=abc").status_code == 400


# -- filters --------------------------------------------------------------------------------


def test_create_and_delete_a_filter(member, other_member):
    client = logged_in(member)
    response = client.post("/filters", {
        "title": "Spoilers", "keywords": "finale\nwho dies\n", "whole_word": "on",
        "context": ["home", "public"], "filter_action": "hide", "expires_in": "86400"})
    assert response["Location"] == "/filters"
    saved = Filter.objects.get(user=member)
    assert saved.title == "Spoilers" and saved.filter_action == "hide"
    assert sorted(saved.contexts) == ["home", "public"] and saved.expires_at is not None
    assert sorted(k.keyword for k in saved.keywords.all()) == ["finale", "who dies"]
    page = client.get("/filters").content.decode()
    assert "“finale”, “who dies”" in page and "Hide it completely" in page
    assert "Spoilers" not in logged_in(other_member).get("/filters").content.decode()
    assert logged_in(other_member).post(f"/filters/{saved.pk}/delete").status_code == 404
    client.post(f"/filters/{saved.pk}/delete")
    assert not Filter.objects.filter(user=member).exists()


def test_a_refused_filter_keeps_the_input(member):
    client = logged_in(member)
    response = client.post("/filters", {"title": "Spoilers", "keywords": "finale",
                                        "filter_action": "warn", "expires_in": ""})
    page = response.content.decode()
    assert response.status_code == 400 and "Choose where the filter applies." in page
    assert 'value="Spoilers"' in page and ">finale</textarea>" in page
    response = client.post("/filters", {"title": "", "keywords": "", "context": "home"})
    assert "Add at least one word or phrase to filter." in response.content.decode()
    assert not Filter.objects.exists()


def test_filters_apply_to_the_web_timelines(member, other_member, publish):
    from parley.filters import services as filter_services

    account_services.follow(member, other_member)
    publish(other_member, "the finale was wild")
    publish(other_member, "the weather is nice")
    publish(other_member, "who dies at the end?")
    filter_services.create_filter(member, title="Spoilers", context=["home"],
                                  filter_action="hide", keywords=[
                                      filter_services.KeywordChange(keyword="finale")])
    filter_services.create_filter(member, title="Death", context=["public", "account"],
                                  filter_action="warn", keywords=[
                                      filter_services.KeywordChange(keyword="dies")])
    client = logged_in(member)
    home = client.get("/").content.decode()
    assert "the finale was wild" not in home and "the weather is nice" in home
    public = client.get("/public").content.decode()
    assert "the finale was wild" in public  # the hide filter is for home only
    assert "Filtered: Death (show anyway)" in public and "who dies at the end?" in public
    assert "Filtered: Death" in client.get("/@bob").content.decode()
    assert "Filtered" not in logged_in(other_member).get("/public").content.decode()
