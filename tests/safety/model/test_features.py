"""The run-time feature indexer sees exactly the features the training analyzer saw."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from parley.safety.model.features import FeatureIndexer, text_features
from parley.safety.model.normalise import normalise
from parley.safety.model.patterns import find_threat_patterns

SAMPLES = [
    "i am going to shoot you tomorrow @user",
    "we should hang every one of them!",
    "the match was a massacre, we got killed 5-0",
    "lovely weather today? yes!",
]


def _vocabulary() -> list[str]:
    names = sorted({f for text in SAMPLES for f in text_features(normalise(text))})
    return names[::2]  # a pruned vocabulary: some features are unknown at run time


@settings(max_examples=40, deadline=None)
@given(st.one_of(st.sampled_from(SAMPLES), st.text(max_size=120)))
def test_indexer_matches_training_features(text):
    vocabulary = _vocabulary()
    position = {name: i for i, name in enumerate(vocabulary)}
    normalised = normalise(text)
    expected = Counter(position[f] for f in text_features(normalised) if f in position)
    assert Counter(FeatureIndexer(vocabulary).indices(normalised).tolist()) == expected


def test_threat_patterns_name_the_words():
    hits = find_threat_patterns(normalise("I am going to shoot you tomorrow, @bob"))
    assert [(h.name, h.negated) for h in hits] == [("first_person_threat", False)]
    assert "shoot you" in hits[0].text
    negated = find_threat_patterns(normalise("I would never kill you"))
    assert all(h.negated for h in negated)


def test_direct_threat_rule_skips_negation_quotes_and_games():
    from parley.safety.model.patterns import find_direct_threat

    def fires(text: str) -> bool:
        return find_direct_threat(normalise(text)) is not None

    assert fires("I will find you and kill you")
    assert fires("we should hang every one of them")
    assert not fires("I would never kill you")
    assert not fires('the attacker was screaming "i will kill you" at the officers')
    assert not fires("I'm going to kill you at chess tonight")
    assert not fires("i'll shoot you a message later")


_STEM_WORDS = st.sampled_from(
    ["kill", "killer", "over", "oven", "run", "run over", "rot", "rotten", "die", "diet",
     "put", "input", "skin", "ski", "gas", "ga", "a", "shot", "sho", "bullets", "x"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_STEM_WORDS, st.text("abcdeikloprstuv ", max_size=8)), max_size=8))
def test_the_threat_trigger_tree_matches_exactly_like_the_plain_list_of_stems(words):
    import re

    from parley.safety.model.patterns import _TRIGGER, _TRIGGER_STEMS

    plain = re.compile(r"\b(?:" + "|".join(
        re.escape(s) for s in _TRIGGER_STEMS) + r"|rot\b)")
    text = " ".join(words)
    assert bool(_TRIGGER.search(text)) == bool(plain.search(text))
