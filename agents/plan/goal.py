"""The learner's goal as the plan reads it: its direction, and the goal as a clause addressed
to the learner, so a question can be written in the goal's own terms.

Direction: `give` (giving feedback, saying a hard thing), `receive` (taking criticism, asking
for feedback), `both`, or `other` (daring, listening, calm, cooperation...). Léa's goal is to
*give* direct feedback without hurting; a reflection on how she *receives* criticism misses it.
The cue patterns below were tuned on the relevance DEV split only. A goal about daring ("Oser
dire...", "Find the courage to...") is read as `other`: the difficulty it names is the daring.
"""

from __future__ import annotations

import re
from typing import Literal

Direction = Literal["give", "receive", "both", "other"]

_DARING = re.compile(
    r"^(oser|dare|daring|find the courage|have the courage|(avoir|trouver) le courage)\b"
)
_BOTH = re.compile(
    r"\bse (comprendre|dire|parler|faire des retours)\b|\bmutuel|\bdans les deux sens\b"
    r"|\bles uns (aux|les) autres\b|\bclear the air\b|\beach other\b|\bone another\b"
    r"|\bboth ways\b|\bmutual"
)
_FEEDBACK_FR = r"(retours?|feedbacks?|remarques?|critiques?|avis|reproches?)"
_FEEDBACK_EN = r"(feedback|criticism|comments|critique|input)"
_RECEIVE = re.compile(
    rf"\bcritiq\w*|\bcritici[sz]\w*|\bdefensive\b|\b(me|m') ?(braquer|justifier|vexer|fermer)\b"
    rf"|\bsans me sentir (attaqu|vis|jug)\w*"
    rf"|\b(recevoir|accueillir|entendre|écouter|accepter) (les |des |un |une |mes |ces )?"
    rf"{_FEEDBACK_FR}"
    rf"|\b(demander|solliciter|recueillir|obtenir|susciter)\b.{{0,40}}"
    rf"({_FEEDBACK_FR}|ce que je|ce qu'(ils|elles|on) pense|comment je)"
    rf"|\b(receiv\w*|tak(e|ing)|accept\w*|hear\w*|welcom\w*) (the |more |honest |critical )?"
    rf"{_FEEDBACK_EN}"
    rf"|\b(ask|asking|get|getting|seek\w*|invite|request|gather\w*)\b.{{0,50}}"
    rf"({_FEEDBACK_EN}|what i|how i)"
    rf"|\bprendre (mal |)(les |des |un |une |ces )?{_FEEDBACK_FR}|\ble prendre mal\b"
    rf"|\b(open to|learn\w* from|listen\w* to|react\w* \w* ?to) (the |more |honest )?"
    rf"{_FEEDBACK_EN}|\btak(e|ing) (it|things|comments|feedback) personally\b"
)
_GIVE = re.compile(
    rf"\bdire (à|a|franchement|clairement|honnêtement|ce|que|non)\b"
    rf"|\b(donner|faire|formuler|adresser) (un |une |des |du |mes |mon |ce |cette )?"
    rf"({_FEEDBACK_FR}|recadrage)"
    rf"|\b(recadrer|signaler|annoncer|confronter)\b|\btell(ing)?\b"
    rf"|\b(give|giving|deliver\w*|offer\w*|shar(e|ing))\b (\w+ ){{0,2}}"
    rf"({_FEEDBACK_EN}|praise|recognition)"
    rf"|\b(raise|raising|flag|flagging|point(ing)? out|push(ing)? back|say(ing)? no)\b"
    rf"|\bfaire part\b|\bexprimer (mon|un|ce|mes)\b|\b(féliciter|complimenter|alerter)\b"
    rf"|\b(call(ing)? out|speak(ing)? up about|let (him|her|them) know|praise|prais\w*)\b"
    rf"|\bbe (honest|direct|frank|clear) with\b|\b(address\w*|confront\w*)\b"
)


def goal_direction(goal: str) -> Direction:
    text = _fold(goal)
    if _DARING.search(text):
        return "other"
    if _BOTH.search(text):
        return "both"
    gives, receives = bool(_GIVE.search(text)), bool(_RECEIVE.search(text))
    if gives and receives:
        return "both"
    return "give" if gives else "receive" if receives else "other"


def leans(text: str) -> set[Direction]:
    """The feedback directions a question or prompt leans to (empty: neither)."""
    found: set[Direction] = set()
    folded = _fold(text)
    if _GIVE.search(folded) or re.search(
        r"\b(donnez|formuler|formulez|holding back|giving)\b", folded
    ):
        found.add("give")
    if _RECEIVE.search(folded) or re.search(
        r"\b(re[çc]u|recevez|recevoir|sollicit\w*|reçoit|react|réagissez)\b", folded
    ):
        found.add("receive")
    return found


