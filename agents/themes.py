"""What a learner's message is about, in the words of common soft-skill programs.

The packaged sentence encoder hardly tells the program's skills apart in a learner's message
(choosing the skill of the nearest module was right about as often as a guess among the two
or three a coach would accept). What a coach hears is carried by a few words: "je n'ose pas",
"j'ai hurlé", "nobody ever asks what I think". So the
companion keeps a small lexicon of the families of skills that soft-skill programs teach,
each with the names programs give it (to recognise the organisation's own skill by its name)
and the words of situations that call for it, in French and English.

The cue lists were written from what the skills mean, with the relevance dev split read (the
split for tuning): cues that only matched one of its messages were removed again. The frozen
`relevance` split, never read, gives the figure to trust (`python -m evals eval --suite relevance`).
A family the program has no skill for is heard through the skills of its near families (a
program without a conflict module works on conflict through listening and cooperation). An
organisation whose skills match no family keeps the encoder's choice.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SkillFamily:
    key: str
    # Folded names a program may give the skill ("écoute active" -> "ecoute active").
    names: tuple[str, ...]
    # Regular expressions over folded text (lower case, no accents, apostrophes as spaces),
    # each matched from the start of a word.
    cues: tuple[str, ...]
    # Families whose skills a program teaches this one through when it has no skill of its own
    # for it: a program without a conflict module works on conflict through listening and
    # cooperation.
    near: tuple[str, ...] = ()

    def cues_in(self, folded: str) -> int:
        return sum(1 for cue in self.cues if _cue(cue).search(folded))


FAMILIES: tuple[SkillFamily, ...] = (
    SkillFamily(
        "feedback",
        (
            "feedback",
            "feed-back",
            "retour",
            "retours",
            "retroaction",
            "feedback constructif",
            "constructive feedback",
            "reconnaissance",
            "recognition",
        ),
        (
            r"feed-?back",
            r"retours?\b",
            r"critiqu\w*",
            r"critici[sz]\w*",
            r"reproch\w*",
            r"remarques?\b",
            r"recadr\w*",
            r"felicit\w*",
            r"compliment\w*",
            r"remerci\w*",
            r"\bthank\w*",
            r"\bpraise\w*",
            r"reconnaissance",
            r"entretien (annuel|trimestriel|individuel)",
            r"one-to-one",
            r"\breview\w*",
            r"appraisal",
            r"commentaires?",
            r"comments\b",
            r"points? d amelioration",
            r"(dire|dis\w*|say\w*|tell\w*) (les choses|hard things|difficult things|the truth)",
            r"hard (things|truths?|conversations?)|difficult conversations?",
            r"conversations? difficiles?",
        ),
    ),
    SkillFamily(
        "listening",
        (
            "ecoute",
            "ecoute active",
            "active listening",
            "listening",
            "ecouter",
            "empathie",
            "empathy",
        ),
        (
            r"ecout\w*",
            r"listen\w*",
            r"coupe\w* (la parole|les gens|souvent)",
            r"interromp\w*",
            r"interrupt\w*",
            r"ne (disent|dit|parlent|parle) (rien|plus)",
            r"(barely|never) say",
            r"keep quiet\b",
            r"pose\w* (jamais|aucune|pas de) questions?",
            r"never asks?\b",
            r"nobody (ever )?asks?",
            r"comprendre (ce qu|son|leur|pourquoi)",
            r"understand (what|why|their|his|her)",
            r"reformul\w*",
            r"paraphras\w*",
            r"silenc\w*",
        ),
    ),
    SkillFamily(
        "boldness",
        (
            "audace",
            "oser",
            "courage",
            "boldness",
            "assertiveness",
            "assertivite",
            "affirmation de soi",
            "confiance en soi",
            "self-confidence",
            "confidence",
            "prise de parole",
            "prise de parole en public",
            "public speaking",
            "speaking up",
            "prise d initiative",
            "initiative",
        ),
        (
            r"\bos(e|es|er|ent|ais|ait|erai)\b",
            r"n ose",
            r"\bdare\w*",
            r"\bspeak up",
            r"prendre la parole",
            r"contredire",
            r"challenge\w*",
            r"push back",
            r"propos(e|es|er|ez|ent|ait|ition|itions|al|als|ed|ing)\b",
            r"presentation|presenter|bafouill\w*|trac\b|stage fright|public speaking",
            r"\bidees?\b",
            r"\bideas?\b",
            r"half-finished|inacheve\w*|a moitie",
            r"peur (qu on|de (me|se) (tromper|planter)|du ridicule|de deranger)",
            r"(afraid|scared|worried) (of|that|to|it)",
            r"(peur|crainte|hesite) (de|a) (dire|parler|prendre|proposer|demander|contredire)",
            r"desaccord|disagree\w*|(pas|plus) d accord",
            r"laiss\w* couler|(me|te|se|nous) taire|let it slide|bite my tongue|keep my mouth shut",
            r"tente\w*|tenter",
            r"risque\w*",
            r"\brisk\w*",
        ),
    ),
    SkillFamily(
        "emotions",
        (
            "intelligence emotionnelle",
            "emotional intelligence",
            "gestion des emotions",
            "emotions",
            "regulation emotionnelle",
            "emotional regulation",
            "gestion du stress",
            "stress management",
            "resilience",
        ),
        (
            r"emoti\w*",
            r"hurl\w*",
            r"cri(e|er|ait)\b",
            r"shout\w*",
            r"yell\w*",
            r"snapp\w*",
            r"colere|enerv\w*|furieu\w*|furax",
            r"angry|anger|furious",
            r"honte|humili\w*",
            r"ashamed|embarrass\w*",
            r"larmes|pleur\w*",
            r"tears|crying|cried",
            r"stress\w*|angoiss\w*|anxi\w*",
            r"apprehend\w*|apprehension",
            r"tetanis\w*|paralys\w*|froze|freeze",
            r"regrett?\w*",
            r"feel (awful|bad|guilty|lost)",
            r"coupable|guilty",
            r"perte|loss\b|deuil",
            r"calme|calm\b",
            r"frustr\w*",
            r"vex\w*|blesse\w*|hurt\b",
        ),
    ),
    SkillFamily(
        "cooperation",
        (
            "cooperation",
            "collaboration",
            "travail en equipe",
            "travail d equipe",
            "esprit d equipe",
            "teamwork",
            "team spirit",
            "working together",
            "travailler ensemble",
            "intelligence collective",
            "collective intelligence",
            "transversalite",
        ),
        (
            r"cooper\w*",
            r"collabor\w*",
            r"ensemble",
            r"together",
            r"coup de main",
            r"entraide|s entraider",
            r"help (each other|out)",
            r"autre (equipe|site|service|atelier)",
            r"other (team|site|squad|crew)",
            r"entre (sites|equipes|services|metiers)",
            r"across (teams|sites|hubs)",
            r"on se marche dessus|silos?",
            r"partag\w*|shar(e|ed|ing)\b",
        ),
    ),
    SkillFamily(
        "conflict",
        (
            "gestion des conflits",
            "gestion de conflits",
            "conflits",
            "conflict management",
            "conflict resolution",
            "managing conflict",
            "mediation",
        ),
        (
            r"conflit\w*",
            r"conflict\w*",
            r"tension\w*",
            r"clash\w*",
            r"dispute\w*",
            r"on s (engueule|accroche|prend le bec)",
            r"(me|se) prend\w* le bec",
            r"desaccord|disagree\w*|(pas|plus) d accord",
            r"(ne se parlent|don t talk|not speaking)",
            r"mediat\w*",
            r"rancune|grudge",
        ),
        near=("listening", "cooperation"),
    ),
    SkillFamily(
        "delegation",
        ("delegation", "deleguer", "delegating", "responsabilisation", "empowerment"),
        (
            r"delegu\w*|delegat\w*",
            r"tout (faire|refaire) (moi-meme|seul)",
            r"(do|redo) (it|everything) (myself|alone)",
            r"confier|entrust\w*|hand (it )?over",
            r"micro-?manag\w*",
            r"autonom\w*",
            r"lacher prise|let go",
        ),
    ),
    SkillFamily(
        "priorities",
        (
            "gestion du temps",
            "gestion des priorites",
            "priorisation",
            "organisation",
            "time management",
            "prioritisation",
            "prioritization",
            "managing priorities",
        ),
        (
            r"priorit\w*",
            r"deadline\w*|echeance\w*|delais?\b",
            r"debord\w*|overwhelm\w*|swamped",
            r"surcharg\w*|overload\w*",
            r"to-?do|liste de taches",
            r"agenda|calendrier|calendar",
            r"pas le temps|no time|manque de temps",
            r"urgen(t|ce|ces|cy)\b",
            r"interruption\w*",
            r"procrastin\w*",
        ),
    ),
    SkillFamily(
        "change",
        (
            "conduite du changement",
            "accompagnement du changement",
            "adaptabilite",
            "agilite",
            "change management",
            "leading change",
            "adaptability",
            "agility",
        ),
        (
            r"changement\w*|change(s|d)?\b",
            r"reorganis\w*|reorg\w*|restructur\w*",
            r"nouvel(le)? (outil|organisation|logiciel|poste|equipe)",
            r"new (tool|system|structure|role|team|manager)",
            r"transition\w*",
            r"demenag\w*|relocat\w*",
            r"resist\w*",
            r"incertitude|uncertain\w*",
        ),
    ),
)

_PUNCTUATION = re.compile(r"[’'`´]")


@functools.cache
def _cue(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{pattern})")


def fold(text: str) -> str:
    """Lower case, no accents, apostrophes as spaces: what the cues are written against."""
    decomposed = unicodedata.normalize("NFKD", _PUNCTUATION.sub(" ", text.casefold()))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def family_of(skill: str) -> SkillFamily | None:
    """The family an organisation's skill belongs to, by its name: the family one of whose
    names the skill's name holds as whole words ("L'écoute active au quotidien"), the longest
    such name deciding between families."""
    name = f" {fold(skill)} "
    named = [(len(n), f) for f in FAMILIES for n in f.names if f" {n} " in name]
    return max(named, key=lambda pair: pair[0])[1] if named else None


def heard_skills(message: str, skills: Iterable[str]) -> list[str]:
    """The organisation's skills whose family's cues are most numerous in the message (several
    when tied). Empty when no skill belongs to a family or no cue is heard."""
    text = fold(message)
    families = {skill: family_of(skill) for skill in dict.fromkeys(skills)}
    taught = {family.key for family in families.values() if family is not None}
    # A family the program has no skill for is heard through its near families' skills.
    lent: dict[str, int] = {}
    for family in FAMILIES:
        if family.key not in taught and family.near and (heard := family.cues_in(text)):
            for key in family.near:
                lent[key] = lent.get(key, 0) + heard
    counts = {
        skill: family.cues_in(text) + lent.get(family.key, 0)
        for skill, family in families.items()
        if family is not None
    }
    most = max(counts.values(), default=0)
    return [skill for skill, count in counts.items() if most and count == most]


def heard_families(message: str) -> list[SkillFamily]:
    """The families whose cues are most numerous in the message, whatever the program teaches
    (several when tied; none when no cue is heard)."""
    text = fold(message)
    counts = {family: family.cues_in(text) for family in FAMILIES}
    most = max(counts.values())
    return [family for family, count in counts.items() if most and count == most]


def speaks_of(text: str, families: Iterable[SkillFamily]) -> bool:
    """Does a passage name one of these families or hold one of its cues?"""
    keys = _families_in(text)
    return any(family.key in keys for family in families)


@functools.lru_cache(maxsize=4096)
def _families_in(text: str) -> frozenset[str]:
    # Passages come back query after query: read each once (about 1 ms for six of them).
    folded = fold(text)
    padded = f" {folded} "
    return frozenset(
        family.key
        for family in FAMILIES
        if _any_cue(family).search(folded) or any(f" {n} " in padded for n in family.names)
    )


@functools.cache
def _any_cue(family: SkillFamily) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{'|'.join(f'(?:{cue})' for cue in family.cues)})")


# Where a clause ends: punctuation, or "but" / "mais", which start another thought.
_CLAUSE_END = re.compile(r"[.!?;:,\n]+|\s+(?:mais|but)\s+")
PHRASE_WORDS = 14


def heard_phrase(message: str, skill: str) -> str:
    """The learner's own clause in which the skill's cue was heard, in their words, when the
    message says more than that clause (quoting a whole message back is parroting). ""
    otherwise."""
    family = family_of(skill)
    if family is None:
        return ""
    clauses = [c.strip(' ,-–—"«»“”') for c in _CLAUSE_END.split(message)]
    clauses = [c for c in clauses if c]
    if len(clauses) < 2:
        return ""
    for clause in clauses:
        if family.cues_in(fold(clause)):
            words = clause.split()
            return " ".join(words[:PHRASE_WORDS]) + (" …" if len(words) > PHRASE_WORDS else "")
    return ""
