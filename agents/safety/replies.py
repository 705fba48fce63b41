"""Replies: the safe reply sent instead of coaching content when the guard flags a message,
and the rules a generated reply must pass (`match_reply`, used by `SafetyGuard.check_reply`).

Warm, short, no coaching question, no diagnosis: it says the companion cannot help with this,
who can, and lists the organisation's configured resources (label: contact). Without
resources it points to the coach or HR; for distress and violence it always adds the
emergency number (112 in Europe) unless a configured resource already gives it.
"""

from __future__ import annotations

from collections.abc import Sequence

from agents.safety.rules import BENIGN, Category, compile_pattern, match, table

_TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "distress": (
            "Merci de me l'avoir confié. Ce que vous traversez compte, et vous n'avez pas à le "
            "porter seul·e. Je ne suis pas en mesure de vous accompagner sur ce point, mais des "
            "personnes peuvent le faire dès maintenant."
        ),
        "violence": (
            "Merci de m'en parler. Ce que vous décrivez est sérieux, et vous n'avez pas à y faire "
            "face seul·e. Je ne peux pas vous aider sur ce sujet, mais d'autres personnes le "
            "peuvent."
        ),
        "medical": (
            "Merci pour votre confiance. Je ne peux pas répondre aux questions médicales : un "
            "médecin (votre médecin traitant ou le médecin du travail) est la bonne personne."
        ),
        "legal": (
            "Merci pour votre confiance. Je ne peux pas donner de conseil juridique : un avocat, "
            "un représentant du personnel ou votre service RH pourront vous répondre."
        ),
        "clinical": (
            "Merci pour votre confiance. Je ne peux ni poser de diagnostic ni remplacer un suivi "
            "thérapeutique : un médecin ou un professionnel de santé mentale (psychologue, "
            "psychiatre) est la bonne personne."
        ),
        "resources": "Vous pouvez contacter :",
        "no_resources": "Vous pouvez en parler à votre coach ou à votre service RH.",
        "emergency": (
            "Si vous êtes en danger ou pensez à vous faire du mal, appelez tout de suite le 112 "
            "(numéro d'urgence européen)."
        ),
        "closing": "Je reste là pour reprendre notre travail quand vous le souhaiterez.",
        "separator": " : ",
    },
    "en": {
        "distress": (
            "Thank you for telling me. What you are going through matters, and you don't have "
            "to carry it alone. I'm not able to help with this here, but people can, right now."
        ),
        "violence": (
            "Thank you for telling me. What you describe is serious, and you don't have to face "
            "it alone. I can't help with this here, but other people can."
        ),
        "medical": (
            "Thank you for trusting me with this. I can't answer medical questions: a doctor "
            "(your GP or the occupational health doctor) is the right person."
        ),
        "legal": (
            "Thank you for trusting me with this. I can't give legal advice: a lawyer, an "
            "employee representative or your HR team can answer you."
        ),
        "clinical": (
            "Thank you for trusting me with this. I can't give a diagnosis or stand in for "
            "therapy: a doctor or a mental-health professional (psychologist, psychiatrist) is "
            "the right person."
        ),
        "resources": "You can contact:",
        "no_resources": "You can talk to your coach or your HR team about it.",
        "emergency": (
            "If you are in danger or thinking of harming yourself, call 112 now (the European "
            "emergency number)."
        ),
        "closing": "I'm here to pick up our work again whenever you're ready.",
        "separator": ": ",
    },
}
_EMERGENCY_CATEGORIES = frozenset({"distress", "violence"})


def _one_line(value: str) -> str:
    return " ".join(value.split())


def safe_reply(category: Category, language: str, resources: Sequence[tuple[str, str]]) -> str:
    """The reply for a flagged message, in French for `fr*` languages, English otherwise."""
    texts = _TEXTS["fr" if language.lower().startswith("fr") else "en"]
    listed = [
        (_one_line(label), _one_line(contact))
        for label, contact in resources
        if _one_line(label) or _one_line(contact)
    ]
    parts = [texts[category]]
    if listed:
        lines = [
            f"- {label}{texts['separator']}{contact}"
            if label and contact
            else f"- {label or contact}"
            for label, contact in listed
        ]
        parts.append("\n".join([texts["resources"], *lines]))
    else:
        parts.append(texts["no_resources"])
    gives_112 = any("112" in contact for _, contact in listed)
    if category in _EMERGENCY_CATEGORIES and not gives_112:
        parts.append(texts["emergency"])
    parts.append(texts["closing"])
    return "\n\n".join(parts)


