"""The offline default reply: what the companion hears in the message (the learner's own words
and the program's skill they touch; nothing for a factual question about the organisation: it
gets the passage), the most relevant passage, one question from the organisation's bank. No
model; deterministic for a given message."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from agents.chat.reflection import said_back
from agents.chat.state import ChatRequest
from agents.grounding import Source
from agents.plan.goal import fits, goal_direction
from agents.quotes import plain_quote
from agents.themes import heard_phrase, heard_skills

QUOTE_CHARS = 240
_WORD = re.compile(r"\w{4,}")

# When no skill is heard in a message about the learner and it asks for no help that can be said
# back (agents.chat.reflection): one plain sentence, not a rotation of
# formulas that pretends to listen. A message that says nothing of its writer (a ticket number,
# a pasted line, a remark about a tool) gets none: thanking someone for "putting words on what
# they are going through" when they went through nothing is a formula too.
ACKNOWLEDGEMENTS = {
    "fr": "Merci de mettre des mots sur ce que vous vivez.",
    "en": "Thank you for putting words on what you are going through.",
}
PHRASES = {
    "fr": {
        "passage": "Un passage {of_org} peut éclairer votre réflexion : « {quote} » [{label}]",
        "answer": "Voici ce que dit {org} à ce sujet : « {quote} » [{label}]",
        "original": " (cité dans sa langue d'origine)",
        "nothing": (
            "Je n'ai rien trouvé dans les contenus de votre organisation qui s'y rapporte "
            "directement, et je préfère ne rien inventer."
        ),
        "your_org": "votre organisation",
        "of": "de {org}",
        "of_vowel": "d'{org}",
        "question": (
            "Qu'est-ce qui vous semblerait un premier pas possible d'ici votre prochaine séance ?"
        ),
        "heard": "Ce que vous décrivez touche à ce que votre parcours appelle « {skill} ».",
        "heard_phrase": (
            "Vous écrivez « {phrase} » : cela touche à ce que votre parcours appelle « {skill} »."
        ),
        "question_original": " (une question de votre parcours, dans sa langue d'origine)",
        "open": (
            "Si cela touche à votre travail ou à votre parcours, qu'est-ce qui s'y joue pour vous ?"
        ),
    },
    "en": {
        "passage": "A passage {of_org} may shed light on this: “{quote}” [{label}]",
        "answer": "Here is what {org} says about it: “{quote}” [{label}]",
        "original": " (quoted in its original language)",
        "nothing": (
            "I found nothing in your organisation's content that relates to this directly, "
            "and I would rather not make something up."
        ),
        "your_org": "your organisation",
        "of": "from {org}",
        "of_vowel": "from {org}",
        "question": "What would feel like a possible first step before your next session?",
        "heard": "What you describe touches on what your program calls “{skill}”.",
        "heard_phrase": "You write “{phrase}”: that touches on what your program calls “{skill}”.",
        "question_original": " (a question from your program, in its original language)",
        "open": "If this touches on your work or your program, what is at stake for you in it?",
    },
}


def compose_reply(request: ChatRequest, relevant: Sequence[Source], skill: str = "") -> str:
    """`skill`: the program skill nearest to the message (the question is drawn from it)."""
    say = PHRASES.get(request.language, PHRASES["en"])
    seed = int.from_bytes(hashlib.sha256((request.seed + request.message).encode()).digest()[:8])
    factual = asks_about_facts(request.message)
    # The program's skills whose words the message holds (agents.themes), read once.
    in_words = heard_skills(request.message, sorted(program_skills(request)))
    heard = "" if factual and relevant else _heard(request, skill, in_words, say)
    parts = [heard] if heard else []
    if relevant:
        source = relevant[0]
        org = request.organization_name or say["your_org"]
        quote = plain_quote(source.chunk.text, QUOTE_CHARS)
        frame = say["answer" if factual else "passage"]
        # French elides before a vowel: "un passage d'Atelier Horizon", "de Brightwater Labs".
        of_org = say["of_vowel" if org[:1].casefold() in "aeiouyhàâéèêîôû" else "of"]
        parts.append(
            frame.format(org=org, of_org=of_org.format(org=org), quote=quote, label=source.label)
        )
        if source.chunk.language and source.chunk.language != request.language:
            parts[-1] += say["original"]
    else:
        parts.append(say["nothing"])
    if not relevant and not in_words:
        # Nothing in the organisation's content and no skill in the message: mostly a message
        # off the program (a recipe, a football score; 52 of the 66 such messages of the
        # relevance dev and train splits). A bank question would be a random pick ("where do
        # you draw the line between boldness and safety?" for tomatoes); an open one fits both.
        parts.append(say["open"])
    else:
        parts.append(_question(request, relevant, skill, seed, say) or say["question"])
    return " ".join(parts)


def program_skills(request: ChatRequest) -> set[str]:
    """The skills the organisation asks questions about: its bank's and its modules'."""
    return {q.skill for q in request.bank} | {p.skill for p in request.prompts}


def _heard(request: ChatRequest, skill: str, in_words: Sequence[str], say: dict[str, str]) -> str:
    """The skill is named only when the message holds its words (`in_words`): a skill chosen
    by similarity alone is a guess, and a guess said aloud is not listening."""
    if not skill or skill not in in_words:
        if asked := said_back(request.message, request.language):
            return asked  # a request for help, said back: not thanks for "what you live"
        if not speaks_of_oneself(request.message):
            return ""
        return ACKNOWLEDGEMENTS.get(request.language, ACKNOWLEDGEMENTS["en"])
    if phrase := heard_phrase(request.message, skill):
        return say["heard_phrase"].format(phrase=phrase, skill=skill)
    return say["heard"].format(skill=skill)


# The writer in the first person, in French or English ("m'inquiète", "I'm", "my team").
_FIRST_PERSON = re.compile(
    r"(?<!\w)([jm]'|(je|me|moi|mon|ma|mes|nous|notre|nos|i|i'm|i've|i'd|i'll|my|myself|we|our)"
    r"(?!\w))",
    re.IGNORECASE,
)


def speaks_of_oneself(message: str) -> bool:
    return bool(_FIRST_PERSON.search(message.replace("\u2019", "'")))


# A question about facts (when, where, what is, who...) and no word of feeling: the learner
# wants the information, not a reflective acknowledgement.
_FACT_QUESTION = re.compile(
    r"\b(quand|où|ou est|qui|quel(le)?s?|combien|c'est quoi|qu'est-ce que|est-ce que|"
    r"when|where|who|what is|what are|what's|which|how many|how much|is there|are there|"
    r"do we|does the|when's)\b",
    re.IGNORECASE,
)
# ...and nothing personal: a feeling, or advice asked for oneself.
_PERSONAL = re.compile(
    r"\b(je me sens|j'ai peur|j'ose|je n'ose|je stresse|angoiss\w*|peur|honte|gêné\w*|"
    r"mal à l'aise|comment (je|faire|puis-je|dire|gérer|oser)|je peux|puis-je|dois-je|"
    r"devrais-je|je devrais|i feel|i'm (scared|afraid|nervous|worried|anxious|stuck)|afraid|"
    r"ashamed|struggl\w*|how (do|can|should) i|i don't know how|(can|should|could) i)\b",
    re.IGNORECASE,
)


def asks_about_facts(message: str) -> bool:
    """A factual question about the organisation (a ritual, a date, a place, a value)."""
    text = message.replace("\u2019", "'")
    return "?" in text and bool(_FACT_QUESTION.search(text)) and not _PERSONAL.search(text)


# Which kind of question a message calls for first: the learner telling of their own situation is
# asked about it (a reflection prompt of the skill's module, "Que risquez-vous réellement en
# osant, et que risquez-vous en n'osant pas ?"), or about their team when the team is what they
# speak of; a factual question about the organisation, about the company. A company question
# after "J'ai raté ma présentation ce matin" ("Quelle idée audacieuse pourrait aider l'entreprise
# à faire face aux tensions sur l'approvisionnement en bois local ?") read as a random pick.
SCALES = {
    "self": ("self", "team", "company"),
    "team": ("team", "self", "company"),
    "facts": ("company", "team", "self"),
    "other": ("team", "company", "self"),
}
_TEAM = re.compile(
    r"\b(équipe|equipe|collègues?|collegues?|collaborat\w+|team|colleagues?|reports|my staff)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Option:
    """A question the reply may ask: a bank question (company or team) or a module's prompt."""

    skill: str
    scale: str
    language: str
    text: str


