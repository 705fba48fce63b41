"""Dependencies built once in `create_app` and handed to handlers by name."""

from __future__ import annotations

from litestar.datastructures import State

from app.lib.security import Passwords
from app.lib.throttle import AccountThrottle
from app.settings import Settings


def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


def provide_passwords(state: State) -> Passwords:
    passwords: Passwords = state.passwords
    return passwords


def provide_login_throttle(state: State) -> AccountThrottle:
    throttle: AccountThrottle = state.login_throttle
    return throttle
