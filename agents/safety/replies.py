"""Replies: what the companion answers instead of coaching when the guard flags a message, and
the rules a generated reply must pass (`match_reply`, used by `SafetyGuard.check_reply`).

Each tier answers differently (see `agents.safety.taxonomy`), and every answer says in plain
words what happens with what the learner wrote:
- urgent: warm, short, the organisation's urgent resources and the emergency number, and that the
  coach has been told an alert was raised (not what was written);
- support: a check-in, the support resources, and an offer to tell the coach, which happens
  only if the learner agrees;
- out of scope: this is outside coaching, who can answer, and that nothing goes to the coach.
No coaching question, no diagnosis. Without configured resources it points to the coach or HR.
"""

from __future__ import annotations

from collections.abc import Sequence

from agents.safety.rules import BENIGN, RuleSet, compile_pattern, match, table
from agents.safety.taxonomy import TIER_OF, Category

_TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "self_harm": (
            "Merci de me l'avoir confié. Ce que vous traversez compte, et vous n'avez pas à le "
            "porter seul·e. Je ne suis pas en mesure de vous accompagner sur ce point, mais des "
            "personnes peuvent le faire dès maintenant."
        ),
        "violence": (
            "Merci de m'en parler. Ce que vous décrivez est sérieux, et vous n'avez pas à y faire "
            "face seul·e. Votre sécurité passe avant tout le reste, et d'autres personnes "
            "peuvent vous aider dès maintenant."
        ),
        "distress": (
            "Merci de me le dire. Cela a l'air lourd à porter en ce moment, et c'est important "
            "d'en parler. Prenez soin de vous : vous n'avez pas à tenir seul·e."
        ),
        "harassment": (
            "Merci de m'en parler. Ce que vous décrivez n'est pas acceptable, et ce n'est pas à "
            "vous de le porter seul·e. Des personnes sont là pour vous écouter et agir."
        ),
        "medical": (
            "Merci pour votre confiance. Les questions de santé sortent de ce que je peux faire "
            "en coaching : un médecin (votre médecin traitant ou le médecin du travail) ou un "
            "professionnel de santé mentale est la bonne personne."
        ),
        "legal": (
            "Merci pour votre confiance. Les questions de droit sortent de ce que je peux faire "
            "en coaching : un avocat, un représentant du personnel ou votre service RH pourront "
            "vous répondre."
        ),
        "financial": (
            "Merci pour votre confiance. Les questions d'argent personnelles sortent de ce que je "
            "peux faire en coaching : votre banque, un conseiller financier indépendant ou un "
            "service d'aide sociale pourront vous répondre."
        ),
        "resources": "Vous pouvez contacter :",
        "no_resources": "Vous pouvez en parler à votre coach ou à votre service RH.",
        "emergency": (
            "Si vous êtes en danger ou pensez à vous faire du mal, appelez tout de suite le 112 "
            "(numéro d'urgence européen)."
        ),
        "urgent_notice": (
            "Votre coach est prévenu·e qu'une alerte a été levée, pour pouvoir prendre de vos "
            "nouvelles ; votre message lui-même ne lui est pas transmis."
        ),
        "support_notice": (
            "Si vous le souhaitez, je peux prévenir votre coach pour qu'il ou elle prenne de vos "
            "nouvelles. Rien ne lui est transmis sans votre accord."
        ),
        "out_of_scope_notice": "Rien de ce message n'est transmis à votre coach.",
        "closing": "Je reste là pour reprendre notre travail quand vous le souhaiterez.",
        "separator": " : ",
    },
    "en": {
        "self_harm": (
            "Thank you for telling me. What you are going through matters, and you don't have "
            "to carry it alone. I'm not able to help with this here, but people can, right now."
        ),
        "violence": (
            "Thank you for telling me. What you describe is serious, and you don't have to face "
            "it alone. Your safety comes first, and other people can help you right now."
        ),
        "distress": (
            "Thank you for telling me. This sounds heavy to carry right now, and it matters that "
            "you said it. Take care of yourself: you don't have to hold on alone."
        ),
        "harassment": (
            "Thank you for telling me. What you describe is not acceptable, and it is not yours "
            "to carry alone. There are people whose job is to listen and act on it."
        ),
        "medical": (
            "Thank you for trusting me with this. Health questions are outside what I can do as "
            "a coaching companion: a doctor (your GP or the occupational health doctor) or a "
            "mental-health professional is the right person."
        ),
        "legal": (
            "Thank you for trusting me with this. Legal questions are outside what I can do as "
            "a coaching companion: a lawyer, an employee representative or your HR team can "
            "answer you."
        ),
        "financial": (
            "Thank you for trusting me with this. Personal money matters are outside what I can "
            "do as a coaching companion: your bank, an independent financial adviser or a debt "
            "advice service can answer you."
        ),
        "resources": "You can contact:",
        "no_resources": "You can talk to your coach or your HR team about it.",
        "emergency": (
            "If you are in danger or thinking of harming yourself, call 112 now (the European "
            "emergency number)."
        ),
        "urgent_notice": (
            "Your coach has been told that an alert was raised, so they can check in with you; "
            "your message itself is not passed on."
        ),
        "support_notice": (
            "If you wish, I can let your coach know so they can check in with you. Nothing is "
            "passed on without your agreement."
        ),
        "out_of_scope_notice": "Nothing of this message is passed on to your coach.",
        "closing": "I'm here to pick up our work again whenever you're ready.",
        "separator": ": ",
    },
}


