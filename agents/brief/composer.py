"""The offline default: a brief from the learner's own words, counted, not interpreted.

No model, deterministic. The latest answers are quoted, each after the question it answers;
themes are the focus skills the learner wrote about and the words or phrases that come back
across answers and messages; progress matches each agreed action with the material sharing its
words; open questions are the learner's sentences ending in "?".
Every claim cites the evidence it counted. With no evidence, the brief says so.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

from agents.brief.changes import day
from agents.brief.state import MAX_POINTS, BriefPoint, BriefRequest, Evidence, Points, distinct

COMPOSER_VERSION = "composer-2026-12-05"
MAX_THEMES = 3
QUOTE_CHARS, ACTION_CHARS = 160, 120
# An answer's point holds its question and its words: both cut so the point stays under the
# 300 characters every brief point keeps to.
ANSWER_PROMPT_CHARS, ANSWER_CHARS = 80, 150
_TOKEN = re.compile(r"[^\W\d_]+")  # letters only: "d'équipe" gives "d" and "équipe"
_QUESTION = re.compile(r"[^.!?…\n]*\?")
_SUFFIXES = "ements ement ations ation ments ment ings ing ies ers ees es ed er ez ee e s".split()
# Words of 4+ letters (accents folded) that carry no theme; shorter words never count.
_STOP = frozenset(
    "avec dans pour mais plus tout tous toute toutes tres aussi comme quand sans cette ceci "
    "cela celui celle ceux elle elles nous vous leur leurs notre votre sont etre avoir fait "
    "faire faut peut peux veux dois doit etait avais avait suis sommes etes vais allez encore "
    "deja alors donc puis ainsi bien trop beaucoup moins autre autres meme chose choses quoi "
    "quel quelle quels quelles comment pourquoi parce depuis pendant avant apres entre chez "
    "vers sous selon jamais toujours rien chaque sera serait avons avez vraiment plutot assez "
    "semaine semaines jour jours fois moment oui "
    "that this with have from what about would there their they them then than will been "
    "were just really some more your yours ours when where which while also into over very "
    "much many such only even because could should being does doing done make made know "
    "think thing things time times week weeks days today said like well still other after "
    "before since again here those these yeah".split()
)
_PHRASES: dict[str, dict[str, str]] = {
    "fr": {
        "skill": "Compétence « {skill} » : abordée dans {count}.",
        "term": "Thème récurrent : « {term} », dans {count}.",
        "no_evidence": "Aucune réponse ni aucun message depuis la dernière séance : "
        "pas de thème à relever.",
        "mentioned": "Action « {action} » : évoquée dans {count}.",
        "not_mentioned": "Action « {action} » : pas évoquée depuis la séance.",
        "question": "Question de la personne : « {quote} »",
        "ask_period": "Demander comment s'est passée la période : rien n'a été partagé "
        "depuis la séance.",
        "unanswered": "Question restée sans réponse : « {quote} »",
        "revisit": "Revenir sur l'action « {action} », dont la personne n'a pas parlé.",
        "silent_skill": "Explorer « {skill} » : aucune réponse ni aucun message n'en parle.",
        "answered": "Le {date}, en réponse à « {prompt} » : « {quote} »",
        "answered_bare": "Le {date}, une réponse : « {quote} »",
        "check_in": "Prendre des nouvelles de la personne en début de séance, et accuser "
        "réception de toute alerte encore ouverte.",
        "answer": "réponse",
        "journal": "note de journal",
        "journals": "notes de journal",
        "companion": "Retour {who}, le {date} : « {quote} »",
        "companions": "retour de compagnon|retours de compagnons",
        "who.named": "de {name}",
        "who.peer": "d'un pair",
        "who.colleague": "d'un collègue",
        "who.mentor": "d'un mentor",
        "who.relative": "d'un proche",
        "who.other": "d'une personne de son choix",
        "and": " et ",
    },
    "en": {
        "skill": "Focus skill “{skill}”: discussed in {count}.",
        "term": "Recurring theme: “{term}”, in {count}.",
        "no_evidence": "No answer and no message since the last session: no theme to report.",
        "mentioned": "Action “{action}”: mentioned in {count}.",
        "not_mentioned": "Action “{action}”: not mentioned since the session.",
        "question": "The learner asks: “{quote}”",
        "ask_period": "Ask how the period went: nothing was shared since the session.",
        "unanswered": "Unanswered question: “{quote}”",
        "revisit": "Come back to the action “{action}”, which the learner has not mentioned.",
        "silent_skill": "Explore “{skill}”: no answer or message mentions it.",
        "answered": "On {date}, answering “{prompt}”: “{quote}”",
        "answered_bare": "On {date}, an answer: “{quote}”",
        "check_in": "Check in with the learner at the start of the session, and acknowledge "
        "any alert still open.",
        "answer": "answer",
        "journal": "journal entry",
        "journals": "journal entries",
        "companion": "Feedback {who} on {date}: “{quote}”",
        "companions": "companion's feedback|companions' feedback",
        "who.named": "from {name}",
        "who.peer": "from a peer",
        "who.colleague": "from a colleague",
        "who.mentor": "from a mentor",
        "who.relative": "from a relative",
        "who.other": "from someone they chose",
        "and": " and ",
    },
}


def compose_brief(request: BriefRequest) -> Points:
    say = _PHRASES.get(request.language, _PHRASES["en"])
    evidence = request.evidence
    skills = distinct(request.focus_skills)
    # A skill is a word or two: one shared stem is a mention. An action is a sentence: two.
    skill_hits = [
        (_short(s, ACTION_CHARS), _holding(_stems(s), evidence, needed=1)) for s in skills
    ]
    action_hits = [
        (_short(a, ACTION_CHARS), _holding(_stems(a), evidence, needed=2))
        for a in distinct(request.agreed_actions)[:MAX_POINTS]
    ]
    themes = [
        _point(say["skill"].format(skill=s, count=_count(h, say)), h) for s, h in skill_hits if h
    ][:MAX_THEMES]
    taken = {stem for skill in skills for stem in _stems(skill)}
    themes += [
        _point(say["term"].format(term=term, count=_count(h, say)), h)
        for term, h in _recurring(evidence, taken, MAX_THEMES - len(themes))
    ]
    progress = [
        _point(say["mentioned" if h else "not_mentioned"].format(action=a, count=_count(h, say)), h)
        for a, h in action_hits
    ]
    # Companions' feedback the learner shared, each cited: what others observed.
    themes += _companions(evidence, say, request.language)[: MAX_POINTS - len(themes)]
    explore = [say["check_in"]] if request.alerts else []
    explore += [] if evidence else [say["ask_period"]]
    explore += [
        say["unanswered"].format(quote=_short(q, QUOTE_CHARS)) for q in distinct(request.unanswered)
    ]
    explore += [say["revisit"].format(action=a) for a, h in action_hits if not h]
    explore += [say["silent_skill"].format(skill=s) for s, h in skill_hits if not h]
    return {
        "answers": _answers(evidence, say, request.language),
        "themes": themes if evidence else [BriefPoint(say["no_evidence"], ())],
        "progress": progress,
        "open_questions": _questions(evidence, say),
        "explore": [BriefPoint(text, ()) for text in explore[:MAX_POINTS]],
    }


def _answers(evidence: Sequence[Evidence], say: dict[str, str], language: str) -> list[BriefPoint]:
    """The latest answers, oldest first, each quoted after the question it answers."""
    points = []
    for item in [e for e in evidence if e.kind == "answer"][-MAX_POINTS:]:
        quote, date = _short(item.text, ANSWER_CHARS), day(item.created_at, language)
        if item.prompt:
            prompt = _short(item.prompt, ANSWER_PROMPT_CHARS)
            text = say["answered"].format(date=date, prompt=prompt, quote=quote)
        else:
            text = say["answered_bare"].format(date=date, quote=quote)
        points.append(BriefPoint(text, (item.id,)))
    return points


def _companions(
    evidence: Sequence[Evidence], say: dict[str, str], language: str
) -> list[BriefPoint]:
    """The latest shared companions' feedback, oldest first, each quoted and cited."""
    points = []
    for item in [e for e in evidence if e.kind == "companion"][-MAX_POINTS:]:
        if item.source:
            who = say["who.named"].format(name=item.source)
            if language == "fr" and re.match(r"[aeiouyhéèêàâîôû]", item.source, re.IGNORECASE):
                who = f"d'{item.source}"  # elided before a vowel
        else:
            who = say.get(f"who.{item.relation}", say["who.other"])
        quote, date = _short(item.text, ANSWER_CHARS), day(item.created_at, language)
        points.append(
            BriefPoint(say["companion"].format(who=who, date=date, quote=quote), (item.id,))
        )
    return points


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _stem(word: str) -> str | None:
    """A crude French/English stem, or None for a word that carries no theme."""
    folded = _fold(word)
    if len(folded) < 4 or folded in _STOP:
        return None
    for suffix in _SUFFIXES:
        if folded.endswith(suffix) and len(folded) - len(suffix) >= 4:
            return folded[: -len(suffix)]
    return folded


