"""The pages' words, French and English side by side: a key cannot exist in one language only.

`{name}` placeholders are filled by `t(key, name=...)`; values are never read as formats.
"""

from __future__ import annotations

# key: (French, English)
MESSAGES: dict[str, tuple[str, str]] = {
    "skip": ("Aller au contenu", "Skip to content"),
    "nav.label": ("Navigation principale", "Main navigation"),
    "nav.home": ("Accueil", "Home"),
    "nav.chat": ("Compagnon", "Companion"),
    "nav.learners": ("Mes apprenants", "My learners"),
    "nav.new_session": ("Noter une séance", "Log a session"),
    "nav.review": ("À relire", "Review"),
    "nav.journal": ("Journal", "Journal"),
    "nav.my_data": ("Mes données", "My data"),
    "logout": ("Se déconnecter", "Log out"),
    "close": ("Fermer", "Close"),
    "cancel": ("Annuler", "Cancel"),
    "older": ("Éléments plus anciens", "Older items"),
    "source": ("Source", "Source"),
    "sources": ("Sources", "Sources"),
    "open_passage": ("Ouvrir le passage", "Open the passage"),
    "kind.reflection": ("Réflexion", "Reflection"),
    "kind.company_question": ("Question : l'entreprise", "Question: the company"),
    "kind.team_question": ("Question : l'équipe", "Question: the team"),
    "kind.micro_action": ("Micro-action", "Micro-action"),
    "category.self_harm": (
        "risque pour soi (idées suicidaires, automutilation)",
        "risk to self (suicidal thoughts, self-harm)",
    ),
    "category.violence": ("violence ou menace", "violence or threat"),
    "category.distress": ("détresse, épuisement", "distress, exhaustion"),
    "category.harassment": ("harcèlement", "harassment"),
    "category.medical": ("question médicale", "medical question"),
    "category.legal": ("question juridique", "legal question"),
    "category.financial": ("question financière", "money question"),
    # Errors
    "error.400": ("Cette demande ne peut pas aboutir", "This request cannot be completed"),
    "error.403": ("Cette page n'est pas pour vous", "This page is not for you"),
    "error.403_why": (
        "Votre rôle ne donne pas accès à cette page.",
        "Your role does not give access to this page.",
    ),
    "error.404": ("Page introuvable", "Page not found"),
    "error.404_why": (
        "Elle n'existe pas, ou elle ne vous est pas destinée.",
        "It does not exist, or it is not yours to see.",
    ),
    "error.409": ("Déjà fait", "Already done"),
    "error.500": ("Un problème de notre côté", "Something went wrong on our side"),
    "error.what_now": (
        "Revenez à votre accueil ; si le problème persiste, prévenez votre administrateur.",
        "Go back to your home page; if this goes on, tell your administrator.",
    ),
    "error.home": ("Retour à l'accueil", "Back to my home page"),
    "error.network": (
        "Interlude ne répond pas. Vérifiez votre connexion puis réessayez.",
        "Interlude cannot be reached. Check your connection, then try again.",
    ),
    "error.generic": ("Cela n'a pas marché. Réessayez.", "That did not work. Try again."),
    # Login
    "login.title": ("Connexion", "Log in"),
    "login.organization": ("Organisation", "Organisation"),
    "login.organization_hint": (
        "L'identifiant court de votre organisation, par exemple « demo ».",
        "Your organisation's short name, for example “demo”.",
    ),
    "login.email": ("Adresse e-mail", "Email address"),
    "login.password": ("Mot de passe", "Password"),
    "login.submit": ("Se connecter", "Log in"),
    "login.expired": (
        "Votre session a pris fin. Reconnectez-vous : vous reviendrez là où vous étiez.",
        "Your session has ended. Log in again to go back where you were.",
    ),
    "login.too_many": (
        "Trop de tentatives de connexion échouées pour ce compte : réessayez dans quelques"
        " minutes, ou demandez à votre administrateur de vérifier le compte.",
        "Too many failed logins for this account: try again in a few minutes, or ask your"
        " admin to check the account.",
    ),
    "login.bad_credentials": (
        "Organisation, e-mail ou mot de passe incorrect. Vérifiez les trois, puis réessayez.",
        "The organisation, email or password is wrong. Check all three, then try again.",
    ),
    "login.form_expired": (
        "Ce formulaire a expiré. Saisissez à nouveau votre mot de passe.",
        "This form expired. Type your password again.",
    ),
    "login.fix_fields": ("Complétez les champs signalés.", "Fill in the fields marked below."),
    "login.need_organization": ("Indiquez votre organisation.", "Enter your organisation."),
    "login.need_email": (
        "Indiquez une adresse e-mail complète (avec @).",
        "Enter a full email address (with @).",
    ),
    "login.need_password": ("Indiquez votre mot de passe.", "Enter your password."),
    # Admin (placeholder)
    # Learner home
    "me.title": ("Mon fil", "My feed"),
    "me.hello": ("Bonjour {name}", "Hello {name}"),
    "me.last_session": ("Depuis la séance du {date}", "Since the session of {date}"),
    "me.goal": ("Objectif :", "Goal:"),
    "me.actions": ("Actions convenues :", "Agreed actions:"),
    "me.feed": ("Réflexions et questions", "Reflections and questions"),
    "me.coming_up": (
        "À venir : {count} élément(s) de votre coach ; le prochain arrive le {date}.",
        "Coming up: {count} item(s) from your coach; the next arrives on {date}.",
    ),
    "me.today": ("Aujourd'hui", "Today"),
    "me.waiting": (
        "En attente de votre réponse ({count})",
        "Waiting for your answer ({count})",
    ),
    "me.earlier": ("Déjà répondu", "Answered"),
    "me.arrived": ("Arrivé le", "Arrived on"),
    "me.empty": (
        "Rien pour l'instant : votre coach prépare la suite.",
        "Nothing yet: your coach is preparing what comes next.",
    ),
    "me.your_answer": ("Votre réponse", "Your answer"),
    "me.send_answer": ("Enregistrer ma réponse", "Save my answer"),
    "me.answered": ("Répondu", "Answered"),
    "me.privacy_title": ("Ce que votre coach voit", "What your coach sees"),
    "me.privacy_any_coach": (
        "Votre coach relit chaque réflexion et question avant qu'elle vous parvienne.",
        "Your coach reviews every reflection and question before it reaches you.",
    ),
    "me.privacy_coach": (
        "Votre coach ({coaches}) relit chaque réflexion et question avant qu'elle vous parvienne.",
        "Your coach ({coaches}) reviews every reflection and question before it reaches you.",
    ),
    "me.privacy_answers": (
        "Vos réponses aux réflexions et questions sont lues par votre coach.",
        "Your answers to reflections and questions are read by your coach.",
    ),
    "me.privacy_chats": (
        "Vos conversations avec le compagnon restent privées, sauf celles que vous partagez"
        " (partagées aujourd'hui : {count}).",
        "Your conversations with the companion stay private, except those you share"
        " (shared now: {count}).",
    ),
    "me.privacy_alerts": (
        "Si un message laisse penser que vous êtes en difficulté, votre coach reçoit une alerte"
        " avec le type de sujet, jamais le message.",
        "If a message suggests you are struggling, your coach gets an alert naming the kind of"
        " topic, never the message.",
    ),
    "me.privacy_journal": (
        "Votre journal reste privé, sauf les notes que vous partagez (partagées aujourd'hui :"
        " {count}).",
        "Your journal stays private, except the entries you share (shared now: {count}).",
    ),
    "me.privacy_more": (
        "Mes données : ce que votre coach voit, télécharger ou effacer mes données",
        "My data: what your coach sees, download or erase my data",
    ),
    "me.privacy_admin": (
        "Les RH et administrateurs ne voient que des chiffres agrégés.",
        "HR and administrators see aggregate figures only.",
    ),
    # Chat
    "chat.title": ("Compagnon", "Companion"),
    "chat.conversations": ("Conversations", "Conversations"),
    "chat.new": ("Nouvelle conversation", "New conversation"),
    "chat.new_title": ("Nouvelle conversation", "New conversation"),
    "chat.none": ("Aucune conversation pour l'instant.", "No conversation yet."),
    "chat.untitled": ("Conversation du {date}", "Conversation of {date}"),
    "chat.shared": ("partagée", "shared"),
    "chat.share": (
        "Partager cette conversation avec mon coach",
        "Share this conversation with my coach",
    ),
    "chat.share_hint": (
        "Votre coach pourra la lire. Vous pouvez la rendre privée à nouveau.",
        "Your coach will be able to read it. You can make it private again.",
    ),
    "chat.intro": (
        "Écrivez ce qui vous occupe ; le compagnon répond en s'appuyant sur les contenus de votre"
        " organisation et cite ses sources.",
        "Write what is on your mind; the companion answers from your organisation's content and"
        " cites its sources.",
    ),
    "chat.more": (
        "Seuls les premiers messages sont affichés.",
        "Only the first messages are shown.",
    ),
    "chat.messages": ("Messages", "Messages"),
    "chat.you": ("Vous", "You"),
    "chat.companion": ("Compagnon", "Companion"),
    "chat.failed": ("La réponse n'a pas pu être écrite.", "The reply could not be written."),
    "chat.retry": ("Réessayer", "Try again"),
    "chat.tell_coach": ("Prévenir mon coach", "Let my coach know"),
    "chat.coach_told": (
        "Votre coach est prévenu·e (sans le contenu de vos messages).",
        "Your coach has been told (without what you wrote).",
    ),
    "chat.message_label": ("Votre message", "Your message"),
    "chat.hint": (
        "Votre message est enregistré avant toute réponse : rien n'est perdu.",
        "Your message is saved before any reply: nothing is lost.",
    ),
    "chat.send": ("Envoyer", "Send"),
    "chat.writing": ("Le compagnon écrit…", "The companion is writing…"),
    "chat.replied": ("Réponse reçue.", "Reply received."),
    "chat.empty_message": ("Écrivez un message d'abord.", "Write a message first."),
    "chat.share_saved": ("Partage enregistré.", "Sharing saved."),
    "passage.loading": ("Chargement du passage…", "Loading the passage…"),
    "passage.gone": (
        "Ce passage a été remplacé depuis ; voici l'extrait conservé avec la citation.",
        "This passage has since been replaced; here is the excerpt kept with the citation.",
    ),
    "passage.from": ("Extrait de « {document} »", "From “{document}”"),
    # Coach home
    "coach.title": ("Mes apprenants", "My learners"),
    "coach.escalations": ("Alertes à prendre en compte", "Alerts to acknowledge"),
    "coach.no_escalations": ("Aucune alerte ouverte.", "No open alert."),
    "coach.escalation_hint": (
        "Le compagnon a répondu avec les ressources d'aide de l'organisation. Prenez contact"
        " avec la personne ; le message lui-même n'est pas montré.",
        "The companion answered with the organisation's support resources. Reach out to the"
        " person; the message itself is not shown.",
    ),
    "coach.acknowledge": ("J'ai pris en compte", "Acknowledge"),
    "coach.acknowledged": ("Alerte prise en compte.", "Alert acknowledged."),
    "coach.learners": ("Apprenants", "Learners"),
    "coach.learner": ("Apprenant", "Learner"),
    "coach.drafts_waiting": ("Brouillons à relire", "Drafts waiting"),
    "coach.open_escalations": ("Alertes ouvertes", "Open alerts"),
    "tier.urgent": ("urgent", "urgent"),
    "tier.support": ("à la demande de la personne", "asked for by the learner"),
    "coach.open_alerts": ("Alertes urgentes : {count}", "Urgent alerts: {count}"),
    "coach.last_activity": ("Dernière activité", "Last activity"),
    "coach.last_session": ("Dernière séance", "Last session"),
    "coach.actions": ("Actions", "Actions"),
    "coach.none_yet": ("pas encore", "not yet"),
    "coach.log_session": ("Noter une séance", "Log a session"),
    "coach.brief": ("Préparer la séance", "Session brief"),
    "coach.no_learners": (
        "Aucun apprenant ne vous est confié.",
        "No learner is enrolled with you.",
    ),
    # Log a session
    "session.title": ("Noter une séance", "Log a session"),
    "session.learner": ("Apprenant", "Learner"),
    "session.held_at": ("Date et heure de la séance", "Date and time of the session"),
    "session.next_at": ("Prochaine séance (facultatif)", "Next session (optional)"),
    "session.next_at_hint": (
        "Les éléments du plan seront alors répartis sur les jours ouvrés d'ici là, à 9 h ; "
        "sinon, chacun arrive dès que vous l'approuvez.",
        "The plan's items are then spread over the working days until then, at 9:00; "
        "otherwise each arrives as soon as you approve it.",
    ),
    "session.notes": ("Notes", "Notes"),
    "session.notes_hint": (
        "Pour vous seul : l'apprenant ne les voit pas.",
        "For you only: the learner does not see them.",
    ),
    "session.goal": ("Objectif", "Goal"),
    "session.goal_hint": (
        "Laissez vide pour garder l'objectif du parcours.",
        "Leave empty to keep the program's goal.",
    ),
    "session.skills": ("Compétences travaillées", "Focus skills"),
    "session.skills_hint": (
        "Séparées par des virgules : feedback, écoute",
        "Comma separated: feedback, listening",
    ),
    "session.actions": ("Actions convenues", "Agreed actions"),
    "session.actions_hint": ("Une action par ligne.", "One action per line."),
    "session.submit": ("Enregistrer et préparer le plan", "Save and draft the plan"),
    "plan.title": ("Plan entre les séances", "Between-session plan"),
    "plan.review": ("Relire les brouillons", "Review the drafts"),
    "plan.logged": (
        "Séance enregistrée. Préparation du plan…",
        "Session saved. Drafting the plan…",
    ),
    "plan.queued": ("En attente de préparation…", "Waiting to be drafted…"),
    "plan.running": ("Rédaction des brouillons…", "Drafting…"),
    "plan.retrying": ("Nouvel essai bientôt…", "Trying again shortly…"),
    "plan.done": (
        "Brouillons prêts : relisez-les avant que l'apprenant ne les voie.",
        "Drafts ready: review them before the learner sees them.",
    ),
    "plan.failed": (
        "Le plan n'a pas pu être préparé : {error}",
        "The plan could not be drafted: {error}",
    ),
    "plan.none": ("La séance est enregistrée, sans plan.", "The session is saved, without a plan."),
    # Review queue
    "review.title": ("Brouillons à relire", "Drafts to review"),
    "review.intro": (
        "Rien n'atteint l'apprenant sans votre accord : approuvez, modifiez ou écartez chaque"
        " brouillon.",
        "Nothing reaches the learner without you: approve, edit or reject each draft.",
    ),
    "review.filter": ("Apprenant", "Learner"),
    "review.everyone": ("Tous", "Everyone"),
    "review.apply": ("Filtrer", "Filter"),
    "review.approve_selected": ("Approuver la sélection", "Approve the selected drafts"),
    "review.batch_done": ("{count} brouillons approuvés.", "{count} drafts approved."),
    "review.rationale": ("Pourquoi :", "Why:"),
    "review.no_rationale": ("(non précisé)", "(not given)"),
    "review.approve": ("Approuver", "Approve"),
    "review.deliver_at": ("Envoi prévu", "Arrives on"),
    "review.edit": ("Modifier", "Edit"),
    "review.reject": ("Écarter", "Reject"),
    "review.edit_label": ("Texte que verra l'apprenant", "Text the learner will see"),
    "review.save_edit": ("Enregistrer et approuver", "Save and approve"),
    "review.reason": ("Pourquoi l'écarter ?", "Why reject it?"),
    "review.reason_hint": (
        "Votre raison aide à améliorer les prochains brouillons.",
        "Your reason helps improve the next drafts.",
    ),
    "review.reason_needed": ("Donnez une raison pour écarter.", "Give a reason to reject."),
    "review.confirm_reject": ("Écarter ce brouillon", "Reject this draft"),
    "review.sources": ("Passages cités", "Cited passages"),
    "review.no_sources": ("Aucun passage cité.", "No passage cited."),
    "review.run": ("Ce que l'agent a utilisé", "What the agent used"),
    "review.event_prepare": ("Pour préparer un événement", "To prepare a company event"),
    "review.event_debrief": ("Après un événement", "After a company event"),
    "review.save_to_bank": (
        "Garder cette question dans la banque de l'organisation",
        "Keep this question in the organisation's bank",
    ),
    "review.banked": (
        "Gardée dans la banque : d'autres coachs pourront la réutiliser.",
        "Kept in the bank: other coaches can reuse it.",
    ),
    "review.empty": ("Rien à relire. Tout est à jour.", "Nothing to review. All caught up."),
    "review.more": ("Brouillons suivants", "More drafts"),
    "review.approved": ("Approuvé : l'apprenant le verra.", "Approved: the learner will see it."),
    "review.edited": (
        "Modifié et approuvé : l'apprenant verra votre version.",
        "Edited and approved: the learner will see your version.",
    ),
    "review.rejected": ("Écarté. Raison enregistrée.", "Rejected. Reason saved."),
    # Brief
    "brief.title": ("Préparer la séance avec {name}", "Brief for the session with {name}"),
    "brief.intro": (
        "Tiré des réponses de l'apprenant, des conversations et des notes de journal qu'il a"
        " partagées depuis la dernière séance, et des alertes de sécurité encore ouvertes.",
        "Drawn from the learner's answers, the conversations and journal entries they shared"
        " since the last session, and the safety alerts still open.",
    ),
    "brief.write": ("Rédiger la synthèse", "Write the brief"),
    "brief.rewrite": ("Rédiger une nouvelle synthèse", "Write a new brief"),
    "brief.writing": ("Rédaction…", "Writing…"),
    "brief.written": ("Rédigée", "Written"),
    "brief.fallback": (
        "Rédigée sans le modèle ({reason}) : rédigez-en une nouvelle plus tard pour la sienne.",
        "Written without the model ({reason}): write a new one later for the model's.",
    ),
    "brief.evidence": ("{count} élément(s) pris en compte", "{count} item(s) considered"),
    # The brief's sections: a heading each, and what an empty one says (never "nothing to
    # report": that is the brief's own first point, written only when nothing is new).
    "brief.section.changes": ("Depuis la dernière séance", "Since the last session"),
    "brief.section.answers": ("Ses réponses", "Their answers"),
    "brief.section.themes": ("Thèmes", "Themes"),
    "brief.section.progress": ("Actions convenues", "Agreed actions"),
    "brief.section.open_questions": ("Questions ouvertes", "Open questions"),
    "brief.section.explore": ("À explorer en séance", "To explore in the session"),
    "brief.empty.changes": ("Pas de décompte dans cette synthèse.", "No count in this brief."),
    "brief.empty.answers": ("Aucune réponse depuis la séance.", "No answer since the session."),
    "brief.empty.themes": ("Aucun thème ne revient.", "No theme comes back."),
    "brief.empty.progress": (
        "Aucune action convenue lors de la séance.",
        "No action was agreed in the session.",
    ),
    "brief.empty.open_questions": (
        "La personne n'a posé aucune question.",
        "The learner asked no question.",
    ),
    "brief.empty.explore": ("Aucune piste proposée.", "No suggestion."),
    "brief.draws_on": ("s'appuie sur {count} élément(s)", "draws on {count} item(s)"),
    "brief.none": ("Aucune synthèse pour l'instant.", "No brief yet."),
    "brief.back": ("Retour à mes apprenants", "Back to my learners"),
    # The agent run behind a draft
    "run.title": ("Ce que l'agent a utilisé", "What the agent used"),
    "run.intro": (
        "Les faits de l'exécution qui a rédigé ces brouillons : aucun texte de consigne, aucun"
        " secret.",
        "The facts of the run that drafted these items: no prompt text, no secrets.",
    ),
    "run.kind.plan": ("Plan entre deux séances", "Between-session plan"),
    "run.kind.brief": ("Synthèse avant séance", "Pre-session brief"),
    "run.when": ("Quand", "When"),
    "run.status": ("État", "Status"),
    "run.provider": ("Rédigé par", "Drafted by"),
    "run.prompt": ("Version des consignes", "Prompt version"),
    "run.latency": ("Durée", "Duration"),
    "run.ms": ("{ms} ms", "{ms} ms"),
    "run.tokens": ("Jetons (entrée / sortie)", "Tokens (in / out)"),
    "run.attempts": ("Tentatives", "Attempts"),
    "run.fallback": ("Repli sur le compositeur", "Composer fallback"),
    "run.fallback_yes": ("oui : {reason}", "yes: {reason}"),
    "run.fallback_no": ("non", "no"),
    "run.error": ("Dernière erreur", "Last error"),
    "run.retrieved": ("Passages récupérés ({count})", "Passages retrieved ({count})"),
    "run.replaced": (
        "Passage remplacé depuis par une nouvelle version du document.",
        "Passage since replaced by a newer version of its document.",
    ),
    "run.none": ("Aucun passage récupéré.", "No passage retrieved."),
    "run.back": ("Retour aux brouillons", "Back to the drafts"),
    "brief.all_answers": ("Toutes ses réponses", "All their answers"),
    "brief.answered": ("En réponse à :", "In answer to:"),
    "brief.no_answers": ("Aucune réponse pour l'instant.", "No answer yet."),
    "brief.shared_conversations": ("Conversations partagées", "Shared conversations"),
    "brief.no_shared_conversations": (
        "Aucune conversation partagée avec vous.",
        "No conversation shared with you.",
    ),
    "brief.said_learner": ("Apprenant·e", "Learner"),
    "brief.said_companion": ("Compagnon", "Companion"),
    "brief.shared_notes": ("Notes de journal partagées", "Shared journal entries"),
    "brief.no_shared_notes": (
        "Aucune note de journal partagée.",
        "No journal entry shared.",
    ),
    # Journal
    "journal.title": ("Mon journal", "My journal"),
    "journal.intro": (
        "Notez ce que vous observez entre deux séances. Vos notes restent privées, sauf celles"
        " que vous choisissez de partager avec votre coach.",
        "Write down what you notice between sessions. Your entries stay private, except those"
        " you choose to share with your coach.",
    ),
    "journal.new": ("Nouvelle note", "New entry"),
    "journal.share": ("Partager avec mon coach", "Share with my coach"),
    "journal.share_hint": (
        "Votre coach pourra lire cette note. Vous pouvez la rendre privée à nouveau.",
        "Your coach will be able to read this entry. You can make it private again.",
    ),
    "journal.save": ("Enregistrer la note", "Save the entry"),
    "journal.entries": ("Mes notes", "My entries"),
    "journal.shared": ("partagée", "shared"),
    "journal.delete": ("Supprimer", "Delete"),
    "journal.empty": ("Aucune note pour l'instant.", "No entry yet."),
    "journal.now_shared": ("Partagée avec votre coach.", "Shared with your coach."),
    "journal.now_private": ("Privée à nouveau.", "Private again."),
    "journal.confirm_delete": (
        "Supprimer cette note ? Elle ne pourra pas être récupérée.",
        "Delete this entry? It cannot be recovered.",
    ),
    # My data
    "data.title": ("Mes données", "My data"),
    "data.export_title": ("Télécharger mes données", "Download my data"),
    "data.export_what": (
        "Un fichier JSON avec votre compte, vos séances (sans les notes personnelles de votre"
        " coach), les réflexions et questions reçues, vos réponses, votre journal et vos"
        " conversations.",
        "A JSON file with your account, your sessions (without your coach's personal notes), the"
        " reflections and questions you received, your answers, your journal and your"
        " conversations.",
    ),
    "data.export": ("Télécharger (JSON)", "Download (JSON)"),
    "data.erase_title": ("Effacer mon compte", "Erase my account"),
    "data.erase_what": (
        "Tout ce que vous avez écrit et tout ce qui a été préparé pour vous est supprimé"
        " définitivement : réponses, journal, conversations, séances, réflexions. Vous ne pourrez"
        " plus vous connecter. Téléchargez vos données avant si vous voulez les garder.",
        "Everything you wrote and everything prepared for you is deleted for good: answers,"
        " journal, conversations, sessions, reflections. You will no longer be able to log in."
        " Download your data first if you want to keep it.",
    ),
    "data.erase_confirm": (
        "Pour confirmer, tapez votre adresse e-mail ({email})",
        "To confirm, type your email address ({email})",
    ),
    "data.erase_hint": ("Cette action est définitive.", "This cannot be undone."),
    "data.erase": ("Effacer mon compte définitivement", "Erase my account for good"),
    "login.erased": (
        "Votre compte et vos données ont été effacés.",
        "Your account and your data have been erased.",
    ),
    "login.forgot": ("Mot de passe oublié ?", "Forgot your password?"),
    "login.password_set": (
        "Votre mot de passe est enregistré : connectez-vous avec lui.",
        "Your password is saved: log in with it.",
    ),
    # Password links (app/web/account_pages.py)
    "password.forgot_title": ("Mot de passe oublié", "Forgot your password"),
    "password.forgot_intro": (
        "Indiquez votre organisation et votre adresse : nous y enverrons un lien pour choisir "
        "un nouveau mot de passe.",
        "Enter your organisation and your address: we will send a link there to choose a new "
        "password.",
    ),
    "password.forgot_submit": ("Recevoir le lien", "Send me the link"),
    "password.back_to_login": ("Retour à la connexion", "Back to log in"),
    "password.sent": (
        "Si cette adresse a un compte dans cette organisation, un lien vient de lui être "
        "envoyé. Il sert une fois et expire dans l'heure.",
        "If this address has an account in this organisation, a link is on its way. It works "
        "once and expires within the hour.",
    ),
    "password.no_mail": (
        "Cette installation n'envoie pas d'e-mails : aucun lien ne peut vous être envoyé. "
        "Demandez à votre administrateur, qui peut en faire établir un.",
        "This installation sends no e-mail, so no link can be sent to you. Ask your admin, "
        "who can have one made.",
    ),
    "password.new_title": ("Choisir votre mot de passe", "Choose your password"),
    "password.new_intro": (
        "Au moins 10 caractères. Une phrase que vous seul connaissez fait un bon mot de passe.",
        "At least 10 characters. A sentence only you know makes a good password.",
    ),
    "password.password": ("Nouveau mot de passe", "New password"),
    "password.confirm": ("Le même, une seconde fois", "The same again"),
    "password.new_submit": ("Enregistrer le mot de passe", "Save the password"),
    "password.bad_link": (
        "Ce lien ne fonctionne pas : il a expiré, a déjà servi ou a été remplacé par un plus "
        "récent.",
        "This link does not work: it has expired, was already used, or was replaced by a newer "
        "one.",
    ),
    "password.ask_again": ("Demander un nouveau lien", "Ask for a new link"),
    # One's own account (/account)
    "nav.account": ("Mon compte", "My account"),
    "account.title": ("Mon compte", "My account"),
    "account.profile": ("Nom, langue et fuseau horaire", "Name, language and time zone"),
    "account.name": ("Nom affiché", "Display name"),
    "account.language": ("Langue", "Language"),
    "account.save": ("Enregistrer", "Save"),
    "account.saved_profile": ("Profil enregistré.", "Profile saved."),
    "account.saved_password": (
        "Mot de passe changé. Vos autres sessions (autres appareils) sont fermées.",
        "Password changed. Your other sessions (other devices) are closed.",
    ),
    "account.password": ("Mot de passe", "Password"),
    "account.password_hint": (
        "Changer de mot de passe ferme vos sessions sur les autres appareils.",
        "Changing your password closes your sessions on other devices.",
    ),
    "account.current_password": ("Mot de passe actuel", "Current password"),
    "account.change_password": ("Changer le mot de passe", "Change the password"),
    "account.current_wrong": (
        "Ce n'est pas votre mot de passe actuel.",
        "This is not your current password.",
    ),
    "account.password_short": (
        "Au moins {count} caractères.",
        "At least {count} characters.",
    ),
    "account.password_mismatch": (
        "Les deux saisies diffèrent : tapez le même mot de passe deux fois.",
        "The two differ: type the same password twice.",
    ),
    "account.item_emails_coach": (
        "M'envoyer chaque lundi le résumé de la semaine de mes apprenants (des chiffres, "
        "aucun de leurs mots).",
        "Send me each Monday my learners' week in a digest (counts, none of their words).",
    ),
    "account.item_emails_learner": (
        "M'écrire quand une réflexion ou une question de mon coach arrive (l'e-mail ne "
        "contient pas son texte).",
        "E-mail me when a reflection or question from my coach arrives (the e-mail does not "
        "hold its words).",
    ),
    "unsubscribe.title": ("Ne plus recevoir ces e-mails", "Stop these e-mails"),
    "unsubscribe.intro": (
        "Vous ne recevrez plus les e-mails d'Interlude sur le parcours (nouveaux éléments, "
        "résumé de la semaine) ; tout reste dans l'application, et les alertes de sécurité "
        "urgentes continuent d'arriver aux coachs. Vous pourrez les réactiver dans « Mon compte ».",
        "You will no longer get Interlude's e-mails about the programme (new items, the weekly "
        "digest); everything stays in the app, and urgent safety alerts still reach coaches. "
        'You can turn them back on in "My account".',
    ),
    "unsubscribe.submit": ("Ne plus recevoir ces e-mails", "Stop these e-mails"),
    "unsubscribe.done": (
        "C'est fait : vous ne recevrez plus ces e-mails.",
        "Done: you will no longer receive these e-mails.",
    ),
    "unsubscribe.unknown": (
        "Ce lien n'est pas reconnu. Désactivez les e-mails depuis « Mon compte » après connexion.",
        'This link is not recognised. Turn the e-mails off in "My account" after logging in.',
    ),
    "account.need_name": (
        "Indiquez un nom (200 caractères au plus).",
        "Enter a name (at most 200 characters).",
    ),
    "account.need_language": ("Choisissez le français ou l'anglais.", "Choose French or English."),
    "account.time_zone": ("Fuseau horaire", "Time zone"),
    "account.time_zone_default": (
        "Celui de l'organisation ({zone})",
        "The organisation's ({zone})",
    ),
    "account.time_zone_hint": (
        "Vos éléments sont proposés à {hour} h dans ce fuseau, et les pages y affichent les "
        "heures.",
        "Your items are proposed for {hour}:00 in this zone, and pages show times in it.",
    ),
    "account.need_time_zone": (
        "Choisissez un fuseau horaire de la liste.",
        "Choose a time zone from the list.",
    ),
    "account.saved_calendar_revoked": (
        "Lien de calendrier révoqué : il ne fonctionne plus.",
        "Calendar link revoked: it no longer works.",
    ),
    "calendar.title": ("Calendrier", "Calendar"),
    "calendar.intro_learner": (
        "Abonnez votre agenda (Outlook, Google, Apple…) à un lien secret : il y affiche votre "
        "prochaine séance et les jours où un élément arrive, jamais ce qu'il dit.",
        "Subscribe your calendar (Outlook, Google, Apple…) to a secret link: it shows your next "
        "session and the days an item arrives, never what it says.",
    ),
    "calendar.intro_coach": (
        "Abonnez votre agenda (Outlook, Google, Apple…) à un lien secret : il y affiche les "
        "prochaines séances de vos apprenants, avec leur nom seulement.",
        "Subscribe your calendar (Outlook, Google, Apple…) to a secret link: it shows the next "
        "sessions of your learners, by name only.",
    ),
    "calendar.url_label": ("Le lien de votre calendrier", "Your calendar link"),
    "calendar.shown_once": (
        "Copiez-le maintenant : il n'est montré qu'une fois. Quiconque l'a voit votre "
        "calendrier ; s'il a fuité, révoquez-le.",
        "Copy it now: it is shown only once. Anyone who has it sees your calendar; if it "
        "leaked, revoke it.",
    ),
    "calendar.copy": ("Copier", "Copy"),
    "calendar.copied": ("Lien copié.", "Link copied."),
    "calendar.active": ("Un lien de calendrier est actif.", "A calendar link is active."),
    "calendar.none": ("Aucun lien de calendrier pour l'instant.", "No calendar link yet."),
    "calendar.create": ("Créer le lien", "Make the link"),
    "calendar.replace": (
        "Remplacer le lien (l'ancien cesse de fonctionner)",
        "Replace the link (the old one stops working)",
    ),
    "calendar.revoke": ("Révoquer le lien", "Revoke the link"),
}
