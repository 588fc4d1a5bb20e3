"""Encryption at rest for concern text, with key rotation (Fernet: AES-128-CBC + HMAC).

ELEARN_CONCERN_KEYS holds one or more Fernet keys, comma-separated, newest first:
new text is encrypted with the first; any of them decrypts; `elearn concerns
rotate-key` re-encrypts everything with the first so old keys can be retired.
"""

from __future__ import annotations

from typing import overload

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class ConcernCipher:
    def __init__(self, keys: list[str]):
        if not keys:
            raise ValueError("at least one key is needed")
        self._fernet = MultiFernet([Fernet(k.strip().encode()) for k in keys])

    @classmethod
    def from_config(cls, value: str | None) -> ConcernCipher:
        """The keys of ELEARN_CONCERN_KEYS (in debug and tests a generated one: see
        instance_keys); never derived from anything else."""
        return cls([k for k in (value or "").split(",") if k.strip()])

    # Each of these keeps None (an absent optional text) as None, and a text as a text.
    @overload
    def encrypt(self, text: str) -> str: ...
    @overload
    def encrypt(self, text: None) -> None: ...
    def encrypt(self, text: str | None) -> str | None:
        return None if text is None else self._fernet.encrypt(text.encode()).decode()

    @overload
    def decrypt(self, token: str) -> str: ...
    @overload
    def decrypt(self, token: None) -> None: ...
    def decrypt(self, token: str | None) -> str | None:
        if token is None:
            return None
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise RuntimeError("a concern cannot be decrypted with the configured keys") from exc

    @overload
    def rotate(self, token: str) -> str: ...
    @overload
    def rotate(self, token: None) -> None: ...
    def rotate(self, token: str | None) -> str | None:
        return None if token is None else self._fernet.rotate(token.encode()).decode()

    # Files (attachments): the same keys over bytes.
    def encrypt_bytes(self, data: bytes) -> bytes:
        return self._fernet.encrypt(data)

    def decrypt_bytes(self, token: bytes) -> bytes:
        try:
            return self._fernet.decrypt(token)
        except InvalidToken as exc:
            raise RuntimeError("an attachment cannot be decrypted with the configured keys") from exc

    def rotate_bytes(self, token: bytes) -> bytes:
        return self._fernet.rotate(token)


def new_key() -> str:
    return Fernet.generate_key().decode()


def init_app(app) -> None:
    """The app's cipher for concern text (concerns/service.py uses it). create_app has
    the keys configured, or in debug and tests generated (instance_keys.py)."""
    app.extensions["elearn_concern_cipher"] = ConcernCipher.from_config(app.config["ELEARN_CONCERN_KEYS"])