def _one_line(value: str) -> str:
    return " ".join(value.split())


def safe_reply(category: Category, language: str, resources: Sequence[tuple[str, str]]) -> str:
    """The reply for a flagged message, in French for `fr*` languages, English otherwise.
    `resources` are the organisation's for the category's tier (label, contact)."""
    texts = _TEXTS["fr" if language.lower().startswith("fr") else "en"]
    tier = TIER_OF[category]
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
    elif tier != "out_of_scope":
        parts.append(texts["no_resources"])
    gives_112 = any("112" in contact for _, contact in listed)
    if tier == "urgent" and not gives_112:
        parts.append(texts["emergency"])
    parts.append(texts[f"{tier}_notice"])
    parts.append(texts["closing"])
    return "\n\n".join(parts)


# A reply must not give medical, clinical or legal advice nor encourage harm. Pointing to a
# doctor, a lawyer, HR or emergency services is what a safe reply does: never a hit here.
_REPLY_TABLES: dict[Category, str] = {
    "self_harm": r"""
        (dose|quantite) (letale|mortelle)|lethal dose|how to (kill|hurt) (yourself|your self)
        (tu devrais|vous devriez|pourquoi ne pas) (\w+ ){0,2}(en finir|te faire|vous faire) du mal
        (you should|go ahead and|why not) (\w+ ){0,2}(end it|hurt yourself|kill yourself)
    """,
    "violence": r"""
        (tu devrais|vous devriez|pourquoi ne pas|allez y|vas y) (\w+ ){0,2}(frapper|gifler|cogner)
        (you should|go ahead and|why not|just) (\w+ ){0,2}(punch|slap|hurt|hit) (him|her|them)\b
    """,
    "medical": r"""
        (vous|tu) (souffrez|souffres|etes|es|faites|fais) <STRONG>(d'une |une |un |en )?<CONDITIONS>
        (ressemble|s'apparente|correspond) (\w+ ){0,2}(a )?(une? )?<CONDITIONS>
        symptomes? (d'une?|de) (\w+ )?<CONDITIONS>|symptoms of (\w+ )?<CONDITIONS>
        you (have|are|seem|suffer from) <STRONG>(a |an )?<CONDITIONS>
        (sounds|looks) like (a |an |clinical |classic )?<CONDITIONS>
        (prenez|prends|essayez|essaie|demandez|commencez) (\w+ ){0,3}<PSYDRUGS>
        (take|try|ask for|start) (\w+ ){0,3}<PSYDRUGS>
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

REPLY_RULES = RuleSet(r for c, lines in _REPLY_TABLES.items() for r in table(c, lines))

# In a reply, "whether/if it is..." phrases say what the companion cannot judge.
_REPLY_BENIGN = compile_pattern(r"(whether|if|si|savoir si) \w+( \w+)?")


def match_reply(text: str) -> Category | None:
    """The category of advice or encouragement a generated reply must not contain."""
    return match(text, REPLY_RULES, BENIGN, _REPLY_BENIGN)