def _stems(text: str) -> set[str]:
    return {s for s in map(_stem, _TOKEN.findall(text)) if s}


def _terms(text: str) -> list[tuple[tuple[str, ...], str]]:
    """Meaningful words and two-word phrases ("prise de parole"), keyed by their stems."""
    tokens = list(_TOKEN.finditer(text))
    terms: list[tuple[tuple[str, ...], str]] = []
    last: tuple[int, re.Match[str], str] | None = None
    for index, token in enumerate(tokens):
        stem = _stem(token.group())
        if stem is None:
            continue
        terms.append(((stem,), token.group().lower()))
        if last is not None:
            gap = tokens[last[0] + 1 : index]
            span = text[last[1].start() : token.end()]
            if len(gap) <= 1 and all(len(t.group()) <= 3 for t in gap) and _joined(span):
                terms.append(((last[2], stem), " ".join(span.lower().split())))
        last = (index, token, stem)
    return terms


def _joined(span: str) -> bool:
    return not any(mark in span for mark in '.,;:!?()«»“”"\n')


def _recurring(
    evidence: Sequence[Evidence], taken: set[str], limit: int
) -> list[tuple[str, list[Evidence]]]:
    """Words or phrases found in 2+ items (or twice in the only one), most widespread first."""
    holders: dict[tuple[str, ...], list[Evidence]] = {}
    counts: Counter[tuple[str, ...]] = Counter()
    surfaces: dict[tuple[str, ...], Counter[str]] = {}
    for item in evidence:
        for key, surface in _terms(item.text):
            counts[key] += 1
            surfaces.setdefault(key, Counter())[surface] += 1
            held = holders.setdefault(key, [])
            if not held or held[-1] is not item:
                held.append(item)
    # Stable sort: ties keep the order of first appearance. A phrase beats its words when
    # it is as widespread as they are.
    ranked = sorted(holders, key=lambda k: (-len(holders[k]), -len(k), -counts[k]))
    chosen: list[tuple[str, list[Evidence]]] = []
    used = set(taken)
    for key in ranked:
        if len(chosen) >= limit:
            break
        recurrence = len(holders[key]) if len(evidence) > 1 else counts[key]
        if recurrence >= 2 and not used & set(key):
            chosen.append((surfaces[key].most_common(1)[0][0], holders[key]))
            used |= set(key)
    return chosen


