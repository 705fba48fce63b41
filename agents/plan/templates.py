"""The composer's sentences, in French and English. Each question is one open question."""

from __future__ import annotations

TEMPLATES: dict[str, dict[str, str]] = {
    "fr": {
        "reflection": (
            "Depuis notre séance, à quel moment avez-vous avancé vers votre objectif "
            "« {goal} », et qu'est-ce qui vous y a aidé ?"
        ),
        "company_value": (
            "De quelle façon votre objectif « {goal} » peut-il faire vivre « {name} » "
            "dans votre quotidien ?"
        ),
        "company_strategy": (
            "Au regard de « {name} », en quoi vos progrès sur « {skill} » peuvent-ils servir "
            "ce que l'entreprise prépare ?"
        ),
        "team": (
            "Que gagnerait votre équipe si vous progressiez sur « {skill} », et quelle nouvelle "
            "place pourriez-vous y prendre ?"
        ),
        "action": (
            "D'ici la prochaine séance : {action} Notez ensuite en une phrase ce que vous en "
            "retenez."
        ),
        "why_prompt": (
            "Question de réflexion du module « {module} », compétence travaillée en séance."
        ),
        "why_reflection": "Relie la séance à l'objectif de la personne, sans orienter la réponse.",
        "why_bank": "Question de la banque de l'organisation, reliée au passage « {name} ».",
        "why_value": "Relie l'objectif de la personne à « {name} », passage cité.",
        "why_strategy": "Relie la compétence travaillée à « {name} », passage de stratégie cité.",
        "why_team": (
            "Échelle de l'équipe : ce qu'elle gagne et la place que la personne peut y prendre."
        ),
        "why_action": "Reprend une action convenue en séance, avec un temps de retour.",
        "no_source": " Aucun passage de l'organisation n'a été trouvé à citer.",
    },
    "en": {
        "reflection": (
            "Since our session, when did you move towards your goal “{goal}”, and what helped you?"
        ),
        "company_value": "How could your goal “{goal}” bring “{name}” to life in your daily work?",
        "company_strategy": (
            "In light of “{name}”, how could your progress on “{skill}” serve what the company "
            "is preparing?"
        ),
        "team": (
            "What would your team gain if you grew in “{skill}”, and what new place could you "
            "take in it?"
        ),
        "action": (
            "Before our next session: {action} Then write one sentence about what you learned."
        ),
        "why_prompt": (
            "Reflection prompt from the module “{module}”, the skill worked on in session."
        ),
        "why_reflection": "Links the session to the learner's goal without steering the answer.",
        "why_bank": "Question from the organisation's bank, linked to the passage “{name}”.",
        "why_value": "Links the learner's goal to “{name}”, the cited passage.",
        "why_strategy": "Links the skill worked on to “{name}”, the cited strategy passage.",
        "why_team": "Team scale: what the team gains and the place the learner can take in it.",
        "why_action": "Takes up an action agreed in session, with a moment to look back.",
        "no_source": " No passage of the organisation was found to cite.",
    },
}


def phrases(language: str) -> dict[str, str]:
    return TEMPLATES.get(language, TEMPLATES["en"])
