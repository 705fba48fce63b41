"""The admin pages' words, French and English side by side (see `messages.py`).

Kept apart from the learner and coach words so each area's vocabulary reads on its own;
`i18n.py` merges both and refuses a key defined twice.
"""

from __future__ import annotations

from app.db.models.enums import ApiScope, DocumentStatus, IntegrationScope, Language
from knowledge.documents import DocumentKind

# key: (French, English)
ADMIN_MESSAGES: dict[str, tuple[str, str]] = {
    "admin.nav.knowledge": ("Connaissances", "Knowledge"),
    "admin.nav.people": ("Personnes", "People"),
    "admin.nav.api_keys": ("Clés d'API", "API keys"),
    "admin.nav.policy": ("Règles", "Policy"),
    "admin.nav.figures": ("Chiffres", "Figures"),
    # Figures
    "admin.figures.title": ("Chiffres des programmes", "Program figures"),
    "admin.figures.intro": (
        "Des comptes, jamais de contenu : aucune réponse, conversation ni note n'est lisible ici."
        " Un groupe de moins de {minimum} apprenants n'affiche aucun chiffre, pour que personne ne"
        " puisse être reconnu. « Actifs » : ont répondu, écrit dans leur journal ou échangé avec"
        " le compagnon ces {days} derniers jours.",
        "Counts, never content: no answer, conversation or note can be read here. A group of"
        " fewer than {minimum} learners shows no figure, so nobody can be singled out. “Active”:"
        " answered, wrote in their journal or chatted with the companion in the last {days}"
        " days.",
    ),
    "admin.figures.by_program": ("Par programme", "By program"),
    "admin.figures.group": ("Groupe", "Group"),
    "admin.figures.learners": ("Apprenants inscrits", "Enrolled learners"),
    "admin.figures.active": ("Actifs ({days} j)", "Active ({days} d)"),
    "admin.figures.sessions": ("Séances tenues", "Sessions held"),
    "admin.figures.delivered": ("Éléments remis", "Items delivered"),
    "admin.figures.answered": ("Éléments répondus", "Items answered"),
    "admin.figures.weeks": ("Semaine après semaine", "Week by week"),
    "admin.figures.weeks_intro": (
        "Les éléments arrivés chez les apprenants chaque semaine (du lundi), et combien ont "
        "reçu une réponse depuis. Toute l'organisation, des chiffres seulement.",
        "Items that reached learners each week (from Monday), and how many were answered "
        "since. The whole organisation, counts only.",
    ),
    "admin.figures.week_of": ("Semaine du", "Week of"),
    "admin.figures.arrived": ("Arrivés", "Arrived"),
    "admin.figures.rate": ("Taux de réponse", "Answer rate"),
    "admin.figures.everyone": ("Toute l'organisation", "The whole organisation"),
    "admin.figures.hidden": (
        "Moins de {minimum} apprenants : chiffres masqués.",
        "Fewer than {minimum} learners: figures hidden.",
    ),
    "admin.figures.change_minimum": (
        "Changer la taille minimale d'un groupe (Règles)",
        "Change the minimum group size (Policy)",
    ),
    "admin.policy.figures": ("Chiffres", "Figures"),
    "admin.policy.min_group": (
        "Taille minimale d'un groupe pour afficher des chiffres",
        "Minimum group size to show figures",
    ),
    "admin.policy.min_group_hint": (
        "Au moins 3. Plus le groupe est petit, plus un chiffre peut désigner quelqu'un.",
        "At least 3. The smaller the group, the more a figure can point at someone.",
    ),
    "admin.policy.rhythm": ("Entre les séances", "Between sessions"),
    "admin.policy.rhythm_hint": (
        "Quand la prochaine séance est connue, les éléments approuvés d'un plan sont répartis "
        "sur les jours ouvrés jusqu'à elle (heure locale : {zone}).",
        "When the next session is known, a plan's approved items are spread over the working "
        "days until then (local time: {zone}).",
    ),
    "admin.policy.delivery_hour": ("Heure d'arrivée des éléments", "Hour items arrive"),
    "admin.policy.delivery_hour_hint": (
        "De 0 à 23. Vide : {hour} h, le réglage du serveur.",
        "From 0 to 23. Empty: {hour}:00, the server's setting.",
    ),
    "admin.policy.working_days": ("Jours ouvrés", "Working days"),
    "admin.policy.days_off": ("Jours fériés et fermetures", "Public holidays and closures"),
    "admin.policy.days_off_hint": (
        "Une date par ligne (AAAA-MM-JJ) : rien n'arrive ces jours-là.",
        "One date per line (YYYY-MM-DD): nothing arrives on those days.",
    ),
    "admin.policy.quiet_start": ("Heures calmes : à partir de", "Quiet hours: from"),
    "admin.policy.quiet_end": ("jusqu'à", "until"),
    "admin.policy.quiet_hint": (
        "Aucun e-mail d'élément n'est envoyé pendant ces heures (par exemple de 20 à 8) : il "
        "part à la fin. Vide : pas d'heures calmes. Les alertes urgentes ne sont pas concernées.",
        "No item e-mail is sent during these hours (for example 20 to 8): it goes when they "
        "end. Empty: no quiet hours. Urgent alerts are not affected.",
    ),
    "admin.policy.bad_day": (
        "« {day} » n'est pas une date (AAAA-MM-JJ).",
        "“{day}” is not a date (YYYY-MM-DD).",
    ),
    "admin.policy.need_working_day": (
        "Cochez au moins un jour ouvré.",
        "Tick at least one working day.",
    ),
    "admin.policy.quiet_both": (
        "Donnez le début et la fin des heures calmes, ou aucun des deux.",
        "Give both the start and the end of the quiet hours, or neither.",
    ),
    "admin.weekday.0": ("lundi", "Monday"),
    "admin.weekday.1": ("mardi", "Tuesday"),
    "admin.weekday.2": ("mercredi", "Wednesday"),
    "admin.weekday.3": ("jeudi", "Thursday"),
    "admin.weekday.4": ("vendredi", "Friday"),
    "admin.weekday.5": ("samedi", "Saturday"),
    "admin.weekday.6": ("dimanche", "Sunday"),
    "admin.actions": ("Actions", "Actions"),
    "admin.first_shown": (
        "Seuls les premiers éléments sont affichés ; l'API donne la liste complète.",
        "Only the first items are shown; the API gives the whole list.",
    ),
    "admin.confirm.cancel": ("Annuler", "Cancel"),
    "admin.confirm.ok": ("Confirmer", "Confirm"),
    "admin.lang.fr": ("Français", "French"),
    "admin.lang.en": ("Anglais", "English"),
    # Knowledge
    "admin.knowledge.title": ("Connaissances de l'organisation", "Organisation knowledge"),
    "admin.knowledge.intro": (
        "Les documents ici (valeurs, culture, stratégie, équipes, programme, événements) "
        "nourrissent les réflexions proposées et les réponses du compagnon.",
        "The documents here (values, culture, strategy, teams, program, events) ground the "
        "drafted reflections and the companion's replies.",
    ),
    "admin.doc_kind.value": ("Valeurs", "Values"),
    "admin.doc_kind.culture": ("Culture", "Culture"),
    "admin.doc_kind.strategy": ("Stratégie", "Strategy"),
    "admin.doc_kind.team": ("Équipe", "Team"),
    "admin.doc_kind.program_module": ("Module de programme", "Program module"),
    "admin.doc_kind.event": ("Événement", "Event"),
    "admin.doc_kind.question_bank": ("Banque de questions", "Question bank"),
    "admin.status.pending": ("En attente", "Waiting"),
    "admin.status.processing": ("Indexation en cours", "Indexing"),
    "admin.status.indexed": ("Indexé", "Indexed"),
    "admin.status.failed": ("Échec", "Failed"),
    "admin.upload.title": ("Ajouter un document", "Add a document"),
    "admin.upload.file": ("Fichier", "File"),
    "admin.upload.file_hint": (
        "Markdown, texte, HTML, PDF ou DOCX, {limit} Mo au plus. Un fichier du même nom "
        "remplace l'ancien.",
        "Markdown, text, HTML, PDF or DOCX, at most {limit} MB. A file with the same name "
        "replaces the old one.",
    ),
    "admin.upload.kind": ("Type de document", "Kind of document"),
    "admin.upload.kind_from_file": ("Celui indiqué dans le fichier", "As stated in the file"),
    "admin.upload.kind_hint": (
        "Sans choix ici, le fichier doit le dire dans son en-tête (kind: …).",
        "Without a choice here, the file must say it in its front matter (kind: …).",
    ),
    "admin.upload.language": ("Langue", "Language"),
    "admin.upload.language_detect": ("Détectée automatiquement", "Detected automatically"),
    "admin.upload.skill": ("Compétence (facultatif)", "Skill (optional)"),
    "admin.upload.skill_hint": (
        "Par exemple « feedback » : le document sert alors surtout à cette compétence.",
        "For example “feedback”: the document then serves that skill first.",
    ),
    "admin.upload.event_date": ("Date de l'événement (facultatif)", "Event date (optional)"),
    "admin.upload.event_date_hint": (
        "Pour un événement : chaque apprenant reçoit, après relecture par son coach, une "
        "question pour le préparer puis une pour en tirer les leçons.",
        "For an event: each learner gets, once their coach has reviewed it, a question to "
        "prepare it and then one to draw lessons from it.",
    ),
    "admin.upload.submit": ("Envoyer et indexer", "Upload and index"),
    "admin.upload.progress": ("Progression de l'envoi", "Upload progress"),
    "admin.upload.sending": ("Envoi : {percent} %", "Uploading: {percent}%"),
    "admin.upload.refused": (
        "Le fichier a été refusé ; la raison est indiquée près du champ.",
        "The file was refused; the reason is shown by the field.",
    ),
    "admin.upload.pending": (
        "{name} est reçu et attend d'être indexé…",
        "{name} is received and waiting to be indexed…",
    ),
    "admin.upload.processing": ("Indexation de {name}…", "Indexing {name}…"),
    "admin.upload.indexed": (
        "{name} est indexé : {count} passages.",
        "{name} is indexed: {count} passages.",
    ),
    "admin.upload.indexed_one": ("{name} est indexé : 1 passage.", "{name} is indexed: 1 passage."),
    "admin.upload.failed": (
        "{name} n'a pas pu être indexé : {error}",
        "{name} could not be indexed: {error}",
    ),
    "admin.documents.title": ("Documents", "Documents"),
    "admin.documents.none": ("Aucun document pour l'instant.", "No documents yet."),
    "admin.documents.name": ("Document", "Document"),
    "admin.documents.kind": ("Type", "Kind"),
    "admin.documents.language": ("Langue", "Language"),
    "admin.documents.skill": ("Compétence", "Skill"),
    "admin.documents.status": ("État", "Status"),
    "admin.documents.updated": ("Mis à jour", "Updated"),
    "admin.documents.passages": ("{count} passages", "{count} passages"),
    "admin.documents.passages_one": ("1 passage", "1 passage"),
    "admin.documents.delete": ("Supprimer", "Delete"),
    "admin.documents.delete_title": ("Supprimer ce document ?", "Delete this document?"),
    "admin.documents.delete_text": (
        "« {name} » et tous ses passages seront supprimés : le compagnon ne pourra plus les "
        "citer. Cela ne peut pas être annulé.",
        "“{name}” and all its passages will be deleted: the companion will no longer cite "
        "them. This cannot be undone.",
    ),
    "admin.documents.deleted": ("« {name} » est supprimé.", "“{name}” is deleted."),
    "admin.search.title": ("Essayer une recherche", "Try a search"),
    "admin.search.hint": (
        "Ce que le compagnon trouverait pour une question : les passages et leur score.",
        "What the companion would find for a question: the passages and their score.",
    ),
    "admin.search.query": ("Question ou mots-clés", "Question or keywords"),
    "admin.search.count": ("Nombre de passages", "Number of passages"),
    "admin.search.submit": ("Chercher", "Search"),
    "admin.search.searching": ("Recherche…", "Searching…"),
    "admin.search.found": ("{count} passages trouvés.", "{count} passages found."),
    "admin.search.found_one": ("1 passage trouvé.", "1 passage found."),
    "admin.search.nothing": (
        "Aucun passage trouvé. Essayez d'autres mots, ou ajoutez un document.",
        "No passage found. Try other words, or add a document.",
    ),
    "admin.search.score": ("score {score}", "score {score}"),
    # People and enrollments
    "admin.people.title": ("Personnes et inscriptions", "People and enrollments"),
    "admin.people.intro": (
        "Qui utilise Interlude et qui accompagne qui. Les administrateurs ne voient jamais ce "
        "que les apprenants écrivent.",
        "Who uses Interlude and who coaches whom. Administrators never see what learners write.",
    ),
    "admin.people.list": ("Personnes par rôle", "People by role"),
    "admin.people.none": ("Personne pour ce rôle.", "Nobody in this role."),
    "admin.role.admin": ("Administrateur", "Administrator"),
    "admin.role.coach": ("Coach", "Coach"),
    "admin.role.learner": ("Apprenant", "Learner"),
    "admin.role_plural.admin": ("Administrateurs", "Administrators"),
    "admin.role_plural.coach": ("Coachs", "Coaches"),
    "admin.role_plural.learner": ("Apprenants", "Learners"),
    "admin.person.new": ("Ajouter une personne", "Add a person"),
    "admin.person.name": ("Nom", "Name"),
    "admin.person.email": ("Adresse e-mail", "Email address"),
    "admin.person.role": ("Rôle", "Role"),
    "admin.person.locale": ("Langue des pages", "Language of the pages"),
    "admin.person.locale_default": (
        "Celle de l'organisation par défaut",
        "The organisation's default",
    ),
    "admin.person.invite_hint": (
        "La personne reçoit un lien pour choisir elle-même son mot de passe : personne d'autre "
        "ne le connaît, pas même vous.",
        "The person gets a link to choose their password themselves: nobody else knows it, "
        "not even you.",
    ),
    "admin.person.submit": ("Ajouter", "Add"),
    "admin.person.added": ("{name} est ajouté.", "{name} is added."),
    "admin.person.invited": (
        "{name} est ajouté ; l'invitation part à {email}.",
        "{name} is added; the invitation is on its way to {email}.",
    ),
    "admin.person.invitation_sent": (
        "Invitation envoyée à {email}.",
        "Invitation sent to {email}.",
    ),
    "admin.person.no_mail": (
        "Aucun serveur d'e-mail n'est configuré : rien n'est parti. Sur le serveur, lancez "
        "« interlude user invite --org {org} --email {email} » et transmettez le lien à la "
        "personne.",
        "No e-mail server is configured: nothing was sent. On the server, run "
        '"interlude user invite --org {org} --email {email}" and pass the link on to the '
        "person.",
    ),
    "admin.person.invite": ("Envoyer l'invitation", "Send the invitation"),
    "admin.person.pending": ("Invitation en attente", "Invitation pending"),
    "admin.person.status": ("État", "Status"),
    "admin.person.you": ("vous", "you"),
    "admin.person.active": ("Actif", "Active"),
    "admin.person.inactive": ("Désactivé", "Deactivated"),
    "admin.person.edit": ("Modifier", "Edit"),
    "admin.person.edit_title": ("Modifier :", "Edit:"),
    "admin.person.new_password": ("Nouveau mot de passe", "New password"),
    "admin.person.new_password_hint": (
        "Laissez vide pour garder le mot de passe actuel.",
        "Leave empty to keep the current password.",
    ),
    "admin.person.save": ("Enregistrer", "Save"),
    "admin.person.saved": ("Les changements de {name} sont enregistrés.", "{name} is saved."),
    "admin.person.deactivate": ("Désactiver", "Deactivate"),
    "admin.person.deactivate_title": ("Désactiver {name} ?", "Deactivate {name}?"),
    "admin.person.deactivate_text": (
        "{name} ne pourra plus se connecter ; ses données restent. Vous pourrez le réactiver.",
        "{name} will no longer be able to log in; their data stays. You can reactivate them.",
    ),
    "admin.person.deactivated": ("{name} est désactivé.", "{name} is deactivated."),
    "admin.person.reactivate": ("Réactiver", "Reactivate"),
    "admin.person.reactivated": ("{name} est réactivé.", "{name} is reactivated."),
    "admin.enrollments.title": ("Inscriptions", "Enrollments"),
    "admin.enrollments.intro": (
        "Une inscription relie un apprenant à un programme et au coach qui relit ce qui lui "
        "est proposé.",
        "An enrollment links a learner to a program and to the coach who reviews what is "
        "drafted for them.",
    ),
    "admin.enrollments.none": ("Aucune inscription pour l'instant.", "No enrollments yet."),
    "admin.enrollment.new": ("Inscrire un apprenant", "Enroll a learner"),
    "admin.enrollment.no_programs": (
        "Aucun programme pour l'instant : créez-en un par l'API (POST /api/v1/programs) ou "
        "avec la commande « interlude demo ».",
        "No program yet: create one through the API (POST /api/v1/programs) or with the "
        "“interlude demo” command.",
    ),
    "admin.enrollment.need_people": (
        "Il faut au moins un apprenant et un coach actifs : ajoutez-les ci-dessus.",
        "You need at least one active learner and one active coach: add them above.",
    ),
    "admin.enrollment.learner": ("Apprenant", "Learner"),
    "admin.enrollment.coach": ("Coach", "Coach"),
    "admin.enrollment.program": ("Programme", "Program"),
    "admin.enrollment.goal": ("Objectif (facultatif)", "Goal (optional)"),
    "admin.enrollment.goal_hint": (
        "Ce que l'apprenant vient travailler ; son coach pourra le reformuler.",
        "What the learner comes to work on; their coach may restate it.",
    ),
    "admin.enrollment.submit": ("Inscrire", "Enroll"),
    "admin.enrollment.added": ("L'inscription est créée.", "The enrollment is created."),
    "admin.enrollment.since": ("Depuis le", "Since"),
    "admin.enrollment.active": ("En cours", "Active"),
    "admin.enrollment.ended": ("Terminée", "Ended"),
    "admin.enrollment.end": ("Terminer", "End"),
    "admin.enrollment.end_title": ("Terminer cette inscription ?", "End this enrollment?"),
    "admin.enrollment.end_text": (
        "{enrollment} : plus rien ne sera proposé dans ce programme. Vous pourrez la reprendre.",
        "{enrollment}: nothing more will be drafted in this program. You can resume it.",
    ),
    "admin.enrollment.ended_now": ("L'inscription est terminée.", "The enrollment is ended."),
    "admin.enrollment.resume": ("Reprendre", "Resume"),
    "admin.enrollment.resumed": ("L'inscription a repris.", "The enrollment is resumed."),
    # API keys
    "admin.keys.title": ("Clés d'API", "API keys"),
    "admin.keys.intro": (
        "Une clé permet à un autre logiciel d'utiliser Interlude au nom d'une personne, avec "
        "ses droits. Envoyez-la dans l'en-tête « Authorization: Bearer <clé> ».",
        "A key lets other software use Interlude on behalf of one person, with their access. "
        "Send it in the “Authorization: Bearer <key>” header.",
    ),
    "admin.keys.docs": ("Documentation de l'API", "API documentation"),
    "admin.keys.list": ("Clés de l'organisation", "The organisation's keys"),
    "admin.keys.none": ("Aucune clé pour l'instant.", "No keys yet."),
    "admin.key.new": ("Créer une clé", "Create a key"),
    "admin.key.name": ("Nom", "Name"),
    "admin.key.name_hint": (
        "À quoi elle sert, par exemple « intranet RH ».",
        "What it is for, for example “HR intranet”.",
    ),
    "admin.key.acts_as": ("Agit au nom de", "Acts as"),
    "admin.key.acts_as_hint": (
        "Une clé agit pour vous, avec vos accès, ni plus ni moins : personne ne peut en créer"
        " pour quelqu'un d'autre. Chaque personne crée les siennes.",
        "A key acts for you, with your access, no more, no less: nobody can create one for"
        " someone else. Each person creates their own.",
    ),
    "admin.key.scopes": ("Droits", "Scopes"),
    "admin.key.scopes_hint": (
        "Lecture : consulter. Écriture : créer et modifier.",
        "Read: look things up. Write: create and change.",
    ),
    "admin.key.need_scope": (
        "Cochez au moins un droit (lecture ou écriture).",
        "Tick at least one scope (read or write).",
    ),
    "admin.key.submit": ("Créer la clé", "Create the key"),
    "admin.key.prefix": ("Début de la clé", "Key starts with"),
    "admin.key.created": ("Créée le", "Created"),
    "admin.key.last_used": ("Dernière utilisation", "Last used"),
    "admin.key.never": ("Jamais", "Never"),
    "admin.key.active": ("Active", "Active"),
    "admin.key.revoked": ("Révoquée", "Revoked"),
    "admin.key.revoke": ("Révoquer", "Revoke"),
    "admin.key.revoke_title": ("Révoquer la clé « {name} » ?", "Revoke the key “{name}”?"),
    "admin.key.revoke_text": (
        "Tout logiciel qui utilise « {name} » sera refusé dès maintenant. Cela ne peut pas "
        "être annulé : il faudra créer une nouvelle clé.",
        "Any software using “{name}” will be refused from now on. This cannot be undone: "
        "you would create a new key.",
    ),
    "admin.key.revoked_now": ("La clé « {name} » est révoquée.", "The key “{name}” is revoked."),
    "admin.nav.integrations": ("Intégrations", "Integrations"),
    "admin.integrations.title": ("Intégrations", "Integrations"),
    "admin.integrations.intro": (
        "Une intégration (intranet, LMS) ouvre le compagnon dans vos pages pour un·e "
        "apprenant·e à la fois, avec des jetons de quelques minutes que son serveur demande avec "
        "le secret. Les origines autorisées sont les seules pages qui peuvent l'afficher.",
        "An integration (an intranet, an LMS) opens the companion in your pages for one learner "
        "at a time, with tokens of a few minutes its server asks for with the secret. The "
        "allowed origins are the only pages that may show it.",
    ),
    "admin.integrations.list": (
        "Intégrations de l'organisation",
        "The organisation's integrations",
    ),
    "admin.integrations.none": ("Aucune intégration pour l'instant.", "No integrations yet."),
    "admin.integration.new": ("Créer une intégration", "Create an integration"),
    "admin.integration.origins": ("Origines autorisées", "Allowed origins"),
    "admin.integration.origins_hint": (
        "Une par ligne, sans chemin : https://intranet.exemple.fr",
        "One per line, without a path: https://intranet.example.com",
    ),
    "admin.integration.submit": ("Créer l'intégration", "Create the integration"),
    "admin.integration.secret_title": ("Le secret de l'intégration", "The integration's secret"),
    "admin.integration.secret_warning": (
        "Il n'est montré qu'une fois : rangez-le sur le serveur de l'intégration, jamais dans "
        "une page.",
        "It is shown once: store it on the integration's server, never in a page.",
    ),
    "admin.integration.snippet": ("À mettre dans vos pages", "To put in your pages"),
    "admin.integration.revoke_title": (
        "Révoquer l'intégration « {name} » ?",
        "Revoke the integration “{name}”?",
    ),
    "admin.integration.revoke_text": (
        "Son secret et tous ses jetons cessent de fonctionner tout de suite.",
        "Its secret and all its tokens stop working at once.",
    ),
    "admin.integration.revoked_now": (
        "L'intégration « {name} » est révoquée.",
        "The integration “{name}” is revoked.",
    ),
    "admin.iscope.chat:learner": ("Discussion de l'apprenant·e", "The learner's chat"),
    "admin.iscope.review:read": (
        "Lecture des éléments validés par le coach",
        "Reading the items the coach approved",
    ),
    "admin.scope.read": ("Lecture", "Read"),
    "admin.scope.write": ("Écriture", "Write"),
    "admin.secret.title": ("Votre nouvelle clé", "Your new key"),
    "admin.secret.warning": (
        "Copiez-la maintenant et rangez-la en lieu sûr : elle ne sera plus jamais affichée. "
        "Si vous la perdez, révoquez-la et créez-en une autre.",
        "Copy it now and keep it somewhere safe: it will never be shown again. If you lose "
        "it, revoke it and create another.",
    ),
    "admin.secret.label": ("Clé secrète", "Secret key"),
    "admin.secret.copy": ("Copier la clé", "Copy the key"),
    "admin.secret.copied": ("Clé copiée.", "Key copied."),
    "admin.secret.copy_by_hand": (
        "La copie automatique est impossible ici : la clé est sélectionnée, copiez-la au clavier.",
        "Automatic copy is not possible here: the key is selected, copy it with the keyboard.",
    ),
    "admin.secret.done": ("Je l'ai rangée", "I have stored it"),
    # Policy
    "admin.policy.title": ("Règles de l'organisation", "Organisation policy"),
    "admin.policy.intro": (
        "Ce que le compagnon propose et autorise pour {organization}.",
        "What the companion offers and allows for {organization}.",
    ),
    "admin.policy.resources": ("Ressources d'urgence", "Urgent resources"),
    "admin.policy.resources_hint": (
        "Montrées quand un apprenant semble en danger (idées suicidaires, violence) ; son coach "
        "est alerté. Par exemple : une ligne d'écoute 24 h/24, le 112.",
        "Shown when a learner seems in danger (suicidal thoughts, violence); their coach is "
        "alerted. For instance: a 24/7 crisis line, 112.",
    ),
    "admin.policy.resources_support": ("Ressources de soutien", "Support resources"),
    "admin.policy.resources_support_hint": (
        "Montrées face à l'épuisement, la détresse ou le harcèlement ; le coach n'est prévenu "
        "que si l'apprenant le demande. Par exemple : programme d'aide aux salariés, référent "
        "harcèlement, médecine du travail.",
        "Shown for exhaustion, distress or harassment; the coach is told only if the learner "
        "asks. For instance: the employee assistance programme, the harassment contact, "
        "occupational health.",
    ),
    "admin.policy.resources_out_of_scope": ("Hors du coaching", "Outside coaching"),
    "admin.policy.resources_out_of_scope_hint": (
        "Montrées pour une question médicale, juridique ou d'argent personnelle ; le coach "
        "n'en sait rien. Par exemple : médecine du travail, RH, représentants du personnel.",
        "Shown for a medical, legal or personal money question; the coach never hears of it. "
        "For instance: occupational health, HR, staff representatives.",
    ),
    "admin.policy.no_resources": (
        "Aucune ressource : ajoutez-en au moins une pour que l'apprenant sache vers qui se "
        "tourner.",
        "No resources: add at least one so a learner knows where to turn.",
    ),
    "admin.policy.resource_label": ("Nom", "Name"),
    "admin.policy.resource_contact": (
        "Contact (numéro, adresse, lien)",
        "Contact (number, address, link)",
    ),
    "admin.policy.add_resource": ("Ajouter une ressource", "Add a resource"),
    "admin.policy.remove_resource": ("Retirer", "Remove"),
    "admin.policy.need_label": (
        "Donnez un nom à cette ressource, ou videz la ligne.",
        "Give this resource a name, or empty the row.",
    ),
    "admin.policy.languages": ("Langues", "Languages"),
    "admin.policy.languages_legend": (
        "Langues proposées dans l'organisation",
        "Languages offered in the organisation",
    ),
    "admin.policy.languages_hint": ("Au moins une.", "At least one."),
    "admin.policy.need_language": ("Cochez au moins une langue.", "Tick at least one language."),
    "admin.policy.bad_host": (
        "« {host} » n'est pas un nom de site : écrivez par exemple intranet.exemple.fr, sans "
        "https:// ni chemin.",
        "“{host}” is not a site name: write for example intranet.example.com, without https:// "
        "or a path.",
    ),
    "admin.policy.default_language": ("Langue par défaut", "Default language"),
    "admin.policy.default_language_hint": (
        "Celle des personnes ajoutées sans langue choisie.",
        "The language of people added without one chosen.",
    ),
    "admin.policy.links": ("Liens autorisés", "Allowed links"),
    "admin.policy.link_hosts": (
        "Sites que le compagnon peut citer",
        "Sites the companion may link to",
    ),
    "admin.policy.link_hosts_hint": (
        "Un nom de site par ligne, par exemple intranet.exemple.fr (ses sous-domaines "
        "compris). Les autres liens sont retirés des réponses.",
        "One site name per line, for example intranet.example.com (its subdomains included). "
        "Other links are removed from replies.",
    ),
    "admin.policy.save": ("Enregistrer les règles", "Save the policy"),
    "admin.policy.saved": ("Les règles sont enregistrées.", "The policy is saved."),
    "admin.policy.stale": (
        "Un autre administrateur a modifié les règles depuis l'ouverture de cette page. "
        "Rechargez la page pour voir sa version, puis refaites votre modification.",
        "Another admin changed the policy since you opened this page. Reload the page to see "
        "their version, then make your change again.",
    ),
}