def scales_for(message: str) -> tuple[str, ...]:
    """The question scales in the order `message` calls for them (see SCALES)."""
    if asks_about_facts(message):
        return SCALES["facts"]
    if speaks_of_oneself(message):
        return SCALES["team" if _TEAM.search(message) else "self"]
    return SCALES["other"]


def _question(
    request: ChatRequest,
    relevant: Sequence[Source],
    skill: str,
    seed: int,
    say: dict[str, str],
) -> str | None:
    """A question of the skill nearest to the message (else the passage's), not pulling the
    other way when the learner speaks of giving feedback or of receiving it, of the scale the
    message calls for (`scales_for`), and among those, the one sharing most words with the
    message. In the learner's language when the organisation has one; otherwise in its own,
    saying so (as a quoted passage does)."""
    skill = skill or (relevant[0].chunk.skill if relevant else "")
    direction = goal_direction(request.message)
    order = scales_for(request.message)
    rank = {scale: i for i, scale in enumerate(order)}
    every = [_Option(q.skill, q.scale, q.language, q.text) for q in request.bank]
    every += [_Option(p.skill, "self", p.language, p.text) for p in request.prompts]
    for usable, note in (
        ([o for o in every if o.language == request.language], ""),
        (every, say["question_original"]),
    ):
        options = [o for o in usable if skill and o.skill == skill] or usable
        options = [o for o in options if fits(o.text, direction)] or options
        if options:
            first = min(rank.get(o.scale, len(order)) for o in options)
            options = [o for o in options if rank.get(o.scale, len(order)) == first]
            said = _words(request.message)
            best = max(len(said & _words(o.text)) for o in options)
            closest = [o for o in options if len(said & _words(o.text)) == best]
            return closest[seed % len(closest)].text + note
    return None


def _words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)}