def _holding(target: set[str], evidence: Sequence[Evidence], *, needed: int) -> list[Evidence]:
    """Items sharing `needed` stems with the target (all of them, when it has fewer).

    An answer's prompt counts: an answer to a question about the action is about the action.
    """
    needed = min(needed, len(target))
    return [
        item
        for item in evidence
        if target and len(target & _stems(f"{item.text} {item.prompt}")) >= needed
    ]


def _questions(evidence: Sequence[Evidence], say: dict[str, str]) -> list[BriefPoint]:
    points: dict[str, BriefPoint] = {}
    for item in evidence:
        for match in _QUESTION.finditer(item.text):
            sentence = " ".join(match.group().split())
            if len(sentence.split()) >= 3:
                quote = _short(sentence, QUOTE_CHARS)
                points.setdefault(
                    _fold(sentence), BriefPoint(say["question"].format(quote=quote), (item.id,))
                )
    return list(points.values())[-MAX_POINTS:]  # the most recent ones


def _point(text: str, held: Sequence[Evidence]) -> BriefPoint:
    return BriefPoint(text, tuple(dict.fromkeys(item.id for item in held)))


def _count(held: Sequence[Evidence], say: dict[str, str]) -> str:
    answers = sum(item.kind == "answer" for item in held)
    notes = sum(item.kind == "journal" for item in held)
    companions = sum(item.kind == "companion" for item in held)
    messages = len(held) - answers - notes - companions
    parts = [f"{answers} {say['answer']}{'s' * (answers > 1)}"] if answers else []
    parts += [f"{messages} message{'s' * (messages > 1)}"] if messages else []
    parts += [f"{notes} {say['journals' if notes > 1 else 'journal']}"] if notes else []
    if companions:
        one, many = say["companions"].split("|")
        parts.append(f"{companions} {one if companions == 1 else many}")
    return say["and"].join(parts)


def _short(text: str, limit: int) -> str:
    """One line without a trailing full stop, cut at a word with an ellipsis."""
    line = " ".join(text.split()).rstrip(" .!;:")
    if len(line) > limit:
        line = line[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
    return line
