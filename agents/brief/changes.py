"""The brief's first section: the open safety alerts and what is new since the session.

Counted here, never written by a model: counts, tiers and dates are facts, and a model that
left out seven open alerts would fail where nobody looks. Both writers (composer and model)
get this section as it is. An alert shows its tier and date only: what was said stays in the
conversation, which the coach reads only if the learner shared it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from agents.brief.state import Alert, AlertTier, BriefPoint, BriefRequest, Evidence

TIERS: tuple[AlertTier, ...] = ("urgent", "support")  # the most pressing first
_MONTHS = {
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "en": "January February March April May June July August September October November December",
}
_PHRASES: dict[str, dict[str, str]] = {
    "fr": {
        "session_of": "la séance du {date}",
        "last_session": "la dernière séance",
        "nothing": "Rien à signaler depuis {session} : ni réponse, ni note de journal ou "
        "conversation partagée, ni alerte ouverte.",
        "nothing_shared": "Rien de nouveau partagé depuis {session} : ni réponse, ni note de "
        "journal ou conversation partagée.",
        "since": "Depuis {session} : {parts}.",
        "one_alert": "Une alerte de sécurité {tier} reste ouverte, levée le {date}.",
        "alerts": "{count} alertes de sécurité restent ouvertes ({tiers}), levées {span}.",
        "span": "entre le {first} et le {last}",
        "on": "le {date}",
        "urgent": "urgente|urgentes",
        "support": "de soutien|de soutien",
        "all": "toutes {tier}",
        "answer": "réponse|réponses",
        "journal": "note de journal partagée|notes de journal partagées",
        "companion": "retour de compagnon partagé|retours de compagnons partagés",
        "message": "message|messages",
        "in_threads": "{messages} dans {threads}",
        "thread": "conversation partagée|conversations partagées",
        "and": " et ",
        "first_day": "1er",
    },
    "en": {
        "session_of": "the session of {date}",
        "last_session": "the last session",
        "nothing": "Nothing to report since {session}: no answer, no shared journal entry or "
        "conversation, no open alert.",
        "nothing_shared": "Nothing new shared since {session}: no answer, no shared journal "
        "entry or conversation.",
        "since": "Since {session}: {parts}.",
        "one_alert": "One {tier} safety alert is still open, raised on {date}.",
        "alerts": "{count} safety alerts are still open ({tiers}), raised {span}.",
        "span": "between {first} and {last}",
        "on": "on {date}",
        "urgent": "urgent|urgent",
        "support": "support|support",
        "all": "all {tier}",
        "answer": "answer|answers",
        "journal": "shared journal entry|shared journal entries",
        "companion": "shared companion's feedback|shared companions' feedback",
        "message": "message|messages",
        "in_threads": "{messages} in {threads}",
        "thread": "shared conversation|shared conversations",
        "and": " and ",
        "first_day": "1",
    },
}


def compose_changes(request: BriefRequest) -> list[BriefPoint]:
    """The open alerts first, then what the learner shared since the session, each cited.

    "Nothing to report" is said only when there is no new material and no open alert.
    """
    say = _PHRASES.get(request.language, _PHRASES["en"])
    session = (
        say["session_of"].format(date=day(request.since, request.language))
        if request.since
        else say["last_session"]
    )
    points = [_alerts_point(request.alerts, say, request.language)] if request.alerts else []
    if request.evidence:
        parts = _shared_parts(request.evidence, say)
        text = say["since"].format(session=session, parts=parts)
        points.append(BriefPoint(text, tuple(item.id for item in request.evidence)))
    else:
        empty = "nothing_shared" if request.alerts else "nothing"
        points.append(BriefPoint(say[empty].format(session=session), ()))
    return points


def day(iso: str, language: str) -> str:
    """'3 décembre' or '3 December' (UTC, no year: a brief covers a few weeks)."""
    moment = datetime.fromisoformat(iso)
    months = _MONTHS.get(language, _MONTHS["en"]).split()
    say = _PHRASES.get(language, _PHRASES["en"])
    number = say["first_day"] if moment.day == 1 else str(moment.day)
    return f"{number} {months[moment.month - 1]}"


def _alerts_point(alerts: Sequence[Alert], say: dict[str, str], language: str) -> BriefPoint:
    ids = tuple(alert.id for alert in alerts)
    moments = sorted(datetime.fromisoformat(alert.created_at) for alert in alerts)
    first, last = (day(moment.isoformat(), language) for moment in (moments[0], moments[-1]))
    if len(alerts) == 1:
        tier = _plural(say[alerts[0].tier], 1)
        return BriefPoint(say["one_alert"].format(tier=tier, date=first), ids)
    tiers = Counter(alert.tier for alert in alerts)
    if len(tiers) == 1:
        (only,) = tiers
        tiers_text = say["all"].format(tier=_plural(say[only], 2))
    else:
        tiers_text = say["and"].join(
            f"{tiers[tier]} {_plural(say[tier], tiers[tier])}" for tier in TIERS if tiers[tier]
        )
    span = (
        say["on"].format(date=first)
        if first == last
        else say["span"].format(first=first, last=last)
    )
    text = say["alerts"].format(count=len(alerts), tiers=tiers_text, span=span)
    return BriefPoint(text, ids)


def _shared_parts(evidence: Sequence[Evidence], say: dict[str, str]) -> str:
    """'2 réponses, 1 note de journal partagée et 3 messages dans 1 conversation partagée'."""
    kinds = Counter(item.kind for item in evidence)
    threads = len({item.thread for item in evidence if item.kind == "message" and item.thread})
    parts = [
        _counted(kinds[kind], say[kind])
        for kind in ("answer", "journal", "companion")
        if kinds[kind]
    ]
    if kinds["message"]:
        messages = _counted(kinds["message"], say["message"])
        if threads:
            messages = say["in_threads"].format(
                messages=messages, threads=_counted(threads, say["thread"])
            )
        parts.append(messages)
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + say["and"] + parts[-1]


def _counted(count: int, forms: str) -> str:
    return f"{count} {_plural(forms, count)}"


def _plural(forms: str, count: int) -> str:
    """'réponse|réponses': the first form for one, the second for more."""
    one, many = forms.split("|")
    return one if count == 1 else many