# A reply must not give medical, clinical or legal advice nor encourage harm. Pointing to a
# doctor, a lawyer, HR or emergency services is what a safe reply does: never a hit here.
_REPLY_TABLES: dict[Category, str] = {
    "distress": r"""
        (dose|quantite) (letale|mortelle)|lethal dose|how to (kill|hurt) (yourself|your self)
        (tu devrais|vous devriez|pourquoi ne pas) (\w+ ){0,2}(en finir|te faire|vous faire) du mal
        (you should|go ahead and|why not) (\w+ ){0,2}(end it|hurt yourself|kill yourself)
    """,
    "violence": r"""
        (tu devrais|vous devriez|pourquoi ne pas|allez y|vas y) (\w+ ){0,2}(frapper|gifler|cogner)
        (you should|go ahead and|why not|just) (\w+ ){0,2}(punch|slap|hurt|hit) (him|her|them)\b
    """,
    "clinical": r"""
        (vous|tu) (souffrez|souffres|etes|es|faites|fais) <STRONG>(d'une |une |un |en )?<CONDITIONS>
        (ressemble|s'apparente|correspond) (\w+ ){0,2}(a )?(une? )?<CONDITIONS>
        symptomes? (d'une?|de) (\w+ )?<CONDITIONS>|symptoms of (\w+ )?<CONDITIONS>
        you (have|are|seem|suffer from) <STRONG>(a |an )?<CONDITIONS>
        (sounds|looks) like (a |an |clinical |classic )?<CONDITIONS>
        (prenez|prends|essayez|essaie|demandez|commencez) (\w+ ){0,3}<PSYDRUGS>
        (take|try|ask for|start) (\w+ ){0,3}<PSYDRUGS>
    """,
    "medical": r"""
        \d+ ?(mg|milligrammes?|milligrams?|ml|mcg)\b|\d+ (comprimes?|cachets?|gelules?|doses?)
        (un|une|deux|trois) (comprimes?|cachets?|gelules?)|toutes les \d+ ?(h|heures)\b
        (\d+|one|two|three) (pills?|tablets?|capsules?)|every \d+ ?(h|hours)\b
        (prenez|prends|essayez|essaie|take|try) (\w+ ){0,3}<DRUGS>
        (arretez|arrete|arreter|augmentez|diminuez) (\w+ ){0,2}(traitement|medicaments?|posologie)
        (stop|stopping|increase|reduce|double|lower) (\w+ ){0,2}(medication|meds|pills)
    """,
    "legal": r"""
        (vous pouvez|tu peux|vous devriez|tu devrais|vous devez|tu dois) (\w+ ){0,2}saisir
        (vous pouvez|tu peux|vous devriez|tu devrais) (\w+ ){0,2}(attaquer|poursuivre)
        (vous pouvez|tu peux|vous devriez|tu devrais) (\w+ ){0,2}porter plainte
        droits? a (\w+ ){0,3}(indemnit\w*|dommages|\d+)|article l ?\d
        (selon|d'apres|au regard de) (le |la |l')?(code du travail|loi|article)
        (est|c'est|serait) (\w+ ){0,2}(illegal|illegale|interdit par la loi)
        (votre|ton) employeur (ne peut pas|n'a pas le droit)
        you (should|could|can|must) (\w+ ){0,2}(sue|file a (lawsuit|claim))
        you (should|could|can|must) (\w+ ){0,2}take (them|him|her|your \w+) to court
        entitled to (\w+ ){0,3}(compensation|severance|damages|\d+)
        (according to|under) (the )?(labou?r code|law|employment law|article)
        (is|it's|that's|this is|was) (\w+ ){0,2}(illegal|unlawful|against the law)
        your employer (cannot|can't|can not) legally
    """,
}

REPLY_RULES = tuple(r for c, lines in _REPLY_TABLES.items() for r in table(c, lines))

# In a reply, "whether/if it is..." phrases say what the companion cannot judge.
_REPLY_BENIGN = compile_pattern(r"(whether|if|si|savoir si) \w+( \w+)?")


def match_reply(text: str) -> Category | None:
    """The category of advice or encouragement a generated reply must not contain."""
    return match(text, REPLY_RULES, BENIGN, _REPLY_BENIGN)