def fits(text: str, direction: Direction) -> bool:
    """A question that does not pull a one-way goal the other way."""
    against = {"give": "receive", "receive": "give"}.get(direction)
    return against not in leans(text)


# The goal as a clause after "essayé de" / "try to": the learner's words, second person.
_FR_SKIP = frozenset(
    "mieux vraiment davantage enfin réellement ne plus moins me m' te t' se s' vous nous lui "
    "leur y en".split()
)
_FR_LEAD = re.compile(r"^(réussir|arriver|parvenir) à\s+|^être capable d[e']\s*")
_FR_PERSON = (
    (re.compile(r"\bm'(?=\w)"), "vous "),
    (re.compile(r"\bme\b"), "vous"),
    (re.compile(r"\bmoi(-même)?\b"), "vous\\1"),
    (re.compile(r"\bmon\b|\bma\b"), "votre"),
    (re.compile(r"\bmes\b"), "vos"),
)
_EN_SKIP = frozenset("really better actually finally not never always more consistently".split())
_EN_NOT_VERB = frozenset("i my the a an some less being our this that".split())
_EN_NOUN_END = re.compile(r"(ing|tion|ness|ence|ance|ment|ity|ship)$")
_EN_PERSON = tuple(
    (re.compile(rf"\b{mine}\b", re.IGNORECASE), yours)
    for mine, yours in (
        ("i'm", "you're"),
        ("i've", "you've"),
        ("i'd", "you'd"),
        ("i'll", "you'll"),
        ("i am", "you are"),
        ("i was", "you were"),
        ("myself", "yourself"),
        ("my", "your"),
        ("mine", "yours"),
        ("me", "you"),
        ("i", "you"),
    )
)
MAX_CLAUSE_CHARS = 140


def goal_clause(goal: str, language: str) -> str | None:
    """The goal as an infinitive clause addressed to the learner ("dire à Marc que...",
    "tell your manager that..."), or None when it is not one (a noun phrase, a sentence in
    the first person whose verbs would need conjugating, or too long)."""
    text = " ".join(goal.replace("’", "'").split()).rstrip(" .!;…")
    if not text or len(text) > MAX_CLAUSE_CHARS:
        return None
    if len(text) < 2 or not text[1].isupper():
        text = text[0].lower() + text[1:]
    return _french_clause(text) if language == "fr" else _english_clause(text)


def _french_clause(text: str) -> str | None:
    text = _FR_LEAD.sub("", text)
    text = re.sub(r"\b(?:je |j')((?:me |m')?)(\w+)", _vous, text)
    if re.search(r"\b(je|j')", text, re.IGNORECASE):
        return None  # a verb we cannot conjugate
    words = [w for w in re.findall(r"\w+'?", text) if w.lower() not in _FR_SKIP]
    if not words or not re.search(r"(er|ir|re|oir)$", words[0].lower()):
        return None
    for pattern, replacement in _FR_PERSON:
        text = pattern.sub(replacement, text)
    return text


_FR_VOUS = {
    "suis": "êtes",
    "ai": "avez",
    "peux": "pouvez",
    "dois": "devez",
    "fais": "faites",
    "sais": "savez",
    "vais": "allez",
    "veux": "voulez",
    "dis": "dites",
    "sens": "sentez",
}


def _vous(match: re.Match[str]) -> str:
    """ "je pourrais" → "vous pourriez", "je me sens" → "vous vous sentez"; else left as is."""
    reflexive, verb = match.group(1), match.group(2)
    if verb.lower() in _FR_VOUS:
        conjugated = _FR_VOUS[verb.lower()]
    elif verb.endswith("ais"):
        conjugated = f"{verb[:-3]}iez"
    elif verb.endswith("e") and not verb.endswith("ée"):
        conjugated = f"{verb}z"
    else:
        return match.group(0)
    return "vous " + ("vous " if reflexive else "") + conjugated


def _english_clause(text: str) -> str | None:
    text = re.sub(r"^(to|be able to)\s+", "", text, flags=re.IGNORECASE)
    words = [
        w for w in re.findall(r"[\w']+", text.lower()) if w not in _EN_SKIP and not w.endswith("ly")
    ]
    if not words or words[0] in _EN_NOT_VERB or _EN_NOUN_END.search(words[0]):
        return None
    for pattern, replacement in _EN_PERSON:
        text = pattern.sub(replacement, text)
    return text


def with_de(clause: str) -> str:
    """French "de" before the clause, elided before a vowel or a mute h."""
    return (
        f"d'{clause}" if re.match(r"[aeiouyhéèêàâîôû]", clause, re.IGNORECASE) else f"de {clause}"
    )


def _fold(text: str) -> str:
    return " ".join(text.replace("’", "'").casefold().split())
