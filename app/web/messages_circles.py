"""The words of the peer circles' pages, French and English side by side."""

from __future__ import annotations

CIRCLE_MESSAGES: dict[str, tuple[str, str]] = {
    "nav.circles": ("Cercles", "Circles"),
    "circles.title": ("Cercles de codéveloppement", "Peer circles"),
    "circles.intro": (
        "Un cercle réunit 4 à 8 personnes qui s'aident à avancer sur des situations réelles, "
        "avec un·e facilitateur·rice. Cette page est l'espace commun de la séance : "
        "actualisez-la pour voir où en est le cercle.",
        "A circle brings 4 to 8 people together to help each other with real situations, "
        "with a facilitator. This page is the session's shared space: refresh it to see where "
        "the circle is.",
    ),
    "circles.none": ("Aucun cercle pour l'instant.", "No circle yet."),
    "circles.create": ("Former un cercle", "Form a circle"),
    "circles.name": ("Nom du cercle", "Circle name"),
    "circles.members": ("Membres (4 à 8)", "Members (4 to 8)"),
    "circles.create_submit": ("Former le cercle", "Form the circle"),
    "circles.no_learners": (
        "Aucune personne en parcours à inviter.",
        "No learner to invite.",
    ),
    "circles.facilitator": ("Facilitation : {name}", "Facilitator: {name}"),
    "circles.presented": ("a présenté {count} fois", "presented {count} times"),
    "circles.start": ("Commencer une séance", "Start a session"),
    "circles.presenter": ("Qui présente", "Presenter"),
    "circles.presenter_is": ("Présente : {name}", "Presenting: {name}"),
    "circles.session": ("La séance", "The session"),
    "circles.steps": ("Les étapes", "The steps"),
    "circles.current": ("étape en cours", "current step"),
    "circles.time_left": (
        "Temps suggéré restant : {minutes} min",
        "Suggested time left: {minutes} min",
    ),
    "circles.time_up": ("Le temps suggéré est écoulé.", "The suggested time is up."),
    "circles.refresh": ("Actualiser", "Refresh"),
    "circles.moved_on": (
        "Le cercle est passé à l'étape suivante : actualisez pour y écrire.",
        "The circle moved on to the next step: refresh to write at it.",
    ),
    "circles.history": ("Les séances du cercle", "The circle's sessions"),
    "circles.history_open": ("en cours", "under way"),
    "circles.history_closed": ("terminée", "closed"),
    "circles.past_session": (
        "Vous lisez une séance passée.",
        "You are reading a past session.",
    ),
    "circles.back_to_latest": ("Revenir à la dernière séance", "Back to the latest session"),
    "circles.closed": ("Séance terminée.", "Session closed."),
    "circles.next": ("Étape suivante", "Next step"),
    "circles.close": ("Clore la séance", "Close the session"),
    "circles.write": ("Écrire", "Write"),
    "circles.send": ("Envoyer", "Send"),
    "circles.waiting_presenter": (
        "À cette étape, la personne qui présente écrit.",
        "At this step, the presenter writes.",
    ),
    "circles.waiting_others": (
        "À cette étape, les autres membres écrivent.",
        "At this step, the other members write.",
    ),
    "circles.nothing_yet": ("Rien d'écrit pour l'instant.", "Nothing written yet."),
    "circles.drafts": ("Proposé par l'assistant", "Drafted by the assistant"),
    "circles.drafts_hint": (
        "Le cercle ne voit ces propositions qu'après votre accord.",
        "The circle sees these drafts only once you approve them.",
    ),
    "circles.draft.questions": ("Questions de clarification", "Clarifying questions"),
    "circles.draft.synthesis": ("Synthèse de la séance", "Session synthesis"),
    "circles.draft_state.pending_review": ("à relire", "to review"),
    "circles.draft_state.approved": ("approuvé", "approved"),
    "circles.draft_state.edited": ("modifié", "edited"),
    "circles.draft_state.rejected": ("rejeté", "rejected"),
    "circles.draft_text": ("Texte proposé", "Drafted text"),
    "circles.reason": ("Raison (si vous rejetez)", "Reason (if you reject)"),
    "circles.approve": ("Approuver", "Approve"),
    "circles.edit": ("Approuver ma version", "Approve my edit"),
    "circles.reject": ("Rejeter", "Reject"),
    "circles.held_back": (
        "Votre texte n'est pas montré au cercle. Si cela vous concerne, ces ressources "
        "peuvent vous aider :",
        "Your text is not shown to the circle. If this is about you, these resources can help:",
    ),
    "circles.plan_item": (
        "Votre plan d'action vous attend parmi vos actions de l'intersession.",
        "Your action plan waits for you among your between-session items.",
    ),
    "circles.see_items": ("Voir mes actions", "See my items"),
    "circles.problem": ("Ce n'est pas possible : {message}", "That did not work: {message}"),
    "circle.step.situation": ("Exposé de la situation", "The situation"),
    "circle.step.questions": ("Questions de clarification", "Clarifying questions"),
    "circle.step.request": ("La demande", "The request"),
    "circle.step.suggestions": ("Suggestions", "Suggestions"),
    "circle.step.plan": ("Plan d'action", "Action plan"),
    "circle.step.lessons": ("Apprentissages de chacun", "Lessons for everyone"),
    "circle.label.situation": (
        "Votre situation réelle, en quelques lignes",
        "Your real situation, in a few lines",
    ),
    "circle.label.questions": ("Votre question de clarification", "Your clarifying question"),
    "circle.label.request": (
        "Votre demande au cercle : sur quoi voulez-vous de l'aide ?",
        "Your request to the circle: what do you want help with?",
    ),
    "circle.label.suggestions": ("Votre suggestion", "Your suggestion"),
    "circle.label.plan": (
        "Votre plan d'action : ce que vous allez faire",
        "Your action plan: what you will do",
    ),
    "circle.label.lessons": ("Ce que vous retenez pour vous", "What you take away for yourself"),
}
