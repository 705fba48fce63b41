"""Errors of the knowledge layer that callers handle by name."""


class ReindexRequired(RuntimeError):
    """The organisation's indexes were built by another embedding model or index format:
    rebuild them with `interlude knowledge reindex --org SLUG`."""


class StoreUnavailable(RuntimeError):
    """The configured knowledge store cannot serve; the message says what to set up."""
