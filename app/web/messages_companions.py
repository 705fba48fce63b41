"""The words of the companions' pages (the companion's own, and the learner's and coach's
sections), French and English side by side."""

from __future__ import annotations

COMPANION_MESSAGES: dict[str, tuple[str, str]] = {
    # The companion's page (no account)
    "companion.title": ("Un retour pour {name}", "Feedback for {name}"),
    "companion.intro": (
        "{name} vous a choisi(e) pour l'accompagner sur cet objectif :",
        "{name} chose you to accompany this goal:",
    ),
    "companion.how": (
        "Quelques lignes suffisent. Décrivez un fait précis que vous avez observé, l'effet "
        "qu'il a eu, et, si vous le souhaitez, une suggestion. Un retour précis et "
        "bienveillant aide plus qu'un long jugement.",
        "A few lines are enough. Describe one precise thing you saw, the effect it had, and, "
        "if you wish, a suggestion. Precise and kind feedback helps more than a long verdict.",
    ),
    "companion.fact": ("Ce que j'ai observé (un fait)", "What I saw (a fact)"),
    "companion.fact_hint": (
        "Par exemple : « En réunion mardi, tu as présenté le budget en deux minutes. »",
        'For example: "In Tuesday\'s meeting you presented the budget in two minutes."',
    ),
    "companion.effect": ("L'effet que cela a eu", "The effect it had"),
    "companion.effect_hint": (
        "Sur vous, sur l'équipe, sur la suite.",
        "On you, on the team, on what followed.",
    ),
    "companion.suggestion": ("Une suggestion (facultatif)", "A suggestion (optional)"),
    "companion.send": ("Envoyer mon retour", "Send my feedback"),
    "companion.none_open": (
        "Aucune question en attente pour le moment. Merci pour vos retours !",
        "No question waiting for now. Thank you for your feedback!",
    ),
    "companion.thanks": (
        "Merci ! Votre retour a été transmis à {name}.",
        "Thank you! Your feedback was passed on to {name}.",
    ),
    "companion.private": (
        "Seul(e) {name} lit votre retour ; {name} peut choisir de le partager avec son coach.",
        "Only {name} reads your feedback; {name} may choose to share it with their coach.",
    ),
    "companion.need_text": ("Écrivez quelques mots ici.", "Write a few words here."),
    "companion.too_long": (
        "Trop long : {count} caractères au plus.",
        "Too long: {count} characters at most.",
    ),
    "companion.resources": (
        "Ce que vous avez écrit nous fait penser que {name} traverse peut-être un moment "
        "difficile. Si vous êtes inquiet(e), voici vers qui se tourner :",
        "What you wrote makes us think {name} may be going through a hard time. If you are "
        "worried, here is where to turn:",
    ),
    "companion.resources_none": (
        "En cas de danger immédiat, appelez les secours (112 en Europe).",
        "In immediate danger, call emergency services (112 in Europe).",
    ),
    "companion.gone_title": ("Ce lien ne fonctionne plus", "This link no longer works"),
    "companion.revoked": (
        "La personne qui vous l'a envoyé l'a retiré. Merci pour votre aide.",
        "The person who sent it withdrew it. Thank you for your help.",
    ),
    "companion.expired": (
        "Il a expiré. Si vous souhaitez encore donner un retour, demandez un nouveau lien à "
        "la personne qui vous l'a envoyé.",
        "It has expired. If you still wish to give feedback, ask the person who sent it for a "
        "new link.",
    ),
    "companion.unknown": (
        "Ce lien n'est pas valide : vérifiez qu'il a été copié en entier, ou demandez-en un "
        "nouveau à la personne qui vous l'a envoyé.",
        "This link is not valid: check it was copied whole, or ask the person who sent it "
        "for a new one.",
    ),
    # Relations, as a coach sees an unnamed companion
    "relation.peer": ("un pair", "a peer"),
    "relation.colleague": ("un collègue", "a colleague"),
    "relation.mentor": ("un mentor", "a mentor"),
    "relation.relative": ("un proche", "a relative"),
    "relation.other": ("une personne de son choix", "someone they chose"),
    # The learner's page
    "nav.companions": ("Compagnons de route", "Companions"),
    "companions.title": ("Mes compagnons de route", "My companions"),
    "companions.intro": (
        "Invitez des personnes de votre choix (un pair, un collègue, un mentor, un proche) à "
        "vous faire un retour sur votre objectif. Elles ne voient que votre prénom, "
        "l'objectif et votre question ; rien de vos conversations ni de vos réponses.",
        "Invite people you choose (a peer, a colleague, a mentor, a relative) to give you "
        "feedback on your goal. They see only your first name, the goal and your question; "
        "nothing of your conversations or answers.",
    ),
    "companions.goal": ("Votre objectif partagé : {goal}", "Your shared goal: {goal}"),
    "companions.invite": ("Inviter un compagnon", "Invite a companion"),
    "companions.name": ("Nom", "Name"),
    "companions.email": ("Adresse e-mail", "E-mail address"),
    "companions.relation": ("Relation", "Relation"),
    "companions.question": ("Votre question", "Your question"),
    "companions.question_hint": (
        "Proposée d'après votre objectif : relisez-la et modifiez-la à votre guise, c'est "
        "vous qui l'envoyez.",
        "Drafted from your goal: read it and change it as you like; you are the one sending it.",
    ),
    "companions.show_name": (
        "Mon coach peut voir le nom de cette personne",
        "My coach may see this person's name",
    ),
    "companions.send": ("Envoyer l'invitation", "Send the invitation"),
    "companions.mailed": (
        "Invitation envoyée par e-mail à {email}.",
        "Invitation e-mailed to {email}.",
    ),
    "companions.link_once": (
        "Aucun e-mail n'est configuré : transmettez vous-même ce lien à {name}. Il ne sera "
        "plus affiché.",
        "No e-mail is configured: pass this link on to {name} yourself. It will not be shown "
        "again.",
    ),
    "companions.need_name": ("Écrivez le nom de la personne.", "Write the person's name."),
    "companions.need_email": (
        "Une adresse e-mail valide, par exemple prenom@exemple.fr.",
        "A valid e-mail address, for example name@example.com.",
    ),
    "companions.need_relation": ("Choisissez une relation dans la liste.", "Pick a relation."),
    "companions.need_question": (
        "Écrivez une question, de 500 caractères au plus.",
        "Write a question, 500 characters at most.",
    ),
    "companions.none": ("Aucun compagnon pour le moment.", "No companion yet."),
    "companions.status.active": ("lien actif", "link active"),
    "companions.status.revoked": ("lien retiré", "link withdrawn"),
    "companions.status.expired": ("lien expiré", "link expired"),
    "companions.revoke": ("Retirer le lien", "Withdraw the link"),
    "companions.feedback": ("Leurs retours", "Their feedback"),
    "companions.no_feedback": ("Aucun retour pour le moment.", "No feedback yet."),
    "companions.fact": ("Fait", "Fact"),
    "companions.effect": ("Effet", "Effect"),
    "companions.suggestion": ("Suggestion", "Suggestion"),
    "companions.share": ("Partager avec mon coach", "Share with my coach"),
    "companions.unshare": ("Ne plus partager", "Stop sharing"),
    "companions.shared": ("partagé avec votre coach", "shared with your coach"),
    "companions.flagged": (
        "Ce retour évoque peut-être un moment difficile pour vous. Si c'est le cas, parlez-en "
        "à votre coach ou à une personne de confiance.",
        "This feedback may speak of a hard moment for you. If so, talk about it with your "
        "coach or someone you trust.",
    ),
    "companions.no_program": (
        "Vous ne suivez pas encore de programme : un compagnon accompagne l'objectif d'un "
        "programme.",
        "You follow no program yet: a companion accompanies a program's goal.",
    ),
    "companions.suggestions": ("Suggestions de votre coach", "Your coach's suggestions"),
    "companions.suggested_who": ("Demander à : {who}", "Ask: {who}"),
    "companions.take_up": ("Inviter quelqu'un", "Invite someone"),
    "companions.dismiss": ("Écarter", "Dismiss"),
    "companions.taking": (
        "Suggestion de votre coach : demander à {who}. Choisissez la personne et relisez la "
        "question.",
        "Your coach suggests asking {who}. Choose the person and review the question.",
    ),
    "companions.aggregate": ("Ce qui ressort de leurs retours", "What their feedback says"),
    "companions.aggregate_of": (
        "{count} compagnons sur « {goal} », sans noms ni ordre des réponses",
        '{count} companions on "{goal}", without names or the order they answered in',
    ),
    # The coach's view
    "coach.companion_feedback": (
        "Retours de compagnons partagés",
        "Companions' feedback shared with you",
    ),
    "coach.companion_feedback_none": (
        "Aucun retour de compagnon partagé.",
        "No companion feedback shared.",
    ),
    "coach.companion_from": ("De {who}", "From {who}"),
    "coach.companions": ("Compagnons", "Companions"),
    "coach.companions_cell": (
        "{count} · {shared} retour(s) partagé(s)",
        "{count} · {shared} shared answer(s)",
    ),
    "coach.circle": ("Qui l'accompagne", "Who accompanies them"),
    "coach.circle_none": ("Aucun compagnon invité.", "No companion invited."),
    "coach.circle_counts": (
        "{answered} réponse(s) sur {requests} question(s)",
        "{answered} answer(s) to {requests} question(s)",
    ),
    "coach.circle_open": ("En attente de réponse :", "Waiting for an answer:"),
    "coach.companion_aggregate": (
        "Retours partagés, regroupés sans noms",
        "Shared feedback, grouped without names",
    ),
    "coach.companion_aggregate_none": (
        "Pas de regroupement : il faut au moins trois compagnons dont le retour est partagé.",
        "No grouping: it takes at least three companions whose feedback was shared.",
    ),
    "coach.suggestions": ("Suggérer à qui demander un retour", "Suggest whom to ask for feedback"),
    "coach.suggest_who": ("Quel type de personne", "What kind of person"),
    "coach.suggest_who_hint": (
        "Par exemple « un pair qui vous a vu(e) à la réunion du lundi » : pas d'adresse, "
        "la personne reste le choix de l'apprenant(e).",
        'For example "a peer who saw you in the Monday meeting": no address, the person '
        "stays the learner's choice.",
    ),
    "coach.suggest_question": ("Quelle question", "What question"),
    "coach.suggest": ("Suggérer", "Suggest"),
    "coach.suggestion_status.open": ("en attente", "open"),
    "coach.suggestion_status.taken": ("invitation envoyée", "taken up"),
    "coach.suggestion_status.dismissed": ("écartée", "dismissed"),
}