# Keys the admin scripts need, sent as JSON in the layout (as `i18n.JS_KEYS`).
ADMIN_JS_KEYS: tuple[str, ...] = (
    *(f"admin.doc_kind.{k.value}" for k in DocumentKind),
    *(f"admin.status.{s.value}" for s in DocumentStatus),
    *(f"admin.upload.{s.value}" for s in DocumentStatus),
    *(f"admin.scope.{s.value}" for s in ApiScope),
    *(f"admin.lang.{lang.value}" for lang in Language),
    "admin.upload.sending",
    "admin.upload.refused",
    "admin.upload.indexed_one",
    "admin.documents.passages",
    "admin.documents.passages_one",
    "admin.documents.delete",
    "admin.documents.delete_title",
    "admin.documents.delete_text",
    "admin.documents.deleted",
    "admin.search.searching",
    "admin.search.found",
    "admin.search.found_one",
    "admin.search.nothing",
    "admin.search.score",
    "admin.person.added",
    "admin.person.invited",
    "admin.person.invitation_sent",
    "admin.person.no_mail",
    "admin.person.saved",
    "admin.person.deactivate",
    "admin.person.deactivate_title",
    "admin.person.deactivate_text",
    "admin.person.deactivated",
    "admin.person.reactivated",
    "admin.enrollment.added",
    "admin.enrollment.end",
    "admin.enrollment.end_title",
    "admin.enrollment.end_text",
    "admin.enrollment.ended_now",
    "admin.enrollment.resumed",
    *(f"admin.iscope.{s.value}" for s in IntegrationScope),
    "admin.integration.revoke_title",
    "admin.integration.revoke_text",
    "admin.integration.revoked_now",
    "admin.key.need_scope",
    "admin.key.revoke",
    "admin.key.revoke_title",
    "admin.key.revoke_text",
    "admin.key.revoked",
    "admin.key.revoked_now",
    "admin.secret.copied",
    "admin.secret.copy_by_hand",
    "admin.policy.need_label",
    "admin.policy.need_language",
    "admin.policy.bad_host",
    "admin.policy.bad_day",
    "admin.policy.need_working_day",
    "admin.policy.quiet_both",
    "admin.policy.saved",
    "admin.policy.stale",
)
