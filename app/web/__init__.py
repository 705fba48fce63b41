"""The web pages: server-rendered templates over the same domain services as the JSON API.

Pages read through the services (so `app/domain/access.py` decides what each person sees);
their interactive parts call the JSON API with `fetch`, the session cookie and the CSRF token.
"""
