"""Interlude's Litestar application: HTTP API, pages, auth, domain services, persistence, CLI."""
