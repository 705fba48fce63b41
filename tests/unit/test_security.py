from __future__ import annotations

from app.lib.security import Passwords, api_key_prefix, new_api_key, sha256_hex


def test_api_keys_are_recognised_by_prefix_and_stored_hashed() -> None:
    key = new_api_key()
    assert key.secret.startswith(key.prefix + "_")
    assert api_key_prefix(key.secret) == key.prefix
    assert key.secret_hash == sha256_hex(key.secret)
    assert key.secret not in key.secret_hash
    assert new_api_key().secret != key.secret


def test_foreign_tokens_are_not_keys() -> None:
    for token in ("", "abc", "ilk_short_x", "sk-live_0123456789ab_x", "ilk_0123456789ab"):
        assert api_key_prefix(token) is None


def test_passwords_verify_only_the_right_one() -> None:
    passwords = Passwords(time_cost=1, memory_kib=1024)
    stored = passwords.hash("correct horse")
    assert stored.startswith("$argon2id$")
    assert passwords.verify(stored, "correct horse")
    assert not passwords.verify(stored, "wrong horse")
    assert not passwords.verify(None, "anything")
    assert not passwords.verify("not a hash", "anything")
