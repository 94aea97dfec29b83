"""Property-based tests of mention, hashtag and link parsing, and of text limits."""

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from parley.posts import text

words = st.text(alphabet=string.ascii_letters + string.digits + "_", min_size=1, max_size=20)
anything = st.text(max_size=300)


@given(anything)
def test_rendered_html_never_contains_raw_markup_from_the_text(value):
    html = text.render_html(value, known_usernames=set())
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "onerror" not in html.lower() or "&" in html or "onerror" in value.lower()


@given(words.filter(lambda w: not w.isdigit() and not w.startswith("_")), anything)
def test_every_hashtag_becomes_a_tag_link(tag, surrounding):
    body = f"{surrounding} #{tag} end"
    assert tag.lower() in text.extract_hashtags(body)
    assert f'href="/tags/{tag.lower()}"' in text.render_html(body, set())


@given(st.lists(words, min_size=1, max_size=5, unique_by=str.lower))
def test_local_mentions_are_found_in_order_once(names):
    body = " ".join(f"@{n}" for n in names + names)
    assert text.extract_mentions(body, "localhost") == [n.lower() for n in names]


@given(words)
def test_mentions_of_other_domains_are_not_local(name):
    assert text.extract_mentions(f"hi @{name}@elsewhere.example", "localhost") == []


@given(st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=200), words)
def test_every_link_counts_as_23_characters(path, before):
    url = f"https://example.com/{path}"
    assert text.text_length(f"{before} {url}") == len(before) + 1 + 23


@settings(max_examples=50)
@given(st.text(min_size=0, max_size=600))
def test_text_length_never_exceeds_the_raw_length_without_links(value):
    if "http" not in value:
        assert text.text_length(value) == len(value)
