"""The embedded widget's words, French and English side by side (see `messages.py`)."""

from __future__ import annotations

# key: (French, English)
WIDGET_MESSAGES: dict[str, tuple[str, str]] = {
    "widget.title": ("Compagnon Interlude", "Interlude companion"),
    "widget.intro": (
        "Parlez de ce que vous travaillez entre deux séances. Le compagnon pose une question à "
        "la fois et cite les sources de votre organisation.",
        "Talk about what you are working on between sessions. The companion asks one question "
        "at a time and cites your organisation's sources.",
    ),
    "widget.messages": ("Conversation", "Conversation"),
    "widget.message_label": ("Votre message", "Your message"),
    "widget.hint": (
        "Entrée pour envoyer, Maj+Entrée pour aller à la ligne, Échap pour fermer.",
        "Enter to send, Shift+Enter for a new line, Escape to close.",
    ),
    "widget.send": ("Envoyer", "Send"),
    "widget.connecting": ("Connexion…", "Connecting…"),
    "widget.connected": ("Connecté·e. Écrivez votre message.", "Connected. Write your message."),
    "widget.writing": ("Le compagnon écrit…", "The companion is writing…"),
    "widget.replied": ("Réponse reçue.", "Reply received."),
    "widget.failed": (
        "La réponse n'a pas pu être écrite ; votre message est enregistré. Réessayez plus tard.",
        "The reply could not be written; your message is stored. Try again later.",
    ),
    "widget.refused": (
        "La connexion a été refusée. Rechargez la page.",
        "The connection was refused. Reload the page.",
    ),
    "widget.empty": ("Écrivez un message d'abord.", "Write a message first."),
    "widget.you": ("Vous", "You"),
    "widget.companion": ("Compagnon", "Companion"),
    "widget.sources": ("Sources", "Sources"),
    "widget.unknown": (
        "Ce widget n'existe pas ou a été désactivé.",
        "This widget does not exist or was turned off.",
    ),
}
WIDGET_JS_KEYS: tuple[str, ...] = tuple(k for k in WIDGET_MESSAGES if k.startswith("widget."))
