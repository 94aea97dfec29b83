"""Text normalisation that undoes common evasions before any model sees the text.

Handles Unicode compatibility forms and confusables (Cyrillic/Greek look-alikes,
fullwidth and mathematical letters), accents, zero-width characters, leetspeak inside
words ("k1ll" -> "kill"), letters spaced or dotted apart ("k i l l", "k.i.l.l") and
letters repeated for emphasis ("kiiiiill" -> "kill"). The same function runs at training
and at scoring time, so both tiers see identical text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

# Look-alike letters that NFKC leaves alone (Cyrillic, Greek, a few Latin extensions).
_CONFUSABLES = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
    "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i",
    "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ɡ": "g", "ɩ": "i", "ı": "i", "ȷ": "j",
    "ո": "n", "ս": "u", "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k",
    "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ω": "w",
    "ѡ": "w", "ℓ": "l", "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l",
    "ħ": "h",
}
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u034f"
_PRE_TABLE = str.maketrans({**_CONFUSABLES, **{c: "" for c in _ZERO_WIDTH}})

# Digits and symbols read as letters, applied only inside a token that has a letter.
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
     "@": "a", "$": "s", "!": "i", "|": "l", "+": "t", "€": "e"}
)
# Only tokens where a letter touches a leet character ("k1ll", "h4te", "k!ll"); a trailing
# "!" ("die!!!") and plain numbers are left alone, and the scan stays cheap.
# Anchored at a token's start, so a token without such a pair is tried once, not at every
# character.
_LEET_TOKEN = re.compile(
    r"(?<![a-z0-9@$!|+€])(?=[a-z0-9@$!|+€]*(?:[a-z][0-9@$|+€]|[0-9@$|+€!][a-z]))"
    r"[a-z0-9@$!|+€]+"
)
_HAS_LETTER = re.compile(r"[a-z]")
_LEET_PAIR = re.compile(r"[a-z][0-9@$|+€]|[0-9@$|+€!][a-z]")  # cheap test before _LEET_TOKEN

# Three or more single letters split by the same separator: "k i l l", "k.i.l.l", "k-i-l-l".
_SPACED = re.compile(r"(?<![\w])(?:[a-z](?P<sep>[ .\-_*~·,/]+)){2,}[a-z](?![\w])")
_RUN3 = re.compile(r"([a-z])\1{2,}")
_RUN3_SPLIT = re.compile(r"([a-z])\1{2,}")
_AMP = re.compile(r"&(?:amp;)+")
_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"(?<!\w)@[a-z0-9_]+(?:@[a-z0-9_.\-]+)*")

# Words whose double letters are genuine; used to decide how to collapse "kiiilll".
_COMMON_DOUBLES_TEXT = """
    all kill ill will shall still till fill hell well sell tell bell shell yell wall
    call fall hall tall doll shoot boot loot good food blood mood cool fool pool school
    too zoo see bee free tree need feed seed deep keep sleep sweet street week three
    agree book look took cook hook door floor poor moon soon noon room gloom doom
    boom hill mill bill pill grass kiss miss boss loss mass pass class less mess bless
    press dress stress across cross gross off staff stuff cliff buff odd add egg
    hello jeez sorry happy apple attack assault assassinate butt ass"""
_COMMON_DOUBLES = frozenset(_COMMON_DOUBLES_TEXT.split())


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class _FoldTable(dict):
    """``str.translate`` table folding each non-ASCII character; filled as characters appear
    (bounded), so a post is folded in one C-level pass instead of a Python loop."""

    def __missing__(self, code: int) -> int | str:
        folded: int | str = code if code < 128 else _fold_char(chr(code))
        if len(self) < 20_000:
            self[code] = folded
        return folded


_FOLD = _FoldTable()


def _strip_marks(text: str) -> str:
    if text.isascii():
        return text
    return text.translate(_FOLD)


def _deleet(match: re.Match[str]) -> str:
    token = match.group(0)
    if not _HAS_LETTER.search(token):
        return token
    core = token.rstrip("!")  # "die!!!" keeps its exclamation marks
    tail = token[len(core):]
    if not core or core.startswith("@"):
        return token
    return core.replace("11", "ll").translate(_LEET) + tail


def _join_spaced(match: re.Match[str]) -> str:
    return re.sub(r"[^a-z]", "", match.group(0))


def _collapse_word(match: re.Match[str]) -> str:
    word = match.group(0)
    parts = _RUN3_SPLIT.split(word)  # odd indexes are the elongated letters
    runs = list(range(1, len(parts), 2))[:4]
    # Try every mix of single/double letters for the elongated runs; a known word wins,
    # otherwise single letters ("nooooo" -> "no", "fuuuck" -> "fuck").
    for mask in range(1 << len(runs)):
        candidate = list(parts)
        for bit, index in enumerate(runs):
            candidate[index] = parts[index] * (2 if mask >> bit & 1 else 1)
        joined = "".join(p if i % 2 == 0 else p for i, p in enumerate(candidate))
        joined = _RUN3.sub(r"\1", joined)
        if joined in _COMMON_DOUBLES:
            return joined
    return _RUN3.sub(r"\1", word)


_ELONGATED_WORD = re.compile(r"[a-z]*([a-z])\1{2,}[a-z]*")


def normalise(text: str) -> str:
    """Canonical lower-case text for the models; idempotent (normalise(normalise(x)) == ...)."""
    text = unicodedata.normalize("NFKC", text).lower()
    if not text.isascii():  # confusables and zero-width characters are all non-ASCII
        text = _strip_marks(text).translate(_PRE_TABLE).lower()
    if "http" in text or "www." in text:
        text = _URL.sub(" url ", text)
    if "@" in text:
        text = _MENTION.sub(" @user ", text)
    if "&" in text:
        text = _AMP.sub("&", text).replace("&lt;", "<").replace("&gt;", ">")
    text = " ".join(text.split())
    if _LEET_PAIR.search(text):
        text = _LEET_TOKEN.sub(_deleet, text)
    # Collapse before and after joining: "k i i i l l" and "a/iii a" both settle at once.
    # A collapse leaves no run of three letters, so the second pass is needed only when
    # joining spaced letters changed the text.
    if _RUN3.search(text):
        text = _ELONGATED_WORD.sub(_collapse_word, text)
    joined = _SPACED.sub(_join_spaced, text)
    if joined != text and _RUN3.search(joined):
        joined = _ELONGATED_WORD.sub(_collapse_word, joined)
    return " ".join(joined.split())


def normalise_all(texts: Iterable[str]) -> list[str]:
    return [normalise(t) for t in texts]
