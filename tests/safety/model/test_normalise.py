"""Normalisation undoes evasions: leetspeak, spacing, repeated letters, confusables."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from parley.safety.model.normalise import normalise

VIOLENT_WORDS = ["kill", "shoot", "murder", "hang", "stab", "behead", "lynch", "bomb", "burn"]
LEET = {"i": "1", "e": "3", "a": "4", "o": "0", "s": "5", "t": "7", "b": "8"}
CONFUSABLE = {"a": "а", "e": "е", "o": "о", "c": "с", "p": "р", "k": "к", "i": "і", "y": "у"}
SENTENCES = ["i will {} you", "we should {} them all", "{} every one of them", "go {} him now"]

words = st.sampled_from(VIOLENT_WORDS)
sentences = st.sampled_from(SENTENCES)


def _apply(word: str, mapping: dict[str, str], mask: list[bool]) -> str:
    return "".join(mapping.get(c, c) if m else c for c, m in zip(word, mask, strict=False))


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_normalise_is_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once


@settings(max_examples=60, deadline=None)
@given(words, sentences, st.lists(st.booleans(), min_size=8, max_size=8))
def test_leetspeak_is_undone(word, sentence, mask):
    # An all-digit token stays a number ("5748"), so at least one letter remains.
    mask[len(word) - 1] = False
    evaded = sentence.format(_apply(word, LEET, mask))
    assert normalise(evaded) == normalise(sentence.format(word))


@settings(max_examples=60, deadline=None)
@given(words, sentences, st.sampled_from([" ", ".", "-", "*", "  "]))
def test_spaced_out_letters_are_joined(word, sentence, separator):
    evaded = sentence.format(separator.join(word))
    assert normalise(evaded) == normalise(sentence.format(word))


@settings(max_examples=60, deadline=None)
@given(words, sentences, st.integers(0, 7), st.integers(3, 9))
def test_repeated_letters_are_collapsed(word, sentence, position, times):
    position %= len(word)
    evaded = word[:position] + word[position] * times + word[position + 1 :]
    assert normalise(sentence.format(evaded)) == normalise(sentence.format(word))


@settings(max_examples=60, deadline=None)
@given(words, sentences, st.lists(st.booleans(), min_size=8, max_size=8), st.booleans())
def test_confusables_and_invisible_characters_are_undone(word, sentence, mask, zero_width):
    evaded = _apply(word, CONFUSABLE, mask)
    if zero_width:
        evaded = "\u200b".join(evaded)
    assert normalise(sentence.format(evaded)) == normalise(sentence.format(word))


@settings(max_examples=40, deadline=None)
@given(words, sentences)
def test_fullwidth_and_uppercase_are_folded(word, sentence):
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if c.isalpha() else c for c in word.upper())
    assert normalise(sentence.format(fullwidth)) == normalise(sentence.format(word))


def test_examples():
    assert normalise("I w1ll k i l l you @bob@example.com") == "i will kill you @user"
    assert normalise("kiiiiiillll them all") == "kill them all"
    assert normalise("ＳＨＯＯＴ https://x.example/a") == "shoot url"
    assert normalise("good fooood and a cool pool") == "good food and a cool pool"
    assert normalise("I'll pay $100 at 5:30") == "i'll pay $100 at 5:30"
