"""Explicit threat patterns (intent + violent verb + target) over normalised text.

They are features of the inline model (so their weight is learned, not guessed) and the
evidence shown to moderators when they fire.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_VERB = (
    r"(?:kill|murder|shoot|stab|hang|lynch|behead|decapitate|slaughter|exterminate|execute|"
    r"gas|burn|bomb|butcher|strangle|choke|beat|torture|gun down|blow up|rape|slit|massacre|"
    r"eradicate|wipe out|kill off|cut|hunt|knife|run over|curb stomp|skin|bash|smash|"
    r"slaughter|destroy|eliminate|genocide|nuke|hang up|string up|line up and shoot)"
)
_VERB_ED = (
    r"(?:killed|murdered|shot|stabbed|hanged|hung|lynched|beheaded|slaughtered|exterminated|"
    r"executed|gassed|burned|burnt|bombed|butchered|strangled|tortured|gunned down|"
    r"wiped out|eradicated|eliminated|put down|put to death|strung up|lined up and shot|"
    r"beaten to death|deported and shot|nuked|castrated|raped)"
)
_FIRST_PERSON = (
    r"(?:i|we|im|ima|imma|i'm|i'll|we'll|we're|ill|were)\s+"
    r"(?:will\s+|shall\s+|am\s+|are\s+|m\s+|re\s+|ll\s+|would\s+|'d\s+|d\s+)?"
    r"(?:going to|gonna|gunna|want to|wanna|would love to|love to|need to|have to|got to|gotta|"
    r"about to|plan to|promise to|swear (?:i|we)(?:'ll| will)|coming to|will|shall|should|must)?\s*"
)
_TARGET = (
    r"(?:you|u|ya|him|her|them|em|'em|all|every|each|those|these|the|this|that|your|his|"
    r"their|@user|some|any|more|a|an|as many|yourself|urself|themselves|[a-z]+s)\b"
)
_NEGATED = re.compile(
    r"\b(?:not|never|n't|dont|don't|wouldn't|wouldnt|won't|wont|no one|nobody|isn't|"
    r"would never|refuse to)\b"
)

PATTERNS: dict[str, re.Pattern[str]] = {
    "first_person_threat": re.compile(
        rf"\b{_FIRST_PERSON}(?:\w+\s+){{0,2}}?{_VERB}(?:s|es|ing)?\s+{_TARGET}"
    ),
    "call_to_kill": re.compile(
        rf"\b(?:should|must|need to|needs to|ought to|deserve to|deserves to|has to|have to|"
        rf"will|gonna|going to|all)\s+(?:all\s+)?(?:be|get|gets|getting)\s+{_VERB_ED}\b"
    ),
    "imperative_violence": re.compile(
        rf"(?:^|[.!?]\s*|\b(?:let's|lets|let us|just|go|time to|someone|somebody|"
        rf"someone should|somebody should|we should|we must|we need to|you should)\s+)"
        rf"{_VERB}\s+{_TARGET}"
    ),
    "death_wish": re.compile(
        r"\b(?:should|must|deserves? to|needs? to|ought to|hope (?:you|he|she|they)|"
        r"go|gonna|all)\s+(?:\w+\s+)?(?:die|burn in hell|rot)\b|\b(?:kys|kill yourself|"
        r"kill urself|kill your ?self|drink bleach|neck yourself|rope yourself)\b"
    ),
    "weapon_at_target": re.compile(
        r"\b(?:bullet|rope|noose|gas chamber|oven|guillotine|firing squad|machete|"
        r"bullets|ropes|nooses|gallows|pitchforks|lamp ?posts?|wood chipper|helicopter rides?)"
        r"\s+(?:for|is what|are what|is too good for|awaits?|waiting for)\b"
    ),
    "glorify_attack": re.compile(
        r"\b(?:hero|legend|saint|based|did nothing wrong|more of this|do it again|"
        r"well done|good job|needs? more)\b[^.!?]{0,40}\b(?:shooter|shooting|massacre|"
        r"bombing|attack|gunman|bomber)s?\b|\b(?:shooter|gunman|bomber)\b[^.!?]{0,30}"
        r"\b(?:hero|legend|saint|did nothing wrong)\b"
    ),
}


# Every pattern needs a word starting with one of these stems; most posts have none and
# skip the patterns.
_TRIGGER_STEMS = (
    "kill", "murder", "shoot", "shot", "stab", "hang", "hung", "lynch", "behead",
    "decapitat", "slaughter", "extermin", "execut", "gas", "burn", "bomb", "butcher",
    "strangl", "chok", "beat", "tortur", "gun", "blow", "rape", "slit", "massacr",
    "eradicat", "wipe", "cut", "hunt", "knife", "run over", "stomp", "skin", "bash",
    "smash", "destroy", "elimin", "genocid", "nuke", "string", "line", "put", "castrat",
    "deport", "die", "kys", "bleach", "neck", "rope", "bullet", "noose", "oven",
    "guillotine", "firing", "machete", "gallows", "pitchfork", "lamp", "chipper",
    "helicopter", "attack",
)


def _prefix_tree(stems: tuple[str, ...]) -> str:
    """A regex matching any of ``stems``, shaped as a tree of shared prefixes.

    Python's regex engine tries the branches of a flat alternation one by one at every
    word start; a tree decides on the first letter (1.4-2x faster on the dataset's texts)."""
    tree: dict = {}
    for stem in stems:
        node = tree
        for letter in stem:
            node = node.setdefault(letter, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [re.escape(k) + emit(v) for k, v in sorted(node.items()) if k]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        return f"(?:{body})?" if "" in node else body

    return emit(tree)


_TRIGGER = re.compile(rf"\b(?:{_prefix_tree(_TRIGGER_STEMS)}|rot\b)")


@dataclass(frozen=True)
class PatternHit:
    name: str
    text: str
    negated: bool


@lru_cache(maxsize=512)  # features, evidence and rules of one post ask for the same text
def find_threat_patterns(normalised: str) -> tuple[PatternHit, ...]:
    """Every pattern that fires, with the matched words and whether a negation precedes it."""
    return tuple(_threat_patterns(normalised))


def _threat_patterns(normalised: str) -> list[PatternHit]:
    hits: list[PatternHit] = []
    if not _TRIGGER.search(normalised):
        return hits
    for name, pattern in PATTERNS.items():
        match = pattern.search(normalised)
        if match is None:
            continue
        before = normalised[max(0, match.start() - 25) : match.end()]
        hits.append(PatternHit(name, match.group(0).strip(" .!?"), bool(_NEGATED.search(before))))
    return hits


# Unmistakable threats that are held whatever the statistical score: a speaker announcing
# they will kill/shoot/... the addressee or a group, or calling for all of a group to be
# killed. They are rare in the training corpora, so the learned weights underrate them.
_DIRECT_VERB = (
    r"(?:kill|murder|shoot|stab|hang|lynch|behead|strangle|slit|bomb|burn|gut|execute|"
    r"slaughter|butcher|gas|exterminate)"
)
DIRECT_THREATS: dict[str, re.Pattern[str]] = {
    "direct threat (speaker will kill/hurt the target)": re.compile(
        r"\b(?:i|we)\s*(?:'ll|'m|ll|m|am|are|will|shall|'re|re)?\s*(?:going to|gonna|gunna|"
        r"about to|coming to|will|shall|'ll)\s+(?:\w+\s+){0,3}?" + _DIRECT_VERB
        + r"\s+(?:you|u|ya|him|her|them|@user|every|each|all of)\b"
    ),
    "call to kill a whole group": re.compile(
        r"\b(?:should|must|need to|have to|let's|lets)\s+(?:\w+\s+)?" + _DIRECT_VERB
        + r"\s+(?:every|all|each)\s+(?:one\s+of\s+)?(?:them|those|these|of them)\b"
        r"|\b(?:line|round) (?:them|'em|em) up and (?:shoot|kill|hang|gas|execute)"
    ),
}
_PLAYFUL = re.compile(
    r"\s+(?:a|an)\s+(?:quick\s+)?(?:message|text|email|e-mail|dm|pm|line|note|invite|link)\b"
    r"|\s+(?:at|in|on)\s+(?:\w+\s+){0,2}(?:chess|poker|cards|game|games|match|tournament|fifa|"
    r"fortnite|halo|tennis|golf|scrabble|monopoly|mario ?kart|smash|league|raid|quiz|trivia|"
    r"pool|darts|bowling|karaoke|minecraft|cod|overwatch|valorant|ping pong)\b"
)
_REPORTED = re.compile(
    r"(?:said|says|saying|scream(?:ed|ing|s)?|shout(?:ed|ing|s)?|yell(?:ed|ing|s)?|told|"
    r"tweeted|wrote|chant(?:ed|ing|s)?|[\"“”'‘’:])\s*$"
)


_DIRECT_TRIGGER = re.compile(r"\b" + _DIRECT_VERB + r"|\b(?:line|round) ")


def find_direct_threat(normalised: str) -> PatternHit | None:
    """The first unmistakable, un-negated, not-quoted threat in the text, if any."""
    if not _DIRECT_TRIGGER.search(normalised):
        return None
    for name, pattern in DIRECT_THREATS.items():
        for match in pattern.finditer(normalised):
            before = normalised[max(0, match.start() - 25) : match.start()]
            window = normalised[max(0, match.start() - 25) : match.end()]
            after = normalised[match.end() : match.end() + 30]
            if _NEGATED.search(window) or _REPORTED.search(before) or _PLAYFUL.match(after):
                continue
            return PatternHit(name, match.group(0).strip(" .!?"), False)
    return None
