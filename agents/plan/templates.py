"""The composer's sentences, in French and English. Each question is one open question.

Company and team questions name a value or strategy passage in plain words; the goal, when it
appears, is a clause of the sentence ({goal}), never a quotation inside a quotation."""

from __future__ import annotations

TEMPLATES: dict[str, dict[str, str]] = {
    "fr": {
        # The reflection takes up the goal in its own words ({goal}: the goal as a clause,
        # "dire à Marc que..."), and asks after it in the goal's direction ({tail}).
        "reflection_goal": "Depuis notre séance, quand avez-vous cherché à {goal}, et {tail} ?",
        "reflection": (
            "Depuis notre séance, à quel moment avez-vous avancé vers votre objectif "
            "« {goal} », et {tail} ?"
        ),
        "tail_give": "comment vous y êtes-vous pris pour le dire",
        "tail_receive": "comment avez-vous reçu ce que l'on vous a dit",
        "tail_both": "qu'avez-vous pu dire, et entendre en retour",
        "tail_other": "qu'est-ce qui vous y a aidé ou retenu",
        "company_value_goal": "Que vous demande notre valeur « {name} » si vous voulez {goal} ?",
        "company_value": (
            "Que vous demande notre valeur « {name} » dans ce que vous travaillez en ce moment ?"
        ),
        "company_strategy_goal": (
            "Quel lien faites-vous entre « {name} », dans notre stratégie, et votre envie "
            "{de_goal} ?"
        ),
        "company_strategy": (
            "Quel lien faites-vous entre « {name} », dans notre stratégie, et ce que vous "
            "travaillez en ce moment ?"
        ),
        "company_other": (
            "Quel lien faites-vous entre « {name} » et ce que vous travaillez en ce moment ?"
        ),
        "company_none": "En quoi vos progrès sur {skill} peuvent-ils compter pour l'entreprise ?",
        "team_goal": (
            "Que gagnerait votre équipe si vous parveniez à {goal}, et quelle nouvelle place "
            "pourriez-vous y prendre ?"
        ),
        "team": (
            "Que gagnerait votre équipe si vous progressiez sur {skill}, et quelle nouvelle "
            "place pourriez-vous y prendre ?"
        ),
        "action": (
            "D'ici la prochaine séance : {action} Notez ensuite en une phrase ce que vous en "
            "retenez."
        ),
        "why_prompt": (
            "Question de réflexion du module « {module} », compétence travaillée en séance."
        ),
        "why_give": "Reprend l'objectif dans les mots de la personne : dire, donner un retour.",
        "why_receive": "Reprend l'objectif dans les mots de la personne : recevoir, demander.",
        "why_both": "Reprend l'objectif dans les mots de la personne : dans les deux sens.",
        "why_other": "Reprend l'objectif dans les mots de la personne, sans orienter la réponse.",
        "why_none": "Relie la compétence à l'entreprise ; aucun passage de valeur trouvé.",
        "why_bank": "Question de la banque de l'organisation, reliée au passage « {name} ».",
        "why_value": "Relie l'objectif de la personne à « {name} », passage cité.",
        "why_strategy": "Relie l'objectif de la personne à « {name} », passage de stratégie cité.",
        "why_team": (
            "Échelle de l'équipe : ce qu'elle gagne et la place que la personne peut y prendre."
        ),
        "why_action": "Reprend une action convenue en séance, avec un temps de retour.",
        "no_source": " Aucun passage de l'organisation n'a été trouvé à citer.",
    },
    "en": {
        "reflection_goal": "Since our session, when did you try to {goal}, and {tail}?",
        "reflection": (
            "Since our session, when did you move towards your goal “{goal}”, and {tail}?"
        ),
        "tail_give": "how did you go about saying it",
        "tail_receive": "how did you receive what you heard",
        "tail_both": "what could you say, and hear in return",
        "tail_other": "what helped you or held you back",
        "company_value_goal": "What does our value “{name}” ask of you if you want to {goal}?",
        "company_value": (
            "What does our value “{name}” ask of you in what you are working on at the moment?"
        ),
        "company_strategy_goal": (
            "What link do you see between “{name}” in our strategy and your wish to {goal}?"
        ),
        "company_strategy": (
            "What link do you see between “{name}” in our strategy and what you are working on "
            "at the moment?"
        ),
        "company_other": (
            "What link do you see between “{name}” and what you are working on at the moment?"
        ),
        "company_none": "How could your progress in {skill} matter to the company?",
        "team_goal": (
            "What would your team gain if you managed to {goal}, and what new place could you "
            "take in it?"
        ),
        "team": (
            "What would your team gain if you grew in {skill}, and what new place could you take "
            "in it?"
        ),
        "action": (
            "Before our next session: {action} Then write one sentence about what you learned."
        ),
        "why_prompt": (
            "Reflection prompt from the module “{module}”, the skill worked on in session."
        ),
        "why_give": "Takes up the learner's goal in their words: saying it, giving feedback.",
        "why_receive": "Takes up the learner's goal in their words: receiving, asking for it.",
        "why_both": "Takes up the learner's goal in their words: feedback both ways.",
        "why_other": "Takes up the learner's goal in their words without steering the answer.",
        "why_none": "Links the skill to the company; no value or strategy passage was found.",
        "why_bank": "Question from the organisation's bank, linked to the passage “{name}”.",
        "why_value": "Links the learner's goal to “{name}”, the cited passage.",
        "why_strategy": "Links the learner's goal to “{name}”, the cited strategy passage.",
        "why_team": "Team scale: what the team gains and the place the learner can take in it.",
        "why_action": "Takes up an action agreed in session, with a moment to look back.",
        "no_source": " No passage of the organisation was found to cite.",
    },
}


def phrases(language: str) -> dict[str, str]:
    return TEMPLATES.get(language, TEMPLATES["en"])
