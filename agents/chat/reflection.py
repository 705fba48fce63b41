"""A learner's request for help, said back in their own words.

"How do I tell my team the launch is delayed?" was answered "Thank you for putting words on what
you are going through.": a formula, and a wrong one (the learner asked how to do something). A
coach says the request back ("You are asking how to tell your team the launch is delayed."), so
the learner knows they were read, in their terms, seen from the other side (my → your).

Only the plain forms are said back: "how do/can/should I <verb> …", "what can I do about …",
"comment <infinitive> …", "comment faire pour …", "que faire si …". A request whose rest has a
conjugated first person ("comment je lui dis que…") is left to the caller's plain sentence:
turning "je dis" into "vous dites" needs a conjugator, and a wrong form reads worse than none.
"""

from __future__ import annotations

import re

# Longer than this, a request said back reads as an echo of the whole message.
MAX_CHARS = 140

_SENTENCES = re.compile(r"(?<=[.!?…])\s+|\n+")

_ENGLISH = re.compile(
    r"^(?:(?:so|and|but|ok|okay|hi|hello|honestly|any idea|any advice)[,!]?\s+)*"
    r"(?:(?P<how>how (?:do|can|could|should|would|might) (?:i|we))|"
    r"(?P<what>what (?:can|could|should) (?:i|we) do))\s+(?P<rest>.+?)\s*\?*\s*$",
    re.IGNORECASE,
)
_FRENCH = re.compile(
    r"^(?:(?:bonjour|salut|alors|du coup|franchement|et|mais)[,!]?\s+)*"
    r"(?:(?P<how>comment(?: puis-je| pourrais-je| dois-je| devrais-je"
    r"| est-ce que je peux| je peux| je pourrais| je dois)?)|"
    r"(?P<what>que faire|qu'est-ce que je peux faire|que puis-je faire))"
    r"\s+(?P<rest>.+?)\s*\?*\s*$",
    re.IGNORECASE,
)
# "comment" must be followed by an infinitive (possibly reflexive): "comment dire", "comment
# m'affirmer", "comment lui annoncer"; not "comment ça se passe" nor "comment il faut".
_FRENCH_INFINITIVE = re.compile(
    r"^(?:(?:me|m'|lui|leur|le|la|les|en|y|vous|nous|bien|mieux|ne pas|ne plus)\s*)*"
    r"\w+(?:er|ir|re|oir)\b",
    re.IGNORECASE,
)
_FRENCH_CONJUGATED_SELF = re.compile(r"(?<!\w)(je|j'|tu)(?!\w)", re.IGNORECASE)

_ENGLISH_SWAPS = {
    "i": "you",
    "i'm": "you're",
    "i've": "you've",
    "i'd": "you'd",
    "i'll": "you'll",
    "am": "are",
    "me": "you",
    "my": "your",
    "mine": "yours",
    "myself": "yourself",
    "we": "you",
    "us": "you",
    "our": "your",
    "ours": "yours",
    "ourselves": "yourselves",
}
_FRENCH_SWAPS = {
    "mon": "votre",
    "ma": "votre",
    "mes": "vos",
    "me": "vous",
    "m'": "vous ",
    "moi": "vous",
    "notre": "votre",
    "nos": "vos",
    "nous": "vous",
}
_ENGLISH_WORD = re.compile(
    r"(?<![\w'])(" + "|".join(map(re.escape, _ENGLISH_SWAPS)) + r")(?![\w'])", re.IGNORECASE
)
# "m'" is followed by its word ("m'affirmer"); the others end where a word does.
_FRENCH_WORD = re.compile(
    r"(?<![\w'])(m'|(?:" + "|".join(w for w in _FRENCH_SWAPS if w != "m'") + r")(?!\w))",
    re.IGNORECASE,
)

SAID_BACK = {
    "en": {
        "how": "You are asking how to {rest}.",
        "what": "You are asking what you can do {rest}.",
    },
    "fr": {
        "how": "Vous cherchez comment {rest}.",
        "what": "Vous vous demandez que faire {rest}.",
    },
}


def said_back(message: str, language: str) -> str:
    """The learner's request for help, said back in their words; "" when the message holds no
    plain one."""
    for part in _SENTENCES.split(message.replace("\u2019", "'").strip()):
        sentence = part.strip()
        found = _said_back_french(sentence) if language == "fr" else _said_back_english(sentence)
        if found:
            return found
    return ""


def _said_back_english(sentence: str) -> str:
    found = _ENGLISH.match(sentence)
    if not found:
        return ""
    kind = "how" if found["how"] else "what"
    rest = _ENGLISH_WORD.sub(lambda m: _swap(m[1], _ENGLISH_SWAPS), found["rest"])
    return _sentence(SAID_BACK["en"][kind], rest)


def _said_back_french(sentence: str) -> str:
    found = _FRENCH.match(sentence)
    if not found:
        return ""
    kind = "how" if found["how"] else "what"
    rest = found["rest"]
    if _FRENCH_CONJUGATED_SELF.search(rest):
        return ""
    if kind == "how" and not _FRENCH_INFINITIVE.match(rest):
        return ""
    rest = _FRENCH_WORD.sub(lambda m: _swap(m[1], _FRENCH_SWAPS), rest).replace("vous  ", "vous ")
    return _sentence(SAID_BACK["fr"][kind], rest)


def _swap(word: str, swaps: dict[str, str]) -> str:
    return swaps.get(word.casefold(), word)


def _sentence(frame: str, rest: str) -> str:
    rest = rest.strip().rstrip("?!.… ").strip()
    if not rest or len(rest) > MAX_CHARS:
        return ""
    return frame.format(rest=rest)
