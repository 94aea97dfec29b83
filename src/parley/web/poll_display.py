"""How a poll shows on a web page: its results as the viewer may see them, loaded for a
whole page at once (``polls.results_of``: three queries, whatever the number of polls)."""

from __future__ import annotations

from dataclasses import dataclass

from parley.posts import polls
from parley.posts.models import Poll, Post


@dataclass
class OptionShown:
    index: int
    title: str
    votes: int | None  # None: the totals are hidden until the poll ends
    percent: int
    chosen: bool


@dataclass
class PollShown:
    poll: Poll
    options: list[OptionShown]
    hidden: bool
    voted: bool
    votes_count: int
    voters_count: int


def _viewer(user):
    return user if user is not None and user.is_authenticated else None


def shown(poll: Poll, viewer, counted: polls.PollResults | None = None) -> PollShown:
    viewer = _viewer(viewer)
    counted = counted or polls.results(poll, viewer)
    hidden = polls.totals_hidden(poll, viewer)
    # Mastodon's percentages: of voters on a multiple-choice poll, of votes otherwise.
    total = counted.voters_count if poll.multiple else counted.votes_count
    options = [
        OptionShown(i, title, None if hidden else votes,
                    0 if hidden or not total else round(100 * votes / total),
                    i in counted.own_votes)
        for i, (title, votes) in enumerate(zip(poll.options, counted.option_votes, strict=True))
    ]
    return PollShown(poll, options, hidden, bool(counted.own_votes), counted.votes_count,
                     counted.voters_count)


def attach(viewer, posts: list[Post]) -> None:
    """Compute the page's polls once; the template tag ``poll_shown`` reads them."""
    found = []
    for post in posts:
        original = post.reblog_of or post
        poll = polls.poll_of(original)
        if poll is not None:
            found.append(poll)
    results = polls.results_of(found, _viewer(viewer))
    for poll in found:
        poll.web_shown = shown(poll, viewer, results[poll.pk])
